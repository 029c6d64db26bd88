"""The participation service through the shipped nginx config (tests/hosting_fixtures.py):
moderation behind nginx's password under every spelling, participation.json
never served, the API and the forms proxied with the service's own prefix,
bodies bounded, the citizen's address (not one a client claims) counted
by the rate limit, and self-tests ("zelftest") and following by e-mail
("volgen") proxied but never written to the access log (their addresses
carry the answers, or a token)."""

from __future__ import annotations

import gzip
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy
from pathlib import Path

import pytest
from conftest import FROM_PELICANCONF
from hosting_fixtures import access_log_after, wait_for
from participation_service import SITE as SERVICE_SITE
from participation_service import email_follow, follow_link, self_tests
from test_hosting import basic, check_security_headers, raw

from dorpsplein.build import ROOT
from dorpsplein.devtools.bench_participation import not_before
from dorpsplein.participation import email_follow as follow_tokens
from dorpsplein.participation.config import read_secret

pytestmark = pytest.mark.slow

SLUG = "dorpsplein-groener"
TEST = "lindeveld-2040"  # a self-test with counts (tests/participation_service.py)
QUIZ = "inspraak-quiz"  # one without
PASSWORD = "inspraak-moderator-test"
# Writes per network per hour in this test's service (the whole file's writes
# through nginx come from 127.0.0.1: one network).
WRITES_PER_HOUR = 8
# What only the service's own pages show: its login form, its moderation page.
LOGIN_FORM = (b'type="password"', b"/moderatie/login")
MODERATION_PAGE = (b'name="csrf"', b"/moderatie/logout")


def site_file(site: str) -> dict:
    """A participation.json as the build writes it: one open consultation, and
    two self-tests whose pages are on this site."""
    now = datetime.now(UTC).replace(microsecond=0)
    tests = json.loads(json.dumps(self_tests()).replace(SERVICE_SITE, site))
    follow = json.loads(json.dumps(email_follow()).replace(SERVICE_SITE, site))
    return {
        "version": 1, "site_url": site,
        "consultations": {SLUG: {
            "title": "Hoe maken we het Dorpsplein groener?",
            "url": f"{site}/inspraak/{SLUG}/",
            "opens": (now - timedelta(days=1)).isoformat(),
            "closes": (now + timedelta(days=30)).isoformat(),
            "phase": "ideas", "supports": 3, "verification": "indicative",
            "moderation": "before", "ideas_built": [],
            "idea_url": f"{site}/inspraak/{SLUG}/idee-{{id}}/"}},
        "self_tests": tests,
        "email_follow": follow,
        "shell": '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>'
                 '<!--participation:title--></title></head><body><main id="inhoud">'
                 "<!--participation:main--></main></body></html>",
    }


class Service:
    def __init__(self, site: str, direct: str, database: Path, log: Path):
        self.site, self.direct, self.database, self.log = site, direct, database, log

    def ideas(self) -> list[tuple]:
        with sqlite3.connect(self.database) as db:
            return db.execute("SELECT id, title, status FROM ideas ORDER BY id").fetchall()


@pytest.fixture(scope="module")
def inspraak(hosted, participation_port, tmp_path_factory):
    """The participation service behind the hosted nginx (its upstream
    dorpsplein_participation), started as the systemd unit starts it, with
    this file's own consultation and settings: SITEURL = the nginx site, as
    in production, so the service lives at /participatie/."""
    site, output, _comments = hosted
    folder = tmp_path_factory.mktemp("participation")
    # The build's participation.json is in the web root (the service reads it
    # from disk); nginx must refuse it. This service reads a copy of its own.
    if not (output / "participation.json").is_file():
        (output / "participation.json").write_text(json.dumps(site_file(site)))
    (folder / "participation.json").write_text(json.dumps(site_file(site)))
    settings = folder / "settings.py"
    settings.write_text(
        FROM_PELICANCONF + f"SITEURL = {site!r}\nOUTPUT_PATH = {str(output)!r}\n"
        f"PATH = {str(ROOT / 'content')!r}\nTHEME = {str(ROOT / 'theme')!r}\n"
        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n"
        "PARTICIPATION_URL = '/participatie'\n"
        "PARTICIPATION_SERVER = {**globals().get('PARTICIPATION_SERVER', {}), "
        f"'writes_per_hour': {WRITES_PER_HOUR}, 'time_trap_seconds': 1}}\n",
        encoding="utf-8")
    log = folder / "service.log"
    state = folder / "state"
    with log.open("w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "dorpsplein.participation", "--settings", str(settings),
             "--bind", f"127.0.0.1:{participation_port}", "--origin", site,
             "--state-dir", str(state), "--site", str(folder / "participation.json"),
             "--workers", "2"],
            cwd=ROOT, env=dict(os.environ, PARTICIPATION_ADMIN_PASSWORD=PASSWORD),
            stdout=handle, stderr=subprocess.STDOUT)
    direct = f"http://127.0.0.1:{participation_port}"
    wait_for(f"{direct}/api/{SLUG}/ideas", process, log)
    yield Service(site, direct, state / "participation.db", log)
    process.terminate()
    process.wait(timeout=15)


def send(site, method, path, headers=None, form=None):
    body = urllib.parse.urlencode(form).encode() if form is not None else None
    headers = dict(headers or {})
    if body is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        headers.setdefault("Origin", site)
    return raw(site, method, path, headers, body)


def form_token(site: str) -> str:
    status, _headers, body = send(site, "GET", f"/participatie/api/{SLUG}/form",
                                  {"Accept": "application/json"})
    assert status == 200, body
    answer = json.loads(body)
    # As the site's script does: wait as the service asks (seconds, or a moment).
    time.sleep(max(0.0, not_before(answer["not_before"], time.time()) - time.time()) + 0.05)
    return answer["token"]


def cookie(headers, name: str) -> tuple[str, str]:
    """(value, the whole Set-Cookie line) of cookie ``name``."""
    for line in headers.get_all("Set-Cookie") or []:
        if line.startswith(name + "="):
            return line.split(";", 1)[0].split("=", 1)[1], line
    raise AssertionError(f"no {name} cookie in {headers.get_all('Set-Cookie')}")


# --- Moderation: nginx's password first, under every spelling ----------------------

GUARDED = [
    ("GET", "/participatie/moderatie/"),
    ("GET", "/participatie/moderatie"),
    ("HEAD", "/participatie/moderatie/"),
    ("GET", "/participatie/moderatie/?x=1"),
    ("GET", "/participatie/moderatie/login"),
    ("POST", "/participatie/moderatie/login"),
    ("POST", "/participatie/moderatie/logout"),
    ("POST", "/participatie/moderatie/idee/1"),
    ("POST", "/participatie/moderatie/idee/1?action=approve"),
    ("GET", "/participatie//moderatie/"),
    ("GET", "/participatie///moderatie/"),
    ("POST", "/participatie//moderatie//login"),
    ("GET", "/participatie/./moderatie/"),
    ("GET", "/participatie/%2e/moderatie/"),
    ("GET", "/participatie/.%2fmoderatie/"),
    ("GET", "/participatie/x/../moderatie/"),
    ("GET", "/participatie/x/%2e%2e/moderatie/"),
    ("POST", "/participatie/dorpsplein-groener/../moderatie/login"),
    ("GET", "/participatie/moderatie/../moderatie/"),
    ("GET", "/participatie/moderatie/."),
    ("GET", "/participatie/moderatie%2F"),
    ("GET", "/participatie/moderatie%2Flogin"),
    ("GET", "/participatie/%6Doderatie/"),
    ("GET", "/participatie/%6d%6f%64%65%72%61%74%69%65/"),
    ("GET", "/participatie/MODERATIE/"),
    ("POST", "/participatie/Moderatie/login"),
    ("GET", "/participatie/participatiemoderatie/"),   # a segment that merely ends in it
    ("GET", "/participatie/participatie/moderatie/"),
    ("GET", "/participatie/api/../moderatie/"),
    ("GET", "/%70articipatie/moderatie/"),
    ("GET", "/participatie/moderatie/index.html"),
    # Through the self-tests' own location: the moderation one comes first.
    ("GET", "/participatie/zelftest/moderatie/"),
    ("GET", "/participatie/zelftest/../moderatie/"),
    ("GET", "/participatie/zelftest/%2e%2e/moderatie/"),
    ("POST", "/participatie/zelftest/lindeveld-2040/vraag/3/../../../../moderatie/login"),
    ("GET", "/participatie/zelftest/lindeveldmoderatie/vraag/1?v1=2"),
    ("GET", "/participatie//zelftest//moderatie/?v1=2"),
    ("GET", "/participatie/ZELFTEST/Moderatie/"),
    ("GET", "/participatie/%7aelftest/%6doderatie/"),
    # Through following by e-mail's own location: the moderation one comes first.
    ("GET", "/participatie/volgen/moderatie/"),
    ("GET", "/participatie/volgen/../moderatie/"),
    ("POST", "/participatie/volgen/uitschrijven/x/../../../moderatie/login"),
    ("GET", "/participatie/VOLGEN/%6doderatie/"),
    ("GET", "/participatie//volgen//bevestig/moderatie"),
]
# Spellings nginx does not take for moderation, and neither does the service:
# it refuses them itself (404 with a reason), or nginx does (400).
NOT_ROUTES = [
    ("GET", "/participatie/%256Doderatie/"),   # decoded once by nginx: %6Doderatie
    ("GET", "/participatie/moderatie;x/"),
    ("GET", "/participatie/moderatie%20/"),
    ("GET", "/participatie/moderatie%3F/"),
    ("GET", "/participatie/moderatie%00/"),
    ("POST", "/participatie/%256Doderatie/login"),
]


def test_there_are_at_least_30_moderation_spellings():
    assert len(GUARDED) >= 30


@pytest.mark.parametrize(("method", "path"), GUARDED + NOT_ROUTES,
                         ids=[f"{m} {p}" for m, p in GUARDED + NOT_ROUTES])
def test_no_spelling_reaches_moderation_without_nginx_password(inspraak, moderator,
                                                               method, path):
    """Even with the service's password (POST) and a moderator's session
    cookie, no spelling shows a moderation page or a login form, or logs in,
    without nginx's password."""
    site = inspraak.site
    headers = {"Cookie": f"moderatie={moderator['session']}", "Origin": site}
    form = {"password": PASSWORD, "csrf": moderator["csrf"], "action": "hide"} \
        if method == "POST" else None
    before = inspraak.ideas()
    status, response, content = send(site, method, path, headers, form)
    assert not any(mark in content for mark in LOGIN_FORM + MODERATION_PAGE), \
        (status, content[:300])
    assert not any(c.startswith("moderatie=") for c in response.get_all("Set-Cookie") or [])
    assert inspraak.ideas() == before
    if (method, path) in GUARDED:
        assert status == 401 and response["WWW-Authenticate"] == 'Basic realm="Moderatie"'
    else:
        assert status in (400, 404) and "WWW-Authenticate" not in response
    check_security_headers(response, path)


def test_with_nginx_password_the_service_asks_for_its_own(inspraak):
    site = inspraak.site
    status, headers, body = send(site, "GET", "/participatie/moderatie/", basic())
    # The service's login form (not yet the moderation page), under the site's strict CSP.
    assert status == 401 and "WWW-Authenticate" not in headers
    assert all(mark in body for mark in LOGIN_FORM) and not any(
        mark in body for mark in MODERATION_PAGE)
    assert b'action="/participatie/moderatie/login"' in body
    check_security_headers(headers, "/participatie/moderatie/")
    # The wrong nginx password: nginx refuses.
    status, headers, _body = send(site, "GET", "/participatie/moderatie/",
                                  basic(("moderator", "fout")))
    assert status == 401 and headers["WWW-Authenticate"].startswith("Basic")
    # The wrong service password: the service refuses, nothing logged in.
    status, headers, body = send(site, "POST", "/participatie/moderatie/login", basic(),
                                 {"password": "fout"})
    assert status in (401, 403) and b'type="password"' in body
    assert not any(c.startswith("moderatie=") for c in headers.get_all("Set-Cookie") or [])


@pytest.fixture(scope="module")
def moderator(inspraak):
    """A moderator logged in through nginx with both passwords: the session
    cookie (its path under /participatie/) and the page's CSRF token."""
    site = inspraak.site
    status, headers, _body = send(site, "POST", "/participatie/moderatie/login", basic(),
                                  {"password": PASSWORD})
    assert status == 303, _body[:300]
    assert headers["Location"].endswith("/participatie/moderatie/")
    session, line = cookie(headers, "moderatie")
    assert "Path=/participatie/moderatie/" in line and "HttpOnly" in line
    status, _headers, body = send(site, "GET", "/participatie/moderatie/",
                                  {**basic(), "Cookie": f"moderatie={session}"})
    assert status == 200 and all(mark in body for mark in MODERATION_PAGE), body[:300]
    csrf = re.search(rb'name="csrf" value="([0-9a-f]+)"', body).group(1).decode()
    return {"session": session, "csrf": csrf}


# --- participation.json is the service's, not the web's ------------------------------

SITE_FILE = ["/participation.json", "/participation.json.gz", "/participation.json.br",
             "//participation.json", "/./participation.json", "/%70articipation.json",
             "/participation%2Ejson", "/x/../participation.json", "/feeds/../participation.json",
             "/PARTICIPATION.JSON", "/participation.json/", "/participation.json?x=1",
             "/participation.json.12345.abcd.tmp", "/inspraak/../participation.json"]


@pytest.mark.parametrize("path", SITE_FILE)
@pytest.mark.parametrize("encoding", ["identity", "gzip, br"])
def test_participation_json_is_not_served_under_any_name(inspraak, hosted, path, encoding):
    site, output, _comments = hosted
    assert (output / "participation.json").is_file()
    status, headers, body = raw(site, "GET", path, {"Accept-Encoding": encoding})
    assert status in (403, 404)
    if headers["Content-Encoding"] == "gzip":  # nginx compressing its own error page
        body = gzip.decompress(body)
    assert b'"consultations"' not in body and b"participation:main" not in body
    with pytest.raises(ValueError):
        json.loads(body)
    check_security_headers(headers, path)


# --- The API and the forms, proxied ----------------------------------------------------


def test_the_board_and_a_form_token_come_through_nginx(inspraak):
    site = inspraak.site
    status, headers, body = send(site, "GET", f"/participatie/api/{SLUG}/ideas",
                                 {"Accept": "application/json", "Origin": site})
    assert status == 200, body
    board = json.loads(body)
    assert board["phase"] == "ideas" and board["open"] is True
    assert headers.get_content_type() == "application/json"
    check_security_headers(headers, "/api")
    status, headers, body = send(site, "GET", f"/participatie/api/{SLUG}/form",
                                 {"Accept": "application/json", "Origin": site})
    assert status == 200 and json.loads(body)["token"]
    # Forms posted from the service's own pages go to the service's own prefix.
    status, headers, body = send(site, "GET", f"/participatie/{SLUG}/idee")
    assert status == 200 and f'action="/participatie/{SLUG}/idee"'.encode() in body
    check_security_headers(headers, "/idee")
    # An unknown consultation: the service's 404, with the site's headers.
    status, headers, body = send(site, "GET", "/participatie/api/bestaat-niet/ideas",
                                 {"Accept": "application/json"})
    assert status == 404 and json.loads(body)["reason"] == "unknown"


def test_an_idea_moderation_and_a_support_through_nginx(inspraak, moderator):
    site = inspraak.site
    # A citizen posts an idea with the plain form: 303 to the thanks page under /participatie/.
    status, headers, body = send(site, "POST", f"/participatie/{SLUG}/idee", form={
        "title": "Bomen aan de kerk", "text": "Schaduw voor het terras.", "name": "An",
        "place": "Lindeveld", "token": form_token(site), "website": ""})
    assert status == 303, body[:300]
    assert urllib.parse.urlsplit(headers["Location"]).path == \
        f"/participatie/{SLUG}/bedankt/idee"
    [(idea, title, state)] = [row for row in inspraak.ideas() if row[1] == "Bomen aan de kerk"]
    assert state == "pending"

    # The moderator approves it, through nginx (both passwords, CSRF).
    status, headers, body = send(
        site, "POST", f"/participatie/moderatie/idee/{idea}",
        {**basic(), "Cookie": f"moderatie={moderator['session']}"},
        {"csrf": moderator["csrf"], "action": "approve"})
    assert status == 303, body[:300]
    assert urllib.parse.urlsplit(headers["Location"]).path == "/participatie/moderatie/"
    assert [row[2] for row in inspraak.ideas() if row[0] == idea] == ["approved"]

    # The site's script supports it: JSON, and the person's cookie for /participatie/.
    status, headers, body = send(site, "POST", f"/participatie/{SLUG}/steun/{idea}",
                                 {"Accept": "application/json"},
                                 {"token": form_token(site), "website": ""})
    assert status == 200, body
    assert json.loads(body)["supports"] == 1
    person, line = cookie(headers, "deelnemer")
    assert "Path=/participatie/" in line and "HttpOnly" in line and "SameSite=Lax" in line
    # The same person again: refused, counted once.
    status, _headers, body = send(site, "POST", f"/participatie/{SLUG}/steun/{idea}",
                                  {"Accept": "application/json",
                                   "Cookie": f"deelnemer={person}"},
                                  {"token": form_token(site), "website": ""})
    assert status == 409 and json.loads(body)["reason"] == "already_supported"
    status, _headers, body = send(site, "GET", f"/participatie/api/{SLUG}/ideas",
                                  {"Accept": "application/json"})
    assert [(i["id"], i["supports"]) for i in json.loads(body)["ideas"]] == [(idea, 1)]


def test_a_body_over_32k_is_refused_by_nginx(inspraak):
    site = inspraak.site
    before = inspraak.ideas()
    status, headers, _body = send(site, "POST", f"/participatie/{SLUG}/idee", form={
        "title": "Te lang", "text": "x" * (40 * 1024), "name": "M", "token": "t",
        "website": ""})
    assert status == 413
    assert inspraak.ideas() == before
    check_security_headers(headers, "/idee 413")


# --- Self-tests ("zelftest") -------------------------------------------------------------


def counted(inspraak) -> dict:
    with sqlite3.connect(inspraak.database) as db:
        return dict(db.execute("SELECT result, count FROM self_test_counts WHERE self_test = ?",
                               (TEST,)))


def test_a_self_test_without_javascript_through_nginx(inspraak):
    site = inspraak.site
    base = f"/participatie/zelftest/{TEST}"
    status, headers, body = send(site, "GET", f"{base}/vraag/2?v1=1")
    assert status == 200, body[:300]
    assert f'action="{base}/vraag/2"'.encode() in body and b'name="v1" value="1"' in body
    assert b'<meta name="referrer" content="strict-origin">' in body
    check_security_headers(headers, "/zelftest")
    assert "strict-origin" in headers.get_all("Referrer-Policy")
    status, headers, _body = send(site, "GET", f"{base}/vraag/2?v1=1&v2=3&stap=volgende")
    assert status == 303 and headers["Location"].endswith(f"{base}/vraag/3?v1=1&v2=3")
    status, headers, _body = send(site, "GET", f"{base}/vraag/1?stap=vorige")
    assert status == 303 and headers["Location"] == f"{site}/zelftest/{TEST}/"
    status, headers, _body = send(site, "GET", f"/participatie/zelftest/{QUIZ}/vraag/3?"
                                  "v1=2&v2=1&v3=3&stap=volgende")
    assert status == 303 and headers["Location"] == f"{site}/zelftest/{QUIZ}/resultaat/3/"
    status, headers, body = send(site, "GET", f"{base}/vraag/9")
    assert status == 404 and b"Pagina niet gevonden" in body
    check_security_headers(headers, "/zelftest 404")


def test_a_self_test_is_counted_through_nginx(inspraak):
    """The last question's form (a POST: counts on) and the site's script."""
    site = inspraak.site
    last = f"/participatie/zelftest/{TEST}/vraag/3"
    before = counted(inspraak)
    status, _headers, body = send(site, "GET", f"{last}?v1=2&v2=3")
    assert status == 200 and b'method="post"' in body
    token = re.search(rb'name="token" value="([^"]+)"', body).group(1).decode()
    time.sleep(1.05)
    status, headers, body = send(site, "POST", last, form={
        "v1": "2", "v2": "3", "v3": "1", "token": token, "website": "", "stap": "volgende"})
    assert status == 303, body[:300]
    assert headers["Location"] == f"{site}/zelftest/{TEST}/resultaat/stad/"
    assert counted(inspraak).get("stad", 0) == before.get("stad", 0) + 1
    # The site's script: a token, the answers, every result's count back.
    status, _headers, body = send(site, "GET", f"/participatie/api/zelftest/{TEST}/form",
                                  {"Accept": "application/json"})
    assert status == 200, body
    answer = json.loads(body)
    time.sleep(max(0.0, not_before(answer["not_before"], time.time()) - time.time()) + 0.05)
    status, _headers, body = send(site, "POST", f"/participatie/api/zelftest/{TEST}/resultaat",
                                  {"Accept": "application/json"},
                                  {"v1": "1", "v2": "1", "v3": "1", "token": answer["token"],
                                   "website": ""})
    assert status == 200, body
    assert json.loads(body)["result"] == "groen"
    # The counts are the build's (on the server, at the service's own
    # address), never the web's: polling them would tell a neighbour's result.
    for spelling in (f"/participatie/api/zelftest/{TEST}/counts",
                     f"/participatie/api//zelftest/{TEST}/counts",
                     f"/participatie/API/%7Aelftest/{TEST}/counts",
                     f"/participatie/api/zelftest/{TEST}/x/../counts",
                     f"/participatie/api/zelftest/{QUIZ}/counts"):
        status, _headers, body = send(site, "GET", spelling)
        assert status in (403, 404), (spelling, status)
        assert b"groen" not in body


def test_self_test_addresses_are_not_in_the_access_log(hosted, hosted_root, inspraak):
    site = hosted[0]
    log = hosted_root / "nginx" / "access.log"
    already = log.stat().st_size if log.exists() else 0
    quiz = f"/participatie/zelftest/{QUIZ}/vraag"
    for method, path in [
        ("GET", f"{quiz}/2?v1=2"),
        ("GET", f"{quiz}/2?v1=2&v2=1&stap=volgende"),
        ("GET", f"{quiz}/3?v1=2&v2=1&v3=3&stap=volgende"),
        ("HEAD", f"{quiz}/1?v1=2"),
        ("GET", f"/participatie//zelftest/{QUIZ}/vraag/2?v1=2"),
        ("GET", f"/participatie/%7aelftest/{QUIZ}/vraag/2?v1=2"),
        ("GET", f"/participatie/./zelftest/{QUIZ}/vraag/2?v1=2"),
        ("GET", f"/participatie/ZELFTEST/{QUIZ}/vraag/2?v1=2"),
        ("GET", f"/participatie/zelftest/{TEST}/vraag/3?v1=2&v2=2"),
        ("POST", f"/participatie/zelftest/{TEST}/vraag/3"),
        ("GET", f"/participatie/zelftest/{QUIZ}/vraag/9?v1=2"),
        # The result a reader got is not logged either (the site's own pages).
        ("GET", "/zelftest/lindeveld-2040/resultaat/groen/"),
        ("GET", "/zelftest//lindeveld-2040/resultaat/samen/"),
        ("GET", "/zelftest/lindeveld-2040/%72esultaat/dorp/"),
    ]:
        status, _headers, _body = send(site, method, path, form={"v1": "2"}
                                       if method == "POST" else None)
        assert status < 500, (path, status)
    # Any other /participatie/ request is logged as usual (and after the ones above).
    status, _headers, _body = send(site, "GET", f"/participatie/api/{SLUG}/ideas?na=zelftoets")
    assert status == 200
    text = access_log_after(log, already, "na=zelftoets")
    assert "zelftest" not in text.lower() and "v1=" not in text, text
    assert [line for line in text.splitlines() if "/participatie/" in line] == [
        line for line in text.splitlines() if "na=zelftoets" in line], text


# --- Following by e-mail ("volgen") ------------------------------------------------------

FORM = "application/x-www-form-urlencoded"


def printed_mails(log: Path) -> list:
    """The mails the service printed (no SMTP server is set here), oldest first."""
    text = log.read_text(encoding="utf-8", errors="replace")
    blocks = re.findall(r"--- mail \(no smtp configured\) ---\n(.*?)\n--- end ---", text, re.S)
    return [message_from_string(block, policy=policy.default) for block in blocks]


def test_following_by_email_through_nginx_is_not_in_the_access_log(hosted, hosted_root,
                                                                    inspraak):
    site = hosted[0]
    log = hosted_root / "nginx" / "access.log"
    already = log.stat().st_size if log.exists() else 0
    status, headers, body = send(site, "GET", "/participatie/volgen")
    assert status == 200 and b'action="/participatie/volgen"' in body, body[:300]
    check_security_headers(headers, "/volgen")
    address = "volger@voorbeeld.be"
    status, headers, body = send(site, "POST", "/participatie/volgen",
                                 form=[("email", address), ("thema", "moderatie"),
                                       ("website", "")])
    assert status == 303, body[:300]
    assert urllib.parse.urlsplit(headers["Location"]).path == "/participatie/volgen/bedankt"
    [mail] = [m for m in printed_mails(inspraak.log) if m["To"] == address]
    link = follow_link(mail)
    assert link.startswith(f"{site}/participatie/volgen/bevestig/"), link
    confirm = urllib.parse.urlsplit(link).path
    token = confirm.rsplit("/", 1)[1]
    status, headers, body = send(site, "GET", confirm)
    assert status == 200 and address.encode() in body
    assert "strict-origin" in headers.get_all("Referrer-Policy")
    status, headers, _body = send(site, "POST", confirm, form={})
    assert status == 303
    assert urllib.parse.urlsplit(headers["Location"]).path == "/participatie/volgen/ingeschreven"
    with sqlite3.connect(inspraak.database) as db:
        [(follower, topics)] = db.execute("SELECT id, topics FROM email_followers WHERE "
                                          "address = ?", (address,)).fetchall()
    assert topics == "moderatie"
    secret = read_secret(inspraak.database.parent / "secret")
    unsubscribe = urllib.parse.urlsplit(
        follow_tokens.unsubscribe_url(f"{site}/participatie", secret, follower, address)).path
    # RFC 8058's one-click POST, as a mail provider's server sends it: no Origin.
    status, headers, body = raw(site, "POST", unsubscribe, {"Content-Type": FORM},
                                b"List-Unsubscribe=One-Click")
    assert status == 200 and body.decode().strip() == "Je bent uitgeschreven.", body[:300]
    with sqlite3.connect(inspraak.database) as db:
        assert db.execute("SELECT COUNT(*) FROM email_followers WHERE id = ?",
                          (follower,)).fetchone()[0] == 0
    # Any other spelling nginx normalises to /participatie/volgen... is not logged either.
    for method, path in [
        ("GET", "/participatie/volgen/bedankt"),
        ("GET", f"/participatie//volgen/bevestig/{token}"),
        ("GET", f"/participatie/%76olgen/bevestig/{token}"),
        ("GET", f"/participatie/./volgen/bevestig/{token}"),
        ("GET", f"/participatie/x/../volgen/uitschrijven/{token}"),
        ("GET", f"/participatie/VOLGEN/bevestig/{token}"),
        ("GET", f"/participatie/volgen%2Fbevestig%2F{token}"),
        ("HEAD", unsubscribe),
        ("GET", unsubscribe + "?t=1"),
        ("GET", "/participatie/volgen"),
        ("GET", "/participatie/Volgen/uitgeschreven"),
    ]:
        status, _headers, _body = send(site, method, path)
        assert status < 500, (path, status)
    status, _headers, _body = send(site, "GET", f"/participatie/api/{SLUG}/ideas?na=volgtoets")
    assert status == 200
    text = access_log_after(log, already, "na=volgtoets")
    assert "volgen" not in text.lower() and token not in text, text
    assert unsubscribe.rsplit("/", 1)[1] not in text
    assert [line for line in text.splitlines() if "/participatie/" in line] == [
        line for line in text.splitlines() if "na=volgtoets" in line], text


def test_a_claimed_forwarded_address_does_not_escape_the_rate_limit(inspraak):
    """nginx replaces X-Forwarded-For with the client's real address: writes
    that each claim another network still count against 127.0.0.1's."""
    site = inspraak.site
    with sqlite3.connect(inspraak.database) as db:
        # Writes counted this hour so far: every one came through nginx, from
        # 127.0.0.1 (a self-test's counted results are in a bucket of their own).
        counted = db.execute("SELECT COALESCE(SUM(count), 0) FROM rate_counts WHERE hour = ? "
                             "AND network NOT LIKE 'zelftest:%' AND network NOT LIKE 'volgen%'",
                             (int(time.time() // 3600),)).fetchone()[0]
    tokens = [form_token(site) for _ in range(WRITES_PER_HOUR + 1 - counted)]
    statuses = []
    for number, token in enumerate(tokens):
        status, headers, body = send(
            site, "POST", f"/participatie/{SLUG}/idee",
            {"Accept": "application/json", "X-Forwarded-For": f"10.{number}.0.1",
             "X-Real-IP": f"10.{number}.0.1", "Forwarded": f"for=10.{number}.0.1"},
            {"title": f"Idee {number}", "text": "Nog een idee.", "name": "Mallory",
             "token": token, "website": ""})
        statuses.append(status)
        if status == 429:
            assert json.loads(body)["reason"] == "rate_limited" and headers["Retry-After"]
            break
    assert statuses[-1] == 429, statuses
    assert statuses.count(201) == WRITES_PER_HOUR - counted, statuses


def test_security_headers_on_proxied_refusals(inspraak):
    site = inspraak.site
    status, headers, _body = send(site, "POST", f"/participatie/{SLUG}/idee",
                                  {"Origin": "https://elders.example"},
                                  {"title": "x", "text": "y", "name": "z", "token": "t"})
    assert status == 403
    check_security_headers(headers, "/idee 403")
