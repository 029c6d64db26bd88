"""Real servers for the hosting tests (tests/deploy/): Debian's nginx on
127.0.0.1 with the config from deploy/, in front of a real Isso, serving a
publishconf build. Loaded by tests/conftest.py (pytest_plugins)."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import CONTENT, CommentServer, free_port

from dorpsplein.build import ROOT, build

MODERATOR = ("moderator", "een-lang-testwachtwoord")


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} stopped:\n" + log.read_text())
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    process.terminate()
    pytest.fail(f"nothing answered at {url}:\n" + log.read_text())


def access_log_after(log: Path, offset: int, marker: str, seconds: float = 10) -> str:
    """What nginx wrote to ``log`` after ``offset`` (its size before the
    requests), once the line of a last request that has ``marker`` in it is
    there: nginx writes in order, so every request before it is in."""
    deadline = time.monotonic() + seconds
    while True:
        with log.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", "replace")
        if marker in text:
            return text
        assert time.monotonic() < deadline, f"the access log has no line with {marker!r}"
        time.sleep(0.05)


@pytest.fixture(scope="session")
def participation_port():
    """The port nginx's dorpsplein_participation upstream names: the
    participation service listens there once a test starts it
    (tests/deploy/test_participation_routes.py)."""
    return free_port()


@pytest.fixture(scope="session")
def hosted_root(tmp_path_factory):
    """The hosted site's folder; its nginx writes the access log a Debian
    server keeps (combined format) to nginx/access.log there."""
    return tmp_path_factory.mktemp("hosted")


@pytest.fixture(scope="session")
def hosted(hosted_root, participation_port):
    """(site URL, output folder, CommentServer) behind nginx, as deploy/ configures it."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed: run ./go test (it installs Debian's nginx).")
    root = hosted_root
    site_port, isso_port = free_port(), free_port()
    site = f"http://127.0.0.1:{site_port}"
    content = root / "content"
    shutil.copytree(CONTENT, content)
    result = build("publishconf.py", overrides={
        "PATH": str(content), "OUTPUT_PATH": str(root / "output"),
        "CACHE_PATH": str(root / "cache"), "SITEURL": site,
        "ISSO_COMMENTS_URL": "/comments",
    })
    output = result.output_path

    # The comment server, as the systemd unit starts it (local settings, so
    # new comments show at once instead of waiting for a moderator).
    state = root / "isso"
    env = dict(os.environ,
               ISSO_ADMIN_PASSWORD="isso-admin-test")
    isso_log = root / "isso.log"
    with isso_log.open("w") as log:
        isso = subprocess.Popen(
            [sys.executable, "-m", "dorpsplein.comments", "--settings", "pelicanconf.py",
             "--bind", f"127.0.0.1:{isso_port}", "--origin", site, "--state-dir", str(state),
             "--threads", str(output / "isso-threads.json")],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_for(f"http://127.0.0.1:{isso_port}/config", isso, isso_log)

    # nginx with deploy/'s snippets, in a server block like deploy/nginx/dorpsplein.conf
    # minus TLS. Workers run as root here only because pytest's folders are private.
    conf = root / "nginx"
    shutil.copytree(ROOT / "deploy" / "nginx" / "snippets", conf / "snippets")
    # Debian's modules-enabled/*.conf name modules relative to the prefix.
    (conf / "modules").symlink_to("/usr/lib/nginx/modules")
    user, password = MODERATOR
    digest = base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()
    (conf / "htpasswd").write_text(f"{user}:{{SHA}}{digest}\n")
    (conf / "nginx.conf").write_text(f"""
user root;
worker_processes 1;
daemon off;
pid {conf}/nginx.pid;
error_log {conf}/error.log warn;
include /etc/nginx/modules-enabled/*.conf;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {conf}/access.log combined;
    client_body_temp_path {conf}/tmp-body;
    proxy_temp_path {conf}/tmp-proxy;
    fastcgi_temp_path {conf}/tmp-fastcgi;
    uwsgi_temp_path {conf}/tmp-uwsgi;
    scgi_temp_path {conf}/tmp-scgi;
    upstream dorpsplein_isso {{ server 127.0.0.1:{isso_port}; keepalive 8; }}
    upstream dorpsplein_participation {{ server 127.0.0.1:{participation_port}; keepalive 8; }}
    server {{
        listen 127.0.0.1:{site_port};
        server_name localhost;
        root {output};
        set $dorpsplein_htpasswd {conf}/htpasswd;
        include snippets/dorpsplein-site.conf;
    }}
}}
""")
    test = subprocess.run([nginx, "-t", "-p", str(conf), "-c", str(conf / "nginx.conf")],
                          capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    nginx_log = conf / "stdout.log"
    with nginx_log.open("w") as log:
        server = subprocess.Popen([nginx, "-p", str(conf), "-c", str(conf / "nginx.conf")],
                                  stdout=log, stderr=subprocess.STDOUT)
    wait_for(site + "/", server, conf / "error.log")
    comments = CommentServer(site + "/comments", state, site, isso_log)
    # The same server without nginx in between, for load from many addresses
    # (nginx rightly replaces a client's X-Forwarded-For with its real address).
    comments.direct = CommentServer(f"http://127.0.0.1:{isso_port}", state, site, isso_log)
    yield site, output, comments
    server.terminate()
    isso.terminate()
    server.wait(timeout=10)
    isso.wait(timeout=10)
