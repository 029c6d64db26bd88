"""Moderation is guarded by the comment service itself, and works under the CSP."""

from __future__ import annotations

import http.client
import json
import re
import sqlite3
import urllib.parse

import pytest
from bs4 import BeautifulSoup

from dorpsplein.comments.moderation import hash_password, password_matches

pytestmark = pytest.mark.slow

SITE = "https://blog.lindeveld.example"
OPEN = "/2026/x-of-mastodon/"
PASSWORD = "een-lang-moderatorwachtwoord"


def raw(server, method, path, body=b"", headers=None, address="10.9.0.1"):
    """One request, redirects not followed; returns (status, headers, text)."""
    parts = urllib.parse.urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request(method, path, body=body, headers={"X-Forwarded-For": address,
                                                         **(headers or {})})
    response = connection.getresponse()
    text = response.read().decode("utf-8", errors="replace")
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, text


def login(server, password, address):
    return raw(server, "POST", "/login/", urllib.parse.urlencode({"password": password}),
               {"Content-Type": "application/x-www-form-urlencoded", "Origin": server.url},
               address)


@pytest.fixture
def production(own_server):
    return own_server("--production", settings="publishconf.py", origin=SITE,
                      password=PASSWORD)


def test_the_password_is_compared_as_a_salted_hash():
    stored = hash_password("geheim")
    assert stored.startswith("scrypt$") and "geheim" not in stored
    assert password_matches("geheim", stored)
    assert not password_matches("Geheim", stored) and not password_matches("", stored)
    assert hash_password("geheim") != stored  # a new salt each time


def test_failed_logins_are_limited_to_5_a_minute_per_address(production):
    for attempt in range(5):
        status, _headers, page = login(production, f"raden-{attempt}", "10.9.1.1")
        assert status == 403 and "Dat wachtwoord klopt niet" in page
    status, headers, page = login(production, PASSWORD, "10.9.1.1")
    assert status == 429 and 1 <= int(headers["retry-after"]) <= 61
    assert "Te veel mislukte pogingen" in page
    # Another address is not locked out by its neighbour's guesses.
    status, headers, _page = login(production, PASSWORD, "10.9.2.1")
    assert status == 302 and "admin-session=" in headers["set-cookie"]


def test_moderator_logs_in_and_approves_through_an_emailed_link(production):
    status, created, _ = production_post(production, "Graag meer uitleg over de planning.")
    assert status == 202  # waits for a moderator
    number = created["id"]

    status, _headers, page = raw(production, "GET", "/admin/")
    assert status == 401 and 'id="logout"' not in page
    doc = BeautifulSoup(page, "lxml")
    assert doc.find("script") is None and doc.find("input", type="password") is not None

    status, headers, _ = login(production, PASSWORD, "10.9.3.1")
    assert status == 302 and headers["location"].endswith("/admin/")
    session = headers["set-cookie"].split(";")[0]
    status, _headers, admin = raw(production, "GET", "/admin/", headers={"Cookie": session})
    assert status == 200 and 'id="logout"' in admin
    key = re.search(rf"validate_com\({number}, '([^']+)'", admin).group(1)

    # The link in the moderator's e-mail: our page, a plain form, no script.
    link = f"/id/{number}/activate/{key}"
    status, headers, page = raw(production, "GET", link)
    assert status == 200
    assert "script-src" not in headers["content-security-policy"]
    assert "default-src 'none'" in headers["content-security-policy"]
    doc = BeautifulSoup(page, "lxml")
    assert doc.find("script") is None and doc.html["lang"] == "nl"
    form = doc.find("form")
    assert form["method"] == "post" and form.find("button").get_text() == "Goedkeuren"
    assert mode_of(production, number) == 2  # looking at the link changes nothing

    status, _headers, page = raw(production, "POST", link, "confirm=1", {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": production.url})
    assert status == 200 and "De reactie is goedgekeurd." in page
    assert f'href="{SITE}{OPEN}#isso-{number}"' in page
    assert mode_of(production, number) == 1

    status, _headers, page = raw(production, "GET", f"/id/{number}/activate/{key[:-3]}abc")
    assert status == 403 and "ongeldig" in page


def test_every_file_the_service_writes_is_private(production):
    """The database holds e-mail addresses: 0600 files in a 0700 folder, even
    though this test runs with the usual umask 0022."""
    assert production_post(production, "Een reactie om iets op te slaan.")[0] == 202
    assert login(production, "fout", "10.9.4.1")[0] == 403  # writes moderation.db
    state = production.state_dir
    assert oct(state.stat().st_mode & 0o777) == "0o700"
    files = sorted(path.name for path in state.iterdir())
    assert {"comments.db", "moderation.db", "salt", "isso-production.cfg"} <= set(files)
    for path in state.iterdir():
        assert oct(path.stat().st_mode & 0o777) == "0o600", path.name


def production_post(server, text):
    status, headers, body = raw(server, "POST", f"/new?uri={OPEN}",
                                json.dumps({"text": text, "author": "Sofie"}).encode(),
                                {"Content-Type": "application/json", "Origin": SITE})
    return status, json.loads(body), headers


def mode_of(server, number):
    with sqlite3.connect(server.database) as db:
        return db.execute("SELECT mode FROM comments WHERE id = ?", (number,)).fetchone()[0]
