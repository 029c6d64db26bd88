"""``python -m dorpsplein.participation mail-new``: mail each new article once.

What ``./go mail-new`` and ``deploy/systemd/dorpsplein-mail-new.timer`` run
(docs/participation.md, "The mail job"). It reads the service's
``service.json`` (database, the build's ``participation.json``, SMTP,
``service_url``, the secret), holds ``mail-new.lock`` in the state folder
(a second run waits for the first, then finds nothing to do), and:

1. the first run (no article known) records every article as known, unmailed;
2. every article not known yet is recorded (by its URL's path: a new SITEURL
   is no new article); one within ``follow_max_age_days`` gets a ``queued``
   delivery per follower confirmed before that moment whose themes include
   the article's;
3. every ``queued`` delivery is set to ``sending`` and committed, then sent
   over one SMTP connection: ``sent``; a 5xx ``failed``; a 4xx, or a lost
   connection before the server took the message's text (DATA), back to
   ``queued`` (the next run tries again). The connection lost while or after
   the text went: ``sending`` (perhaps delivered; "uncertain"), as a crash
   between leaves it: never sent again (at most once). A mail that cannot be
   made (an unexpected error) is ``failed``, and the next one goes on;
4. one line says what happened; never an address.

Without ``smtp.host`` (the preview) the mails are printed on standard output,
as ``mail.py`` does, and recorded as sent, so the preview behaves as
production does. ``mark_all_known`` is the restore's last step
(``./go participation-restore``), inside ``job_lock`` as the restore itself.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import io
import json
import os
import smtplib
import sqlite3
import sys
from datetime import timedelta
from email import policy as email_policy
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from babel.lists import format_list
from markupsafe import Markup, escape

from . import i18n
from .config import CONFIG_NAME, ServiceSettingsError, read_secret
from .email_follow import unsubscribe_url
from .i18n import Language, _
from .mail import PASSWORD_ENV, smtp_code
from .policy import SiteFileError, now, parse
from .store import connect, prepare, utc_now
from .store import transaction as write

LOCK_NAME = "mail-new.lock"
DEFAULT_MAX_AGE_DAYS = 7
# Headers are never folded inside a URL: an RFC 2047 encoded List-Unsubscribe
# (what the default policy makes of a long one) is not a URL to a mail client.
# Set once the parts are made: their quoted-printable lines stay at 76.
HEADER_POLICY = email_policy.SMTP.clone(max_line_length=998)


class MailJobError(Exception):
    """The job cannot run; the message says why in one sentence."""


# -- reading what the service wrote ----------------------------------------------------

def load_config(state_dir: Path) -> dict:
    path = Path(state_dir) / CONFIG_NAME
    if not path.is_file():
        raise MailJobError(
            f"{path} does not exist: start the participation service once (./go participation, "
            "or systemctl start dorpsplein-participation) so it writes its configuration, or "
            "name its state folder with --state-dir.")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        for key in ("database", "site", "secret", "service_url", "server"):
            config[key]  # noqa: B018 - present, or the file is not the service's
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise MailJobError(f"{path} is not the participation service's configuration: start "
                           "the service again so it writes a new one.") from None
    return config


def read_follow(config: dict):
    """``email_follow`` of the build's participation.json (None: the feature is off)."""
    site = Path(config["site"])
    if not site.is_file():
        raise MailJobError(f"{site} does not exist: build the site first (./go publish-build "
                           "on the server, ./go build for the preview).")
    try:
        return parse(site.read_text(encoding="utf-8")).email_follow
    except (OSError, UnicodeDecodeError, SiteFileError) as exc:
        raise MailJobError(f"{site} cannot be used ({exc}): build the site again.") from None


def max_age_days(config: dict) -> int:
    value = (config.get("server") or {}).get("follow_max_age_days", DEFAULT_MAX_AGE_DAYS)
    return value if isinstance(value, int) and value >= 0 else DEFAULT_MAX_AGE_DAYS


def open_database(config: dict) -> sqlite3.Connection:
    database = Path(config["database"])
    if not database.is_file():
        raise MailJobError(f"There is no participation database at {database}: start the "
                           "participation service once, so it makes it.")
    prepare(database)  # the email_follow tables, when the service is older than this job
    return connect(database)


@contextlib.contextmanager
def job_lock(state_dir: Path):
    """``mail-new.lock`` in ``state_dir``, held (waiting for whoever holds it)
    until the block ends: the job's run, and a restore with its marking (a run
    between the two would mail every article published since the backup)."""
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(state_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def article_key(url: str) -> str:
    """What identifies an article in ``email_follow_articles.url`` and
    ``email_follow_deliveries.article``: its URL's path, so a new SITEURL (a
    domain, http to https) mails nothing again."""
    return urlsplit(str(url)).path or "/"


# -- 1 and 2: the articles --------------------------------------------------------------

def follows(topics: str, theme: str) -> bool:
    return topics == "*" or (bool(theme) and theme in topics.split(","))


def record_articles(db: sqlite3.Connection, follow, max_age: int) -> dict:
    """Record the articles not known yet and queue their mails; one transaction."""
    def action(db):
        moment = utc_now()
        # article_key again: a row an older version keyed on the whole URL counts.
        known = {article_key(row[0]) for row in db.execute(
            "SELECT url FROM email_follow_articles")}
        first = not known
        fresh = []
        for article in follow.articles:
            if article_key(article.url) not in known:
                known.add(article_key(article.url))  # one path listed twice: once
                fresh.append(article)
        counts = {"first": first, "new": 0, "mailed": 0, "queued": 0}
        oldest = now() - timedelta(days=max_age)
        followers = db.execute("SELECT id, topics FROM email_followers WHERE confirmed < ?",
                               (moment,)).fetchall()
        for article in fresh:
            mailed = not first and article.date >= oldest
            db.execute("INSERT INTO email_follow_articles (url, seen, mailed) VALUES (?, ?, ?)",
                       (article_key(article.url), moment, int(mailed)))
            counts["new"] += 1
            if not mailed:
                continue
            counts["mailed"] += 1
            for follower in followers:
                if follows(follower["topics"], article.theme):
                    db.execute("INSERT INTO email_follow_deliveries (article, follower, state, "
                               "updated) VALUES (?, ?, 'queued', ?)",
                               (article_key(article.url), follower["id"], moment))
                    counts["queued"] += 1
        return counts

    return write(db, action)


def mark_all_known(database: Path, site: Path) -> tuple[int | None, int]:
    """After a restore: every article of ``site`` known (``mailed = 0``), and the
    mails the backup still had queued dropped (they may have gone out after the
    backup was made). Returns (articles newly marked, mails dropped).

    Without ``site`` (no build yet on this machine) nothing can be marked:
    every article the backup knew is forgotten instead, so the job's next run
    is a first run (every article then published known, none mailed); the
    marked count is None."""
    follow = read_follow({"site": str(site)}) if Path(site).is_file() else None
    database = Path(database)
    prepare(database)  # a backup from before following by e-mail existed
    db = connect(database)
    try:
        def action(db):
            moment = utc_now()
            dropped = db.execute(
                "DELETE FROM email_follow_deliveries WHERE state = 'queued'").rowcount
            if not Path(site).is_file():
                db.execute("DELETE FROM email_follow_deliveries")
                db.execute("DELETE FROM email_follow_articles")
                return None, dropped
            marked = 0
            for article in (follow.articles if follow else ()):
                marked += db.execute(
                    "INSERT OR IGNORE INTO email_follow_articles (url, seen, mailed) "
                    "VALUES (?, ?, 0)", (article_key(article.url), moment)).rowcount
            return marked, dropped

        found = write(db, action)
        # The restored file whole again, with the marking in it, not in a WAL.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return found
    finally:
        db.close()


def restore_known(state_dir: Path, database: Path, site: Path, restore) -> tuple[int, int]:
    """``./go participation-restore``: ``restore()`` (puts the backup back),
    then ``mark_all_known``, both inside ``job_lock(state_dir)``: a run of the
    job started meanwhile waits, and then finds every article known."""
    with job_lock(state_dir):
        restore()
        return mark_all_known(database, site)


# -- the mail ---------------------------------------------------------------------------

def list_id(follow, sender: str) -> str:
    """RFC 2919: the site's name and ``volgen.<the site's host>``."""
    host = urlsplit(follow.site_url).hostname or sender.rpartition("@")[2] or "localhost"
    return f"{follow.site_name} <volgen.{host}>"


def reason(follow, topics: str) -> str:
    if topics == "*":
        return _("You get this mail because you follow every new article on {site}.",
                 site=follow.site_name)
    names = follow.theme_names()
    themes = [names.get(slug, slug) for slug in topics.split(",") if slug]
    return _("You get this mail because you follow the articles about {themes} on {site}.",
             themes=format_list(themes, locale=i18n.current.code), site=follow.site_name)


def text_part(follow, article, lines: dict) -> str:
    parts = [article.title, lines["meta"], ""]
    if article.summary:
        parts += [article.summary, ""]
    parts += [lines["read"] + ":", article.url, "", "-- ", lines["reason"],
              f"{lines['unsubscribe']}: {lines['unsubscribe_url']}",
              ", ".join(filter(None, [follow.town, follow.postal_address]))]
    if follow.privacy_url:
        parts.append(f"{lines['privacy']}: {follow.privacy_url}")
    return "\n".join(parts) + "\n"


def html_part(follow, article, lines: dict) -> str:
    # No colours: a client's own (light or dark) stay readable; no image, no
    # script, no remote resource, nothing that tells anyone the mail was opened.
    e = escape
    summary = Markup(f'<p style="margin:0 0 1em">{e(article.summary)}</p>\n') \
        if article.summary else ""
    address = Markup("<br>").join(e(part) for part in (follow.town, follow.postal_address)
                                  if part)
    privacy = Markup(f'<p style="margin:0 0 .5em"><a href="{e(follow.privacy_url)}">'
                     f'{e(lines["privacy"])}</a></p>\n') if follow.privacy_url else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{e(i18n.current.code)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        '<meta name="supported-color-schemes" content="light dark">\n'
        f"<title>{e(article.title)}</title>\n</head>\n"
        '<body style="margin:0;padding:1em;font-family:sans-serif;line-height:1.5">\n'
        '<div style="max-width:36em;margin:0 auto">\n'
        f'<h1 style="font-size:1.5em;line-height:1.25;margin:0 0 .25em">{e(article.title)}</h1>\n'
        f'<p style="margin:0 0 1em">{e(lines["meta"])}</p>\n'
        f"{summary}"
        f'<p style="margin:0 0 2em"><a href="{e(article.url)}">{e(lines["read"])}</a></p>\n'
        '<div style="border-top:1px solid;padding-top:1em;font-size:.875em">\n'
        f'<p style="margin:0 0 .5em">{e(lines["reason"])}</p>\n'
        f'<p style="margin:0 0 .5em"><a href="{e(lines["unsubscribe_url"])}">'
        f'{e(lines["unsubscribe"])}</a></p>\n'
        f'<p style="margin:0 0 .5em">{address}</p>\n'
        f"{privacy}"
        "</div>\n</div>\n</body>\n</html>\n")


def message(config: dict, follow, article, follower: sqlite3.Row,
            secret: bytes) -> EmailMessage:
    smtp = (config.get("server") or {}).get("smtp") or {}
    sender = str(smtp.get("from") or "inspraak@localhost")
    unsubscribe = unsubscribe_url(config["service_url"], secret, follower["id"],
                                  follower["address"])
    meta = _("Published on {date}", date=i18n.current.date(article.date))
    if article.theme_name:
        meta += " · " + _("Theme: {theme}", theme=article.theme_name)
    lines = {
        "meta": meta,
        "read": _("Read the article on {site}", site=follow.site_name),
        "reason": reason(follow, follower["topics"]),
        "unsubscribe": _("Unsubscribe from these mails"),
        "unsubscribe_url": unsubscribe,
        "privacy": _("How we handle your address"),
    }
    mail = EmailMessage(policy=email_policy.SMTP)
    user, _at, domain = sender.rpartition("@")
    mail["From"] = Address(display_name=follow.town, username=user or sender,
                           domain=domain if user else "localhost")
    mail["To"] = follower["address"]
    mail["Subject"] = article.title
    mail["Date"] = format_datetime(now().astimezone(i18n.current.zone))
    mail["Message-ID"] = make_msgid(domain=domain or "localhost")
    mail["List-Id"] = list_id(follow, sender)
    # RFC 8058: a provider's server POSTs "List-Unsubscribe=One-Click" to the
    # https URL; both headers must be covered by the sender's DKIM signature.
    mail["List-Unsubscribe"] = f"<{unsubscribe}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # RFC 3834: no out-of-office or vacation replies to the town's address
    # for every mailed article (the confirmation mail says the same).
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(text_part(follow, article, lines), cte="quoted-printable")
    mail.add_alternative(html_part(follow, article, lines), subtype="html",
                         cte="quoted-printable")
    mail.policy = HEADER_POLICY
    return mail


# -- 3: sending -------------------------------------------------------------------------

class Unreachable(Exception):
    """The SMTP server cannot be reached (or went away): try the next run."""


class Broken(Exception):
    """This mail cannot be sent (an unexpected error before its text went): failed."""


class Postman:
    """One SMTP connection for the whole run, opened at the first mail (again
    after a connection was lost)."""

    def __init__(self, smtp: dict):
        self.smtp = smtp
        self.client = None

    def open(self):
        if self.client is None:
            try:
                client = smtplib.SMTP(str(self.smtp["host"]), int(self.smtp.get("port") or 25),
                                      timeout=30)
                if self.smtp.get("starttls"):
                    client.starttls()
                if self.smtp.get("username"):
                    client.login(str(self.smtp["username"]), os.environ.get(PASSWORD_ENV, ""))
            except (OSError, smtplib.SMTPException) as exc:
                raise Unreachable(f"{type(exc).__name__}, SMTP code {smtp_code(exc)}") from None
            self.client = client
        return self.client

    def send(self, mail: EmailMessage, to: str) -> str:
        """'sent'; 'failed' (5xx) or 'queued' (4xx) when the server said no;
        'uncertain' when the connection was lost while or after the message's
        text went (inside DATA): perhaps delivered, so never sent again.
        Unreachable when the connection is lost (or smtp.from refused) before;
        Broken for an unexpected error before the text went."""
        client = self.open()
        try:
            # As smtplib's send_message, in its steps: MAIL FROM, RCPT TO, DATA.
            sender = mail["From"].addresses[0].addr_spec
            international = not (sender + to).isascii()
            options = []
            if international:
                client.ehlo_or_helo_if_needed()
                if not client.has_extn("smtputf8"):
                    return self.refused(client, 550)
                options = ["SMTPUTF8", "BODY=8BITMIME"]
            with io.BytesIO() as flat:
                BytesGenerator(flat, policy=mail.policy.clone(utf8=international)).flatten(
                    mail, linesep="\r\n")
                text = flat.getvalue()
            client.ehlo_or_helo_if_needed()
            code, _reply = client.mail(sender, options)
            if code != 250:
                # smtp.from refused: the town's setting, not this citizen; all wait.
                self.refused(client, code)
                raise Unreachable(f"it refuses the sender, SMTP code {code}")
            code, _reply = client.rcpt(to)
            if code not in (250, 251):
                return self.refused(client, code)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise Unreachable(f"{type(exc).__name__}, SMTP code {smtp_code(exc)}") from None
        except (Unreachable, Broken):
            raise
        except Exception as exc:
            self.close()  # where the conversation stands is not known: a new one
            raise Broken(type(exc).__name__) from None
        try:
            code, _reply = client.data(text)
        except smtplib.SMTPDataError as exc:  # DATA itself refused: the text never went
            return self.refused(client, exc.smtp_code)
        except Exception:  # noqa: BLE001 - lost while or after the text went
            self.close()
            return "uncertain"
        if code != 250:
            return self.refused(client, code)
        return "sent"

    def refused(self, client, code: int) -> str:
        """The server said no to this mail: 'failed' (5xx) or 'queued' (4xx);
        421 (the server closes) is Unreachable: the rest wait too."""
        if code == 421:
            self.close()
            raise Unreachable("SMTP code 421")
        try:
            client.rset()
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise Unreachable(f"{type(exc).__name__}, SMTP code {smtp_code(exc)}") from None
        return "failed" if 500 <= int(code) < 600 else "queued"

    def close(self):
        if self.client is not None:
            try:
                self.client.quit()
            except (OSError, smtplib.SMTPException):
                self.client.close()
            self.client = None


def set_state(db, delivery, state: str, was: str) -> int:
    return write(db, lambda db: db.execute(
        "UPDATE email_follow_deliveries SET state = ?, updated = ? "
        "WHERE article = ? AND follower = ? AND state = ?",
        (state, utc_now(), delivery["article"], delivery["follower"], was)).rowcount)


def broken(counts: dict, db, delivery, was: str, error: str) -> None:
    """An unexpected error made or sent this mail: 'failed', one line on
    standard error (the error's type and the article's path, never an address)."""
    counts["broken"] += set_state(db, delivery, "failed", was)
    print(f"Mail job: a mail of {delivery['article']} could not be made or sent ({error}): "
          "marked failed.", file=sys.stderr, flush=True)


def send_queued(db, config: dict, follow, secret: bytes) -> dict:
    smtp = (config.get("server") or {}).get("smtp") or {}
    articles = {}
    for article in follow.articles:
        articles.setdefault(article_key(article.url), article)
    counts = {"sent": 0, "failed": 0, "broken": 0, "uncertain": 0, "withdrawn": 0,
              "unreachable": ""}
    queued = db.execute(
        "SELECT d.article, d.follower, f.id, f.address, f.topics "
        "FROM email_follow_deliveries d JOIN email_followers f ON f.id = d.follower "
        "JOIN email_follow_articles a ON a.url = d.article "
        "WHERE d.state = 'queued' ORDER BY a.seen, d.article, d.follower").fetchall()
    postman = Postman(smtp) if smtp.get("host") else None
    try:
        for delivery in queued:
            article = articles.get(article_key(delivery["article"]))
            if article is None:  # no longer on the site: nothing to mail
                counts["withdrawn"] += write(db, lambda db, d=delivery: db.execute(
                    "DELETE FROM email_follow_deliveries WHERE article = ? AND follower = ? "
                    "AND state = 'queued'", (d["article"], d["follower"])).rowcount)
                continue
            try:
                mail = message(config, follow, article, delivery, secret)
            except Exception as exc:  # noqa: BLE001 - one mail, not the whole run
                broken(counts, db, delivery, "queued", type(exc).__name__)
                continue
            if postman is None:
                if set_state(db, delivery, "sending", "queued"):
                    sys.stdout.write(f"--- mail (no smtp configured) ---\n{mail}\n--- end ---\n")
                    sys.stdout.flush()
                    set_state(db, delivery, "sent", "sending")
                    counts["sent"] += 1
                continue
            postman.open()  # unreachable: this one stays queued, untouched
            if not set_state(db, delivery, "sending", "queued"):
                continue  # unsubscribed (or taken) meanwhile
            try:
                state = postman.send(mail, delivery["address"])
            except Unreachable:
                set_state(db, delivery, "queued", "sending")
                raise
            except Broken as exc:
                broken(counts, db, delivery, "sending", str(exc))
                continue
            if state == "uncertain":  # stays 'sending': never sent again
                counts["uncertain"] += 1
                continue
            set_state(db, delivery, state, "sending")
            if state in ("sent", "failed"):
                counts[state] += 1
    except Unreachable as exc:
        counts["unreachable"] = (f"The mail server {smtp.get('host')}:{smtp.get('port') or 25} "
                                 f"did not take the mails ({exc}): the mails left wait for "
                                 "the next run.")
    finally:
        if postman is not None:
            postman.close()
    return counts


# -- the run ----------------------------------------------------------------------------

def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def run(state_dir: Path, production: bool = False) -> int:
    config = load_config(state_dir)
    if production and not config.get("production"):
        raise MailJobError(
            f"{Path(state_dir) / CONFIG_NAME} is the preview's (the service was started "
            "without --production): start the production service so it writes its own.")
    i18n.use(Language(config.get("language", "nl"), config.get("timezone", "Europe/Brussels")))
    follow = read_follow(config)
    if follow is None:
        print("Mail job: following by e-mail is off (PARTICIPATION_EMAIL_FOLLOW): "
              "nothing to do.")
        return 0
    try:
        secret = read_secret(Path(config["secret"]))
    except OSError:
        raise MailJobError(f"The service's key {config['secret']} cannot be read: start the "
                           "participation service once, so it makes it.") from None
    with job_lock(state_dir):  # a second run (or a restore) waits here
        db = open_database(config)
        try:
            articles = record_articles(db, follow, max_age_days(config))
            sent = send_queued(db, config, follow, secret)
            left = dict(db.execute("SELECT state, COUNT(*) FROM email_follow_deliveries "
                                   "WHERE state IN ('queued', 'sending') GROUP BY state")
                        .fetchall())
        finally:
            db.close()
    if articles["first"] and articles["new"]:
        news = (f"first run, {plural(articles['new'], 'article', 'articles')} recorded as "
                "known without a mail")
    else:
        news = (f"{plural(articles['new'], 'new article', 'new articles')} "
                f"({articles['mailed']} to mail, "
                f"{plural(articles['queued'], 'mail', 'mails')} queued)")
    line = (f"Mail job: {news}; {plural(sent['sent'], 'mail', 'mails')} sent, "
            f"{sent['failed']} failed (refused by the mail server), "
            f"{left.get('queued', 0)} waiting for the next run")
    if sent["broken"]:
        line += f", {sent['broken']} failed as they could not be made or sent (see above)"
    if sent["uncertain"]:
        line += (f", {sent['uncertain']} uncertain (the connection was lost while the mail "
                 "went: perhaps delivered, never sent again)")
    interrupted = left.get("sending", 0) - sent["uncertain"]
    if interrupted > 0:
        line += (f", {interrupted} left unsent by an interrupted run or a lost connection "
                 "(never sent again)")
    if sent["withdrawn"]:
        line += f", {sent['withdrawn']} dropped (the article is no longer on the site)"
    print(line + ".", flush=True)
    if sent["unreachable"]:
        print(sent["unreachable"], file=sys.stderr, flush=True)
        if not (sent["sent"] or sent["failed"] or sent["broken"] or sent["uncertain"]):
            return 1
    return 0


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dorpsplein.participation mail-new",
        description="Mail each new article once to the citizens who follow it by e-mail.")
    parser.add_argument("--state-dir", default="var/participation",
                        help="The participation service's state folder (its service.json).")
    parser.add_argument("--production", action="store_true",
                        help="Refuse a service.json that the preview wrote.")
    return parser


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    os.umask(0o077)  # the lock file, SQLite's journal: 0600
    try:
        return run(Path(args.state_dir), production=args.production)
    except (MailJobError, ServiceSettingsError) as exc:
        print(exc, file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        print(f"The participation database cannot be used ({exc}): is the disk full, or the "
              "database from another version? The mails wait for the next run.",
              file=sys.stderr)
        return 1
