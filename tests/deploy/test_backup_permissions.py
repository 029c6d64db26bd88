"""Comment backups are private: files 0600, the backup folder 0700, whatever the umask.

Comments hold names, e-mail addresses and hashed IP addresses; a backup is as
personal as the database itself.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from dorpsplein.build import ROOT
from dorpsplein.comments.backup import backup, prune, restore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_0022():
    """The usual umask of a login shell: new files 0644, folders 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def database(tmp_path, umask_0022):
    path = tmp_path / "isso" / "comments.db"
    path.parent.mkdir()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY, text TEXT)")
        db.executemany("INSERT INTO comments (text) VALUES (?)", [("een",), ("twee",)])
    assert mode(path) == 0o644  # as the umask made it: the backup must not copy that
    return path


def test_a_backup_is_0600_in_a_0700_folder(database, tmp_path):
    folder = tmp_path / "var" / "backups"
    copy = backup(database, folder)
    assert mode(copy) == 0o600
    assert mode(folder) == 0o700
    assert [p.name for p in folder.iterdir()] == [copy.name]  # no .partial left behind


def test_an_existing_open_backup_folder_is_made_private(database, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o755)
    assert mode(folder) == 0o755
    copy = backup(database, folder)
    assert mode(folder) == 0o700 and mode(copy) == 0o600


def test_a_strict_umask_does_not_break_the_copy(database, tmp_path):
    # 0277 would leave the partial copy read-only for SQLite itself.
    os.umask(0o277)
    copy = backup(database, tmp_path / "backups")
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == 2
    assert mode(copy) == 0o600


def test_prune_leaves_the_kept_backups_private(database, tmp_path):
    folder = tmp_path / "backups"
    copies = [backup(database, folder, now=datetime(2026, 1, day, 3, 15)) for day in (1, 2, 3)]
    removed = prune(folder, keep=2)
    assert removed == copies[:1]
    assert sorted(folder.iterdir()) == copies[1:]
    assert mode(folder) == 0o700
    assert all(mode(p) == 0o600 for p in copies[1:])


def test_restore_writes_the_database_and_the_replaced_copy_0600(database, tmp_path):
    copy = backup(database, tmp_path / "backups")
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM comments")
    previous = restore(copy, database)
    assert previous is not None and previous.parent == database.parent
    assert mode(database) == 0o600
    assert mode(previous) == 0o600
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == 2
    with sqlite3.connect(previous) as db:
        assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == 0
    assert not list(database.parent.glob("*.partial"))
    assert mode(tmp_path / "backups") == 0o700 and mode(copy) == 0o600


def test_the_tasks_import_the_backup_module_without_a_path_edit(database, tmp_path):
    """`invoke comments-backup` / `comments-restore` as a fresh process, no PYTHONPATH."""
    folder = tmp_path / "from-task"
    script = (
        "import os, sys\nfrom pathlib import Path\nimport tasks\n"
        "before = list(sys.path)\n"
        f"tasks._comments_database = lambda production: Path({str(database)!r})\n"
        f"tasks.comments_backup.body(None, to={str(folder)!r}, keep=1)\n"
        f"copy = next(Path({str(folder)!r}).glob('comments-*.db'))\n"
        "tasks.comments_restore.body(None, backup=str(copy))\n"
        "assert sys.path == before, 'a task changed sys.path'\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "Backed up the comments to" in run.stdout and "Restored" in run.stdout
    (copy,) = folder.glob("comments-*.db")
    assert mode(folder) == 0o700 and mode(copy) == 0o600 and mode(database) == 0o600
