"""Hostile input gets a 4xx with a JSON reason -- never a 500, never a traceback.

Isso 0.14 alone answered ten kinds of these with a 500 (a list as a comment,
deep nesting, ``"parent": 2**70``, a lone surrogate, mixed types on /count,
a number as preview text, ...). Each case is sent to the real server; after
each, the server must still answer a normal read.
"""

from __future__ import annotations

import json

import pytest
from test_server import citizen

pytestmark = pytest.mark.slow

OPEN = "/2026/x-of-mastodon/"
NEW = f"/new?uri={OPEN}"
GOOD = {"text": "Een gewone reactie", "author": "Els"}


def with_(**changes):
    return json.dumps({**GOOD, **changes}).encode()


CASES = {
    # /new: the body is not a comment object
    "new list": ("POST", NEW, b"[1, 2]", None),
    "new string": ("POST", NEW, b'"tekst"', None),
    "new null": ("POST", NEW, b"null", None),
    "new number": ("POST", NEW, b"42", None),
    "new true": ("POST", NEW, b"true", None),
    "new empty body": ("POST", NEW, b"", None),
    "new deep list": ("POST", NEW, b"[" * 100_000 + b"]" * 100_000, None),
    "new deep object": ("POST", NEW, b'{"a":' * 20_000 + b"1" + b"}" * 20_000, None),
    "new half json": ("POST", NEW, b'{"text": "half', None),
    "new invalid utf-8": ("POST", NEW, b'{"text": "\xff\xfe kapot", "author": "Els"}', None),
    "new NaN": ("POST", NEW, b'{"text": NaN, "author": "Els"}', None),
    "new Infinity parent": ("POST", NEW, b'{"text": "abcd", "author": "E", "parent": Infinity}',
                            None),
    "new 5000-digit parent": ("POST", NEW, b'{"text": "abcd", "author": "E", "parent": '
                              + b"9" * 5000 + b"}", None),
    "new 1e400 parent": ("POST", NEW, b'{"text": "abcd", "author": "E", "parent": 1e400}', None),
    # /new: wrong types and values
    "parent 2**70": ("POST", NEW, with_(parent=2**70), None),
    "parent -1": ("POST", NEW, with_(parent=-1), None),
    "parent string": ("POST", NEW, with_(parent="1"), None),
    "parent true": ("POST", NEW, with_(parent=True), None),
    "parent float": ("POST", NEW, with_(parent=1.5), None),
    "parent list": ("POST", NEW, with_(parent=[1]), None),
    "text lone surrogate": ("POST", NEW, b'{"text": "\\ud800 en meer", "author": "Els"}', None),
    "author lone surrogate": ("POST", NEW, b'{"text": "abcdef", "author": "\\udfff"}', None),
    "website lone surrogate": ("POST", NEW, b'{"text": "abcdef", "author": "E", '
                                            b'"website": "https://a.be/\\ud83d"}', None),
    "text number": ("POST", NEW, with_(text=123456), None),
    "text list": ("POST", NEW, with_(text=["a", "b", "c"]), None),
    "text object": ("POST", NEW, with_(text={"a": "b"}), None),
    "text null": ("POST", NEW, with_(text=None), None),
    "text missing": ("POST", NEW, json.dumps({"author": "Els"}).encode(), None),
    "text too short": ("POST", NEW, with_(text="ab"), None),
    "text only spaces": ("POST", NEW, with_(text="      "), None),
    "text too long": ("POST", NEW, with_(text="x" * 5001), None),
    "text NUL": ("POST", NEW, with_(text="nul\x00byte"), None),
    "author 200,000 characters": ("POST", NEW, with_(author="A" * 200_000), None),
    "author 101 characters": ("POST", NEW, with_(author="A" * 101), None),
    "author only spaces": ("POST", NEW, with_(author="    "), None),
    "author newline": ("POST", NEW, with_(author="Els\nAdmin"), None),
    "author number": ("POST", NEW, with_(author=7), None),
    "email invalid": ("POST", NEW, with_(email="geen-adres"), None),
    "email 300 characters": ("POST", NEW, with_(email="a" * 290 + "@lindeveld.be"), None),
    "email object": ("POST", NEW, with_(email={"a": 1}), None),
    "website javascript": ("POST", NEW, with_(website="javascript:alert(1)"), None),
    "website data": ("POST", NEW, with_(website="data:text/html,<script>alert(1)</script>"),
                     None),
    "website 600 characters": ("POST", NEW, with_(website="https://a.be/" + "x" * 600), None),
    "website number": ("POST", NEW, with_(website=3), None),
    "notification yes": ("POST", NEW, with_(notification="yes"), None),
    "notification 2": ("POST", NEW, with_(notification=2), None),
    "content type text/plain": ("POST", NEW, with_(), "text/plain"),
    "content type form": ("POST", NEW, b"text=abcdef&author=Els",
                          "application/x-www-form-urlencoded"),
    "content type multipart": ("POST", NEW, with_(), "multipart/form-data; boundary=x"),
    "no content type": ("POST", NEW, with_(), ""),
    "body over 64 KB": ("POST", NEW, with_(text="x" * 70_000), None),
    "uri missing": ("POST", "/new", with_(), None),
    "uri twice": ("POST", f"{NEW}&uri={OPEN}", with_(), None),
    "uri javascript": ("POST", "/new?uri=javascript:alert(1)", with_(), None),
    # (over 4,094 bytes gunicorn itself answers 414 before any app runs)
    "query 3,000 characters": ("POST", f"{NEW}&x={'y' * 3000}", with_(), None),
    # /count
    "count object": ("POST", "/count", b"{}", None),
    "count numbers": ("POST", "/count", b"[1, 2]", None),
    "count mixed": ("POST", "/count", json.dumps([OPEN, 1, None]).encode(), None),
    "count nested": ("POST", "/count", json.dumps([[OPEN]]).encode(), None),
    "count deep": ("POST", "/count", b"[" * 50_000 + b"]" * 50_000, None),
    "count 1,000 threads": ("POST", "/count", json.dumps([OPEN] * 1000).encode(), None),
    "count lone surrogate": ("POST", "/count", b'["\\ud800"]', None),
    "count null": ("POST", "/count", b"null", None),
    "count string": ("POST", "/count", b'"/2026/"', None),
    # /preview
    "preview number": ("POST", "/preview", b'{"text": 5}', None),
    "preview list": ("POST", "/preview", b"[1]", None),
    "preview null text": ("POST", "/preview", b'{"text": null}', None),
    "preview empty object": ("POST", "/preview", b"{}", None),
    "preview deep": ("POST", "/preview", b'{"text":' * 20_000 + b"1" + b"}" * 20_000, None),
    "preview too long": ("POST", "/preview", json.dumps({"text": "y" * 6000}).encode(), None),
    # comments by id
    "edit without cookie": ("PUT", "/id/1", with_(), None),
    "edit list body": ("PUT", "/id/1", b"[1]", None),
    "edit id 2**70": ("PUT", f"/id/{2**70}", with_(), None),
    "like id 2**70": ("POST", f"/id/{2**70}/like", b"", None),
    "like missing comment": ("POST", "/id/99999999/like", b"", None),
    "like text/plain": ("POST", "/id/1/like", b"x", "text/plain"),
    "dislike form": ("POST", "/id/1/dislike", b"a=1", "application/x-www-form-urlencoded"),
    "delete letters": ("DELETE", "/id/abc", b"", None),
    "view without cookie": ("GET", "/id/1", None, None),
    "view id 2**70": ("GET", f"/id/{2**70}", None, None),
    # thread reads
    "read limit letters": ("GET", f"/?uri={OPEN}&limit=abc", None, None),
    "read nested_limit negative": ("GET", f"/?uri={OPEN}&nested_limit=-1", None, None),
    "read offset huge": ("GET", f"/?uri={OPEN}&offset={10**30}", None, None),
    "read after nan": ("GET", f"/?uri={OPEN}&after=nan", None, None),
    "read after letters": ("GET", f"/?uri={OPEN}&after=gisteren", None, None),
    "read sort unknown": ("GET", f"/?uri={OPEN}&sort=random", None, None),
    "read plain 2": ("GET", f"/?uri={OPEN}&plain=2", None, None),
    "read parent 2**70": ("GET", f"/?uri={OPEN}&parent={2**70}", None, None),
    "read no uri": ("GET", "/", None, None),
    "read uri twice": ("GET", f"/?uri={OPEN}&uri=/x/", None, None),
    # disabled and unknown routes
    "feed": ("GET", f"/feed?uri={OPEN}", None, None),
    "latest": ("GET", "/latest", None, None),
    "demo": ("GET", "/demo/", None, None),
    "unknown route": ("GET", "/bestaat-niet", None, None),
    "wrong method": ("PATCH", "/new", with_(), None),
    "login as JSON": ("POST", "/login/", b'{"password": "x"}', None),
    "moderate with an edit cookie as key": ("POST", "/id/1/delete/W1Ld.bad.key", b"", None),
}


def healthy(server) -> None:
    status, thread = server.request("GET", f"/?uri={OPEN}")
    assert status == 200 and "replies" in thread


def test_there_are_at_least_60_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input_gets_a_4xx_with_a_reason(comment_server, name):
    method, path, raw, content_type = CASES[name]
    headers = {} if content_type is None else {"Content-Type": content_type or None}
    log_before = comment_server.log.read_text(errors="replace")
    status, body = comment_server.request(method, path, raw=raw, client_ip=citizen(),
                                          headers=headers)
    assert 400 <= status < 500, (name, status, body)
    if "moderate" not in name and "login" not in name:
        assert isinstance(body, dict) and body.get("reason"), (name, status, body)
        assert isinstance(body.get("message"), str) and body["message"], body
    new_log = comment_server.log.read_text(errors="replace")[len(log_before):]
    assert "Traceback" not in new_log and "ERROR" not in new_log, new_log
    healthy(comment_server)
