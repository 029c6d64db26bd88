"""Backups of the participation database, consistent while the service runs.

The comment service's functions do the work (``dorpsplein.comments.backup``):
SQLite's online backup API, an integrity check before a copy is kept, 0600
files in a 0700 folder. Only the names differ: ``participation-<time>.db``.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from dorpsplein.comments import backup as comments_backup
from dorpsplein.comments.backup import BackupError, copy_database, private_folder

PREFIX = "participation-"


def backup(database: Path, folder: Path, now: datetime | None = None) -> Path:
    if not Path(database).is_file():
        raise BackupError(f"There is no participation database at {database}: check "
                          "PARTICIPATION_SERVER['database'] (has the service run yet?).")
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = private_folder(Path(folder)) / f"{PREFIX}{stamp}.db"
    copy_database(Path(database), target)
    return target


def prune(folder: Path, keep: int) -> list[Path]:
    backups = sorted(Path(folder).glob(f"{PREFIX}*.db"))
    removed = backups[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


def restore(backup: Path, database: Path) -> Path | None:
    """Put ``backup`` back in place of ``database`` (the service stopped).

    The database is in WAL mode: committed writes may still be in its -wal
    file, which SQLite would replay onto the restored file (2 supports became
    0 in a restore before this). Fold it in first, so the replaced database is
    kept whole; a -wal that stays after our connection closes belongs to
    another process: the service still runs, and nothing is restored."""
    database = Path(database)
    wal = Path(f"{database}-wal")
    if database.is_file() and wal.exists():
        db = sqlite3.connect(database)
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
    if wal.exists():
        raise BackupError(f"{database} is still open (is the participation service running?): "
                          "stop it first (systemctl stop dorpsplein-participation), then "
                          "restore.")
    return comments_backup.restore(Path(backup), database)


__all__ = ["BackupError", "backup", "prune", "restore"]
