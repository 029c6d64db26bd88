"""Retention (issue 20): personal data removed once it is kept long enough,
by ``dorpsplein.retention`` and ``./go retention`` (a daily systemd timer).

Both stores are real and seeded as the services seed them: Isso's database
by Isso's own code (``Comments.add``, ``vote``, ``delete``), the
participation database by ``store.prepare`` and the ``Store`` methods the
service uses. Two citizens: Anna acts at the start (T0), Bram a year later,
ten minutes before the last run (his rows are never due in this scenario).
Retention then runs at T0, and with the clock moved past each threshold:
+31 days, +91 days, +366 days, and once more.
"""

from __future__ import annotations

import configparser
import functools
import importlib.util
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from citizen_stores import add_comment, isso_database
from dorpsplein_kit import SettingsError

from dorpsplein import privacy, retention
from dorpsplein.build import ROOT
from dorpsplein.comments import backup as comments_backup
from dorpsplein.participation import backup as participation_backup
from dorpsplein.participation.config import secret_file
from dorpsplein.participation.people import People
from dorpsplein.participation.store import DAILY, Store, prepare

ANNA = "anna.peeters@example.be"
BRAM = "bram@example.org"
DAY = 86400
# Not a multiple of 0.05 s: Store.use_token prunes "now and then" when
# int(now * 1000) % 50 == 0, and that would change the seed itself.
T0 = float(int(time.time())) + 0.0125
LATER = T0 + 366 * DAY - 600  # Bram: ten minutes before the last run
RULES = retention.rules({})  # the defaults of both plugins' SERVER_DEFAULTS


def iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


@pytest.fixture
def town(tmp_path):
    comments = tmp_path / "comments.db"
    isso = isso_database(comments)
    ids = {}
    ids["anna_top"] = add_comment(isso, "/nieuws/park/", "Het park", ANNA, "anna",
                                  "Mooi plan voor het park.", notification=1, created=T0)
    isso.comments.vote(True, ids["anna_top"], "198.51.100.0")  # a neighbour likes it
    ids["bram_reply"] = add_comment(isso, "/nieuws/park/", "Het park", BRAM, "bram",
                                    "Eens met Anna.", parent=ids["anna_top"], created=LATER,
                                    remote_addr="203.0.113.0")
    ids["anna_pending"] = add_comment(isso, "/nieuws/markt/", "De markt", ANNA, "anna",
                                      "Meer kramen graag.", mode=2, created=T0)
    ids["bram_pending"] = add_comment(isso, "/nieuws/markt/", "De markt", BRAM, "bram",
                                      "Ik kom zeker.", mode=2, created=LATER,
                                      remote_addr="203.0.113.0")
    # A comment Anna deleted herself (Isso keeps it as mode 4 for its reply),
    # with a reply of hers still waiting for a moderator.
    ids["anna_fiets"] = add_comment(isso, "/nieuws/fiets/", "Fietspad", ANNA, "anna",
                                    "Vraag over het fietspad.", created=T0)
    add_comment(isso, "/nieuws/fiets/", "Fietspad", ANNA, "anna", "Aanvulling.",
                parent=ids["anna_fiets"], mode=2, created=T0)
    isso.comments.delete(ids["anna_fiets"])

    state = tmp_path / "participation"
    state.mkdir(mode=0o700)
    database = state / "participation.db"
    prepare(database)
    people = People(secret_file(state).read_text().strip().encode("ascii"))
    anna, bram = people.email(ANNA), people.email(BRAM)
    store = Store(database)

    def idea(db, title, name, status):
        return store.add_idea(db, "speelplein", {"title": title, "text": f"{title}, graag.",
                                                 "name": name, "place": "Dorp"}, status)

    def seed(db):
        found = {"a1": idea(db, "Een bank bij de vijver", "Anna", "pending"),
                 "a2": idea(db, "Schaduw op het speelplein", "Anna", "approved"),
                 "m": idea(db, "Bomen bij de schommels", "Anna", "approved"),
                 "b1": idea(db, "Een waterspeeltuin", "Bram", "approved"),
                 "b3": idea(db, "Een petanqueveld", "Bram", "approved")}
        store.add_support(db, "speelplein", found["m"], anna, 3)
        store.add_support(db, "speelplein", found["b1"], anna, 3)
        store.add_support(db, "speelplein", found["b3"], bram, 3)
        store.report(db, "speelplein", found["m"], anna, "net-a", 0)
        store.report(db, "speelplein", found["b1"], anna, "net-a", 0)
        store.add_confirmation(db, "speelplein", found["b3"], anna, "sleutel-anna", 3, T0,
                               T0 + 3600)
        store.use_token(db, "nonce-anna", T0, 7200)
        store.count_write(db, "net-a", T0, 120)
        store.count_write(db, DAILY + anna, T0, 3, hours=24)
        anna_follows = store.follow(db, ANNA, "*", iso(T0))
        db.execute("INSERT INTO email_follow_articles (url, seen, mailed) VALUES "
                   "('/nieuws/park/', ?, 1), ('/nieuws/markt/', ?, 1)", (iso(T0), iso(T0)))
        db.execute("INSERT INTO email_follow_deliveries (article, follower, state, updated) "
                   "VALUES ('/nieuws/park/', ?, 'sent', ?), ('/nieuws/markt/', ?, 'queued', ?)",
                   (anna_follows, iso(T0), anna_follows, iso(T0)))
        return found

    ideas = store.write(seed)
    # Bram's failed login first: each one prunes those older than an hour.
    store.add_failure("moderator-b", LATER)
    store.add_failure("moderator-a", T0)
    # A moderator merges "Bomen" into "Schaduw" (the support moves, the report
    # stays), then rejects "Schaduw".
    store.moderate(ideas["m"], "merge", target=ideas["a2"])
    store.moderate(ideas["a2"], "reject", reason="Niet haalbaar.")

    def bram_later(db):
        ideas["b2"] = idea(db, "Een drinkfontein", "Bram", "pending")
        db.execute("UPDATE ideas SET created = ?, updated = ? WHERE id = ?",
                   (iso(LATER), iso(LATER), ideas["b2"]))
        store.report(db, "speelplein", ideas["b3"], bram, "net-b", 0)
        db.execute("UPDATE reports SET created = ? WHERE person = ?", (iso(LATER), bram))
        store.add_confirmation(db, "speelplein", ideas["b1"], bram, "sleutel-bram", 3, LATER,
                               LATER + 3600)
        store.use_token(db, "nonce-bram", LATER, 7200)
        store.count_write(db, "net-b", LATER, 120)
        store.count_write(db, DAILY + bram, LATER, 3, hours=24)
        follower = store.follow(db, BRAM, "verkeer", iso(LATER))
        db.execute("INSERT INTO email_follow_deliveries (article, follower, state, updated) "
                   "VALUES ('/nieuws/park/', ?, 'sent', ?)", (follower, iso(LATER)))

    store.write(bram_later)
    store.db.close()

    backups = tmp_path / "backups"
    made = {}
    for module, database_file, days in ((comments_backup, comments, (0, 20)),
                                        (participation_backup, database, (0, 25))):
        for day in days:
            made[(module.__name__, day)] = module.backup(
                database_file, backups, now=datetime.fromtimestamp(T0 + day * DAY))
    manual = backups / "participation-manual.db"  # prune counts it: no time in its name
    manual.write_bytes(made[(participation_backup.__name__, 0)].read_bytes())
    os.utime(manual, (T0 - DAY, T0 - DAY))
    unrelated = [backups / "notes.txt", backups / "comments.db", backups / "isso-export.db",
                 backups / "comments-20000101-000000.db.partial"]
    for path in unrelated:
        path.write_text("not a backup")
        os.utime(path, (T0 - 400 * DAY, T0 - 400 * DAY))
    return {"comments": comments, "participation": database, "backups": backups,
            "ids": ids, "ideas": ideas, "anna": anna, "bram": bram, "made": made,
            "manual": manual, "unrelated": unrelated}


def rows(path: Path, sql: str, args=()) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def counts(path: Path, tables) -> dict:
    return {table: rows(path, f"SELECT COUNT(*) FROM {table}")[0][0] for table in tables}


COMMENT_TABLES = ("comments", "threads")
PARTICIPATION_TABLES = ("ideas", "supports", "confirmations", "reports", "used_tokens",
                        "rate_counts", "login_failures", "email_followers",
                        "email_follow_deliveries", "email_follow_articles")


def brams(town) -> dict:
    """Every row of Bram's, whole (blobs too)."""
    c, p, person = town["comments"], town["participation"], town["bram"]
    return {
        "comments": rows(c, "SELECT * FROM comments WHERE email = ? ORDER BY id", (BRAM,)),
        "ideas": rows(p, "SELECT * FROM ideas WHERE name = 'Bram' ORDER BY id"),
        "supports": rows(p, "SELECT * FROM supports WHERE person = ?", (person,)),
        "confirmations": rows(p, "SELECT * FROM confirmations WHERE person = ?", (person,)),
        "reports": rows(p, "SELECT * FROM reports WHERE person = ?", (person,)),
        "followers": rows(p, "SELECT * FROM email_followers WHERE address = ?", (BRAM,)),
        "deliveries": rows(p, "SELECT d.* FROM email_follow_deliveries d JOIN email_followers "
                              "f ON f.id = d.follower WHERE f.address = ?", (BRAM,)),
        "counters": rows(p, "SELECT * FROM rate_counts WHERE network IN ('net-b', ?)",
                         (DAILY + person,))
        + rows(p, "SELECT * FROM used_tokens WHERE nonce = 'nonce-bram'")
        + rows(p, "SELECT * FROM login_failures WHERE address = 'moderator-b'"),
    }


def annas_not_due_before_a_year(town) -> dict:
    c, p, person = town["comments"], town["participation"], town["anna"]
    return {
        "top": rows(c, "SELECT * FROM comments WHERE id = ?", (town["ids"]["anna_top"],)),
        "support": rows(p, "SELECT * FROM supports WHERE person = ? AND idea = ?",
                        (person, town["ideas"]["b1"])),
        "follower": rows(p, "SELECT * FROM email_followers WHERE address = ?", (ANNA,)),
    }


def run(town, days: float, rules=RULES) -> tuple[dict, str]:
    report = retention.apply(town["comments"], town["participation"], town["backups"], rules,
                             now=T0 + days * DAY)
    return report, retention.describe(report)


FOLLOWING_ON = {"followers removed (following off)": 0,
                "their deliveries (following off)": 0,
                "daily mail counts removed (following off)": 0}


def comment(town, number: int) -> sqlite3.Row:
    db = sqlite3.connect(town["comments"])
    db.row_factory = sqlite3.Row
    try:
        return db.execute("SELECT * FROM comments WHERE id = ?", (number,)).fetchone()
    finally:
        db.close()


def rules_only(report: dict, store: str) -> dict:
    return {k: v for k, v in report[store].items() if k not in ("before", "after")}


def thread(town, uri: str) -> list[tuple]:
    isso = isso_database(town["comments"])
    return [(c["id"], c["parent"], c["mode"]) for c in isso.comments.fetch(uri, mode=5)]


def assert_private(text: str, town) -> None:
    lowered = text.lower()
    for secret in ("anna", "bram", "@", "example", "192.0.2", "198.51.100", "203.0.113",
                   str(town["backups"]).lower(), "speelplein", "park", "moderator-"):
        assert secret not in lowered, secret


def test_retention_over_a_year(town):
    before_bram = brams(town)
    anna_kept = annas_not_due_before_a_year(town)
    ids, ideas = town["ids"], town["ideas"]
    park = [(ids["anna_top"], None, 1), (ids["bram_reply"], ids["anna_top"], 1)]
    assert thread(town, "/nieuws/park/") == park
    assert counts(town["comments"], COMMENT_TABLES) == {"comments": 6, "threads": 3}
    assert counts(town["participation"], PARTICIPATION_TABLES) == {
        "ideas": 6, "supports": 3, "confirmations": 2, "reports": 3, "used_tokens": 2,
        "rate_counts": 4, "login_failures": 2, "email_followers": 2,
        "email_follow_deliveries": 3, "email_follow_articles": 2}

    # Now: only the comment Anna deleted (kept for its reply) loses its
    # contact data at once; it keeps its place in the thread.
    fiets = town["ids"]["anna_fiets"]
    assert comment(town, fiets)["email"] == ANNA  # Isso's own delete kept it
    report, text = run(town, 0)
    assert rules_only(report, "comments") == {
        "pending purged": 0, "deleted without replies removed": 0,
        "deleted comments' contact data removed": 1, "contact data removed": 0,
        "e-mail addresses removed": 0}
    deleted = comment(town, fiets)
    assert (deleted["mode"], deleted["email"], deleted["remote_addr"],
            deleted["notification"], bytes(deleted["voters"])) == (4, None, "", 0, bytes(256))
    assert thread(town, "/nieuws/fiets/") == [(fiets, None, 4)]
    assert set(rules_only(report, "participation").values()) == {0}
    assert report["comments"]["after"] == {**report["comments"]["before"],
                                           "with contact data": 5}
    assert report["files"] == {"backups": {"comments": {"removed": 0, "kept": 2},
                                           "participation": {"removed": 0, "kept": 3}},
                               "replaced by a restore": 0,
                               "privacy exports": {"removed": 0, "kept": 0}}
    assert report["errors"] == {}
    assert counts(town["comments"], COMMENT_TABLES) == {"comments": 6, "threads": 3}
    assert brams(town) == before_bram
    assert_private(text, town)

    # +31 days: comments waiting for a moderator, unapproved ideas, expired
    # confirmation links, the day's counters and month-old backups.
    report, text = run(town, 31)
    assert rules_only(report, "comments") == {
        "pending purged": 2, "deleted without replies removed": 1,
        "deleted comments' contact data removed": 0, "contact data removed": 0,
        "e-mail addresses removed": 0}
    assert report["comments"]["before"] == {"comments": 6, "pending": 3, "threads": 3,
                                            "with contact data": 5}
    assert report["comments"]["after"] == {"comments": 3, "pending": 1, "threads": 2,
                                           "with contact data": 3}
    assert rules_only(report, "participation") == {
        "unapproved ideas removed": 2, "merged into them": 1, "their supports": 1,
        "their reports": 1, "their confirmations": 0, "expired confirmations removed": 1,
        "reports removed": 0, **FOLLOWING_ON, "deliveries removed": 0, "counters removed": 4}
    assert report["participation"]["after"] == {
        "ideas": 3, "supports": 2, "confirmations": 1, "reports": 2, "followers": 2,
        "deliveries": 3, "counters": 4}
    remaining = {row[0] for row in rows(town["participation"], "SELECT id FROM ideas")}
    assert remaining == {ideas["b1"], ideas["b2"], ideas["b3"]}
    assert rows(town["participation"], "PRAGMA foreign_key_check") == []
    assert thread(town, "/nieuws/park/") == park
    assert thread(town, "/nieuws/fiets/") == []
    assert {r[0] for r in rows(town["comments"], "SELECT uri FROM threads")} == {
        "/nieuws/park/", "/nieuws/markt/"}
    assert report["files"]["backups"] == {"comments": {"removed": 1, "kept": 1},
                                          "participation": {"removed": 2, "kept": 1}}
    assert brams(town) == before_bram
    assert annas_not_due_before_a_year(town) == anna_kept
    assert text.startswith("comments: pending purged 2,")
    assert_private(text, town)

    # +91 days: reports and sent mails' deliveries (never a queued one).
    report, text = run(town, 91)
    assert rules_only(report, "participation") == {
        "unapproved ideas removed": 0, "merged into them": 0, "their supports": 0,
        "their reports": 0, "their confirmations": 0, "expired confirmations removed": 0,
        "reports removed": 1, **FOLLOWING_ON, "deliveries removed": 1, "counters removed": 0}
    assert rows(town["participation"], "SELECT state FROM email_follow_deliveries d JOIN "
                "email_followers f ON f.id = d.follower WHERE f.address = ?",
                (ANNA,)) == [("queued",)]
    reported = rows(town["participation"], "SELECT reports FROM ideas WHERE id = ?",
                    (ideas["b1"],))
    assert reported == [(1,)]  # the idea's counter stays
    # Every backup is older than 30 days now, but the newest of each store
    # stays (when the backup timer fails, one copy is left).
    assert report["files"]["backups"] == {"comments": {"removed": 0, "kept": 1},
                                          "participation": {"removed": 0, "kept": 1}}
    assert brams(town) == before_bram
    assert annas_not_due_before_a_year(town) == anna_kept
    assert_private(text, town)

    # +366 days: Anna's comment keeps its text, name and website, loses the rest.
    report, text = run(town, 366)
    assert rules_only(report, "comments") == {
        "pending purged": 0, "deleted without replies removed": 0,
        "deleted comments' contact data removed": 0, "contact data removed": 1,
        "e-mail addresses removed": 1}
    db = sqlite3.connect(town["comments"])
    db.row_factory = sqlite3.Row
    top = db.execute("SELECT * FROM comments WHERE id = ?", (ids["anna_top"],)).fetchone()
    db.close()
    assert (top["email"], top["notification"], top["remote_addr"], bytes(top["voters"])) == (
        None, 0, "", bytes(256))
    assert (top["text"], top["author"], top["website"], top["likes"]) == (
        "Mooi plan voor het park.", "anna", "https://anna.example", 1)
    assert thread(town, "/nieuws/park/") == park
    assert set(rules_only(report, "participation").values()) == {0}
    assert brams(town) == before_bram
    assert_private(text, town)

    # Again: nothing left to do.
    settled = {"comments": counts(town["comments"], COMMENT_TABLES),
               "participation": counts(town["participation"], PARTICIPATION_TABLES)}
    report, _ = run(town, 366)
    assert set(rules_only(report, "comments").values()) == {0}
    assert set(rules_only(report, "participation").values()) == {0}
    assert settled == {"comments": counts(town["comments"], COMMENT_TABLES),
                       "participation": counts(town["participation"], PARTICIPATION_TABLES)}
    assert settled["participation"] == {
        "ideas": 3, "supports": 2, "confirmations": 1, "reports": 1, "used_tokens": 1,
        "rate_counts": 2, "login_failures": 1, "email_followers": 2,
        "email_follow_deliveries": 2, "email_follow_articles": 2}
    assert brams(town) == before_bram
    for path in town["unrelated"]:
        assert path.read_text() == "not a backup"


def test_backups_by_the_time_in_their_name_else_their_age(town):
    made = town["made"]
    report, _ = run(town, 26)
    # The manual copy has no time in its name: 27 days old by its mtime, kept.
    assert report["files"]["backups"] == {"comments": {"removed": 0, "kept": 2},
                                          "participation": {"removed": 0, "kept": 3}}
    report, _ = run(town, 30.5)
    assert report["files"]["backups"]["participation"] == {"removed": 2, "kept": 1}
    assert not town["manual"].exists()
    assert not made[(participation_backup.__name__, 0)].exists()
    assert made[(participation_backup.__name__, 25)].exists()
    assert report["files"]["backups"]["comments"] == {"removed": 1, "kept": 1}
    for path in town["unrelated"]:
        assert path.exists()


def test_the_newest_backup_of_each_store_stays_whatever_its_age(town):
    """The backup timer failed for a year: retention leaves one copy of each store."""
    made = town["made"]
    report, text = run(town, 400)
    assert report["files"]["backups"] == {"comments": {"removed": 1, "kept": 1},
                                          "participation": {"removed": 2, "kept": 1}}
    backups = town["backups"]
    left = sorted(path.name for path in backups.glob("*-2*.db"))
    assert left == sorted([made[(comments_backup.__name__, 20)].name,
                           made[(participation_backup.__name__, 25)].name])
    report, _ = run(town, 800)
    assert report["files"]["backups"] == {"comments": {"removed": 0, "kept": 1},
                                          "participation": {"removed": 0, "kept": 1}}
    assert "comments backups removed 1 (kept 1)" in text


def test_shorter_settings_apply(town):
    shorter = retention.rules({"ISSO_COMMENTS_SERVER": {"keep_email_days": 10,
                                                        "purge_after": "2d"},
                               "PARTICIPATION_SERVER": {"keep_reports_days": 5,
                                                        "keep_backups_days": 1}})
    report, _ = run(town, 11, shorter)
    assert report["comments"]["pending purged"] == 2
    assert report["comments"]["contact data removed"] == 1
    assert report["participation"]["reports removed"] == 2  # both of Anna's
    assert report["participation"]["unapproved ideas removed"] == 0  # 30 days by default
    assert report["files"]["backups"]["participation"]["removed"] == 2


def test_a_hidden_idea_goes_like_a_rejected_one(town):
    """An idea hidden by reports and never judged is not kept for ever."""
    database = town["participation"]
    store = Store(database)
    people = People(secret_file(database.parent).read_text().strip().encode("ascii"))
    hidden = store.write(lambda db: store.add_idea(
        db, "speelplein", {"title": "Een skatepark", "text": "Voor de jongeren, graag.",
                           "name": "Cas", "place": "Dorp"}, "approved"))
    store.write(lambda db: store.add_support(db, "speelplein", hidden, town["anna"], 3))
    assert store.write(lambda db: store.report(db, "speelplein", hidden,
                                               people.email("cas@example.be"), "net-c", 1))
    store.db.close()
    assert rows(database, "SELECT status FROM ideas WHERE id = ?", (hidden,)) == [("hidden",)]

    report, _ = run(town, 29)
    assert report["participation"]["unapproved ideas removed"] == 0
    report, _ = run(town, 31)
    # Anna's pending and rejected ideas, and the hidden one.
    assert report["participation"]["unapproved ideas removed"] == 3
    for table in ("ideas", "supports", "reports"):
        column = "id" if table == "ideas" else "idea"
        assert rows(database, f"SELECT * FROM {table} WHERE {column} = ?", (hidden,)) == []
    assert rows(database, "PRAGMA foreign_key_check") == []


def follow_rows(town) -> dict:
    p = town["participation"]
    return {"followers": rows(p, "SELECT * FROM email_followers ORDER BY id"),
            "deliveries": rows(p, "SELECT * FROM email_follow_deliveries "
                                  "ORDER BY article, follower"),
            "daily": rows(p, "SELECT * FROM rate_counts WHERE network LIKE ? "
                             "ORDER BY network", (DAILY + "%",)),
            "articles": rows(p, "SELECT * FROM email_follow_articles ORDER BY url")}


def test_following_switched_off_removes_every_follower(town):
    assert retention.rules({}).email_follow is True  # on by default
    kept = follow_rows(town)
    assert len(kept["followers"]) == 2 and len(kept["daily"]) == 2

    # On: nothing of following changes.
    report, _ = run(town, 0)
    assert follow_rows(town) == kept
    assert {key: report["participation"][key] for key in FOLLOWING_ON} == FOLLOWING_ON

    off = retention.rules({"PARTICIPATION_EMAIL_FOLLOW": False})
    assert off.email_follow is False
    report, text = run(town, 0, off)
    assert {key: report["participation"][key] for key in FOLLOWING_ON} == {
        "followers removed (following off)": 2, "their deliveries (following off)": 3,
        "daily mail counts removed (following off)": 2}
    assert follow_rows(town) == {"followers": [], "deliveries": [], "daily": [],
                                 "articles": kept["articles"]}  # article URLs only
    # The hourly rate counts of networks are not the follow's.
    assert len(rows(town["participation"], "SELECT * FROM rate_counts")) == 2
    assert "following by e-mail is off: followers removed 2 (with 3 mail deliveries, " \
           "2 daily mail counts)" in text
    assert_private(text, town)
    report, _ = run(town, 0, off)
    assert {key: report["participation"][key] for key in FOLLOWING_ON} == FOLLOWING_ON


def test_a_wrong_follow_switch_stops_in_one_sentence():
    with pytest.raises(SettingsError) as caught:
        retention.rules({"PARTICIPATION_EMAIL_FOLLOW": "nee"})
    assert str(caught.value).startswith("PARTICIPATION_EMAIL_FOLLOW = 'nee' ")


def restored(town) -> dict:
    """A restore of each store, as ./go comments-restore / participation-restore do
    it: the replaced database is kept beside the database (now)."""
    made = town["made"]
    return {
        "comments": comments_backup.restore(made[(comments_backup.__name__, 0)],
                                            town["comments"]),
        "participation": participation_backup.restore(
            made[(participation_backup.__name__, 0)], town["participation"])}


def test_databases_replaced_by_a_restore_and_old_privacy_exports_go(town, tmp_path):
    replaced = restored(town)
    for store, path in replaced.items():
        assert path.parent == town[store].parent and ".before-restore-" in path.name
    exports = tmp_path / "privacy"
    data = privacy.export(ANNA, privacy.Stores(comments=town["comments"], participation=None,
                                               participation_state=None))
    written = privacy.write_export(data, exports)
    # Files retention must never touch, however old: the officer's own
    # register, a half-written export, another copy's name, anything else.
    untouched = [exports / "privacy-register.json", exports / "notes.txt",
                 written[0].with_name(written[0].name + ".partial"),
                 town["comments"].parent / "comments.before-restore-notes.db",
                 town["comments"].parent / "other.before-restore-20000101-000000.db",
                 town["participation"].parent / "participation.db.before-restore-x"]
    for path in untouched:
        path.write_text("keep me")
        os.utime(path, (T0 - 400 * DAY, T0 - 400 * DAY))

    def files(days, rules=RULES):
        report = retention.apply(town["comments"], town["participation"], town["backups"],
                                 rules, now=T0 + days * DAY, exports=exports)
        assert report["errors"] == {}
        return report["files"], retention.describe(report)

    found, _ = files(29)
    assert (found["replaced by a restore"], found["privacy exports"]) == (
        0, {"removed": 0, "kept": 2})
    longer = retention.rules({"ISSO_COMMENTS_SERVER": {"keep_backups_days": 60}})
    found, _ = files(31, longer)  # exports: the longer of the two keep_backups_days
    assert (found["replaced by a restore"], found["privacy exports"]) == (
        1, {"removed": 0, "kept": 2})
    assert replaced["comments"].exists() and not replaced["participation"].exists()
    found, text = files(31)
    assert (found["replaced by a restore"], found["privacy exports"]) == (
        1, {"removed": 2, "kept": 0})
    assert not replaced["comments"].exists()
    assert not any(path.exists() for path in written)
    for path in untouched:
        assert path.read_text() == "keep me", path
    assert "databases replaced by a restore removed 1, privacy exports removed 2" in text
    assert_private(text, town)


@pytest.mark.parametrize("locked", ["comments", "participation"])
def test_a_locked_database_fails_alone(town, locked):
    """A database held past the busy timeout is reported in one line; the
    other store and the files are still done."""
    holder = sqlite3.connect(town[locked], isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        report = retention.apply(town["comments"], town["participation"], town["backups"],
                                 RULES, now=T0 + 31 * DAY, busy_timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    other = "participation" if locked == "comments" else "comments"
    assert report["errors"] == {locked: "database is locked"}
    assert report[locked] == {}
    assert report[other]["after"] != report[other]["before"]  # done
    assert report["files"]["backups"]["participation"]["removed"] == 2
    text = retention.describe(report)
    failed = [line for line in text.splitlines() if "not done" in line]
    assert failed == [f"{locked}: not done (database is locked); the other stores were "
                      "done, and the next run tries again"]
    assert_private(text, town)
    # Nothing of the locked store changed; the next run does it.
    report = retention.apply(town["comments"], town["participation"], town["backups"],
                             RULES, now=T0 + 31 * DAY, busy_timeout=0.2)
    assert report["errors"] == {}
    removed = "pending purged" if locked == "comments" else "unapproved ideas removed"
    assert report[locked][removed] == 2


@pytest.mark.parametrize("setting, value", [
    ("ISSO_COMMENTS_SERVER", {"keep_email_days": 0}),
    ("ISSO_COMMENTS_SERVER", {"keep_email_days": "x"}),
    ("ISSO_COMMENTS_SERVER", {"purge_after": "soon"}),
    ("PARTICIPATION_SERVER", {"keep_reports_days": 1.5}),
    ("PARTICIPATION_SERVER", {"keep_backups_days": -1}),
])
def test_a_wrong_setting_stops_in_one_sentence_naming_it(setting, value):
    with pytest.raises(SettingsError) as caught:
        retention.rules({setting: value})
    message = str(caught.value)
    key = next(iter(value))
    assert message.startswith(f"{setting}[{key!r}] = {value[key]!r} ")
    assert "\n" not in message and message.endswith(".")


def test_missing_stores_are_notes(tmp_path):
    report = retention.apply(tmp_path / "none.db", None, tmp_path / "none", RULES)
    assert report["comments"] == {} and report["participation"] == {}
    assert len(report["notes"]) == 3
    assert str(tmp_path) not in retention.describe(report)


def test_retention_waits_for_a_busy_database(town):
    """A service holding the write lock briefly makes retention wait, not fail."""
    holder = sqlite3.connect(town["participation"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    code = ("import sys\nfrom pathlib import Path\nfrom dorpsplein import retention\n"
            "print('ready', flush=True)\n"
            "r = retention.apply(None, Path(sys.argv[1]), None, retention.rules({}), "
            "now=float(sys.argv[2]))\n"
            "print(r['participation']['unapproved ideas removed'])")
    process = subprocess.Popen([sys.executable, "-c", code, str(town["participation"]),
                                str(T0 + 31 * DAY)], stdout=subprocess.PIPE, text=True,
                               cwd=ROOT)
    assert process.stdout.readline().strip() == "ready"
    time.sleep(1)
    assert process.poll() is None  # waiting for the lock
    holder.execute("COMMIT")
    holder.close()
    out, _ = process.communicate(timeout=30)
    assert out.strip() == "2"


def settings_file(path: Path, comments: Path, participation: Path, **server) -> Path:
    """pelicanconf.py's settings with these databases (and ``server`` keys)."""
    path.write_text(
        f"import runpy\nglobals().update((k, v) for k, v in runpy.run_path("
        f"{str(ROOT / 'pelicanconf.py')!r}).items() if k.isupper())\n"
        f"PATH = {str(ROOT / 'content')!r}\n"
        f"ISSO_COMMENTS_SERVER = {{**ISSO_COMMENTS_SERVER, 'database': {str(comments)!r}}}\n"
        f"PARTICIPATION_SERVER = {{**PARTICIPATION_SERVER, "
        f"**{ {'database': str(participation), **server}!r}}}\n", encoding="utf-8")
    return path


def go_retention(settings: Path, backups: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "invoke", "retention", "--settings",
                           str(settings), "--backups", str(backups)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_go_retention(town, tmp_path):
    settings = tmp_path / "retention-settings.py"
    result = go_retention(settings_file(settings, town["comments"], town["participation"]),
                          town["backups"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["comments", "participation", "files"]
    assert_private(result.stdout + result.stderr, town)
    assert str(tmp_path) not in result.stdout

    wrong = go_retention(settings_file(settings, town["comments"], town["participation"],
                                       keep_unconfirmed_days="x"), town["backups"])
    assert wrong.returncode == 1
    assert wrong.stderr.strip().startswith("PARTICIPATION_SERVER['keep_unconfirmed_days'] = 'x'")
    assert wrong.stderr.strip().count("\n") == 0


def test_go_retention_exits_1_when_a_store_failed(town, tmp_path, monkeypatch, capsys):
    """The timer's run shows a failure (systemd marks the unit failed), after
    doing what it could."""
    spec = importlib.util.spec_from_file_location("dorpsplein_tasks", ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    monkeypatch.setattr(retention, "apply", functools.partial(retention.apply,
                                                              busy_timeout=0.2))
    settings = settings_file(tmp_path / "retention-settings.py", town["comments"],
                             town["participation"])
    holder = sqlite3.connect(town["participation"], isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(SystemExit) as exited:
            tasks.retention.body(None, settings=str(settings), backups=str(town["backups"]),
                                 exports=str(tmp_path / "privacy"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert exited.value.code == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["comments", "files", "participation"]
    assert lines[2].startswith("participation: not done (database is locked)")


def test_go_retention_without_databases_is_a_note(tmp_path):
    path = settings_file(tmp_path / "empty-settings.py", tmp_path / "no-comments.db",
                         tmp_path / "no-participation.db")
    result = go_retention(path, tmp_path / "no-backups")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("note: ") == 3
    assert not (tmp_path / "no-comments.db").exists()


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None,
                                       comment_prefixes=("#", ";"))
    parser.optionxform = str
    parser.read_string((ROOT / "deploy" / "systemd" / name).read_text(encoding="utf-8"))
    return parser


def test_the_daily_unit_is_hardened_like_the_backups_and_runs_after_them():
    service = unit("dorpsplein-retention.service")["Service"]
    backup = unit("dorpsplein-participation-backup.service")["Service"]
    assert service["ExecStart"].split() == ["/srv/dorpsplein/.venv/bin/invoke", "retention",
                                            "--production"]
    for key, value in backup.items():
        if key != "ExecStart":
            assert service.get(key) == value, key
    assert set(service) == set(backup)
    timer = unit("dorpsplein-retention.timer")["Timer"]
    assert timer["Persistent"] == "true"
    backups = [unit(f"dorpsplein-{name}-backup.timer")["Timer"]["OnCalendar"]
               for name in ("comments", "participation")]
    assert all(when < timer["OnCalendar"] for when in backups)
    assert unit("dorpsplein-retention.timer")["Install"]["WantedBy"] == "timers.target"
