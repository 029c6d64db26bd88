"""Privacy requests (issue 20): export and erase everything stored for one
e-mail address, across Isso's comments and the participation database.

Both stores are real: Isso's database made and filled by Isso's own code
(``isso.db.SQLite3``, ``Comments.add``), the participation database by
``store.prepare`` and the ``Store`` methods the service uses.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from citizen_stores import add_comment, isso_database

from dorpsplein import privacy
from dorpsplein.build import ROOT
from dorpsplein.participation.config import secret_file
from dorpsplein.participation.people import People
from dorpsplein.participation.store import DAILY, Store, prepare
from dorpsplein.privacy import Stores

ANNA = "Anna.Peeters@Example.be"
BRAM = "bram@example.org"
SITE = "https://gemeente.example"


@pytest.fixture
def town(tmp_path):
    """Both stores seeded with two citizens: Anna (to export and erase) and Bram."""
    isso = isso_database(tmp_path / "comments.db")
    ids = {}
    ids["anna_top"] = add_comment(isso, "/nieuws/park/", "Het park", ANNA, "anna",
                                  "Mooi plan voor het park.", notification=1)
    ids["bram_reply"] = add_comment(isso, "/nieuws/park/", "Het park", BRAM, "bram",
                                    "Eens met Anna.", parent=ids["anna_top"])
    ids["anna_alone"] = add_comment(isso, "/nieuws/markt/", "De markt",
                                    "  anna.peeters@example.BE ", "anna", "Meer kramen graag.")
    ids["bram_top"] = add_comment(isso, "/nieuws/markt/", "De markt", BRAM, "bram",
                                  "Ik kom zeker.")
    ids["anna_own_reply"] = add_comment(isso, "/nieuws/fiets/", "Fietspad", ANNA, "anna",
                                        "Vraag over het fietspad.")
    add_comment(isso, "/nieuws/fiets/", "Fietspad", ANNA, "anna", "Aanvulling op mijn vraag.",
                parent=ids["anna_own_reply"])

    state = tmp_path / "participation"
    state.mkdir(mode=0o700)
    database = state / "participation.db"
    prepare(database)
    secret = secret_file(state).read_text().strip().encode("ascii")
    people = People(secret)
    store = Store(database)

    def seed(db):
        idea_a = store.add_idea(db, "speelplein", {"title": "Schaduw op het speelplein",
                                                   "text": "Bomen planten bij de schommels.",
                                                   "name": "Anna", "place": "Centrum"},
                                "approved")
        idea_b = store.add_idea(db, "speelplein", {"title": "Een waterspeeltuin",
                                                   "text": "Voor warme zomerdagen, graag.",
                                                   "name": "Bram", "place": "Dorp"},
                                "approved")
        now = time.time()
        for address in (ANNA, BRAM):
            person = people.email(address)
            store.add_support(db, "speelplein", idea_a, person, 3)
            store.add_support(db, "speelplein", idea_b, person, 3)
            store.count_write(db, DAILY + person, now, 3, hours=24)
        # Each reports the other's idea ("Melden"), with e-mail verification.
        store.report(db, "speelplein", idea_b, people.email(ANNA), "net-a", 0)
        store.report(db, "speelplein", idea_a, people.email(BRAM), "net-b", 0)
        follower_a = store.follow(db, ANNA, "*")
        follower_b = store.follow(db, BRAM, "verkeer")
        db.execute("INSERT INTO email_follow_articles (url, seen, mailed) VALUES "
                   "('/nieuws/park/', '2026-01-01T00:00:00Z', 1)")
        for follower in (follower_a, follower_b):
            db.execute("INSERT INTO email_follow_deliveries (article, follower, state, updated) "
                       "VALUES ('/nieuws/park/', ?, 'sent', '2026-01-01T00:00:00Z')",
                       (follower,))
        return idea_a, idea_b

    ideas = store.write(seed)
    # A pending e-mail support of Anna's on a third idea.
    third = store.write(lambda db: store.add_idea(
        db, "speelplein", {"title": "Een petanqueveld", "text": "Voor de oudere buren.",
                           "name": "Bram", "place": ""}, "approved"))
    now = time.time()
    store.write(lambda db: store.add_confirmation(db, "speelplein", third, people.email(ANNA),
                                                  "sleutel-anna", 3, now, now + 3600))
    store.db.close()
    return {"stores": Stores(comments=tmp_path / "comments.db", participation=database,
                             participation_state=state, site_url=SITE),
            "ids": ids, "ideas": ideas, "people": people, "state": state}


def rows_with(path: Path, needle: str) -> list[tuple]:
    """Every row of every table with ``needle`` in a text column, in any case."""
    db = sqlite3.connect(path)
    found = []
    try:
        tables = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in db.execute(f"SELECT * FROM {table}"):
                for value in row:
                    if isinstance(value, str) and needle.lower() in value.lower():
                        found.append((table, row))
                        break
    finally:
        db.close()
    return found


def everything_of(town, address: str) -> list[tuple]:
    stores = town["stores"]
    person = town["people"].email(address)
    return [hit for path in (stores.comments, stores.participation)
            for needle in (address, person) for hit in rows_with(path, needle)]


def test_export_has_everything_of_one_citizen_and_nothing_of_the_other(town, tmp_path):
    data = privacy.export(" anna.peeters@example.be ", town["stores"])
    stores = data["stores"]
    texts = {item["text"] for item in stores["comments"]}
    assert texts == {"Mooi plan voor het park.", "Meer kramen graag.",
                     "Vraag over het fietspad.", "Aanvulling op mijn vraag."}
    top = next(item for item in stores["comments"] if item["id"] == town["ids"]["anna_top"])
    assert top["shown"] == f"{SITE}/nieuws/park/#isso-{top['id']}"
    assert top["thread"] == "Het park" and top["notification"] is True
    assert [item["topics"] for item in stores["email_follow"]] == ["alles"]
    assert sorted(item["idea"] for item in stores["supports"]) == [
        "Een waterspeeltuin", "Schaduw op het speelplein"]
    assert [item["idea"] for item in stores["support_confirmations"]] == ["Een petanqueveld"]
    # The shortened IP address stored with each comment, and the reports made.
    assert {item["ip_address"] for item in stores["comments"]} == {"192.0.2.0"}
    assert [(item["idea"], item["idea_id"]) for item in stores["reports"]] == [
        ("Een waterspeeltuin", town["ideas"][1])]
    assert stores["reports"][0]["created"].endswith("Z")
    assert "melding" in stores["reports"][0]["shown"]
    assert any("IP-adres" in note for note in stores["notes"])
    assert "title" in stores["ideas"]["note"]
    dumped = json.dumps(data, ensure_ascii=False).lower()
    assert BRAM not in dumped and "bram" not in dumped.replace("bram.example", "")
    assert "eens met anna" not in dumped

    json_file, html_file = privacy.write_export(data, tmp_path / "privacy")
    # Named by the request's random id: nothing made from the address.
    request = data["request"]
    assert re.fullmatch(r"[0-9a-f]{10}", request)
    unsalted = hashlib.sha256(ANNA.strip().lower().encode("utf-8")).hexdigest()
    for path in (json_file, html_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert re.fullmatch(rf"privacy-{request}-\d{{8}}\.(json|html)", path.name)
        assert "anna" not in path.name.lower() and unsalted[:6] not in path.name
    assert privacy.export(ANNA, town["stores"])["request"] != request  # one per run
    assert stat.S_IMODE((tmp_path / "privacy").stat().st_mode) == 0o700
    assert json.loads(json_file.read_text())["stores"]["comments"] == stores["comments"]
    page = html_file.read_text()
    assert '<html lang="nl">' in page and "Mooi plan voor het park." in page
    assert page.count("<table>") == 5
    assert "Meldingen van ideeën" in page and "192.0.2.0" in page and request in page


def test_export_escapes_html(town):
    data = privacy.export(ANNA, town["stores"])
    data["stores"]["comments"][0]["text"] = "<script>alert(1)</script>"
    page = privacy.to_html(data)
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_erase_removes_one_citizen_keeps_threads_and_the_other(town):
    stores = town["stores"]
    before_bram = everything_of(town, BRAM)
    assert everything_of(town, ANNA)

    report = privacy.erase(ANNA.upper(), stores)
    assert report["comments"] == {"comments_deleted": 3, "comments_anonymised": 1,
                                  "deleted_comments_without_replies_removed": 0}
    assert report["participation"] == {
        "email_followers": 1, "email_follow_deliveries": 1, "supports": 2,
        "support_confirmations": 1, "reports": 1, "rate_counts": 1}
    assert everything_of(town, ANNA) == []
    assert rows_with(stores.comments, "anna.peeters") == []
    assert everything_of(town, BRAM) == before_bram

    db = sqlite3.connect(stores.comments)
    db.row_factory = sqlite3.Row
    top = db.execute("SELECT * FROM comments WHERE id = ?", (town["ids"]["anna_top"],)).fetchone()
    assert (top["mode"], top["text"], top["author"], top["email"], top["website"],
            top["notification"]) == (4, "verwijderd op verzoek", None, None, None, 0)
    # No shortened IP address, nor the voters' filter that held it.
    assert (top["remote_addr"], bytes(top["voters"])) == ("", bytes(256))
    reply = db.execute("SELECT * FROM comments WHERE id = ?",
                       (town["ids"]["bram_reply"],)).fetchone()
    assert reply["parent"] == top["id"] and reply["text"] == "Eens met Anna."
    threads = {row[0] for row in db.execute("SELECT uri FROM threads")}
    assert threads == {"/nieuws/park/", "/nieuws/markt/"}  # the fiets thread had only Anna
    db.close()

    # Isso itself still serves the thread, the erased comment in its place.
    isso = isso_database(stores.comments)
    fetched = list(isso.comments.fetch("/nieuws/park/", mode=5))
    assert [(c["id"], c["parent"], c["mode"]) for c in fetched] == [
        (top["id"], None, 4), (town["ids"]["bram_reply"], top["id"], 1)]

    db = sqlite3.connect(stores.participation)
    counts = dict(db.execute("SELECT idea, COUNT(*) FROM supports GROUP BY idea"))
    assert counts == {idea: 1 for idea in town["ideas"]}
    assert db.execute("SELECT COUNT(*) FROM email_followers").fetchone()[0] == 1
    db.close()
    assert (town["state"] / "publish-requested").exists()

    again = privacy.erase(ANNA, stores)
    assert all(value == 0 for value in again["comments"].values())
    assert all(value == 0 for value in again["participation"].values())
    assert everything_of(town, BRAM) == before_bram
    told = privacy.describe(again, ANNA)
    assert ANNA.lower() not in told.lower()
    unsalted = hashlib.sha256(ANNA.strip().lower().encode("utf-8")).hexdigest()
    assert told.startswith(f"Privacy request {again['request']}:")
    assert unsalted[:6] not in told
    assert report["request"] != again["request"]


@pytest.mark.parametrize("address", ["", "anna", "anna@", "a b@example.be",
                                     "anna\u200b@example.be"])
def test_refuses_what_is_not_an_address(town, address):
    with pytest.raises(privacy.PrivacyError) as caught:
        privacy.erase(address, town["stores"])
    assert str(caught.value).count(".") >= 1 and "\n" not in str(caught.value)


def test_erase_while_the_database_is_busy(town):
    """A writer holding the lock briefly (a service) makes erase wait, not fail."""
    stores = town["stores"]
    holder = sqlite3.connect(stores.participation, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    code = ("from pathlib import Path\n"
            "from dorpsplein import privacy\n"
            "from dorpsplein.privacy import Stores\n"
            "print('ready', flush=True)\n"
            "r = privacy.erase({!r}, Stores(None, Path({!r}), Path({!r})))\n"
            "print(r['participation']['email_followers'])").format(
        ANNA, str(stores.participation), str(town["state"]))
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                               cwd=ROOT)
    assert process.stdout.readline().strip() == "ready"  # erase is about to start
    time.sleep(1)
    assert process.poll() is None  # waiting for the lock, not failed
    holder.execute("COMMIT")
    holder.close()
    out, _ = process.communicate(timeout=30)
    assert out.strip() == "1"


def test_tasks_export_and_erase(town, tmp_path, monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("dorpsplein_tasks", ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    monkeypatch.setattr(tasks, "_privacy_stores", lambda production: town["stores"])
    tasks.privacy_export.body(None, email=ANNA, to=str(tmp_path / "out"))
    out = capsys.readouterr().out
    assert "Comments 4" in out and len(list((tmp_path / "out").iterdir())) == 2
    tasks.privacy_erase.body(None, email=ANNA)
    out = capsys.readouterr().out
    assert "comments_deleted 3" in out and ANNA.lower() not in out.lower()
    with pytest.raises(SystemExit):
        tasks.privacy_erase.body(None, email="geen adres")
    assert "not a valid e-mail address" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["privacy-erase"], ["privacy", "erase"],
                                     ["privacy", "export"]])
def test_go_refuses_an_address_in_one_sentence(command):
    run = subprocess.run([sys.executable, "-m", "invoke", *command, "--email", "geen"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert run.stderr.strip().endswith("--email naam@example.org.")
    assert run.stderr.strip().count("\n") == 0


def test_go_privacy_wants_export_or_erase():
    run = subprocess.run([sys.executable, "-m", "invoke", "privacy", "wis", "--email",
                          ANNA], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "./go privacy export" in run.stderr
