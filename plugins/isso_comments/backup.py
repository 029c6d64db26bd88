"""Backups of the comment database that are consistent while Isso runs.

``backup()`` uses SQLite's online backup API (not ``cp``): the copy is one
consistent snapshot even while citizens post, and it is checked with
``PRAGMA integrity_check`` before it is kept. ``restore()`` puts a backup
back (stop the comment server first) and keeps the replaced database next to
it. ``prune()`` keeps the newest N backups.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path


class BackupError(ValueError):
    """The backup or restore cannot be done; the message says why."""


def _check(path: Path) -> None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} is damaged ({result}): keep the previous backup.")


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of ``source`` at ``target`` through SQLite's backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        with dst:
            src.backup(dst)  # all pages in one step: one snapshot
    finally:
        dst.close()
        src.close()
    _check(partial)
    partial.replace(target)


def backup(database: Path, folder: Path, now: datetime | None = None) -> Path:
    if not database.is_file():
        raise BackupError(f"There is no comment database at {database}: check "
                          "ISSO_COMMENTS_SERVER['database'] (has the server run yet?).")
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = folder / f"comments-{stamp}.db"
    copy_database(database, target)
    return target


def prune(folder: Path, keep: int) -> list[Path]:
    backups = sorted(folder.glob("comments-*.db"))
    removed = backups[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


def restore(backup_file: Path, database: Path) -> Path | None:
    """Put ``backup_file`` back as ``database``; returns where the old one went."""
    if not backup_file.is_file():
        raise BackupError(f"There is no backup at {backup_file}.")
    _check(backup_file)
    previous = None
    if database.exists():
        previous = database.with_name(
            f"{database.stem}.before-restore-{datetime.now():%Y%m%d-%H%M%S}{database.suffix}")
        copy_database(database, previous)
    copy_database(backup_file, database)
    return previous
