"""Write routes through the shipped nginx config: no spelling of the proxy path,
the route or the query writes on a closed or unknown thread."""

from __future__ import annotations

import http.client
import json
import sqlite3
import urllib.parse

import pytest
from hosting_fixtures import access_log_after

pytestmark = pytest.mark.slow

CLOSED = "/2026/online-burgerbevraging/"
OPEN = "/2026/x-of-mastodon/"
Q = urllib.parse.quote(CLOSED, safe="")

PREFIXES = ["/comments", "/comments/", "//comments", "/comments/.", "/comments/x/..",
            "/%63omments", "/comments/comments", "/comments//comments"]
ROUTES = [f"/new?uri={CLOSED}", f"//new?uri={CLOSED}", f"/%6Eew?uri={Q}",
          f"/new?uri={OPEN}&uri={CLOSED}", f"/new?uri={CLOSED}&uri={OPEN}",
          "/new?uri=javascript:alert(1)", "/new?uri=/2026/bestaat-niet/"]
SPELLINGS = [prefix + route for prefix in PREFIXES for route in ROUTES]


def send(site: str, method: str, path: str, body: dict, headers: dict | None = None):
    parts = urllib.parse.urlsplit(site)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request(method, path, body=json.dumps(body).encode(), headers={
        "Content-Type": "application/json", "Origin": site, **(headers or {})})
    response = connection.getresponse()
    text = response.read().decode("utf-8", errors="replace")
    connection.close()
    return response.status, text


def stored(comments):
    with sqlite3.connect(comments.database) as db:
        count = db.execute("SELECT COUNT(*) FROM comments").fetchone()[0]
        threads = {row[0] for row in db.execute("SELECT uri FROM threads")}
    return count, threads


def test_there_are_at_least_60_spellings():
    assert len(SPELLINGS) >= 56 and len(SPELLINGS) + len(HEADER_GAMES) >= 60


@pytest.mark.parametrize("path", SPELLINGS)
def test_no_spelling_through_nginx_writes_a_closed_or_unknown_thread(hosted, path):
    site, output, comments = hosted
    known = set(json.loads((output / "isso-threads.json").read_text())["threads"])
    before, _ = stored(comments)
    status, text = send(site, "POST", path, {"text": "Via een omweg", "author": "Mallory",
                                             "title": "Eigen draad"})
    assert not 200 <= status < 300, (path, status, text)
    after, threads = stored(comments)
    assert after == before and threads <= known, (path, status)


HEADER_GAMES = [
    {"X-Script-Name": "/"}, {"X-Script-Name": "/comments/comments"},
    {"X-Forwarded-Prefix": "/comments"}, {"X-Original-URL": f"/comments/new?uri={OPEN}"},
    {"X-Rewrite-URL": f"/comments/new?uri={OPEN}"}, {"X-HTTP-Method-Override": "GET"},
]


@pytest.mark.parametrize("headers", HEADER_GAMES)
def test_proxy_header_games_do_not_open_a_closed_thread(hosted, headers):
    site, _output, comments = hosted
    before, _ = stored(comments)
    status, text = send(site, "POST", f"/comments/new?uri={CLOSED}",
                        {"text": "Met andere headers", "author": "Mallory"}, headers)
    assert not 200 <= status < 300, (headers, status, text)
    assert stored(comments)[0] == before


def test_an_open_thread_still_takes_a_comment_through_nginx(hosted):
    site, _output, comments = hosted
    status, text = send(site, "POST", f"/comments/new?uri={OPEN}",
                        {"text": "Gewoon via de site", "author": "Noor"})
    assert status == 201, text
    assert json.loads(text)["author"] == "Noor"


MAIL_LINKS = [
    "/comments/id/1/unsubscribe/noor%40lindeveld.example/bm9vcg.abc",
    "/comments/id/1/activate/bm9vcg.abc",
    "/comments/id/1/delete/bm9vcg.abc",
    "/comments//id/1/unsubscribe/noor%40lindeveld.example/bm9vcg.abc",
    "/comments/ID/1/Unsubscribe/noor%40lindeveld.example/bm9vcg.abc",
    "/comments/./id/1/%75nsubscribe/noor%40lindeveld.example/bm9vcg.abc",
    "/comments/comments/id/1/unsubscribe/noor%40lindeveld.example/bm9vcg.abc",
    "/comments/id/1/edit/bm9vcg.abc",
]


def test_the_links_in_comment_mails_reach_the_server_and_are_not_logged(hosted, hosted_root):
    """The moderators' and repliers' mail links carry keys and an address:
    through nginx they reach the comment server (its own page, never nginx's
    404), and no line of the access log names them."""
    site = hosted[0]
    log = hosted_root / "nginx" / "access.log"
    already = log.stat().st_size if log.exists() else 0
    parts = urllib.parse.urlsplit(site)
    for number, path in enumerate(MAIL_LINKS):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        connection.close()
        assert response.status in (403, 404), (path, response.status)
        if number < 3:  # a made-up key: the comment server's own page, not nginx's
            assert "default-src 'none'" in response.getheader("Content-Security-Policy", ""), \
                path
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", "/comments/count?merk=nagelaten")
    connection.getresponse().read()
    connection.close()
    text = access_log_after(log, already, "merk=nagelaten").lower()
    assert "unsubscribe" not in text and "activate" not in text and "noor" not in text, text
    assert "/delete/" not in text and "/edit/" not in text, text
