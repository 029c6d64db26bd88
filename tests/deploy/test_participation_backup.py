"""./go participation-backup and participation-restore: the participation
database copied consistently and privately into the folder the comment
backups share, each task keeping only its own kind."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dorpsplein.build import ROOT
from dorpsplein.participation import store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def database(tmp_path) -> Path:
    path = tmp_path / "var" / "participation" / "participation.db"
    store.prepare(path)
    ideas = store.Store(path)

    def add(db):
        idea = ideas.add_idea(db, "dorpsplein-groener", {
            "title": "Bomen", "text": "Meer schaduw.", "name": "An", "place": ""}, "approved")
        for person in ("c:een", "c:twee"):
            ideas.add_support(db, "dorpsplein-groener", idea, person, 5)

    ideas.write(add)
    ideas.db.close()
    return path


def supports(path: Path) -> int:
    # Closed at once: an open connection is what the restore looks for.
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT COUNT(*) FROM supports").fetchone()[0]


def run_tasks(script: str) -> subprocess.CompletedProcess:
    """tasks.py in a fresh process, as ./go runs it (no PYTHONPATH)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", "from pathlib import Path\nimport tasks\n" +
                           script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def test_backup_prune_and_restore_through_the_tasks(database, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    # A comment backup in the same folder: participation-backup never prunes it.
    (folder / "comments-20260101-031500.db").write_bytes(b"")
    for day in (1, 2):
        (folder / f"participation-2026010{day}-032000.db").write_bytes(database.read_bytes())
    run = run_tasks(
        f"tasks._participation_database = lambda production: Path({str(database)!r})\n"
        f"tasks.participation_backup.body(None, to={str(folder)!r}, keep=2)\n")
    assert run.returncode == 0, run.stderr
    assert "Backed up the participation database to" in run.stdout
    assert "Removed old backup" in run.stdout
    kept = sorted(folder.glob("participation-*.db"))
    assert len(kept) == 2 and kept[0].name == "participation-20260102-032000.db"
    assert (folder / "comments-20260101-031500.db").exists()
    copy = kept[-1]
    assert mode(folder) == 0o700 and mode(copy) == 0o600
    assert supports(copy) == 2

    # The database changes (in its WAL while the service has it open) ...
    service = sqlite3.connect(database)
    with service:
        service.execute("DELETE FROM supports")
    assert Path(f"{database}-wal").stat().st_size > 0
    restore = (f"tasks._participation_database = lambda production: Path({str(database)!r})\n"
               f"tasks.participation_restore.body(None, backup={str(copy)!r})\n")
    # ... so a restore now is refused: SQLite would replay that WAL onto the backup.
    run = run_tasks(restore)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "is still open (is the participation service running?)" in run.stderr
    assert supports(database) == 0
    # Stopped (the service killed: its WAL left behind), the backup goes back
    # and the replaced database is kept beside it, its last writes included.
    service_wal = Path(f"{database}-wal").read_bytes()
    service.close()
    Path(f"{database}-wal").write_bytes(service_wal)
    run = run_tasks(restore)
    assert run.returncode == 0, run.stderr
    # Nothing of the old WAL is left to be replayed onto the restored file.
    wal = Path(f"{database}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert f"Restored {copy} to {database}" in run.stdout
    assert supports(database) == 2 and mode(database) == 0o600
    (replaced,) = database.parent.glob("participation.before-restore-*.db")
    assert supports(replaced) == 0 and mode(replaced) == 0o600


def test_a_missing_database_or_backup_is_one_sentence(tmp_path):
    run = run_tasks(
        f"tasks._participation_database = lambda production: Path({str(tmp_path / 'no.db')!r})\n"
        f"tasks.participation_backup.body(None, to={str(tmp_path / 'b')!r})\n")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "There is no participation database at" in run.stderr
    run = run_tasks(
        f"tasks._participation_database = lambda production: Path({str(tmp_path / 'no.db')!r})\n"
        f"tasks.participation_restore.body(None, backup={str(tmp_path / 'gone.db')!r})\n")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "There is no backup at" in run.stderr


def test_the_tasks_find_the_database_the_settings_name():
    tasks = run_tasks(
        "from participation.settings import SERVER_DEFAULTS\n"
        "print(tasks._participation_database(False))\n"
        "print(tasks._participation_database(True))\n")
    assert tasks.returncode == 0, tasks.stderr
    local, production = tasks.stdout.split()
    assert local == production == str(ROOT / "var" / "participation" / "participation.db")
