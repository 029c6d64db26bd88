"""The mail job (``python -m dorpsplein.participation mail-new``): each new article once.

Every test runs the job as the timer does, as a subprocess, against a real
SQLite database and a real SMTP server on 127.0.0.1 (``Mailbox``, aiosmtpd).
The service's ``service.json`` is written by the service's own
``config.write_config`` (what ``python -m dorpsplein.participation`` does
before it starts gunicorn) and the database prepared by ``store.prepare``.
Followers are inserted as the service's confirmation stores them: the
address, the topics, the confirmation time (docs/participation.md).
"""

from __future__ import annotations

import contextlib
import copy
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from itsdangerous import URLSafeSerializer
from participation_service import (
    PASSWORD,
    SHELL,
    SITE,
    Mailbox,
    free_port,
    write_settings,
    write_site,
)

from dorpsplein.build import ROOT
from dorpsplein.participation import backup
from dorpsplein.participation.config import read_secret, write_config
from dorpsplein.participation.email_follow import address_key
from dorpsplein.participation.mail_new import LOCK_NAME, mark_all_known, restore_known
from dorpsplein.participation.store import prepare

THEMES = [{"slug": "moderatie", "name": "Moderatie"}, {"slug": "verkeer", "name": "Verkeer"},
          {"slug": "sociale-media", "name": "Sociale media"}]
DUTCH_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                "september", "oktober", "november", "december")


def article(slug: str, theme: str = "moderatie", age: timedelta = timedelta(hours=1),
            title: str | None = None) -> dict:
    names = {t["slug"]: t["name"] for t in THEMES}
    return {"url": f"{SITE}/2026/11/{slug}/", "title": title or f"Nieuws: {slug}",
            "date": (datetime.now(UTC) - age).isoformat(),
            "summary": f"Wat er gebeurde met {slug}, in een paar zinnen.",
            "theme": theme, "theme_name": names.get(theme, "")}


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Mailserver(Mailbox):
    """A real SMTP server that refuses some recipients as real servers do:
    ``weg@`` permanently (550), ``vol@`` for now (452, mailbox full); it keeps
    each message's bytes as they came over the wire too (``raw``)."""

    def __init__(self, port: int | None = None):
        super().__init__()
        self.raw = []
        if port:  # the same server again, after it was away
            from aiosmtpd.controller import Controller

            self.port = port
            self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.raw.append(envelope.original_content or envelope.content)
        return await super().handle_DATA(server, session, envelope)

    async def handle_RCPT(self, server, session, envelope, address,  # noqa: N802
                          rcpt_options):
        if address.startswith("weg@"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: user unknown"
        if address.startswith("vol@"):
            return f"452 4.2.2 <{address}>: Mailbox full, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def to(self, address: str) -> list:
        return [message for rcpt, message in self.messages if address in rcpt]


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    """pelicanconf.py as the tests' service reads it (SITEURL, its own URL)."""
    from pelican.settings import read_settings

    folder = tmp_path_factory.mktemp("settings")
    path = write_settings(folder / "settings.py", free_port(), SITE)
    return read_settings(str(path))


class Job:
    """A participation service's state folder, its site file and the mail job."""

    def __init__(self, tmp, settings, smtp: dict | None, **server):
        tmp.mkdir(parents=True, exist_ok=True)
        self.tmp = tmp
        self.state = tmp / "state"
        self.site = tmp / "participation.json"
        self.database = self.state / "participation.db"
        self.articles: list[dict] = []
        self.publish()
        own = copy.deepcopy(settings)
        own["PARTICIPATION_SERVER"] = {**own["PARTICIPATION_SERVER"], "smtp": smtp or {},
                                       **server}
        self.config = write_config(own, self.state, site=self.site, database=self.database,
                                   bind="127.0.0.1:8091", production=bool(smtp),
                                   password=PASSWORD)
        prepare(self.database)
        self.secret = read_secret(self.state / "secret")

    def publish(self, *new: dict, **follow) -> None:
        """A build: ``new`` articles on top (newest first), as participation.json;
        ``follow`` replaces what the build writes in ``email_follow``."""
        self.articles[:0] = list(new)
        write_site(self.site, {
            "version": 1, "site_url": SITE, "consultations": {}, "self_tests": {},
            "shell": SHELL, "email_follow": {
                "town": "Lindeveld", "site_name": "Dorpsplein Lindeveld", "site_url": SITE,
                "follow_url": f"{SITE}/volg-ons/",
                "privacy_url": f"{SITE}/privacyverklaring/",
                "postal_address": "Dorpsplein 1, 9999 Lindeveld", "themes": THEMES,
                "articles": self.articles, **follow}})

    def follower(self, address: str, topics: str = "*",
                 confirmed: datetime | None = None) -> int:
        """A confirmed follower (a minute ago unless ``confirmed`` says otherwise)."""
        confirmed = confirmed or datetime.now(UTC) - timedelta(minutes=1)
        return self.sql("INSERT INTO email_followers (address, topics, confirmed) "
                        "VALUES (?, ?, ?)", address, topics, stamp(confirmed))[1]

    def sql(self, query: str, *values) -> tuple[list, int]:
        """One statement, committed, the connection closed (a restore needs that):
        its rows and the last row id."""
        with contextlib.closing(sqlite3.connect(self.database)) as db:
            db.execute("PRAGMA foreign_keys = ON")
            cursor = db.execute(query, values)
            rows = cursor.fetchall()
            db.commit()
            return rows, cursor.lastrowid

    def rows(self, query: str, *values) -> list:
        return self.sql(query, *values)[0]

    def deliveries(self) -> dict:
        return {(a, f): s for a, f, s in self.rows(
            "SELECT article, follower, state FROM email_follow_deliveries")}

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "dorpsplein.participation", "mail-new", "--state-dir",
             str(self.state), *args], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        process = self.start(*args)
        out, err = process.communicate(timeout=120)
        done = subprocess.CompletedProcess(process.args, process.returncode, out, err)
        if ok:
            assert done.returncode == 0, done
            assert "Traceback" not in done.stderr
        return done


@pytest.fixture
def mailserver():
    with Mailserver() as server:
        yield server


@pytest.fixture
def job(tmp_path, settings, mailserver):
    """A production service's state whose mails go to ``mailserver``; the site
    has two articles and the job has run once (its baseline)."""
    job = Job(tmp_path, settings, {"host": "127.0.0.1", "port": mailserver.port,
                                   "from": "nieuws@lindeveld.example"})
    job.publish(article("oud-nieuws", age=timedelta(days=3)), article("gisteren"))
    first = job.run("--production")
    assert "first run, 2 articles recorded as known" in first.stdout
    return job


def test_the_first_run_records_every_article_and_sends_nothing(tmp_path, settings,
                                                              mailserver):
    job = Job(tmp_path, settings, {"host": "127.0.0.1", "port": mailserver.port,
                                   "from": "nieuws@lindeveld.example"})
    job.follower("an@voorbeeld.be")
    job.publish(article("een"), article("twee"))
    done = job.run("--production")
    assert mailserver.messages == []
    assert done.stdout.startswith("Mail job: first run, 2 articles recorded as known")
    assert sorted(job.rows("SELECT url, mailed FROM email_follow_articles")) == [
        ("/2026/11/een/", 0), ("/2026/11/twee/", 0)]  # the URL's path
    job.run("--production")
    assert mailserver.messages == []


def test_a_new_article_is_mailed_once_to_each_follower(job, mailserver):
    job.follower("an@voorbeeld.be")
    job.follower("bert@voorbeeld.be", "moderatie,verkeer")
    job.publish(article("debat-modereren"))
    done = job.run("--production")
    assert [rcpt for rcpt, _m in mailserver.messages] == [["an@voorbeeld.be"],
                                                          ["bert@voorbeeld.be"]]
    assert "1 new article (1 to mail, 2 mails queued); 2 mails sent, 0 failed" in done.stdout
    again = job.run("--production")
    assert len(mailserver.messages) == 2
    assert "0 new articles" in again.stdout and "0 mails sent" in again.stdout
    assert set(job.deliveries().values()) == {"sent"}


def test_only_followers_of_the_articles_theme_get_it(job, mailserver):
    job.follower("alles@voorbeeld.be", "*")
    job.follower("verkeer@voorbeeld.be", "verkeer")
    job.follower("twee@voorbeeld.be", "sociale-media,moderatie")
    job.follower("media@voorbeeld.be", "sociale-media")
    job.publish(article("nieuwe-fietsstraat", theme="verkeer"))
    job.run()
    assert sorted(r[0] for r, _m in mailserver.messages) == ["alles@voorbeeld.be",
                                                            "verkeer@voorbeeld.be"]
    job.publish(article("reacties-modereren", theme="moderatie"))
    job.run()
    assert sorted(r[0] for r, _m in mailserver.messages[2:]) == ["alles@voorbeeld.be",
                                                                "twee@voorbeeld.be"]


def test_a_follower_confirmed_after_the_article_was_seen_does_not_get_it(job, mailserver):
    job.follower("vroeg@voorbeeld.be")
    job.publish(article("eerste"))
    job.run()
    [(seen,)] = job.rows("SELECT seen FROM email_follow_articles WHERE url = ?",
                         "/2026/11/eerste/")
    # Confirmed at the very moment the job first saw the article: not before it.
    late = job.follower("laat@voorbeeld.be",
                        confirmed=datetime.strptime(seen, "%Y-%m-%dT%H:%M:%SZ")
                        .replace(tzinfo=UTC))
    job.run()
    assert mailserver.to("laat@voorbeeld.be") == []
    assert len(mailserver.to("vroeg@voorbeeld.be")) == 1
    assert [f for _url, f in job.deliveries() if f == late] == []


def test_an_article_older_than_the_maximum_age_is_known_without_a_mail(job, mailserver):
    job.follower("an@voorbeeld.be")
    # Built late (a publish that waited a week): older than follow_max_age_days (7).
    job.publish(article("te-laat", age=timedelta(days=8)))
    done = job.run()
    assert mailserver.messages == []
    assert "1 new article (0 to mail, 0 mails queued)" in done.stdout
    assert job.rows("SELECT mailed FROM email_follow_articles WHERE url = ?",
                    "/2026/11/te-laat/") == [(0,)]


def test_the_maximum_age_is_the_servers_setting(tmp_path, settings, mailserver):
    job = Job(tmp_path, settings, {"host": "127.0.0.1", "port": mailserver.port,
                                   "from": "nieuws@lindeveld.example"}, follow_max_age_days=30)
    job.publish(article("oud"))
    job.run()
    job.follower("an@voorbeeld.be")
    job.publish(article("te-laat", age=timedelta(days=31)), article("laat", age=timedelta(days=8)))
    done = job.run()
    assert [m["Subject"] for _r, m in mailserver.messages] == ["Nieuws: laat"]
    assert "2 new articles (1 to mail, 1 mail queued)" in done.stdout


def test_an_unsubscribed_follower_gets_nothing(tmp_path, settings):
    server = Mailserver()  # not listening yet
    job = Job(tmp_path, settings, {"host": "127.0.0.1", "port": server.port,
                                   "from": "nieuws@lindeveld.example"})
    job.publish(article("oud"))
    job.run()
    stays = job.follower("blijft@voorbeeld.be")
    leaves = job.follower("gaat@voorbeeld.be")
    job.publish(article("een"))
    job.run(ok=False)  # SMTP away: both mails wait, queued
    assert set(job.deliveries().values()) == {"queued"}
    assert {f for _a, f in job.deliveries()} == {stays, leaves}
    # What the unsubscribe route does: the row goes, with its mails.
    job.sql("DELETE FROM email_followers WHERE id = ?", leaves)
    with server:
        job.publish(article("twee"))
        job.run()
    assert [r for r, _m in server.messages] == [["blijft@voorbeeld.be"]] * 2
    assert {f for _a, f in job.deliveries()} == {stays}


def test_smtp_down_fails_cleanly_and_the_next_run_sends_once(tmp_path, settings):
    server = Mailserver()  # its port is chosen; nothing listens there yet
    job = Job(tmp_path, settings, {"host": "127.0.0.1", "port": server.port,
                                   "from": "nieuws@lindeveld.example"})
    job.publish(article("oud"))
    job.run()
    job.follower("an@voorbeeld.be")
    job.follower("bert@voorbeeld.be")
    job.publish(article("nieuw"))
    down = job.run(ok=False)
    assert down.returncode == 1
    assert "Traceback" not in down.stderr
    [sentence] = down.stderr.strip().splitlines()
    assert sentence.startswith("The mail server 127.0.0.1:") and "next run" in sentence
    assert "2 waiting for the next run" in down.stdout
    assert set(job.deliveries().values()) == {"queued"}
    with server:
        up = job.run()
        assert sorted(r[0] for r, _m in server.messages) == ["an@voorbeeld.be",
                                                            "bert@voorbeeld.be"]
        assert "2 mails sent" in up.stdout and "0 waiting" in up.stdout
        job.run()
        assert len(server.messages) == 2


def test_a_refused_recipient_fails_a_full_mailbox_waits_the_others_are_sent(job, mailserver):
    job.follower("an@voorbeeld.be")
    refused = job.follower("weg@voorbeeld.be")
    full = job.follower("vol@voorbeeld.be")
    job.follower("bert@voorbeeld.be")
    job.publish(article("een"))
    done = job.run()
    assert sorted(r[0] for r, _m in mailserver.messages) == ["an@voorbeeld.be",
                                                            "bert@voorbeeld.be"]
    states = job.deliveries()
    url = "/2026/11/een/"
    assert states[(url, refused)] == "failed"
    assert states[(url, full)] == "queued"
    assert "2 mails sent, 1 failed (refused by the mail server), 1 waiting" in done.stdout
    job.run()  # the full mailbox is tried again; the refused address never
    assert len(mailserver.messages) == 2
    assert job.deliveries()[(url, refused)] == "failed"


def test_a_mail_left_sending_by_a_crash_is_never_sent(tmp_path, settings):
    server = Mailserver()
    job = Job(tmp_path, settings, {"host": "127.0.0.1", "port": server.port,
                                   "from": "nieuws@lindeveld.example"})
    job.publish(article("oud"))
    job.run()
    crashed = job.follower("an@voorbeeld.be")
    job.follower("bert@voorbeeld.be")
    job.publish(article("nieuw"))
    job.run(ok=False)  # SMTP down: both queued
    url = "/2026/11/nieuw/"
    # What a run killed in the SMTP conversation leaves.
    job.sql("UPDATE email_follow_deliveries SET state = 'sending' "
            "WHERE article = ? AND follower = ?", url, crashed)
    with server:
        done = job.run()
        done_again = job.run()
        assert [r[0] for r, _m in server.messages] == ["bert@voorbeeld.be"]
    assert job.deliveries()[(url, crashed)] == "sending"
    assert "1 left unsent by an interrupted run or a lost connection" in done.stdout
    assert "1 left unsent by an interrupted run or a lost connection" in done_again.stdout


def restored_after_one_mail(job, mailserver, tmp_path) -> None:
    """A follower, a backup, an article mailed since, then the backup put back."""
    job.follower("an@voorbeeld.be")
    saved = backup.backup(job.database, tmp_path / "backups")
    job.publish(article("na-de-backup"))
    job.run()
    assert len(mailserver.messages) == 1
    backup.restore(saved, job.database)


def test_after_a_restore_articles_published_before_it_are_not_mailed(job, mailserver,
                                                                     tmp_path):
    restored_after_one_mail(job, mailserver, tmp_path)
    # The backup knew the two first articles, not the one mailed since.
    assert mark_all_known(job.database, job.site) == (1, 0)
    job.run()
    assert len(mailserver.messages) == 1
    # Articles after the restore are mailed as ever.
    job.publish(article("na-het-herstel"))
    job.run()
    assert [m["Subject"] for _r, m in mailserver.messages] == ["Nieuws: na-de-backup",
                                                               "Nieuws: na-het-herstel"]


def test_a_restore_before_any_build_makes_the_next_run_a_first_run(job, mailserver,
                                                                   tmp_path):
    """No participation.json on this machine yet (a fresh server): nothing to
    mark, so what the backup knew is forgotten and the job's next run knows
    every article then published without mailing one."""
    restored_after_one_mail(job, mailserver, tmp_path)
    site = job.site.read_bytes()
    job.site.unlink()
    assert mark_all_known(job.database, job.site) == (None, 0)
    assert job.rows("SELECT COUNT(*) FROM email_follow_articles") == [(0,)]
    job.site.write_bytes(site)
    job.run()
    assert len(mailserver.messages) == 1  # na-de-backup not again
    job.publish(article("daarna"))
    job.run()
    assert [m["Subject"] for _r, m in mailserver.messages][1:] == ["Nieuws: daarna"]


def test_a_restore_drops_the_mails_its_backup_had_queued(tmp_path, settings):
    """Such a mail may have gone out after the backup was made: never twice."""
    server = Mailserver()
    job = Job(tmp_path / "service", settings, {"host": "127.0.0.1", "port": server.port,
                                               "from": "nieuws@lindeveld.example"})
    job.publish(article("oud"))
    job.run()
    job.follower("an@voorbeeld.be")
    job.publish(article("wacht"))
    job.run(ok=False)  # SMTP away: queued
    waiting = backup.backup(job.database, tmp_path / "backups")
    with server:
        job.run()
        assert len(server.messages) == 1
        backup.restore(waiting, job.database)
        assert mark_all_known(job.database, job.site) == (0, 1)
        done = job.run()
        assert len(server.messages) == 1
        assert "0 waiting" in done.stdout


def test_without_the_restores_marking_the_article_would_go_out_again(job, mailserver,
                                                                     tmp_path):
    """The restore test above can fail: a restored database alone mails again."""
    restored_after_one_mail(job, mailserver, tmp_path)
    job.run()
    assert len(mailserver.to("an@voorbeeld.be")) == 2


def test_two_runs_at_once_send_each_mail_once(job, mailserver):
    for number in range(6):
        job.follower(f"lezer{number}@voorbeeld.be")
    job.publish(article("een"), article("twee", theme="verkeer"))
    runs = [job.start(), job.start()]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    received = sorted((r[0], m["Subject"]) for r, m in mailserver.messages)
    assert received == sorted((f"lezer{n}@voorbeeld.be", f"Nieuws: {slug}")
                              for n in range(6) for slug in ("een", "twee"))
    assert sorted(int(out.split("; ")[1].split()[0]) for out, _err in outputs) == [0, 12]


def test_the_mails_headers(job, mailserver, settings):
    follower = job.follower("an@voorbeeld.be", "moderatie,sociale-media")
    job.publish(article("debat", title="Debat: hoe modereren we reacties?"))
    done = job.run()
    [(rcpt, mail)] = mailserver.messages
    assert mail["Subject"] == "Debat: hoe modereren we reacties?"
    [sender] = mail["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Lindeveld", "nieuws@lindeveld.example")
    assert mail["To"] == "an@voorbeeld.be" and rcpt == ["an@voorbeeld.be"]
    assert mail["List-Id"] == "Dorpsplein Lindeveld <volgen.www.lindeveld.example>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Message-ID"].startswith("<") and mail["Message-ID"].endswith(
        "@lindeveld.example>")
    assert mail["Date"].datetime.tzinfo is not None
    assert mail["Auto-Submitted"] == "auto-generated"
    # One URL in angle brackets, on one line as sent (not RFC 2047 encoded).
    [raw] = mailserver.raw
    [line] = [line for line in raw.decode("ascii").splitlines()
              if line.startswith("List-Unsubscribe:")]
    service_url = settings["PARTICIPATION_URL"]
    prefix = f"List-Unsubscribe: <{service_url}/volgen/uitschrijven/"
    assert line.startswith(prefix) and line.endswith(">") and "=?" not in line
    token = line[len(prefix):-1]
    serializer = URLSafeSerializer(job.secret, salt="email-follow-unsubscribe")
    assert serializer.loads(token) == [follower, address_key(job.secret, "an@voorbeeld.be")]
    # Nothing the job prints names a citizen.
    assert "voorbeeld.be" not in done.stdout + done.stderr
    assert mail.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in mail.iter_parts()] == ["text/plain",
                                                                      "text/html"]


def test_the_html_part_is_accessible_and_loads_nothing(job, mailserver):
    job.follower("an@voorbeeld.be", "moderatie,sociale-media")
    new = article("debat", title="Debat: hoe modereren we reacties?")
    new["summary"] = "Wie mag wat zeggen? <script>alert(1)</script> & meer."
    job.publish(new)
    job.run()
    dated = datetime.fromisoformat(new["date"]).astimezone(ZoneInfo("Europe/Brussels"))
    [(_rcpt, mail)] = mailserver.messages
    html = mail.get_body(("html",)).get_content()
    page = BeautifulSoup(html, "lxml")
    assert page.html["lang"] == "nl"
    assert page.title.get_text() == "Debat: hoe modereren we reacties?"
    assert [h1.get_text() for h1 in page.find_all("h1")] == ["Debat: hoe modereren we reacties?"]
    [read] = [a for a in page.find_all("a") if a.get_text() == "Lees het artikel op Dorpsplein "
              "Lindeveld"]
    assert read["href"] == new["url"] == f"{SITE}/2026/11/debat/"
    assert page.find_all(["img", "script", "link", "iframe", "object", "embed", "form"]) == []
    assert [tag for tag in page.find_all(True) if tag.has_attr("src")] == []
    assert "url(" not in html and "@import" not in html
    assert "Wie mag wat zeggen? <script>alert(1)</script> & meer." in page.get_text()
    text = page.get_text(" ", strip=True)
    assert (f"Gepubliceerd op {dated.day} {DUTCH_MONTHS[dated.month - 1]} {dated.year} · "
            "Thema: Moderatie") in text
    assert ("Je krijgt deze mail omdat je de artikels over Moderatie en Sociale media op "
            "Dorpsplein Lindeveld volgt.") in text
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert [a["href"] for a in page.find_all("a") if a.get_text() ==
            "Uitschrijven voor deze mails"] == [unsubscribe]
    assert "Lindeveld" in text and "Dorpsplein 1, 9999 Lindeveld" in text
    assert [a["href"] for a in page.find_all("a")
            if a.get_text() == "Hoe we met je adres omgaan"] == [f"{SITE}/privacyverklaring/"]


def test_the_text_part_says_the_same(job, mailserver):
    job.follower("an@voorbeeld.be")
    job.publish(article("debat"))
    job.run()
    [(_rcpt, mail)] = mailserver.messages
    text = mail.get_body(("plain",)).get_content()
    lines = text.splitlines()
    assert lines[0] == "Nieuws: debat"
    assert f"{SITE}/2026/11/debat/" in lines
    assert "Lees het artikel op Dorpsplein Lindeveld:" in lines
    assert ("Je krijgt deze mail omdat je alle nieuwe artikels op Dorpsplein Lindeveld volgt."
            in lines)
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert f"Uitschrijven voor deze mails: {unsubscribe}" in lines
    assert "Lindeveld, Dorpsplein 1, 9999 Lindeveld" in lines
    assert f"Hoe we met je adres omgaan: {SITE}/privacyverklaring/" in lines


def test_the_preview_prints_the_mails_and_records_them_sent(tmp_path, settings):
    job = Job(tmp_path, settings, None)
    job.publish(article("oud"))
    job.run()
    job.follower("an@voorbeeld.be")
    job.publish(article("nieuw"))
    done = job.run()
    assert "--- mail (no smtp configured) ---" in done.stdout
    assert "Subject: Nieuws: nieuw" in done.stdout
    assert set(job.deliveries().values()) == {"sent"}
    assert "--- mail" not in job.run().stdout
    # The timer's --production refuses the preview's configuration.
    refused = job.run("--production", ok=False)
    assert refused.returncode == 1
    assert "is the preview's" in refused.stderr and "Traceback" not in refused.stderr


def test_missing_files_end_in_one_sentence(tmp_path, settings):
    nothing = subprocess.run(
        [sys.executable, "-m", "dorpsplein.participation", "mail-new", "--state-dir",
         str(tmp_path / "nowhere")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert nothing.returncode == 1
    assert nothing.stderr.strip().endswith("--state-dir.")
    assert "service.json does not exist" in nothing.stderr
    assert len(nothing.stderr.strip().splitlines()) == 1
    job = Job(tmp_path / "site", settings, None)
    job.site.unlink()
    gone = job.run(ok=False)
    assert gone.returncode == 1
    assert "participation.json does not exist: build the site first" in gone.stderr
    assert len(gone.stderr.strip().splitlines()) == 1


# -- what the security review found ----------------------------------------------------


class DroppingMailserver(Mailserver):
    """A real SMTP server that, for ``valt@``, takes the whole message (after
    the final dot) and then drops the connection instead of answering 250:
    the client cannot know whether the mail was delivered."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        answer = await super().handle_DATA(server, session, envelope)
        if any(address.startswith("valt@") for address in envelope.rcpt_tos):
            server.transport.abort()
        return answer


def test_a_connection_lost_after_the_message_went_never_sends_it_twice(tmp_path, settings):
    with DroppingMailserver() as server:
        job = Job(tmp_path, settings, {"host": "127.0.0.1", "port": server.port,
                                       "from": "nieuws@lindeveld.example"})
        job.publish(article("oud"))
        job.run()
        dropped = job.follower("valt@voorbeeld.be")
        after = job.follower("an@voorbeeld.be")
        job.publish(article("nieuw"))
        done = job.run()
        # The server took both; the first answer never came back.
        assert [r for r, _m in server.messages] == [["valt@voorbeeld.be"],
                                                    ["an@voorbeeld.be"]]
        url = "/2026/11/nieuw/"
        assert job.deliveries() == {(url, dropped): "sending", (url, after): "sent"}
        assert "1 mail sent" in done.stdout and "1 uncertain" in done.stdout
        again = job.run()
        assert len(server.messages) == 2  # at most once: never sent again
        assert job.deliveries()[(url, dropped)] == "sending"
        assert "1 left unsent by an interrupted run or a lost connection" in again.stdout
    assert "voorbeeld.be" not in done.stdout + done.stderr + again.stdout + again.stderr


def test_a_title_or_name_with_line_breaks_is_one_line(job, mailserver):
    job.follower("an@voorbeeld.be")
    themes = [{**theme, "name": theme["name"].replace(" ", "\n")} for theme in THEMES]
    new = article("regels", theme="sociale-media", title="Nieuwe\nregels\r\nvoor het\rplein  ")
    new.update(summary="Eerste regel.\n\nTweede   regel.", theme_name="Sociale\r\nmedia")
    job.publish(new, town="Linde\r\nveld", site_name="Dorpsplein\nLindeveld", themes=themes,
                postal_address="Dorpsplein 1\n9999 Lindeveld")
    done = job.run()
    assert "1 mail sent" in done.stdout
    [(_rcpt, mail)] = mailserver.messages
    assert mail["Subject"] == "Nieuwe regels voor het plein"
    [raw] = mailserver.raw
    [subject] = [line for line in raw.decode("ascii").split("\r\n")
                 if line.startswith("Subject:")]
    assert subject == "Subject: Nieuwe regels voor het plein"
    assert mail["From"].addresses[0].display_name == "Linde veld"
    assert mail["List-Id"].startswith("Dorpsplein Lindeveld <")
    lines = mail.get_body(("plain",)).get_content().splitlines()
    assert lines[0] == "Nieuwe regels voor het plein"
    assert lines[1].endswith(" · Thema: Sociale media")
    assert "Eerste regel. Tweede regel." in lines
    assert "Linde veld, Dorpsplein 1 9999 Lindeveld" in lines


def test_a_mail_that_cannot_be_made_fails_and_the_others_are_sent(job, mailserver):
    job.follower("an@voorbeeld.be")
    bad = job.follower("kapot\nadres@voorbeeld.be")  # not sendable: no header can hold it
    job.follower("bert@voorbeeld.be")
    job.publish(article("een"))
    done = job.run()  # exit 0, no traceback
    assert sorted(r[0] for r, _m in mailserver.messages) == ["an@voorbeeld.be",
                                                            "bert@voorbeeld.be"]
    assert job.deliveries()[("/2026/11/een/", bad)] == "failed"
    assert ("2 mails sent, 0 failed (refused by the mail server), 0 waiting for the next run, "
            "1 failed as they could not be made or sent") in done.stdout
    [line] = done.stderr.strip().splitlines()
    assert "/2026/11/een/" in line and "ValueError" in line and "marked failed" in line
    assert "kapot" not in done.stdout + done.stderr
    assert "voorbeeld.be" not in done.stdout + done.stderr
    job.run()
    assert len(mailserver.messages) == 2


def test_a_new_site_url_mails_nothing_again(job, mailserver):
    job.follower("an@voorbeeld.be")
    job.publish(article("nieuw"))
    job.run()
    assert len(mailserver.messages) == 1
    assert sorted(job.rows("SELECT url FROM email_follow_articles")) == [
        ("/2026/11/gisteren/",), ("/2026/11/nieuw/",), ("/2026/11/oud-nieuws/",)]
    # The same articles under another SITEURL (a new domain, https).
    moved = "https://lindeveld.example"
    for entry in job.articles:
        entry["url"] = entry["url"].replace(SITE, moved)
    job.publish(site_url=moved, follow_url=f"{moved}/volg-ons/")
    done = job.run()
    assert len(mailserver.messages) == 1
    assert "0 new articles" in done.stdout
    assert mark_all_known(job.database, job.site) == (0, 0)
    # A really new article under the new address is mailed, with its new URL.
    job.publish(article("verhuisd"))
    job.articles[0]["url"] = job.articles[0]["url"].replace(SITE, moved)
    job.publish(site_url=moved)
    job.run()
    [_first, (_rcpt, mail)] = mailserver.messages
    assert f"{moved}/2026/11/verhuisd/" in mail.get_body(("plain",)).get_content()


def blocked_on(lock: Path, pid: int) -> bool:
    """``pid`` waits for the flock on ``lock`` (Linux's /proc/locks: "->")."""
    inode = f":{os.stat(lock).st_ino}"
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if (len(fields) > 6 and fields[1] == "->" and fields[2] == "FLOCK"
                and fields[5] == str(pid) and fields[6].endswith(inode)):
            return True
    return False


def test_a_run_during_a_restore_waits_for_its_marking(job, mailserver, tmp_path):
    """restore_known (./go participation-restore) holds the job's lock from the
    restore to the marking: a timer's run in between waits, then mails nothing."""
    job.follower("an@voorbeeld.be")
    saved = backup.backup(job.database, tmp_path / "backups")
    job.publish(article("na-de-backup"))
    job.run()
    assert len(mailserver.messages) == 1
    runs = []

    def restore():
        backup.restore(saved, job.database)
        # The restored database does not know "na-de-backup": a run now would mail it.
        runs.append(job.start())
        deadline = time.monotonic() + 60
        while not blocked_on(job.state / LOCK_NAME, runs[0].pid):
            assert runs[0].poll() is None, runs[0].communicate()
            assert time.monotonic() < deadline, "the job did not wait for the lock"
            time.sleep(0.02)

    assert restore_known(job.state, job.database, job.site, restore) == (1, 0)
    out, err = runs[0].communicate(timeout=120)
    assert runs[0].returncode == 0, err
    assert "0 new articles" in out and "0 mails sent" in out
    assert len(mailserver.messages) == 1
