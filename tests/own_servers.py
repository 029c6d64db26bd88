"""Comment servers of their own, for tests that load, kill or restart one.

Loaded by tests/conftest.py (pytest_plugins): the ``own_server`` fixture.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import CommentServer, free_port

from dorpsplein.build import ROOT


class OwnServer(CommentServer):
    """A comment server this test started; ``process`` is gunicorn's master."""

    def __init__(self, process, url, state_dir, origin, log):
        super().__init__(url, state_dir, origin, log)
        self.process = process

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start(state_dir: Path, threads: Path, origin: str, *args: str, settings="pelicanconf.py",
          password="test-moderator-password", workers: int = 2,
          database: Path | None = None, port: int | None = None) -> OwnServer:
    port = port or free_port()
    state_dir.mkdir(parents=True, exist_ok=True)
    log = state_dir.parent / f"{state_dir.name}-{port}.log"
    env = dict(os.environ, ISSO_ADMIN_PASSWORD=password)
    command = [sys.executable, "-m", "dorpsplein.comments", "--settings", settings,
               "--bind", f"127.0.0.1:{port}", "--origin", origin, "--state-dir", str(state_dir),
               "--threads", str(threads), "--workers", str(workers), *args]
    if database is not None:
        command += ["--database", str(database)]
    with log.open("w") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the comment server stopped:\n" + log.read_text())
        try:
            with urllib.request.urlopen(url + "/config", timeout=2):
                break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("the comment server did not answer:\n" + log.read_text())
    return OwnServer(process, url, state_dir, origin, log)


@pytest.fixture
def own_server(tmp_path, sample_site, served_site):
    """start(*args, **kwargs) -> a fresh comment server on a fresh database."""
    started = []

    def _start(*args, **kwargs):
        state = kwargs.pop("state_dir", None) or tmp_path / f"isso-{len(started)}"
        server = start(state, sample_site.output / "isso-threads.json",
                       kwargs.pop("origin", served_site), *args, **kwargs)
        started.append(server)
        return server

    yield _start
    for server in started:
        server.stop()
