"""Backups of the comment database that are consistent while Isso runs.

``backup()`` uses SQLite's online backup API (not ``cp``): the copy is one
consistent snapshot even while citizens post, and it is checked with
``PRAGMA integrity_check`` before it is kept. ``restore()`` puts a backup
back (stop the comment server first, and run it as the server's user so the
database stays that user's) and keeps the replaced database next to it.
``prune()`` keeps the newest N backups.

Comments hold names, e-mail addresses and hashed IP addresses: every file
written here is 0600 and the backup folder 0700, whatever the umask (the
file is created with that mode and set to it again afterwards; SQLite gives
its journal the database file's mode).
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


class BackupError(ValueError):
    """The backup or restore cannot be done; the message says why."""


def _check(path: Path) -> None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} is damaged ({result}): keep the previous backup.")


def private_folder(folder: Path) -> Path:
    """``folder``, created if needed, readable by its owner only (0700)."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    folder.chmod(FOLDER_MODE)
    return folder


def _create_private(path: Path) -> None:
    """A new, empty file at ``path`` that only its owner can read (0600).

    Empty is a valid SQLite database: ``sqlite3.connect`` fills it in. O_EXCL
    refuses to follow a symlink or reuse a file someone else left there.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)  # the umask may have taken bits away
    finally:
        os.close(descriptor)


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of ``source`` at ``target`` (0600) through SQLite's backup API."""
    if not target.parent.is_dir():
        target.parent.mkdir(mode=FOLDER_MODE, parents=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    _create_private(partial)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(partial)
        try:
            with dst:
                src.backup(dst)  # all pages in one step: one snapshot
        finally:
            dst.close()
            src.close()
        _check(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.chmod(FILE_MODE)
    partial.replace(target)


def backup(database: Path, folder: Path, now: datetime | None = None) -> Path:
    if not database.is_file():
        raise BackupError(f"There is no comment database at {database}: check "
                          "ISSO_COMMENTS_SERVER['database'] (has the server run yet?).")
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = private_folder(folder) / f"comments-{stamp}.db"
    copy_database(database, target)
    return target


def prune(folder: Path, keep: int) -> list[Path]:
    backups = sorted(folder.glob("comments-*.db"))
    removed = backups[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


def restore(backup_file: Path, database: Path) -> Path | None:
    """Put ``backup_file`` back as ``database`` (0600); returns where the old one went.

    The replaced database is kept beside it as ``<name>.before-restore-<time>.db``
    (0600 too).
    """
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
