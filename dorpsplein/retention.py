"""Retention: personal data removed once it is kept long enough (issue 20,
``./go retention``, a daily systemd timer; docs/hosting.md "Retention").

How long is set by the ``keep_*`` keys (and Isso's ``purge_after``) of
``ISSO_COMMENTS_SERVER`` and ``PARTICIPATION_SERVER``; their defaults and
what each means are in the plugins' ``SERVER_DEFAULTS``. The rules:

Comments (Isso's database; ``created`` is a Unix time):

- a comment still waiting for a moderator (mode 2) posted more than
  ``purge_after`` ago is deleted, as Isso's own ``Comments.purge`` does
  (``now - created > purge_after``); then, as Isso does after every delete,
  a deleted comment (mode 4) left without replies goes too, until none is
  left. Isso's trigger drops a thread without comments.
- a comment posted more than ``keep_email_days`` ago loses its e-mail
  address (NULL), its reply-mail choice (0), its shortened IP address ('',
  as a privacy erase writes it) and its voters' filter (the hashed addresses
  of who liked it: an empty ``isso.utils.Bloomfilter``, as Isso starts one,
  but without the author's address in it). The text, name, website and
  likes stay. Only rows that still hold one of those are changed (counted).

Participation (``dorpsplein/participation/store.py``; ``updated``,
``created`` are ISO UTC text written by ``store.utc_now``, ``expires``,
``used`` and ``at`` are Unix times, ``rate_counts.hour`` an hour number):

- an idea waiting for a moderator or rejected ('pending', 'rejected') whose
  last change is more than ``keep_unapproved_days`` old is deleted with its
  supports, reports and confirmations. Ideas merged into it (status
  'merged', ``merged_into`` pointing at it) go with it, with theirs: a merged
  idea lives on only in the idea it was merged into, and the foreign key
  would otherwise point at nothing.
- a confirmation that expired more than ``keep_unconfirmed_days`` ago is
  deleted (used or not: a used one's support is in ``supports``).
- a report made more than ``keep_reports_days`` ago is deleted; the idea's
  ``reports`` counter stays.
- a follower's delivery ('sent' or 'failed') last changed more than
  ``keep_deliveries_days`` ago is deleted; 'queued' and 'sending' never (the
  mail job's own bookkeeping against sending twice). The article stays
  known in ``email_follow_articles``, so nothing is mailed again.
- used form tokens, rate counts and failed moderator logins the service's
  own pruning would drop (``Store.use_token``, ``Store.add_failure``).

Backups (``dorpsplein/comments/backup.py``, ``dorpsplein/participation/backup.py``):
the files each module's ``prune`` counts as its backups (``comments-*.db``,
``participation-*.db`` in the backup folder) older than that store's
``keep_backups_days`` are deleted, with any ``-wal``/``-shm``/``-journal``
SQLite left beside them. The age is the time in the name
(``YYYYmmdd-HHMMSS``, local time, as ``backup()`` writes it), else the
file's modification time. Nothing else in the folder is touched.

Each database is changed in one ``BEGIN IMMEDIATE`` transaction with a busy
timeout, so this runs while the services do; a second run changes nothing.
The report holds counts only: never an address, a name, an id or a path.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .participation.store import DAILY, connect, transaction

DAY = 86400
DELETED_MODE = 4  # Isso: a deleted comment kept for its replies
PENDING_MODE = 2  # Isso: waiting for a moderator
EMPTY_VOTERS = bytes(256)  # isso.utils.Bloomfilter().array: 256 zero bytes
# A backup's name: <prefix>-YYYYmmdd-HHMMSS.db (backup.backup()).
STAMP = re.compile(r"-(\d{8}-\d{6})\.db$")
BACKUP_PREFIXES = {"comments": "comments-", "participation": "participation-"}


@dataclass(frozen=True)
class Rules:
    """How long each kind of data is kept, in seconds (from the settings)."""

    purge_after: int  # ISSO_COMMENTS_SERVER['purge_after']
    keep_email: int  # ISSO_COMMENTS_SERVER['keep_email_days']
    keep_comment_backups: int  # ISSO_COMMENTS_SERVER['keep_backups_days']
    keep_unapproved: int  # PARTICIPATION_SERVER['keep_unapproved_days']
    keep_unconfirmed: int  # PARTICIPATION_SERVER['keep_unconfirmed_days']
    keep_reports: int  # PARTICIPATION_SERVER['keep_reports_days']
    keep_deliveries: int  # PARTICIPATION_SERVER['keep_deliveries_days']
    keep_participation_backups: int  # PARTICIPATION_SERVER['keep_backups_days']
    form_max_age: int  # PARTICIPATION_SERVER['form_max_age'] (used tokens' pruning)


def rules(settings: dict) -> Rules:
    """The rules from Pelican settings, merged and checked by the plugins' own
    ``merged()`` (a wrong value raises their SettingsError: one sentence
    naming the setting). ``settings`` itself is not changed."""
    from isso_comments.settings import duration_seconds
    from isso_comments.settings import merged as comments_merged
    from participation.settings import merged as participation_merged

    settings = dict(settings)
    comments_merged(settings)
    participation_merged(settings)
    comments = settings["ISSO_COMMENTS_SERVER"]
    participation = settings["PARTICIPATION_SERVER"]
    return Rules(
        purge_after=duration_seconds(comments["purge_after"]),
        keep_email=int(comments["keep_email_days"]) * DAY,
        keep_comment_backups=int(comments["keep_backups_days"]) * DAY,
        keep_unapproved=int(participation["keep_unapproved_days"]) * DAY,
        keep_unconfirmed=int(participation["keep_unconfirmed_days"]) * DAY,
        keep_reports=int(participation["keep_reports_days"]) * DAY,
        keep_deliveries=int(participation["keep_deliveries_days"]) * DAY,
        keep_participation_backups=int(participation["keep_backups_days"]) * DAY,
        form_max_age=int(participation["form_max_age"]),
    )


def _iso(moment: float) -> str:
    """``moment`` as ``store.utc_now`` writes it: fixed width, so text order is time order."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


def _counts(db, queries: dict) -> dict:
    return {name: db.execute(sql).fetchone()[0] for name, sql in queries.items()}


def _in_transaction(db: sqlite3.Connection, action):
    try:
        return transaction(db, action)
    finally:
        db.close()


# -- comments ------------------------------------------------------------------------------

# A comment that still holds what keep_email_days removes.
PERSONAL = ("(email IS NOT NULL OR COALESCE(notification, 0) != 0 "
            "OR COALESCE(remote_addr, '') != '' OR voters != ?)")
COMMENT_TOTALS = {
    "comments": "SELECT COUNT(*) FROM comments",
    "pending": f"SELECT COUNT(*) FROM comments WHERE mode = {PENDING_MODE}",
    "threads": "SELECT COUNT(*) FROM threads",
}


def _comment_totals(db) -> dict:
    totals = _counts(db, COMMENT_TOTALS)
    totals["with contact data"] = db.execute(
        f"SELECT COUNT(*) FROM comments WHERE {PERSONAL}", (EMPTY_VOTERS,)).fetchone()[0]
    return totals


def _remove_stale(db) -> int:
    """Isso's ``Comments._remove_stale``: deleted comments left without replies."""
    removed = 0
    while True:
        gone = db.execute(f"DELETE FROM comments WHERE mode = {DELETED_MODE} AND id NOT IN "
                          "(SELECT parent FROM comments WHERE parent IS NOT NULL)").rowcount
        if not gone:
            return removed
        removed += gone


def _comments(db, rules: Rules, now: float) -> dict:
    before = _comment_totals(db)
    purged = db.execute(f"DELETE FROM comments WHERE mode = {PENDING_MODE} AND ? - created > ?",
                        (now, rules.purge_after)).rowcount
    stale = _remove_stale(db)
    cutoff = now - rules.keep_email
    addresses = db.execute(
        "SELECT COUNT(*) FROM comments WHERE created < ? AND TRIM(COALESCE(email, '')) != ''",
        (cutoff,)).fetchone()[0]
    cleared = db.execute(
        "UPDATE comments SET email = NULL, notification = 0, remote_addr = '', voters = ? "
        f"WHERE created < ? AND {PERSONAL}", (EMPTY_VOTERS, cutoff, EMPTY_VOTERS)).rowcount
    return {"pending purged": purged, "deleted without replies removed": stale,
            "contact data removed": cleared, "e-mail addresses removed": addresses,
            "before": before, "after": _comment_totals(db)}


# -- participation -------------------------------------------------------------------------

PARTICIPATION_TOTALS = {
    "ideas": "SELECT COUNT(*) FROM ideas",
    "supports": "SELECT COUNT(*) FROM supports",
    "confirmations": "SELECT COUNT(*) FROM confirmations",
    "reports": "SELECT COUNT(*) FROM reports",
    "deliveries": "SELECT COUNT(*) FROM email_follow_deliveries",
    "counters": "SELECT (SELECT COUNT(*) FROM used_tokens) + (SELECT COUNT(*) FROM rate_counts)"
                " + (SELECT COUNT(*) FROM login_failures)",
}


def _due_ideas(db, cutoff: str) -> tuple[list[int], list[int]]:
    """(unapproved ideas due, the merged ideas that point at them, at any depth)."""
    due = [row[0] for row in db.execute(
        "SELECT id FROM ideas WHERE status IN ('pending', 'rejected') AND updated < ?",
        (cutoff,))]
    merged: list[int] = []
    frontier = list(due)
    while frontier:
        marks = ", ".join("?" for _ in frontier)
        frontier = [row[0] for row in db.execute(
            f"SELECT id FROM ideas WHERE merged_into IN ({marks})", frontier)
            if row[0] not in due and row[0] not in merged]
        merged += frontier
    return due, merged


def _participation(db, rules: Rules, now: float) -> dict:
    before = _counts(db, PARTICIPATION_TOTALS)
    due, merged = _due_ideas(db, _iso(now - rules.keep_unapproved))
    with_ideas = {"supports": 0, "reports": 0, "confirmations": 0}
    # Merged ones first: they point at the others (foreign keys are on).
    for idea in merged[::-1] + due:
        for table in with_ideas:
            with_ideas[table] += db.execute(f"DELETE FROM {table} WHERE idea = ?",
                                            (idea,)).rowcount
        db.execute("DELETE FROM ideas WHERE id = ?", (idea,))
    confirmations = db.execute("DELETE FROM confirmations WHERE expires < ?",
                               (now - rules.keep_unconfirmed,)).rowcount
    reports = db.execute("DELETE FROM reports WHERE created < ?",
                         (_iso(now - rules.keep_reports),)).rowcount
    deliveries = db.execute("DELETE FROM email_follow_deliveries WHERE state IN ('sent', "
                            "'failed') AND updated < ?",
                            (_iso(now - rules.keep_deliveries),)).rowcount
    # What the service's own pruning drops (store.Store.use_token, add_failure).
    hour = int(now // 3600)
    counters = db.execute("DELETE FROM used_tokens WHERE used < ?",
                          (now - rules.form_max_age - 3600,)).rowcount
    counters += db.execute(f"DELETE FROM rate_counts WHERE (hour < ? AND network NOT LIKE "
                           f"'{DAILY}%') OR hour < ?", (hour - 1, hour - 24)).rowcount
    counters += db.execute("DELETE FROM login_failures WHERE at < ?", (now - 3600,)).rowcount
    return {"unapproved ideas removed": len(due), "merged into them": len(merged),
            "their supports": with_ideas["supports"], "their reports": with_ideas["reports"],
            "their confirmations": with_ideas["confirmations"],
            "expired confirmations removed": confirmations, "reports removed": reports,
            "deliveries removed": deliveries, "counters removed": counters,
            "before": before, "after": _counts(db, PARTICIPATION_TOTALS)}


# -- backups -------------------------------------------------------------------------------


def backup_time(path: Path) -> float:
    """When a backup was made: the time in its name (local, as backup() writes
    it), else its modification time."""
    match = STAMP.search(path.name)
    if match:
        try:
            return datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").timestamp()
        except ValueError:
            pass
    return path.stat().st_mtime


def _backups(folder: Path, prefix: str, keep: int, now: float) -> dict:
    """Delete ``prefix``*.db backups (what that module's prune counts) older than ``keep``."""
    removed = kept = 0
    for path in sorted(folder.glob(f"{prefix}*.db")):
        if path.is_symlink() or not path.is_file():
            continue
        if now - backup_time(path) > keep:
            path.unlink()
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            removed += 1
        else:
            kept += 1
    return {"removed": removed, "kept": kept}


# -- all of it -----------------------------------------------------------------------------


def _exists(path) -> bool:
    return path is not None and Path(path).is_file()


def _comments_connection(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 30000")
    return db


def apply(comments: Path | None, participation: Path | None, backups: Path | None,
          rules: Rules, now: float | None = None) -> dict:
    """Apply every rule at ``now`` (a Unix time; default: the current time).

    Either database may be missing (a note, not an error). Returns counts per
    store and rule, and each store's totals before and after."""
    now = time.time() if now is None else float(now)
    report: dict = {"comments": {}, "participation": {}, "backups": {}, "notes": []}
    if _exists(comments):
        report["comments"] = _in_transaction(_comments_connection(Path(comments)),
                                             lambda db: _comments(db, rules, now))
    else:
        report["notes"].append("no comment database yet: nothing to do for comments")
    if _exists(participation):
        report["participation"] = _in_transaction(connect(Path(participation)),
                                                  lambda db: _participation(db, rules, now))
    else:
        report["notes"].append("no participation database yet: nothing to do for "
                               "participation")
    if backups is not None and Path(backups).is_dir():
        report["backups"] = {
            "comments": _backups(Path(backups), BACKUP_PREFIXES["comments"],
                                 rules.keep_comment_backups, now),
            "participation": _backups(Path(backups), BACKUP_PREFIXES["participation"],
                                      rules.keep_participation_backups, now)}
    else:
        report["notes"].append("no backup folder yet: no backups to remove")
    return report


def _totals(before: dict, after: dict) -> str:
    return ", ".join(f"{name} {before[name]} → {after[name]}" for name in before)


def describe(report: dict) -> str:
    """One line per store: what was removed, and the totals before → after.
    Counts only (no address, name, id or path)."""
    lines = []
    counts = report.get("comments")
    if counts:
        lines.append(
            f"comments: pending purged {counts['pending purged']}, deleted comments without "
            f"replies removed {counts['deleted without replies removed']}, contact data "
            f"removed from {counts['contact data removed']} comments (e-mail addresses "
            f"{counts['e-mail addresses removed']}) ({_totals(counts['before'], counts['after'])})")
    counts = report.get("participation")
    if counts:
        lines.append(
            f"participation: unapproved ideas removed {counts['unapproved ideas removed']} "
            f"(with {counts['merged into them']} merged into them, "
            f"{counts['their supports']} supports, {counts['their reports']} reports, "
            f"{counts['their confirmations']} confirmations), expired confirmations removed "
            f"{counts['expired confirmations removed']}, reports removed "
            f"{counts['reports removed']}, mail deliveries removed "
            f"{counts['deliveries removed']}, stale counters removed "
            f"{counts['counters removed']} ({_totals(counts['before'], counts['after'])})")
    backups = report.get("backups")
    if backups:
        lines.append("backups: " + ", ".join(
            f"{store} removed {counts['removed']} (kept {counts['kept']})"
            for store, counts in backups.items()))
    lines += [f"note: {note}" for note in report.get("notes", [])]
    return "\n".join(lines)
