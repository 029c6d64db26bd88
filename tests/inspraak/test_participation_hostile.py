"""Hostile input gets a 4xx with a reason -- never a 500 -- and every
spelling of a path is decided on the endpoint werkzeug routes it to."""

from __future__ import annotations

import sqlite3
import urllib.parse

import pytest
from bs4 import BeautifulSoup
from participation_service import PASSWORD, citizen

pytestmark = pytest.mark.slow

FORM = "application/x-www-form-urlencoded"


def stored(service):
    with sqlite3.connect(service.database) as db:
        return (db.execute("SELECT COUNT(*) FROM ideas").fetchone()[0],
                db.execute("SELECT COUNT(*) FROM supports").fetchone()[0],
                db.execute("SELECT COUNT(*) FROM reports").fetchone()[0])


def still_answers(service):
    assert service.get("/api/buurtfeest/ideas").status == 200


BODIES = {
    "huge": b"title=" + b"a" * 200_000,
    "just over 16 KB": b"text=" + b"a" * (16 * 1024),
    "invalid utf-8 raw": b"title=\xff\xfe&text=kapot",
    "invalid utf-8 escaped": b"title=%ff%fe&text=kapot",
    "lone surrogate escaped": b"title=%ed%a0%80abc",
    "field twice": b"title=a&title=b",
    "too many fields": b"&".join(b"f%d=1" % n for n in range(100)),
    "json": b'{"title": "x"}',
    "empty": b"",
    "nul": b"title=%00%00%00&text=%00",
}


@pytest.mark.parametrize("name", list(BODIES))
@pytest.mark.parametrize("path", ["/buurtfeest/idee", "/buurtfeest/steun/1",
                                  "/moderatie/login", "/speelplein/bevestig/" + "a" * 32])
def test_odd_bodies_are_refused_with_a_reason(service, name, path):
    before = stored(service)
    answer = service.post(path, raw=BODIES[name], json_answer=True)
    assert 400 <= answer.status < 500, answer
    if path != "/moderatie/login" or answer.status != 403:
        assert "reason" in answer.json or answer.status in (401, 403, 404), answer
    assert stored(service) == before
    still_answers(service)


@pytest.mark.parametrize(("content_type", "length"), [
    ("multipart/form-data; boundary=x", None), ("text/plain", None), (None, None),
    (f"{FORM}; charset=latin-1", None), (FORM, "-1"), (FORM, "abc"), (FORM, "9" * 30),
    (FORM, "99999"),
])
def test_odd_headers_are_refused(service, content_type, length):
    headers = {"Content-Type": content_type}
    if length is not None:
        headers["Content-Length"] = length
    answer = service.post("/buurtfeest/idee", raw=b"title=x", json_answer=True,
                          headers=headers)
    assert 400 <= answer.status < 500, answer
    still_answers(service)


def test_chunked_bodies_are_bounded(service):
    def chunks():
        for _ in range(40):
            yield b"a" * 1024

    import http.client
    import urllib.parse

    parts = urllib.parse.urlsplit(service.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("POST", "/buurtfeest/idee", body=chunks(), encode_chunked=True,
                       headers={"Content-Type": FORM, "Origin": "https://www.lindeveld.example",
                                "Accept": "application/json", "Transfer-Encoding": "chunked",
                                "X-Forwarded-For": citizen()})
    response = connection.getresponse()
    assert response.status == 413, response.read()
    connection.close()


@pytest.mark.parametrize("text", [
    "<script>alert('xss')</script> en meer tekst",
    '<img src=x onerror="alert(1)"> plaatje erbij',
    '"><svg onload=alert(1)> aanhalingstekens',
    "{{ 7*7 }} {% raw %} sjabloon",
    "<!--participation:main--> de marker zelf",
])
def test_markup_is_stored_as_text_and_escaped_everywhere(service, text):
    number = service.new_idea("buurtfeest", title=text[:100], text=text, name=text[:80],
                              place=text[:80]).json["id"]
    with sqlite3.connect(service.database) as db:
        assert db.execute("SELECT text FROM ideas WHERE id = ?", (number,)).fetchone()[0] == text
    [idea] = [i for i in service.board("buurtfeest")["ideas"] if i["id"] == number]
    assert idea["text"] == text  # JSON: the text itself; the site's script writes textContent
    for path in ("/buurtfeest/", f"/buurtfeest/steun/{number}", f"/buurtfeest/meld/{number}"):
        page = service.get(path)
        assert page.status == 200
        assert text not in page.text or "<" not in text, path
        html = BeautifulSoup(page.text, "lxml")
        assert not html.find("script") and not html.find("svg") and not html.find("img")
        assert text in html.get_text(), path
    login = service.post("/moderatie/login", {"password": PASSWORD}, origin=service.url)
    page = service.get("/moderatie/", headers={"Cookie": login.cookie("moderatie").split(";")[0]})
    assert not BeautifulSoup(page.text, "lxml").find("script")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "FOO",
                                    "CONNECT"])
def test_odd_methods_are_refused(service, method):
    for path in ("/buurtfeest/idee", "/api/buurtfeest/ideas", "/moderatie/"):
        answer = service.request(method, path, b"title=x", {"Content-Type": FORM,
                                                             "Origin": service.url})
        assert 400 <= answer.status < 500, (method, path, answer)
    still_answers(service)


# Spellings of a write to a closed, not yet open or unknown consultation:
# whatever werkzeug routes them to, nothing is written.
CLOSED_SPELLINGS = [
    "/kermis/idee", "//kermis/idee", "///kermis/idee", "/./kermis/idee", "/x/../kermis/idee",
    "/kermis/./idee", "/kermis//idee", "/kermis/idee/", "/kermis/idee;x", "/kermis/idee%20",
    "/kermis/IDEE", "/KERMIS/idee", "/Kermis/idee", "/kermis%2Fidee", "/%6Bermis/idee",
    "/kermis/idee%00", "/kermis/idee#x", "/%2e/kermis/idee", "/buurtfeest/%2e%2e/kermis/idee",
    "/buurtfeest/../kermis/idee", "/api/../kermis/idee", "/static/../kermis/idee",
    "/bibliotheek/idee", "//bibliotheek//idee", "/markt/idee", "/markt/idee/",
    "/kermis/idee?x=" + "a" * 3000, "/bestaat-niet/idee", "/api/kermis/idee",
    "/kermis/steun/1", "/kermis/steun/01", "/kermis/meld/+1",
]
# Spellings of the open consultation's form: each reaches the same endpoint
# (and its checks) or none; a token counts once whatever the spelling.
OPEN_SPELLINGS = [
    "//buurtfeest/idee", "/./buurtfeest/idee", "/x/../buurtfeest/idee", "/buurtfeest//idee",
    "/buurtfeest/idee/", "/buurtfeest/idee;x", "/buurtfeest/idee%20", "/buurtfeest/IDEE",
    "/BUURTFEEST/idee", "/buurtfeest%2Fidee", "/%62uurtfeest/idee", "/buurtfeest/idee#x",
    "/buurtfeest/steun/01", "/buurtfeest/steun/+1", "/buurtfeest/steun/-1",
    "/buurtfeest/steun/1.0", "/buurtfeest/steun/99999999999999999999999",
]


def idea_values(token):
    return {"title": "Via een omweg", "text": "Een idee langs een andere weg.",
            "name": "Mallory", "website": "", "token": token}


@pytest.mark.parametrize("path", CLOSED_SPELLINGS)
def test_no_spelling_writes_to_a_closed_or_unknown_consultation(service, path):
    before = stored(service)
    slug = "kermis" if "kermis" in path.lower() else "buurtfeest"
    answer = service.post(path, idea_values(service.token(slug)), json_answer=True)
    assert not 200 <= answer.status < 300, (path, answer)
    if answer.status != 308:  # werkzeug's redirect to the canonical path stores nothing
        assert 400 <= answer.status < 500 and "reason" in answer.json, (path, answer)
    assert stored(service) == before


@pytest.mark.parametrize("path", OPEN_SPELLINGS)
def test_every_spelling_passes_the_same_checks(service, path):
    before = stored(service)
    token = service.token("buurtfeest")
    answer = service.post(path, idea_values(token), json_answer=True)
    assert answer.status < 500, (path, answer)
    after = stored(service)
    if 200 <= answer.status < 300:
        assert sum(after) - sum(before) == 1
        reuse = service.post("/buurtfeest/idee", idea_values(token), json_answer=True)
        assert reuse.status == 400 and reuse.json["reason"] == "form", (path, reuse)
    else:
        assert after == before
        if answer.status != 308:
            assert "reason" in answer.json, (path, answer)
    # Without a token, or from elsewhere, no spelling gets through.
    assert service.post(path, idea_values(""), json_answer=True).status >= 300
    assert service.post(path, idea_values(service.token("buurtfeest")), json_answer=True,
                        origin="https://evil.example").status >= 300
    assert stored(service) == after


MODERATION_SPELLINGS = ["/moderatie/", "//moderatie/", "/moderatie", "/./moderatie/",
                        "/x/../moderatie/", "/%6Doderatie/", "/MODERATIE/", "/moderatie/;x",
                        "/moderatie//", "/moderatie/idee/1", "/moderatie/login/"]


@pytest.mark.parametrize("path", MODERATION_SPELLINGS)
def test_no_spelling_reaches_moderation_without_a_session(service, path):
    answer = service.get(path)
    assert answer.status in (401, 404, 405, 308), (path, answer)
    assert "Wacht op goedkeuring" not in answer.text
    write = service.post(path, {"csrf": "x", "action": "approve"}, origin=service.url)
    assert write.status in (400, 401, 404, 405, 308), (path, write)


def test_a_forwarded_host_does_not_make_another_origin_the_services_own(service):
    answer = service.post("/buurtfeest/idee", idea_values(service.token("buurtfeest")),
                          origin="https://evil.example", json_answer=True,
                          headers={"X-Forwarded-Host": "www.lindeveld.example.evil.example",
                                   "X-Forwarded-Proto": "https"})
    assert answer.status == 403 and answer.json["reason"] == "origin"


def test_long_and_odd_query_strings(service):
    assert service.get("/api/buurtfeest/ideas?" + "a=1&" * 1000).status == 400
    assert service.get("/api/buurtfeest/ideas?%ff=%fe").status == 200
    assert service.get("/moderatie/?gedaan=%ff%00").status == 401


@pytest.mark.parametrize("kind", ["idea", "support", "report"])
def test_head_is_a_get_and_never_writes(service, kind):
    """werkzeug routes HEAD to every GET rule: it must be the GET page, never the
    POST branch (no Origin is checked for it, no body is read)."""
    number = service.new_idea("buurtfeest").json["id"]
    path = {"idea": "/buurtfeest/idee", "support": f"/buurtfeest/steun/{number}",
            "report": f"/buurtfeest/meld/{number}"}[kind]
    token = service.token("buurtfeest")
    body = urllib.parse.urlencode(idea_values(token)).encode()
    before = stored(service)
    for headers in ({}, {"Accept": "application/json"}, {"Origin": "https://evil.example"}):
        answer = service.request("HEAD", path, body, {"Content-Type": FORM, **headers})
        assert answer.status == 200 and answer.body == b"", (headers, answer)
        assert answer.headers["content-type"].startswith("text/html")
        assert "set-cookie" not in answer.headers
    assert stored(service) == before
    # The token in the HEAD's body was not used up: a real POST still takes it.
    fields = idea_values(token) if kind == "idea" else {"token": token, "website": ""}
    answer = service.post(path, fields, json_answer=True)
    assert 200 <= answer.status < 300, answer
    assert sum(stored(service)) == sum(before) + 1
