"""Cached thread reads are never stale: the next read after any write is fresh."""

from __future__ import annotations

import sqlite3
import urllib.request

import pytest

from dorpsplein.comments.read_cache import ReadCache

pytestmark = pytest.mark.slow

# An article no other test comments on (the English-text test expects an empty thread).
URI = "/2026/facebookpagina-starten/"


def read(server, etag=None):
    headers = {"Origin": server.origin}
    if etag:
        headers["If-None-Match"] = etag
    request = urllib.request.Request(f"{server.url}/?uri={URI}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            import json
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, None


def test_data_version_sees_commits_from_other_connections(tmp_path):
    database = tmp_path / "c.db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE t (x)")
    cache = ReadCache(database)
    assert cache.get("k") is None
    entry = ([], b"antwoord", '"etag"')
    cache.put("k", entry)
    assert cache.get("k") == entry
    with sqlite3.connect(database) as other:
        other.execute("INSERT INTO t VALUES (1)")
    assert cache.get("k") is None  # a commit elsewhere empties the cache


def test_the_cache_is_bounded_in_bytes_and_drops_the_least_recently_used(tmp_path):
    database = tmp_path / "c.db"
    sqlite3.connect(database).close()
    cache = ReadCache(database, max_bytes=10_000)
    assert cache.get("warm") is None  # reads the database's version first, as serve() does
    for n in range(100):
        cache.put(n, ([], b"x" * 1000, '"e"'))
        cache.get(0)  # keep the first one in use
    assert cache.size <= 10_000
    assert len(cache.entries) == 6  # (1000 + 512 bookkeeping) bytes each
    assert 0 in cache.entries and 99 in cache.entries and 50 not in cache.entries
    cache.put("huge", ([], b"x" * 20_000, '"e"'))  # bigger than the bound: not kept
    assert "huge" not in cache.entries


def test_a_new_comment_and_a_vote_show_on_the_very_next_read(comment_server):
    from test_server import post

    status, headers, before = read(comment_server)
    assert status == 200 and headers["ETag"]
    assert read(comment_server, headers["ETag"])[0] == 304
    count = len(before["replies"])
    for _ in range(4):  # warm the cache in both gunicorn workers
        assert len(read(comment_server)[2]["replies"]) == count
    status, created = post(comment_server, URI, {"text": "Verse reactie", "author": "Jo"})
    assert status == 201
    for _ in range(6):  # whichever worker answers
        replies = read(comment_server)[2]["replies"]
        assert created["id"] in [c["id"] for c in replies]
    status, _ = comment_server.request("POST", f"/id/{created['id']}/like", client_ip="192.0.2.77")
    assert status == 200
    for _ in range(6):
        replies = read(comment_server)[2]["replies"]
        assert next(c for c in replies if c["id"] == created["id"])["likes"] == 1
    assert read(comment_server, headers["ETag"])[0] == 200  # the old ETag no longer matches
