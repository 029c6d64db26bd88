"""The SQLite store: ideas, supports, confirmations, tokens, counts, reports,
and the self-tests' counts per result.

One connection per worker (per thread), opened after gunicorn forks. Every
write is one ``BEGIN IMMEDIATE`` transaction (``Store.write``): the checks
that decide it (a token unused, a support not given yet, supports left, the
rate limit) read the same state the write changes, so under any
concurrency nothing is counted twice or lost. A refusal raised inside rolls
the whole transaction back. The database is in WAL mode; its files are 0600
(the service runs with umask 077 and ``prepare`` sets the mode).

Nothing here stores an IP address, nor an e-mail address but a confirmed
follower's (``email_followers``, to send the new articles to): people and
networks are keyed hashes (``people``). A self-test's answers are never
stored: only how many readers reached each result (``self_test_counts``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from .refusals import Refusal

STATUSES = ("pending", "approved", "rejected", "merged", "hidden")
SCHEMA = """
CREATE TABLE IF NOT EXISTS ideas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    name TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'merged',
                                           'hidden')),
    reason TEXT NOT NULL DEFAULT '',
    merged_into INTEGER REFERENCES ideas (id),
    reports INTEGER NOT NULL DEFAULT 0,
    reports_seen INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ideas_by_consultation ON ideas (consultation, status);
CREATE TABLE IF NOT EXISTS supports (
    idea INTEGER NOT NULL REFERENCES ideas (id),
    person TEXT NOT NULL,
    consultation TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (idea, person)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS supports_by_person ON supports (consultation, person);
CREATE TABLE IF NOT EXISTS confirmations (
    key_hash TEXT PRIMARY KEY,
    idea INTEGER NOT NULL REFERENCES ideas (id),
    consultation TEXT NOT NULL,
    person TEXT NOT NULL,
    expires REAL NOT NULL,
    confirmed REAL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS confirmations_by_person ON confirmations (consultation, person);
CREATE TABLE IF NOT EXISTS used_tokens (
    nonce TEXT PRIMARY KEY,
    used REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rate_counts (
    network TEXT NOT NULL,
    hour INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (network, hour)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reports (
    idea INTEGER NOT NULL REFERENCES ideas (id),
    person TEXT NOT NULL,
    created TEXT NOT NULL,
    network TEXT NOT NULL DEFAULT '',
    seen INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (idea, person)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS self_test_counts (
    self_test TEXT NOT NULL,
    result TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (self_test, result)
) WITHOUT ROWID;
-- Following by e-mail (email_follow): a confirmed follower's address as it
-- is sent to (input_check.sendable_email), the themes ('*' for everything,
-- else theme slugs joined by ','), and when it was confirmed (UTC). An
-- unconfirmed request is never stored: its confirmation link is signed.
CREATE TABLE IF NOT EXISTS email_followers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    address TEXT NOT NULL,
    topics TEXT NOT NULL,
    confirmed TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS email_followers_by_address
    ON email_followers (lower(address));
-- Every article the mail job has seen: once seen it is never mailed again
-- (mailed 0: known without a mail, the first run's or a restore's baseline).
-- url holds the path of the article's URL (mail_new.article_key), not the
-- whole URL, so a new SITEURL mails nothing again; so does
-- email_follow_deliveries.article.
CREATE TABLE IF NOT EXISTS email_follow_articles (
    url TEXT PRIMARY KEY,
    seen TEXT NOT NULL,
    mailed INTEGER NOT NULL
) WITHOUT ROWID;
-- One row per (article, follower) to mail: 'sending' is committed before the
-- SMTP conversation, so a crash in it never leads to a second mail.
CREATE TABLE IF NOT EXISTS email_follow_deliveries (
    article TEXT NOT NULL REFERENCES email_follow_articles (url),
    follower INTEGER NOT NULL REFERENCES email_followers (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    updated TEXT NOT NULL,
    PRIMARY KEY (article, follower)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS login_failures (
    address TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_by_address ON login_failures (address, at);
"""
FILE_MODE = 0o600
# Rate counts kept for a day (``count_write(..., hours=24)``), not an hour:
# the confirmation mails asked for one address (email_follow).
DAILY = "volgen-adres:"
# Columns added to a table after it first shipped: (table, column, definition).
ADDED_COLUMNS = (
    ("reports", "network", "TEXT NOT NULL DEFAULT ''"),
    ("reports", "seen", "INTEGER NOT NULL DEFAULT 0"),
)


def utc_now(moment: float | None = None) -> str:
    """``moment`` (a Unix time; now when None) as every text time here is
    written: fixed width, so text order is time order."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = FULL")
    return db


def transaction(db: sqlite3.Connection, action):
    """``action(db)`` in one BEGIN IMMEDIATE transaction: committed when it
    returns, rolled back when it raises (a refusal included)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        result = action(db)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return result


def transaction_and_close(db: sqlite3.Connection, action):
    """``transaction(db, action)``, then ``db`` closed whatever happened: a
    short write of a tool beside the running service."""
    try:
        return transaction(db, action)
    finally:
        db.close()


def request_publish(path: Path) -> None:
    """Ask for the site to be published again: the file's time is the
    request (deploy/systemd/dorpsplein-publish.path starts the publish when
    it changes), its text the moment, 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(f"{utc_now()}\n")


def private_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            os.chmod(candidate, FILE_MODE)


def prepare(path: Path) -> None:
    """The schema and WAL mode, once, before any worker starts."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    db = connect(path)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(SCHEMA)
        upgrade(db)
    finally:
        db.close()
    private_files(path)


def upgrade(db: sqlite3.Connection) -> None:
    """A database made by an older version gets the columns added since.

    Reports from before ``network`` existed count as one network each (as
    they counted before); those a moderator had already decided on are seen.
    """
    for table, column, definition in ADDED_COLUMNS:
        columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if column in columns:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
            if (table, column) == ("reports", "network"):
                db.execute("UPDATE reports SET network = 'old:' || person")
            if (table, column) == ("reports", "seen"):
                db.execute("UPDATE reports SET seen = 1 WHERE idea IN (SELECT id FROM ideas "
                           "WHERE reports_seen >= reports)")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self.own_writes = 0  # this process's commits: PRAGMA data_version misses them

    @property
    def db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self.path)
        return db

    def write(self, action):
        """``action(db)`` in one BEGIN IMMEDIATE transaction; a refusal rolls it back."""
        result = transaction(self.db, action)
        self.own_writes += 1
        return result

    def version(self) -> tuple[int, int]:
        """Changes since this connection opened: other processes' and its own."""
        return self.db.execute("PRAGMA data_version").fetchone()[0], self.own_writes

    # -- reads -------------------------------------------------------------------------

    def board(self, slug: str) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT i.id, i.title, i.text, i.name, i.place, i.created, "
            "COUNT(s.person) AS supports FROM ideas i LEFT JOIN supports s ON s.idea = i.id "
            "WHERE i.consultation = ? AND i.status = 'approved' "
            "GROUP BY i.id ORDER BY supports DESC, i.id", (slug,)).fetchall()

    def idea(self, idea_id: int, db=None) -> sqlite3.Row | None:
        return (db or self.db).execute(
            "SELECT i.*, (SELECT COUNT(*) FROM supports s WHERE s.idea = i.id) AS supports "
            "FROM ideas i WHERE i.id = ?", (idea_id,)).fetchone()

    def all_ideas(self) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT i.*, (SELECT COUNT(*) FROM supports s WHERE s.idea = i.id) AS supports "
            "FROM ideas i ORDER BY i.consultation, i.id").fetchall()

    def supports_given(self, slug: str, person: str, db=None) -> int:
        return (db or self.db).execute(
            "SELECT COUNT(*) FROM supports WHERE consultation = ? AND person = ?",
            (slug, person)).fetchone()[0]

    # -- parts of writes (called inside Store.write) -------------------------------------

    @staticmethod
    def use_token(db, nonce: str, now: float, max_age: int,
                  keep_unconfirmed_days: int = 7) -> None:
        """Inside a write: ``nonce`` used once. Now and then the tables that
        only guard forget what is too old to matter, and confirmations that
        expired more than ``keep_unconfirmed_days`` ago go (the daily
        ``./go retention`` applies PARTICIPATION_SERVER's setting too)."""
        try:
            db.execute("INSERT INTO used_tokens (nonce, used) VALUES (?, ?)", (nonce, now))
        except sqlite3.IntegrityError:
            raise Refusal("form") from None
        if int(now * 1000) % 50 == 0:  # now and then: forget tokens too old to be valid
            db.execute("DELETE FROM used_tokens WHERE used < ?", (now - max_age - 3600,))
            hour = int(now // 3600)
            db.execute(f"DELETE FROM rate_counts WHERE hour < ? AND network NOT LIKE "
                       f"'{DAILY}%'", (hour - 1,))
            db.execute("DELETE FROM rate_counts WHERE hour < ?", (hour - 24,))
            db.execute("DELETE FROM confirmations WHERE expires < ?",
                       (now - keep_unconfirmed_days * 86400,))

    @staticmethod
    def count_write(db, network: str, now: float, limit: int, hours: int = 1,
                    message: str | None = None) -> None:
        """One more write from ``network`` this hour (``hours=24``: this UTC day;
        such a key starts with ``DAILY``, so pruning keeps it a day); 429 past
        ``limit`` (0: no limit), with ``message`` when given."""
        hour = int(now // (3600 * hours)) * hours  # the period's first hour
        row = db.execute("SELECT count FROM rate_counts WHERE network = ? AND hour = ?",
                         (network, hour)).fetchone()
        if limit and row is not None and row[0] >= limit:
            raise Refusal("rate_limited", message,
                          retry_after=max(1, int((hour + hours) * 3600 - now)))
        db.execute("INSERT INTO rate_counts (network, hour, count) VALUES (?, ?, 1) "
                   "ON CONFLICT (network, hour) DO UPDATE SET count = count + 1",
                   (network, hour))

    @staticmethod
    def add_idea(db, slug: str, values: dict, status: str) -> int:
        stamp = utc_now()
        cursor = db.execute(
            "INSERT INTO ideas (consultation, title, text, name, place, status, created, "
            "updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (slug, values["title"], values["text"], values["name"], values["place"], status,
             stamp, stamp))
        return cursor.lastrowid

    def supportable(self, db, slug: str, idea_id: int) -> sqlite3.Row:
        idea = self.idea(idea_id, db)
        if idea is None or idea["consultation"] != slug or idea["status"] != "approved":
            raise Refusal("unknown", slug=slug)
        return idea

    def add_support(self, db, slug: str, idea_id: int, person: str, allowed: int,
                    reserved: int = 0) -> int:
        """The idea's new count; 409 when given already or none left."""
        self.supportable(db, slug, idea_id)
        if db.execute("SELECT 1 FROM supports WHERE idea = ? AND person = ?",
                      (idea_id, person)).fetchone():
            raise Refusal("already_supported", slug=slug)
        if self.supports_given(slug, person, db) + reserved >= allowed:
            raise Refusal("no_supports_left", slug=slug)
        db.execute("INSERT INTO supports (idea, person, consultation, created) "
                   "VALUES (?, ?, ?, ?)", (idea_id, person, slug, utc_now()))
        return db.execute("SELECT COUNT(*) FROM supports WHERE idea = ?",
                          (idea_id,)).fetchone()[0]

    def add_confirmation(self, db, slug: str, idea_id: int, person: str, key_hash: str,
                         allowed: int, now: float, expires: float) -> None:
        """A pending e-mail support; pending links count against what is left."""
        self.supportable(db, slug, idea_id)
        if db.execute("SELECT 1 FROM supports WHERE idea = ? AND person = ?",
                      (idea_id, person)).fetchone() or db.execute(
                "SELECT 1 FROM confirmations WHERE idea = ? AND person = ? AND confirmed "
                "IS NULL AND expires > ?", (idea_id, person, now)).fetchone():
            raise Refusal("already_supported", slug=slug)
        pending = db.execute(
            "SELECT COUNT(DISTINCT idea) FROM confirmations WHERE consultation = ? AND "
            "person = ? AND confirmed IS NULL AND expires > ?", (slug, person, now)).fetchone()[0]
        if self.supports_given(slug, person, db) + pending >= allowed:
            raise Refusal("no_supports_left", slug=slug)
        db.execute("INSERT INTO confirmations (key_hash, idea, consultation, person, expires) "
                   "VALUES (?, ?, ?, ?, ?)", (key_hash, idea_id, slug, person, expires))

    @staticmethod
    def confirmation(db, key_hash: str) -> sqlite3.Row | None:
        return db.execute("SELECT * FROM confirmations WHERE key_hash = ?",
                          (key_hash,)).fetchone()

    def report(self, db, slug: str, idea_id: int, person: str, network: str,
               threshold: int) -> bool:
        """One report per person per idea; True when the idea is now hidden.

        A client can be several people (a cookie per support), so hiding
        counts the *networks* reporting (the rate limit's keyed /24 or /48):
        ``threshold`` different networks since a moderator last decided.
        """
        idea = self.idea(idea_id, db)
        if idea is None or idea["consultation"] != slug or idea["status"] not in (
                "approved", "hidden"):
            raise Refusal("unknown", slug=slug)
        added = db.execute("INSERT OR IGNORE INTO reports (idea, person, created, network) "
                           "VALUES (?, ?, ?, ?)", (idea_id, person, utc_now(), network)).rowcount
        if added:
            db.execute("UPDATE ideas SET reports = reports + 1 WHERE id = ?", (idea_id,))
        idea = self.idea(idea_id, db)
        networks = db.execute("SELECT COUNT(DISTINCT network) FROM reports WHERE idea = ? "
                              "AND seen = 0", (idea_id,)).fetchone()[0]
        if idea["status"] == "approved" and threshold and networks >= threshold:
            db.execute("UPDATE ideas SET status = 'hidden', updated = ? WHERE id = ?",
                       (utc_now(), idea_id))
            return True
        return idea["status"] == "hidden"

    # -- self-tests ----------------------------------------------------------------------

    @staticmethod
    def count_result(db, self_test: str, result: str) -> None:
        """One more reader reached ``result`` (inside a write, with its guards)."""
        db.execute("INSERT INTO self_test_counts (self_test, result, count) VALUES (?, ?, 1) "
                   "ON CONFLICT (self_test, result) DO UPDATE SET count = count + 1",
                   (self_test, result))

    def result_counts(self, self_test: str, db=None) -> dict[str, int]:
        return dict((db or self.db).execute(
            "SELECT result, count FROM self_test_counts WHERE self_test = ?", (self_test,)))

    # -- following by e-mail (email_follow) ----------------------------------------------

    @staticmethod
    def follow(db, address: str, topics: str, at: str | None = None) -> int:
        """Inside a write: ``address`` follows ``topics`` ('*' or slugs joined by
        ','), confirmed ``at`` (UTC); an address that follows already (in any
        case) gets these topics in place of its own. The follower's id."""
        at = at or utc_now()
        row = db.execute("SELECT id FROM email_followers WHERE lower(address) = lower(?)",
                         (address,)).fetchone()
        if row is not None:
            db.execute("UPDATE email_followers SET address = ?, topics = ?, confirmed = ? "
                       "WHERE id = ?", (address, topics, at, row["id"]))
            return row["id"]
        return db.execute("INSERT INTO email_followers (address, topics, confirmed) "
                          "VALUES (?, ?, ?)", (address, topics, at)).lastrowid

    @staticmethod
    def unfollow(db, follower_id: int) -> bool:
        """Inside a write: the follower and every mail to it (queued, sending,
        sent: ON DELETE CASCADE) are gone; False when it was gone already."""
        db.execute("DELETE FROM email_follow_deliveries WHERE follower = ?", (follower_id,))
        return db.execute("DELETE FROM email_followers WHERE id = ?",
                          (follower_id,)).rowcount > 0

    def follower(self, follower_id: int, db=None) -> sqlite3.Row | None:
        return (db or self.db).execute("SELECT * FROM email_followers WHERE id = ?",
                                       (follower_id,)).fetchone()

    def followers(self, db=None) -> list[sqlite3.Row]:
        return (db or self.db).execute("SELECT * FROM email_followers ORDER BY id").fetchall()

    # -- moderation ----------------------------------------------------------------------

    def moderate(self, idea_id: int, action: str, reason: str = "", title: str = "",
                 target: int | None = None) -> None:
        def change(db):
            idea = self.idea(idea_id, db)
            if idea is None or idea["status"] == "merged":
                raise Refusal("unknown")
            stamp = utc_now()
            if action in ("approve", "restore"):  # the reports so far are decided on
                db.execute("UPDATE reports SET seen = 1 WHERE idea = ?", (idea_id,))
            if action == "approve":
                db.execute("UPDATE ideas SET status = 'approved', reason = '', "
                           "reports_seen = reports, updated = ? WHERE id = ?", (stamp, idea_id))
            elif action == "restore":
                db.execute("UPDATE ideas SET status = 'approved', reports_seen = reports, "
                           "updated = ? WHERE id = ?", (stamp, idea_id))
            elif action == "reject":
                db.execute("UPDATE ideas SET status = 'rejected', reason = ?, updated = ? "
                           "WHERE id = ?", (reason, stamp, idea_id))
            elif action == "hide":
                db.execute("UPDATE ideas SET status = 'hidden', updated = ? WHERE id = ?",
                           (stamp, idea_id))
            elif action == "title":
                db.execute("UPDATE ideas SET title = ?, updated = ? WHERE id = ?",
                           (title, stamp, idea_id))
            elif action == "merge":
                self._merge(db, idea, target, stamp)
            else:
                raise Refusal("bad_request")

        self.write(change)

    def _merge(self, db, idea, target_id, stamp) -> None:
        target = self.idea(target_id, db) if target_id else None
        if (target is None or target["id"] == idea["id"]
                or target["consultation"] != idea["consultation"]
                or target["status"] in ("merged", "rejected")):
            raise Refusal("invalid", fields={"target": "merge"})
        # Supports move; a person who supported both keeps one.
        db.execute("INSERT OR IGNORE INTO supports (idea, person, consultation, created) "
                   "SELECT ?, person, consultation, created FROM supports WHERE idea = ?",
                   (target["id"], idea["id"]))
        db.execute("DELETE FROM supports WHERE idea = ?", (idea["id"],))
        db.execute("UPDATE confirmations SET idea = ? WHERE idea = ?", (target["id"], idea["id"]))
        db.execute("UPDATE ideas SET status = 'merged', merged_into = ?, updated = ? "
                   "WHERE id = ?", (target["id"], stamp, idea["id"]))
        db.execute("UPDATE ideas SET merged_into = ?, updated = ? WHERE merged_into = ?",
                   (target["id"], stamp, idea["id"]))

    # -- moderation logins ---------------------------------------------------------------

    def recent_failures(self, address: str, now: float, window: float = 60) -> list[float]:
        return [row[0] for row in self.db.execute(
            "SELECT at FROM login_failures WHERE address = ? AND at > ? ORDER BY at",
            (address, now - window))]

    def add_failure(self, address: str, now: float) -> None:
        def add(db):
            db.execute("DELETE FROM login_failures WHERE at < ?", (now - 3600,))
            db.execute("INSERT INTO login_failures (address, at) VALUES (?, ?)", (address, now))

        self.write(add)
