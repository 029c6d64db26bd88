"""The sample site as a citizen gets it, for the audit and the screenshots:
built, served on 127.0.0.1 as a static host serves it (gzip), with the
town's comment server (gunicorn + Isso) and its participation service
(gunicorn, the sample consultation's ideas from tests/data/participation put
in its database) beside it."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..build import ROOT, build
from .static_server import serve_directory


@dataclass(frozen=True)
class LiveSite:
    url: str  # http://127.0.0.1:<port>
    comments_url: str
    output: Path
    participation_url: str = ""

    def comment(self, thread: str, text: str, author: str) -> dict:
        """Post a comment as a citizen's browser does (same Origin as the site)."""
        request = urllib.request.Request(
            f"{self.comments_url}/new?uri={thread}",
            data=json.dumps({"text": text, "author": author, "email": "", "website": "",
                             "parent": None, "title": "", "notification": 0}).encode(),
            headers={"Content-Type": "application/json", "Origin": self.url,
                     "Referer": self.url + thread},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _comment_server(state: Path, port: int, threads: Path, site: str) -> subprocess.Popen:
    env = dict(os.environ, ISSO_ADMIN_PASSWORD="local-tools-only-password")
    process = subprocess.Popen(
        [sys.executable, "-m", "dorpsplein.comments", "--bind", f"127.0.0.1:{port}",
         "--origin", site, "--state-dir", str(state), "--threads", str(threads)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return _answering(process, f"http://127.0.0.1:{port}/config", "the comment server")


def _answering(process: subprocess.Popen, url: str, what: str) -> subprocess.Popen:
    """``process`` once ``url`` answers (a minute at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"{what} did not start")


SAMPLE_IDEAS = ROOT / "tests" / "data" / "participation"


def _seed_ideas(database: Path) -> None:
    """The sample consultations' ideas (tests/data/participation), approved,
    with their supports, and the sample self-test's counts
    (zelftest-<slug>.json), through the service's own store module."""
    from ..participation import store

    database.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    store.prepare(database)
    ideas = store.Store(database)
    for path in sorted(SAMPLE_IDEAS.glob("zelftest-*.json")):
        counted = json.loads(path.read_text(encoding="utf-8"))
        ideas.write(lambda db, counted=counted: db.executemany(
            "INSERT INTO self_test_counts (self_test, result, count) VALUES (?, ?, ?)",
            [(counted["self_test"], result, n) for result, n in counted["results"].items()]))
    for path in sorted(set(SAMPLE_IDEAS.glob("*.json")) - set(SAMPLE_IDEAS.glob("zelftest-*"))):
        board = json.loads(path.read_text(encoding="utf-8"))

        def add(db, board=board, slug=path.stem):
            for item in board["ideas"]:
                number = ideas.add_idea(db, slug, {
                    "title": item["title"], "text": item["text"], "name": item["name"] or "",
                    "place": item["place"] or ""}, "approved")
                db.executemany(
                    "INSERT INTO supports (idea, person, consultation, created) "
                    "VALUES (?, ?, ?, ?)",
                    [(number, f"sample-{n}", slug, store.utc_now())
                     for n in range(item["supports"])])

        ideas.write(add)
    ideas.db.close()


def _participation(state: Path, port: int, site_file: Path, site: str) -> subprocess.Popen:
    env = dict(os.environ, PARTICIPATION_ADMIN_PASSWORD="local-tools-only-password")
    process = subprocess.Popen(
        [sys.executable, "-m", "dorpsplein.participation", "--bind", f"127.0.0.1:{port}",
         "--origin", site, "--state-dir", str(state), "--site", str(site_file)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return _answering(process, f"http://127.0.0.1:{port}/", "the participation service")


@contextlib.contextmanager
def live_site(**overrides):
    """Build the sample site and serve it with comments; yields a LiveSite."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site_port, comments_port = free_port(), free_port()
        site_url = f"http://127.0.0.1:{site_port}"
        comments_url = f"http://127.0.0.1:{comments_port}"
        participation_port = free_port()
        participation_url = f"http://127.0.0.1:{participation_port}"
        settings = {
            "OUTPUT_PATH": str(tmp / "output"), "CACHE_PATH": str(tmp / "cache"),
            "ISSO_COMMENTS_URL": comments_url, "PREVIEW_URL": site_url,
            "PARTICIPATION_URL": participation_url, "PARTICIPATION_DATA": participation_url,
            **overrides,
        }
        # Built once for participation.json, the service started on it with the
        # sample ideas, built again with the ideas it gives (their pages too).
        result = build("pelicanconf.py", overrides=settings)
        _seed_ideas(tmp / "participation" / "participation.db")
        participation = _participation(tmp / "participation", participation_port,
                                       result.output_path / "participation.json", site_url)
        try:
            result = build("pelicanconf.py", overrides=settings)
            with serve_directory(result.output_path, port=site_port):
                comments = _comment_server(tmp / "isso", comments_port,
                                           result.output_path / "isso-threads.json", site_url)
                try:
                    yield LiveSite(site_url, comments_url, result.output_path,
                                   participation_url)
                finally:
                    comments.terminate()
                    comments.wait(timeout=10)
        finally:
            participation.terminate()
            participation.wait(timeout=10)
