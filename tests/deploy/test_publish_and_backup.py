"""invoke publish to real targets on this machine, and comment backups under load."""

from __future__ import annotations

import filecmp
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dorpsplein.build import ROOT
from dorpsplein.comments.backup import BackupError, backup, prune, restore
from dorpsplein.publish import PublishError, check_target, publish

pytestmark = pytest.mark.slow


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_publish_to_a_directory_and_over_rsync_gives_identical_trees(hosted, tmp_path):
    _site, output, _comments = hosted
    directory, synced = tmp_path / "www-directory", tmp_path / "www-rsync"
    (directory / "stale").mkdir(parents=True)
    (directory / "stale" / "old.html").write_text("weg ermee")
    publish(output, {"method": "directory", "path": str(directory)})
    publish(output, {"method": "rsync", "destination": str(synced)})
    assert tree(directory) == tree(synced) == tree(output)
    assert not (directory / "stale").exists()
    assert any(name.endswith(".br") for name in tree(directory))
    # A second publish after a change sends only that change and stays identical.
    changed = output / "robots.txt"
    original = changed.read_bytes()
    try:
        changed.write_bytes(original + b"# gewijzigd\n")
        publish(output, {"method": "directory", "path": str(directory)})
        publish(output, {"method": "rsync", "destination": str(synced)})
        assert not filecmp.dircmp(directory, synced).diff_files
        assert tree(directory) == tree(synced) == tree(output)
    finally:
        changed.write_bytes(original)


def test_publish_to_github_pages_pushes_a_branch(hosted, tmp_path):
    _site, output, _comments = hosted
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    git = ["git", "-c", "user.name=Dorpsplein", "-c", "user.email=ci@dorpsplein.invalid"]
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    subprocess.run(["git", "-C", str(work), "remote", "add", "origin", str(remote)], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "-q", "--allow-empty", "-m", "start"],
                   check=True)
    env_cwd = Path.cwd()
    try:
        import os
        os.chdir(work)
        os.environ.update(GIT_AUTHOR_NAME="Dorpsplein", GIT_AUTHOR_EMAIL="ci@dorpsplein.invalid",
                          GIT_COMMITTER_NAME="Dorpsplein",
                          GIT_COMMITTER_EMAIL="ci@dorpsplein.invalid")
        publish(output, {"method": "github-pages", "remote": "origin", "branch": "gh-pages",
                         "cname": "blog.lindeveld.example"})
    finally:
        os.chdir(env_cwd)
    listing = subprocess.run(["git", "-C", str(remote), "ls-tree", "-r", "--name-only",
                              "gh-pages"], capture_output=True, text=True, check=True).stdout
    names = set(listing.split())
    assert {"index.html", ".nojekyll", "CNAME", "2026/x-of-mastodon/index.html"} <= names


@pytest.mark.parametrize(("target", "expected"), [
    (None, "PUBLISH_TARGET = None: set it in publishconf.py"),
    ({"method": "ftp"}, "PUBLISH_TARGET = {'method': 'ftp'}: set it in publishconf.py"),
    ({"method": "rsync"}, "PUBLISH_TARGET for 'rsync' needs 'destination'"),
])
def test_a_wrong_target_is_named(target, expected):
    with pytest.raises(PublishError) as error:
        check_target(target)
    assert str(error.value).startswith(expected)


def test_a_backup_during_a_burst_of_comments_restores_every_acknowledged_one(hosted,
                                                                            tmp_path):
    _site, _output, comments = hosted
    uri = "/2026/bereik-meten-zonder-volgen/"
    acknowledged: list[tuple[float, int]] = []
    failures = []
    stop = threading.Event()

    def citizen(number: int):
        sent = 0
        while not stop.is_set() and sent < 2000:  # until the backup is done
            sent += 1
            status, body = comments.direct.request(
                "POST", f"/new?uri={uri}",
                {"text": f"Reactie {number}-{sent} tijdens de back-up",
                 "author": f"Inwoner {number}"},
                client_ip=f"10.{100 + number}.{sent % 256}.{sent // 256 + 1}")
            if status == 201:
                acknowledged.append((time.monotonic(), body["id"]))
            else:
                failures.append((status, body))

    # The guard counts per network (/24): posts come from many networks, as a
    # crowd's would; each network is used again only after 256 posts.
    workers = [threading.Thread(target=citizen, args=(n,)) for n in range(1, 5)]
    for worker in workers:
        worker.start()
    time.sleep(0.3)
    started = time.monotonic()
    copy = backup(comments.database, tmp_path / "backups")
    finished = time.monotonic()
    time.sleep(0.3)
    stop.set()
    for worker in workers:
        worker.join(timeout=60)
    assert not failures, failures[:3]
    before = {cid for at, cid in acknowledged if at < started}
    after = {cid for at, cid in acknowledged if at > finished}
    assert len(before) >= 5 and after, "the backup did not happen during the burst"

    restored = tmp_path / "restored.db"
    restore(copy, restored)
    with sqlite3.connect(restored) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = {row[0] for row in db.execute("SELECT id FROM comments")}
    assert before <= ids, f"acknowledged before the backup but missing: {before - ids}"
    # One consistent snapshot: no gaps in the comment ids it holds.
    assert ids == set(range(min(ids), max(ids) + 1))
    print(f"\n{len(acknowledged)} comments posted during the burst; backup held {len(ids)}, "
          f"took {1000 * (finished - started):.1f} ms")


def test_backup_and_restore_tasks(tmp_path):
    database = tmp_path / "comments.db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY, text TEXT)")
        db.executemany("INSERT INTO comments (text) VALUES (?)", [("een",), ("twee",)])
    first = backup(database, tmp_path / "b")
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM comments")
    previous = restore(first, database)
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == 2
    assert previous is not None and previous.exists()
    for n in range(3):
        (tmp_path / "b" / f"comments-2026010{n}-000000.db").write_bytes(first.read_bytes())
    removed = prune(tmp_path / "b", keep=2)
    assert len(removed) == 2 and len(list((tmp_path / "b").glob("comments-*.db"))) == 2
    with pytest.raises(BackupError, match="There is no comment database"):
        backup(tmp_path / "nope.db", tmp_path / "b")
    run = subprocess.run([sys.executable, "-m", "invoke", "--list"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert "comments-backup" in run.stdout and "comments-restore" in run.stdout
