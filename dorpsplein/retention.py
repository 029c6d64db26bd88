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
- a deleted comment kept for its replies (mode 4) loses its contact data at
  once (what the next rule removes; ``OwnRowComments.delete`` does so for a
  delete from now on, this clears the rows deleted before).
- a comment posted more than ``keep_email_days`` ago loses its e-mail
  address (NULL), its reply-mail choice (0), its shortened IP address ('',
  as a privacy erase writes it) and its voters' filter (the hashed addresses
  of who liked it: an empty ``isso.utils.Bloomfilter``, as Isso starts one,
  but without the author's address in it). The text, name, website and
  likes stay. Only rows that still hold one of those are changed (counted).
  (``dorpsplein.comment_rows`` holds what these rules share with the
  privacy tool and our Isso storage.)

Participation (``dorpsplein/participation/store.py``; ``updated``,
``created`` are ISO UTC text written by ``store.utc_now``, ``expires``,
``used`` and ``at`` are Unix times, ``rate_counts.hour`` an hour number):

- an idea waiting for a moderator, rejected or hidden ('pending',
  'rejected', 'hidden') whose last change is more than
  ``keep_unapproved_days`` old is deleted with its supports, reports and
  confirmations. Ideas merged into it (status 'merged', ``merged_into``
  pointing at it) go with it, with theirs: a merged idea lives on only in
  the idea it was merged into, and the foreign key would otherwise point at
  nothing.
- a confirmation that expired more than ``keep_unconfirmed_days`` ago is
  deleted (used or not: a used one's support is in ``supports``).
- a report made more than ``keep_reports_days`` ago is deleted; the idea's
  ``reports`` counter stays.
- with following by e-mail switched off (``PARTICIPATION_EMAIL_FOLLOW =
  False``) every follower is deleted, with their deliveries and the daily
  counts of confirmation mails per address (``rate_counts`` rows whose
  network starts with ``store.DAILY``): nothing uses them any more.
- a follower's delivery ('sent' or 'failed') last changed more than
  ``keep_deliveries_days`` ago is deleted; 'queued' and 'sending' never (the
  mail job's own bookkeeping against sending twice). The article stays
  known in ``email_follow_articles``, so nothing is mailed again.
- used form tokens, rate counts and failed moderator logins the service's
  own pruning would drop (``Store.use_token``, ``Store.add_failure``).

Files (the age is the time in the name, ``YYYYmmdd-HHMMSS`` in local time as
the backup modules write it, else the file's modification time; only files
named as below are touched, with any ``-wal``/``-shm``/``-journal`` SQLite
left beside a database):

- backups (``dorpsplein/comments/backup.py``,
  ``dorpsplein/participation/backup.py``): the files each module's ``prune``
  counts as its backups (``comments-*.db``, ``participation-*.db`` in the
  backup folder) older than that store's ``keep_backups_days`` -- except
  the newest of each store, whatever its age: when the backup timer has
  failed for weeks, one copy is still there.
- the database a restore replaced, kept beside it as
  ``<name>.before-restore-<time><suffix>`` (``backup.restore``), older than
  that store's ``keep_backups_days``.
- privacy exports (``privacy-<request id>-<YYYYmmdd>.json`` and ``.html``,
  ``dorpsplein/privacy.py`` ``write_export``, in var/privacy/), older than
  the longer of the two ``keep_backups_days``; the date in the name is UTC.

Each database is changed in one ``BEGIN IMMEDIATE`` transaction with a busy
timeout, so this runs while the services do; a second run changes nothing.
Comments, participation and files are done apart: one failing (a lock held
past the busy timeout, a damaged file) is reported as one line and the
others are still done. The report holds counts only: never an address, a
name, an id or a path.
"""

from __future__ import annotations

import calendar
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .comment_rows import (
    BUSY_TIMEOUT,
    CLEAR_CONTACT,
    DELETED_MODE,
    EMPTY_VOTERS,
    exists,
    remove_stale,
)
from .comment_rows import connect as connect_comments
from .participation.store import DAILY, connect, transaction_and_close, utc_now

DAY = 86400
PENDING_MODE = 2  # Isso: waiting for a moderator
# A backup's name: <prefix>-YYYYmmdd-HHMMSS.db (backup.backup()); a replaced
# database's: <stem>.before-restore-YYYYmmdd-HHMMSS<suffix> (backup.restore()).
STAMP = re.compile(r"-(\d{8}-\d{6})(\.[^.]*)?$")
BACKUP_PREFIXES = {"comments": "comments-", "participation": "participation-"}
# privacy.write_export: privacy-<request id>-<YYYYmmdd, UTC>.json / .html
EXPORT = re.compile(r"^privacy-[0-9a-f]+-(\d{8})\.(json|html)$")
UNAPPROVED = ("pending", "rejected", "hidden")
DELETED_CLEARED = "deleted comments' contact data removed"
SQLITE_BESIDE = ("-wal", "-shm", "-journal")


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
    email_follow: bool = True  # PARTICIPATION_EMAIL_FOLLOW: False deletes every follower


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
        email_follow=bool(settings["PARTICIPATION_EMAIL_FOLLOW"]),
    )


def _counts(db, queries: dict) -> dict:
    return {name: db.execute(sql).fetchone()[0] for name, sql in queries.items()}


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


def _comments(db, rules: Rules, now: float) -> dict:
    before = _comment_totals(db)
    purged = db.execute(f"DELETE FROM comments WHERE mode = {PENDING_MODE} AND ? - created > ?",
                        (now, rules.purge_after)).rowcount
    stale = remove_stale(db)
    deleted = db.execute(f"UPDATE comments SET {CLEAR_CONTACT} WHERE mode = {DELETED_MODE} "
                         f"AND {PERSONAL}", (EMPTY_VOTERS, EMPTY_VOTERS)).rowcount
    cutoff = now - rules.keep_email
    addresses = db.execute(
        "SELECT COUNT(*) FROM comments WHERE created < ? AND TRIM(COALESCE(email, '')) != ''",
        (cutoff,)).fetchone()[0]
    cleared = db.execute(f"UPDATE comments SET {CLEAR_CONTACT} WHERE created < ? AND {PERSONAL}",
                         (EMPTY_VOTERS, cutoff, EMPTY_VOTERS)).rowcount
    return {"pending purged": purged, "deleted without replies removed": stale,
            DELETED_CLEARED: deleted,
            "contact data removed": cleared, "e-mail addresses removed": addresses,
            "before": before, "after": _comment_totals(db)}


# -- participation -------------------------------------------------------------------------

PARTICIPATION_TOTALS = {
    "ideas": "SELECT COUNT(*) FROM ideas",
    "supports": "SELECT COUNT(*) FROM supports",
    "confirmations": "SELECT COUNT(*) FROM confirmations",
    "reports": "SELECT COUNT(*) FROM reports",
    "followers": "SELECT COUNT(*) FROM email_followers",
    "deliveries": "SELECT COUNT(*) FROM email_follow_deliveries",
    "counters": "SELECT (SELECT COUNT(*) FROM used_tokens) + (SELECT COUNT(*) FROM rate_counts)"
                " + (SELECT COUNT(*) FROM login_failures)",
}


def _due_ideas(db, cutoff: str) -> tuple[list[int], list[int]]:
    """(unapproved ideas due, the merged ideas that point at them, at any depth)."""
    marks = ", ".join("?" for _ in UNAPPROVED)
    due = [row[0] for row in db.execute(
        f"SELECT id FROM ideas WHERE status IN ({marks}) AND updated < ?",
        (*UNAPPROVED, cutoff))]
    merged: list[int] = []
    frontier = list(due)
    while frontier:
        marks = ", ".join("?" for _ in frontier)
        frontier = [row[0] for row in db.execute(
            f"SELECT id FROM ideas WHERE merged_into IN ({marks})", frontier)
            if row[0] not in due and row[0] not in merged]
        merged += frontier
    return due, merged


def _follow_off(db) -> dict:
    """Following by e-mail switched off: every follower, their deliveries and
    the daily counts of confirmation mails per address."""
    deliveries = db.execute("DELETE FROM email_follow_deliveries").rowcount
    followers = db.execute("DELETE FROM email_followers").rowcount
    daily = db.execute(f"DELETE FROM rate_counts WHERE network LIKE '{DAILY}%'").rowcount
    return {"followers": followers, "deliveries": deliveries, "daily counts": daily}


def _participation(db, rules: Rules, now: float) -> dict:
    before = _counts(db, PARTICIPATION_TOTALS)
    due, merged = _due_ideas(db, utc_now(now - rules.keep_unapproved))
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
                         (utc_now(now - rules.keep_reports),)).rowcount
    follow = ({"followers": 0, "deliveries": 0, "daily counts": 0} if rules.email_follow
              else _follow_off(db))
    deliveries = db.execute("DELETE FROM email_follow_deliveries WHERE state IN ('sent', "
                            "'failed') AND updated < ?",
                            (utc_now(now - rules.keep_deliveries),)).rowcount
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
            "followers removed (following off)": follow["followers"],
            "their deliveries (following off)": follow["deliveries"],
            "daily mail counts removed (following off)": follow["daily counts"],
            "deliveries removed": deliveries, "counters removed": counters,
            "before": before, "after": _counts(db, PARTICIPATION_TOTALS)}


# -- files ---------------------------------------------------------------------------------


def backup_time(path: Path) -> float:
    """When a backup (or a database a restore replaced) was made: the time in
    its name (local, as backup() and restore() write it), else its
    modification time."""
    match = STAMP.search(path.name)
    if match:
        try:
            return datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").timestamp()
        except ValueError:
            pass
    return path.stat().st_mtime


def export_time(path: Path) -> float:
    """When a privacy export was written: the start of the UTC day in its
    name (write_export's date), else its modification time."""
    match = EXPORT.match(path.name)
    if match:
        try:
            return float(calendar.timegm(time.strptime(match.group(1), "%Y%m%d")))
        except ValueError:
            pass
    return path.stat().st_mtime


def _files(folder: Path, pattern: str):
    """The regular files (no symlinks) in ``folder`` matching the glob ``pattern``."""
    return [path for path in sorted(folder.glob(pattern))
            if not path.is_symlink() and path.is_file()]


def _remove_database_file(path: Path) -> None:
    path.unlink()
    for suffix in SQLITE_BESIDE:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _backups(folder: Path, prefix: str, keep: int, now: float) -> dict:
    """Delete ``prefix``*.db backups (what that module's prune counts) older
    than ``keep``, never the newest."""
    found = sorted(((backup_time(path), path.name, path)
                    for path in _files(folder, f"{prefix}*.db")), key=lambda item: item[:2])
    removed = kept = 0
    for number, (made, _name, path) in enumerate(found):
        if now - made > keep and number < len(found) - 1:
            _remove_database_file(path)
            removed += 1
        else:
            kept += 1
    return {"removed": removed, "kept": kept}


def _replaced(database: Path, keep: int, now: float) -> int:
    """Delete the databases a restore kept beside ``database`` older than ``keep``."""
    removed = 0
    pattern = f"{database.stem}.before-restore-*{database.suffix}"
    for path in _files(database.parent, pattern):
        if STAMP.search(path.name) and now - backup_time(path) > keep:
            _remove_database_file(path)
            removed += 1
    return removed


def _exports(folder: Path, keep: int, now: float) -> dict:
    removed = kept = 0
    for path in _files(folder, "privacy-*"):
        if not EXPORT.match(path.name):
            continue
        if now - export_time(path) > keep:
            path.unlink()
            removed += 1
        else:
            kept += 1
    return {"removed": removed, "kept": kept}


def _all_files(comments: Path | None, participation: Path | None, backups: Path | None,
               exports: Path | None, rules: Rules, now: float, notes: list) -> dict:
    done: dict = {}
    if backups is not None and Path(backups).is_dir():
        done["backups"] = {
            "comments": _backups(Path(backups), BACKUP_PREFIXES["comments"],
                                 rules.keep_comment_backups, now),
            "participation": _backups(Path(backups), BACKUP_PREFIXES["participation"],
                                      rules.keep_participation_backups, now)}
    else:
        notes.append("no backup folder yet: no backups to remove")
    done["replaced by a restore"] = sum(
        _replaced(Path(database), keep, now)
        for database, keep in ((comments, rules.keep_comment_backups),
                               (participation, rules.keep_participation_backups))
        if database is not None and Path(database).parent.is_dir())
    if exports is not None and Path(exports).is_dir():
        done["privacy exports"] = _exports(
            Path(exports), max(rules.keep_comment_backups, rules.keep_participation_backups),
            now)
    else:
        done["privacy exports"] = {"removed": 0, "kept": 0}
    return done


# -- all of it -----------------------------------------------------------------------------


def _failure(exc: BaseException) -> str:
    """What went wrong, without a path or data: SQLite's message, the OS's
    reason, else the kind of error."""
    if isinstance(exc, sqlite3.Error):
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


def apply(comments: Path | None, participation: Path | None, backups: Path | None,
          rules: Rules, now: float | None = None, exports: Path | None = None,
          busy_timeout: float = BUSY_TIMEOUT) -> dict:
    """Apply every rule at ``now`` (a Unix time; default: the current time).

    Either database may be missing (a note, not an error). Comments,
    participation and files are done apart: when one fails (a lock held
    longer than ``busy_timeout`` seconds, a damaged file) its reason is in
    ``report["errors"]`` and the others are still done. Returns counts per
    store and rule, and each store's totals before and after."""
    now = time.time() if now is None else float(now)
    report: dict = {"comments": {}, "participation": {}, "files": {}, "errors": {},
                    "notes": []}

    def store(name: str, work) -> None:
        try:
            report[name] = work()
        except Exception as exc:  # reported in one line; the other stores still run
            report[name] = {}
            report["errors"][name] = _failure(exc)

    def participation_connection() -> sqlite3.Connection:
        db = connect(Path(participation))
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        return db

    if exists(comments):
        store("comments", lambda: transaction_and_close(
            connect_comments(Path(comments), busy_timeout),
            lambda db: _comments(db, rules, now)))
    else:
        report["notes"].append("no comment database yet: nothing to do for comments")
    if exists(participation):
        store("participation", lambda: transaction_and_close(
            participation_connection(), lambda db: _participation(db, rules, now)))
    else:
        report["notes"].append("no participation database yet: nothing to do for "
                               "participation")
    store("files", lambda: _all_files(comments, participation, backups, exports, rules, now,
                                      report["notes"]))
    return report


def _totals(before: dict, after: dict) -> str:
    return ", ".join(f"{name} {before[name]} → {after[name]}" for name in before)


def describe(report: dict) -> str:
    """One line per store: what was removed, and the totals before → after,
    or why the store failed. Counts only (no address, name, id or path)."""
    lines = []
    counts = report.get("comments")
    if counts:
        lines.append(
            f"comments: pending purged {counts['pending purged']}, deleted comments without "
            f"replies removed {counts['deleted without replies removed']}, deleted comments' "
            f"contact data removed {counts[DELETED_CLEARED]}, "
            f"contact data removed from {counts['contact data removed']} comments (e-mail "
            f"addresses {counts['e-mail addresses removed']}) "
            f"({_totals(counts['before'], counts['after'])})")
    counts = report.get("participation")
    if counts:
        line = (
            f"participation: unapproved ideas removed {counts['unapproved ideas removed']} "
            f"(with {counts['merged into them']} merged into them, "
            f"{counts['their supports']} supports, {counts['their reports']} reports, "
            f"{counts['their confirmations']} confirmations), expired confirmations removed "
            f"{counts['expired confirmations removed']}, reports removed "
            f"{counts['reports removed']}, ")
        off = counts["followers removed (following off)"]
        if off or counts["their deliveries (following off)"] or \
                counts["daily mail counts removed (following off)"]:
            line += (f"following by e-mail is off: followers removed {off} (with "
                     f"{counts['their deliveries (following off)']} mail deliveries, "
                     f"{counts['daily mail counts removed (following off)']} daily mail "
                     "counts), ")
        line += (f"mail deliveries removed {counts['deliveries removed']}, stale counters "
                 f"removed {counts['counters removed']} "
                 f"({_totals(counts['before'], counts['after'])})")
        lines.append(line)
    files = report.get("files")
    if files:
        parts = [f"{store} backups removed {counts['removed']} (kept {counts['kept']})"
                 for store, counts in files.get("backups", {}).items()]
        parts.append(f"databases replaced by a restore removed "
                     f"{files['replaced by a restore']}")
        exports = files["privacy exports"]
        parts.append(f"privacy exports removed {exports['removed']} (kept {exports['kept']})")
        lines.append("files: " + ", ".join(parts))
    for store, reason in report.get("errors", {}).items():
        lines.append(f"{store}: not done ({reason}); the other stores were done, and the "
                     "next run tries again")
    lines += [f"note: {note}" for note in report.get("notes", [])]
    return "\n".join(lines)
