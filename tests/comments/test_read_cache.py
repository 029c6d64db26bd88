"""Cached thread reads are never stale: the next read after any write is fresh."""

from __future__ import annotations

import sqlite3
import sys
import urllib.request

import pytest

from dorpsplein.build import ROOT

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
    sys.path.insert(0, str(ROOT / "plugins"))
    from isso_comments.server import ReadCache

    database = tmp_path / "c.db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE t (x)")
    cache = ReadCache(database)
    assert cache.get("k") is None
    cache.put("k", "antwoord")
    assert cache.get("k") == "antwoord"
    with sqlite3.connect(database) as other:
        other.execute("INSERT INTO t VALUES (1)")
    assert cache.get("k") is None  # a commit elsewhere empties the cache


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
