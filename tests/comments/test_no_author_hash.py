"""Isso answers each comment with a "hash" of its author's e-mail address or
IP address, the same for every comment of that author: a pseudonym that links
them. Only avatars use it, and they are off, so the town's comment server
answers it empty (dorpsplein/comments/app.py, ``_no_author_hash``)."""

from __future__ import annotations

import json
import urllib.request

import pytest

pytestmark = pytest.mark.slow

# The thread the other comment tests post on and count relatively.
URI = "/2026/x-of-mastodon/"


def test_no_comment_carries_a_hash_of_its_author(comment_server):
    from test_server import post

    answers = []
    for text in ("Eerste reactie van Ann", "Tweede reactie van Ann"):
        status, created = post(comment_server, URI, {"text": text, "author": "Ann",
                                                     "email": "ann@example.be"})
        assert status == 201, created
        answers.append(created)
    # Isso's answer to a new comment and its thread read both carry the key, empty.
    assert [a["hash"] for a in answers] == ["", ""]
    request = urllib.request.Request(f"{comment_server.url}/?uri={URI}",
                                     headers={"Origin": comment_server.origin})
    with urllib.request.urlopen(request, timeout=10) as response:
        thread = json.loads(response.read())
    mine = [c for c in thread["replies"] if c["id"] in {a["id"] for a in answers}]
    assert len(mine) == 2
    assert all(c["hash"] == "" for c in thread["replies"])
    body = json.dumps(thread)
    assert "ann@example.be" not in body
