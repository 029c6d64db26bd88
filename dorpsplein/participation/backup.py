"""Backups of the participation database, consistent while the service runs.

The comment service's functions do the work (``dorpsplein.comments.backup``):
SQLite's online backup API, an integrity check before a copy is kept, 0600
files in a 0700 folder. Only the names differ: ``participation-<time>.db``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from dorpsplein.comments.backup import BackupError, copy_database, private_folder, restore

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


__all__ = ["BackupError", "backup", "prune", "restore"]
