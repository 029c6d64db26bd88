"""Every spelling of a write or moderation route is refused where it must be.

The comment server decides after Isso's own routing, so whatever spelling of
the path, query or proxy headers an attacker tries, a write reaches Isso only
for an open, published thread, and the admin page only with a moderator
session. Each case is sent directly to gunicorn here (and through the
shipped nginx config in tests/deploy/test_comment_routes.py).
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from contextlib import contextmanager

import pytest
from test_server import citizen

pytestmark = pytest.mark.slow

CLOSED = "/2026/online-burgerbevraging/"
OPEN = "/2026/x-of-mastodon/"
# An article no other test posts to: closed for a moment by the tests below.
FLIPPED = "/2026/bereik-meten-zonder-volgen/"
Q_CLOSED = urllib.parse.quote(CLOSED, safe="")

# (method, path, extra headers): POSTs of a new comment that must never store one.
NEW_SPELLINGS = [
    ("POST", f"/new?uri={CLOSED}", {}),
    ("POST", f"/new?uri={Q_CLOSED}", {}),
    ("POST", f"//new?uri={CLOSED}", {}),
    ("POST", f"///new?uri={CLOSED}", {}),
    ("POST", f"/new/?uri={CLOSED}", {}),
    ("POST", f"/./new?uri={CLOSED}", {}),
    ("POST", f"/x/../new?uri={CLOSED}", {}),
    ("POST", f"/%6Eew?uri={CLOSED}", {}),
    ("POST", f"/NEW?uri={CLOSED}", {}),
    ("POST", f"/new;x?uri={CLOSED}", {}),
    ("POST", f"/new%20?uri={CLOSED}", {}),
    ("POST", f"/new?uri={CLOSED}&uri={OPEN}", {}),
    ("POST", f"/new?uri={OPEN}&uri={CLOSED}", {}),
    ("POST", f"/new?uri=&uri={OPEN}", {}),
    ("POST", f"/new?uri={CLOSED}%00", {}),
    ("POST", "/new?uri=/2026/online-burgerbevraging", {}),
    ("POST", f"/new?uri={CLOSED}index.html", {}),
    ("POST", f"/new?uri=/{CLOSED}", {}),
    ("POST", f"/new?uri={CLOSED}%23isso-1", {}),
    ("POST", "/new?uri=/2026/ONLINE-BURGERBEVRAGING/", {}),
    ("POST", "/new?uri=javascript:alert(1)", {}),
    ("POST", "/new?uri=javascript%3Aalert(document.cookie)", {}),
    ("POST", "/new?uri=https://evil.example/", {}),
    ("POST", "/new?uri=/2026/bestaat-niet/", {}),
    ("POST", "/new?uri=/concepten/nieuw-speelplein/", {}),
    ("POST", "/new?uri=/contact/", {}),
    ("POST", "/new?uri=/", {}),
    ("POST", "/new", {}),
    ("POST", f"/new?URI={OPEN}", {}),
    ("POST", f"/new?uri[]={OPEN}", {}),
    ("POST", f"/comments/new?uri={CLOSED}", {"X-Script-Name": "/comments"}),
    ("POST", f"/comments/comments/new?uri={CLOSED}", {"X-Script-Name": "/comments"}),
    ("POST", f"/new?uri={CLOSED}", {"X-Script-Name": "/comments"}),
    ("POST", f"/new?uri={CLOSED}", {"X-Script-Name": "/new"}),
    ("POST", f"/new?uri={CLOSED}", {"X-Forwarded-Prefix": "/comments"}),
    ("POST", f"/new?uri={CLOSED}", {"X-Original-URL": f"/new?uri={OPEN}"}),
    ("POST", f"/new?uri={CLOSED}", {"X-HTTP-Method-Override": "GET"}),
    ("PUT", f"/new?uri={CLOSED}", {}),
]


def counts(server):
    with sqlite3.connect(server.database) as db:
        comments = db.execute("SELECT COUNT(*) FROM comments").fetchone()[0]
        threads = {row[0] for row in db.execute("SELECT uri FROM threads")}
    return comments, threads


def known(server):
    return set(json.loads(server.threads_file.read_text())["threads"])


@pytest.fixture(scope="module")
def server(comment_server, sample_site):
    comment_server.threads_file = sample_site.output / "isso-threads.json"
    return comment_server


@pytest.mark.parametrize(("method", "path", "headers"), NEW_SPELLINGS,
                         ids=[f"{m} {p} {h}" for m, p, h in NEW_SPELLINGS])
@pytest.mark.parametrize("with_title", [False, True], ids=["", "title"])
def test_no_spelling_of_new_writes_a_closed_or_unknown_thread(server, method, path, headers,
                                                              with_title):
    before, _ = counts(server)
    body = {"text": "Toch nog even reageren", "author": "Mallory"}
    if with_title:
        body["title"] = "Nieuwe draad van Mallory"
    status, answer = server.request(method, path, body, client_ip=citizen(), headers=headers)
    assert not 200 <= status < 300, (status, answer)
    if status != 308:  # werkzeug's redirect to the canonical path stores nothing
        assert 400 <= status < 500 and "reason" in answer, (status, answer)
    after, threads = counts(server)
    assert after == before
    assert threads <= known(server), threads - known(server)


@contextmanager
def closed_for_a_moment(server, uri):
    path = server.threads_file
    original = path.read_text()
    data = json.loads(original)
    data["threads"][uri]["state"] = "closed"
    try:
        path.write_text(json.dumps(data))
        yield
    finally:
        path.write_text(original)


COMMENT_WRITES = [
    ("POST", "/id/{id}/like"), ("POST", "/id/{id}/dislike"), ("POST", "//id/{id}/like"),
    ("POST", "/id/{id}/like/"), ("POST", "/id/0{id}/like"), ("POST", "/id/%2B{id}/like"),
    ("POST", "/id/{id}%2Flike"), ("POST", "/id/{id}/LIKE"), ("PUT", "/id/{id}"),
    ("PUT", "//id/{id}"), ("PUT", "/id/{id}/"), ("DELETE", "/id/{id}"), ("DELETE", "//id/{id}"),
    ("POST", "/id/{id}"), ("PATCH", "/id/{id}"),
]


def test_closed_means_read_only_even_with_the_authors_edit_cookie(server):
    """Comment while open, then the thread closes: no edit, delete or vote gets through."""
    created, cookie = _post_with_cookie(server, FLIPPED, {"text": "Nog snel gereageerd",
                                                          "author": "Lies"})
    number = created["id"]
    with sqlite3.connect(server.database) as db:
        before = db.execute("SELECT text, likes, dislikes, mode FROM comments WHERE id = ?",
                            (number,)).fetchone()
    with closed_for_a_moment(server, FLIPPED):
        for method, template in COMMENT_WRITES:
            path = template.format(id=number)
            status, answer = server.request(
                method, path, {"text": "Aangepast na sluiting", "author": "Lies"},
                client_ip=citizen(), headers={"Cookie": cookie})
            assert 400 <= status < 500 or status == 308, (method, path, status, answer)
            assert not isinstance(answer, str) or status == 308, (method, path, answer)
    with sqlite3.connect(server.database) as db:
        after = db.execute("SELECT text, likes, dislikes, mode FROM comments WHERE id = ?",
                           (number,)).fetchone()
    assert after == before
    # Open again: the same cookie may edit, and a neighbour may vote.
    status, _ = server.request("PUT", f"/id/{number}", {"text": "Nu wel aangepast",
                                                        "author": "Lies"},
                               client_ip=citizen(), headers={"Cookie": cookie})
    assert status == 200
    status, votes = server.request("POST", f"/id/{number}/like", client_ip=citizen())
    assert status == 200 and votes["likes"] == 1


def _post_with_cookie(server, uri, body):
    import urllib.request

    request = urllib.request.Request(
        f"{server.url}/new?uri={uri}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Origin": server.origin,
                 "X-Forwarded-For": citizen()})
    with urllib.request.urlopen(request, timeout=10) as response:
        created = json.loads(response.read())
        cookie = response.headers["Set-Cookie"].split(";")[0]
    return created, cookie


def test_an_edit_cookie_opens_only_its_own_comment(server):
    first, first_cookie = _post_with_cookie(server, OPEN, {"text": "Eerste bewoner",
                                                           "author": "An"})
    second, _ = _post_with_cookie(server, OPEN, {"text": "Tweede bewoner", "author": "Bo"})
    value = first_cookie.split("=", 1)[1]
    for cookie in (f"{second['id']}={value}", f"{first['id']}=x{value}", f"{second['id']}=",
                   f"{first['id']}={value[:-2]}"):
        status, answer = server.request("PUT", f"/id/{second['id']}",
                                        {"text": "Overgenomen", "author": "An"},
                                        client_ip=citizen(), headers={"Cookie": cookie})
        assert status == 403 and answer["reason"] == "not-allowed", (cookie, status, answer)
        status, answer = server.request("DELETE", f"/id/{second['id']}", client_ip=citizen(),
                                        headers={"Cookie": cookie})
        assert status == 403 and answer["reason"] == "not-allowed"
    status, answer = server.request("PUT", f"/id/{first['id']}",
                                    {"text": "Eerste bewoner, aangevuld", "author": "An"},
                                    client_ip=citizen(), headers={"Cookie": first_cookie})
    assert status == 200, answer


ADMIN_SPELLINGS = [
    ("GET", "/admin/"), ("GET", "/admin"), ("GET", "//admin/"), ("GET", "/admin//"),
    ("GET", "/%61dmin/"), ("GET", "/ADMIN/"), ("GET", "/admin/?page=1&mode=1"),
    ("GET", "/admin/?page=x"), ("HEAD", "/admin/"), ("GET", "/./admin/"),
    ("GET", "/comments/admin/"), ("GET", "/comments/comments/admin/"),
    ("GET", "/admin/index.html"), ("GET", "/admin%2F"), ("POST", "/admin/"),
    ("GET", "/login/"), ("POST", "/login/"), ("POST", "/login"), ("POST", "//login/"),
    ("POST", "/%6Cogin/"),
]


def admin_content(body) -> bool:
    """Isso's admin page (templates/admin.html) after login: a log-out link
    and the moderation list."""
    text = body if isinstance(body, str) else json.dumps(body)
    return 'id="logout"' in text or "isso-comment-footer" in text or "Log Out" in text


@pytest.mark.parametrize(("method", "path"), ADMIN_SPELLINGS,
                         ids=[f"{m} {p}" for m, p in ADMIN_SPELLINGS])
def test_no_spelling_reaches_the_admin_page_without_a_session(server, method, path):
    status, body = server.request(
        method, path, raw=b"password=raden" if method == "POST" else None, origin=None,
        client_ip=citizen(),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "X-Script-Name": "/comments"})
    assert not admin_content(body), (method, path, status)
    assert status in (308, 400, 401, 403, 404, 405, 429), (method, path, status, body)


def test_an_edit_with_only_the_text_keeps_the_name_and_an_empty_name_is_refused(server):
    """Isso's own client saves an edit as {"text"} alone: the name and website stay."""
    created, cookie = _post_with_cookie(server, OPEN, {"text": "Eerste versie",
                                                       "author": "An",
                                                       "website": "https://an.example"})
    status, answer = server.request("PUT", f"/id/{created['id']}",
                                    {"text": "Tweede versie", "author": "  "},
                                    client_ip=citizen(), headers={"Cookie": cookie})
    assert status == 400 and answer["reason"] == "author-required", answer
    status, answer = server.request("PUT", f"/id/{created['id']}", {"text": "Tweede versie"},
                                    client_ip=citizen(), headers={"Cookie": cookie})
    assert status == 200, answer
    assert "Tweede versie" in answer["text"]
    assert answer["author"] == "An" and answer["website"] == "https://an.example"



def test_while_a_public_build_has_emptied_its_folder_the_last_list_holds(tmp_path):
    """A public build deletes its output folder first, isso-threads.json included:
    for those seconds the list last read stays in force (open stays open, closed
    stays closed); before any list was read, nothing is open."""
    from dorpsplein.comments.refusals import Refusal
    from dorpsplein.comments.thread_gate import ThreadGate

    path = tmp_path / "isso-threads.json"
    path.write_text(json.dumps({"threads": {OPEN: {"state": "open", "title": "Open"},
                                            FLIPPED: {"state": "closed", "title": "Dicht"}}}))
    gate = ThreadGate(path, tmp_path / "comments.db")
    gate.require_open(OPEN)
    path.unlink()
    gate.require_open(OPEN)
    with pytest.raises(Refusal):
        gate.require_open(FLIPPED)
    with pytest.raises(Refusal):
        ThreadGate(path, tmp_path / "comments.db").require_open(OPEN)


@pytest.mark.parametrize(("body", "reason"), [
    ({"text": "Nieuw", "author": None}, "author-required"),
    ({"text": "Nieuw", "author": 123}, None),
    ({"text": "Nieuw", "website": "javascript:alert(1)"}, None),
    ({"text": "x" * 5001}, None),
    ({"text": ["lijst"]}, None),
    ({}, None),
])
def test_a_hostile_edit_with_a_valid_cookie_is_refused_in_dutch(server, body, reason):
    created, cookie = _post_with_cookie(server, OPEN, {"text": "Origineel", "author": "An"})
    status, answer = server.request("PUT", f"/id/{created['id']}", body,
                                    client_ip=citizen(), headers={"Cookie": cookie})
    assert 400 <= status < 500, (status, answer)
    assert answer["message"] and (reason is None or answer["reason"] == reason), answer


def test_an_edit_stores_markup_as_text_and_ignores_other_fields(server):
    created, cookie = _post_with_cookie(server, OPEN, {"text": "Origineel", "author": "An"})
    status, answer = server.request(
        "PUT", f"/id/{created['id']}",
        {"text": "<script>alert(1)</script> <img src=x onerror=alert(2)>", "likes": 999,
         "mode": 1, "author": "<b>An</b>"},
        client_ip=citizen(), headers={"Cookie": cookie})
    assert status == 200, answer
    # Shown as text: the tags arrive escaped, never as markup.
    assert "<script" not in answer["text"] and "<img" not in answer["text"]
    assert "&lt;script&gt;" in answer["text"]
    assert "<b>" not in answer["author"]
    assert answer["likes"] == 0 and answer["mode"] == 1
