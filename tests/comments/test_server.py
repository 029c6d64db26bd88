"""The comment server: a real Isso under gunicorn with our ThreadPolicy, on 127.0.0.1."""

from __future__ import annotations

import configparser
import itertools
import json
import os
import sqlite3
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

from dorpsplein.build import ROOT

pytestmark = pytest.mark.slow

OPEN = "/2026/x-of-mastodon/"
CLOSED = "/2026/online-burgerbevraging/"
_addresses = itertools.count(1)


def citizen() -> str:
    """A distinct network per request (Isso's guard counts per /24), so the
    rate-limit guard, which stays on, judges each hostile comment on its own."""
    number = next(_addresses)
    return f"10.{number // 256 % 256}.{number % 256}.7"


def post(server, uri, body, **kwargs):
    kwargs.setdefault("client_ip", citizen())
    return server.request("POST", f"/new?uri={uri}", body, **kwargs)


def stored_texts(server) -> list[str]:
    with sqlite3.connect(server.database) as db:
        return [row[0] for row in db.execute("SELECT text FROM comments")]


def test_a_comment_is_stored_and_read_back(comment_server):
    status, created = post(comment_server, OPEN,
                           {"text": "Goed artikel over Mastodon!", "author": "Els", "title": "X"})
    assert status == 201, created
    status, thread = comment_server.request("GET", f"/?uri={OPEN}")
    assert status == 200
    assert any(c["id"] == created["id"] and c["author"] == "Els" for c in thread["replies"])


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('xss')</script> en meer tekst",
        '<img src=x onerror="alert(1)"> plaatje',
        '<a href="javascript:alert(1)">klik</a> hier',
        "[klik](javascript:alert(1)) markdown-link",
        '<svg onload="alert(1)"></svg> svg',
    ],
)
def test_hostile_markup_is_stored_as_text_and_rendered_inert(comment_server, text):
    status, created = post(comment_server, OPEN, {"text": text, "author": "Mallory"})
    assert status == 201, created
    assert text in stored_texts(comment_server)  # stored exactly as typed
    assert_inert(created["text"])
    status, thread = comment_server.request("GET", f"/?uri={OPEN}")
    [shown] = [c["text"] for c in thread["replies"] if c["id"] == created["id"]]
    assert_inert(shown)


def assert_inert(html: str) -> None:
    """Parsed as a browser would: only harmless elements and attributes."""
    doc = BeautifulSoup(html, "lxml")
    for element in doc.find_all(True):
        assert element.name in {"html", "body", "p", "a", "em", "strong", "code", "pre",
                                "blockquote", "ul", "ol", "li", "br", "del"}, html
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), html
            assert "javascript:" not in str(value).lower(), html


def test_javascript_website_is_refused(comment_server):
    status, body = post(comment_server, OPEN, {"text": "Bezoek mijn site", "author": "Jo",
                                               "website": "javascript:alert(1)"})
    assert status == 400, body
    assert body["reason"] == "invalid-website"


def test_hostile_author_name_is_escaped(comment_server):
    status, created = post(comment_server, OPEN,
                           {"text": "Gewone reactie", "author": "<b onmouseover=alert(1)>Eve</b>"})
    assert status == 201
    assert "<b" not in created["author"] and "&lt;b" in created["author"]


def test_a_long_comment_is_refused_with_the_limit(comment_server):
    status, body = post(comment_server, OPEN, {"text": "a" * 5001, "author": "Lang"})
    assert status == 400
    assert body["reason"] == "too-long" and body["field"] == "text" and body["limit"] == 5000
    status, body = post(comment_server, OPEN, {"text": "a" * 100_000, "author": "Lang"})
    assert status == 413 and body["reason"] == "too-large"
    assert all(len(t) <= 5000 for t in stored_texts(comment_server))


def test_broken_json_is_refused(comment_server):
    status, _ = comment_server.request("POST", f"/new?uri={OPEN}", raw=b'{"text": "half',
                                       client_ip=citizen())
    assert status == 400


@pytest.mark.parametrize("origin", ["http://evil.example", None])
def test_a_write_from_another_origin_is_refused(comment_server, origin):
    before = len(stored_texts(comment_server))
    status, body = post(comment_server, OPEN, {"text": "Van elders gepost"}, origin=origin)
    assert status == 403
    assert body["reason"] == "origin-not-allowed"
    assert len(stored_texts(comment_server)) == before


def test_closed_thread_refuses_a_hand_made_post(comment_server):
    status, body = post(comment_server, CLOSED, {"text": "Toch nog even reageren", "title": "x",
                                                 "author": "Piet"})
    assert status == 403
    assert body == {"reason": "thread-closed",
                    "message": "Reageren op dit artikel is afgesloten."}


@pytest.mark.parametrize("uri", ["/2026/bestaat-niet/", "/2026/x-of-mastodon", "/admin/"])
def test_unknown_threads_are_refused(comment_server, uri):
    status, body = post(comment_server, uri, {"text": "Nieuwe draad", "title": "x",
                                              "author": "Ann"})
    assert status == 403 and body["reason"] == "unknown-thread"


def test_rate_limit_guard_is_on_and_says_when_to_try_again(comment_server):
    ip = citizen()
    answers = [post(comment_server, OPEN, {"text": f"Reactie {n}", "author": "Bert"}, client_ip=ip)
               for n in range(6)]
    assert [s for s, _ in answers[:5]] == [201] * 5, answers
    status, body = answers[5]
    assert status == 429 and body["reason"] == "too-soon", answers[5]
    assert 1 <= body["retry_after"] <= 61


def test_count_endpoint_counts_per_thread(comment_server):
    status, counts = comment_server.request("POST", "/count", [OPEN, CLOSED])
    assert status == 200
    assert counts[0] >= 1 and counts[1] == 0


def test_admin_page_shows_only_our_login_form_without_a_session(comment_server):
    status, body = comment_server.request("GET", "/admin/", origin=None)
    assert status == 401
    page = BeautifulSoup(body, "lxml")
    assert page.find("input", attrs={"type": "password"}) is not None
    assert page.find("script") is None and "isso-comment" not in body


def _write_config(tmp_path, *args, env_password=None):
    env = dict(os.environ)
    env.pop("ISSO_ADMIN_PASSWORD", None)
    if env_password:
        env["ISSO_ADMIN_PASSWORD"] = env_password
    return subprocess.run(
        [sys.executable, "-m", "dorpsplein.comments", "--state-dir", str(tmp_path),
         "--write-config", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_production_refuses_to_start_without_an_admin_password(tmp_path):
    run = _write_config(tmp_path, "--settings", "publishconf.py", "--production")
    assert run.returncode == 1
    assert "needs an admin password: set the ISSO_ADMIN_PASSWORD environment variable" in (
        run.stderr
    )
    assert "Traceback" not in run.stderr


def test_production_config_moderates_and_allows_only_the_public_site(tmp_path):
    run = _write_config(tmp_path, "--settings", "publishconf.py", "--production",
                        env_password="s3cret-genoeg")
    assert run.returncode == 0, run.stderr
    cfg = configparser.ConfigParser()
    cfg.read(run.stdout.strip())
    assert cfg.getboolean("moderation", "enabled") is True
    assert cfg.getboolean("guard", "enabled") is True
    assert cfg.getboolean("admin", "enabled") is True
    assert cfg.get("admin", "password") == "s3cret-genoeg"
    assert cfg.get("general", "host").split() == ["https://blog.lindeveld.example"]
    assert cfg.get("hash", "salt") != "Eech7co8Ohloopo9Ol6baimi"  # not Isso's shared default
    assert cfg.get("general", "dbpath").startswith(str(tmp_path))
    for name in ("isso-production.cfg", "isso-production.json", "salt"):
        assert oct((tmp_path / name).stat().st_mode & 0o777) == "0o600", name
    assert oct(tmp_path.stat().st_mode & 0o777) == "0o700"
    service = json.loads((tmp_path / "isso-production.json").read_text())
    assert service["password_hash"].startswith("scrypt$")
    assert "s3cret-genoeg" not in service["password_hash"]


@pytest.mark.parametrize("password", ["twee\nregels", "tab\tin", "escape\x1bteken"])
def test_a_control_character_in_the_admin_password_stops_the_start(tmp_path, password):
    run = _write_config(tmp_path, "--settings", "publishconf.py", "--production",
                        env_password=password)
    assert run.returncode == 1
    assert "ISSO_ADMIN_PASSWORD environment variable contains a control character" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "isso-production.cfg").exists()


def test_local_config_allows_the_preview_origins_and_keeps_its_salt(tmp_path):
    first = _write_config(tmp_path, "--origin", "http://127.0.0.1:9000")
    assert first.returncode == 0, first.stderr
    cfg = configparser.ConfigParser()
    cfg.read(first.stdout.strip())
    hosts = cfg.get("general", "host").split()
    assert hosts == ["http://127.0.0.1:8000", "http://localhost:8000", "http://127.0.0.1:9000"]
    assert cfg.getboolean("moderation", "enabled") is False
    salt = cfg.get("hash", "salt")
    second = _write_config(tmp_path)
    assert second.returncode == 0, second.stderr
    again = configparser.ConfigParser()
    again.read(second.stdout.strip())
    assert again.get("hash", "salt") == salt


def test_simultaneous_first_comments_on_a_new_thread_all_succeed(comment_server):
    """Isso alone answers one of them with a 500 (both workers create the thread);
    our layer creates the thread row first."""
    import threading

    uri = "/2026/linkedin-lokaal-bestuur/"
    results = []
    barrier = threading.Barrier(6)

    def first(number):
        barrier.wait()
        results.append(post(comment_server, uri, {"text": f"Eerste reactie {number}",
                                                  "author": f"Buur {number}"})[0])

    workers = [threading.Thread(target=first, args=(n,)) for n in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert results == [201] * 6


def test_an_idea_of_a_consultation_takes_comments_and_an_unknown_one_does_not(comment_server):
    """Idea pages get threads (plugins/participation offers them, isso_comments
    lists them): the comment server takes a comment on a built idea, and
    refuses one on an idea the build does not know."""
    idea = "/inspraak/dorpsplein-groener/idee-4/"
    status, created = post(comment_server, idea, {"text": "Goed idee, die linden!",
                                                  "author": "Mira", "title": "X"})
    assert status == 201, created
    status, thread = comment_server.request("GET", f"/?uri={idea}")
    assert status == 200 and any(c["id"] == created["id"] for c in thread["replies"])
    status, _ = post(comment_server, "/inspraak/dorpsplein-groener/idee-999/",
                     {"text": "Een idee dat niet bestaat", "author": "X", "title": "X"})
    assert status in (403, 404)
