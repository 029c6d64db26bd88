"""Hosting, tested against real servers: nginx with deploy/'s config in front of Isso."""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import brotli
import pytest
from hosting_fixtures import MODERATOR

pytestmark = pytest.mark.slow

SECURITY_HEADERS = {
    # 'wasm-unsafe-eval': Pagefind's WebAssembly on the search page (no JS eval).
    "content-security-policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
                               "style-src 'self'",
    "strict-transport-security": "max-age=31536000",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=()",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
# The moderation location's policy: the site's, plus inline script (Isso's
# admin page uses onclick handlers and confirm()).
MODERATION_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self'"

# What only Isso's admin page (isso/templates/admin.html) shows, after a
# moderator has logged in: the log-out link and its script, the queue filters.
ADMIN_UI = (b'id="logout"', b"log_out()", b"/js/admin.js", b"label-pending",
            b"Group by thread")
# A password form: Isso's login page (isso/templates/login.html) or the
# comment server's own (dorpsplein/comments/templates/login.html). Behind
# nginx's password too: without it, not even the form may show.
LOGIN_FORM = (b'type="password"', b"Administration secured by password")
# hosting_fixtures starts the comment server with this ISSO_ADMIN_PASSWORD.
ISSO_PASSWORD = "isso-admin-test"


def get(url, headers=None, method="GET"):
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, \
                response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def raw(site, method, path, headers=None, body=None):
    """One request with ``path`` sent exactly as written (no normalising, no
    redirects followed); returns (status, headers as a Message, body)."""
    parts = urlsplit(site)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


def basic(credentials=MODERATOR) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(":".join(credentials).encode()).decode()}


def check_security_headers(headers, path, csp=SECURITY_HEADERS["content-security-policy"]):
    """Every security header, with the expected value, on the response.

    The comment server's own pages (its login form, its refusals) add a
    stricter CSP of their own: a browser enforces both, so it is enough that
    ours is among them and that no policy allows inline script unless ``csp``
    (the moderation location) does."""
    for name, expected in {**SECURITY_HEADERS, "content-security-policy": csp}.items():
        values = headers.get_all(name) or []
        assert any(expected in value for value in values), f"{path}: {name} = {values!r}"
    if "unsafe-inline" not in csp:
        assert not any("unsafe-inline" in v
                       for v in headers.get_all("content-security-policy") or [])


def hashed_css(output):
    return next(p for p in (output / "theme" / "css").glob("main.*.css")
                if len(p.name.split(".")) == 3)


@pytest.mark.parametrize("path", ["/", "/2026/x-of-mastodon/", "/feeds/atom.xml",
                                  "/bestaat-niet/", "/comments/config", "HASHED"])
def test_every_response_carries_the_security_headers(hosted, path):
    site, output, _comments = hosted
    if path == "HASHED":
        path = "/theme/css/" + hashed_css(output).name
    _status, headers, _body = get(site + path)
    for name, expected in SECURITY_HEADERS.items():
        assert expected in headers.get(name, ""), f"{path}: {name} = {headers.get(name)!r}"
    assert "unsafe-inline" not in headers["content-security-policy"]


def test_cache_headers_long_for_hashed_assets_short_for_pages(hosted):
    site, output, _comments = hosted
    _s, page, _b = get(site + "/2026/x-of-mastodon/")
    assert page["cache-control"] == "no-cache"
    _s, css, _b = get(site + "/theme/css/" + hashed_css(output).name)
    assert "max-age=31536000" in css["cache-control"] and "immutable" in css["cache-control"]


def test_unknown_address_gets_the_dutch_404_page(hosted):
    site, _output, _comments = hosted
    status, _headers, body = get(site + "/bestaat-niet/")
    assert status == 404
    assert "Pagina niet gevonden" in body.decode("utf-8")


@pytest.mark.parametrize(("encoding", "suffix"), [("gzip", ".gz"), ("br", ".br")])
def test_precompressed_copy_is_served_when_the_client_accepts_it(hosted, encoding, suffix):
    site, output, _comments = hosted
    css = hashed_css(output)
    status, headers, body = get(site + "/theme/css/" + css.name,
                                {"Accept-Encoding": encoding})
    assert status == 200 and headers["content-encoding"] == encoding
    assert body == css.with_name(css.name + suffix).read_bytes()  # the file itself
    plain = gzip.decompress(body) if encoding == "gzip" else brotli.decompress(body)
    assert plain == css.read_bytes()
    _s, identity, raw = get(site + "/theme/css/" + css.name, {"Accept-Encoding": "identity"})
    assert "content-encoding" not in identity and raw == css.read_bytes()


def test_error_pages_carry_the_security_headers(hosted):
    site, _output, _comments = hosted
    cases = [
        ("GET", "/bestaat-niet/", None, 404),             # the site's own 404 page
        ("GET", "/isso-threads.json", None, 403),         # nginx's refusal
        ("GET", "/comments/demo/", None, 404),            # nginx's, as the site's 404 page
        ("GET", "/comments/bestaat-niet", None, 404),     # the comment server's JSON 404
        # A body over client_max_body_size: nginx's 413, the app never sees it.
        ("POST", "/comments/new?uri=/2026/x-of-mastodon/", b"x" * (200 * 1024), 413),
    ]
    for method, path, body, expected in cases:
        headers = {"Content-Type": "application/json", "Origin": site} if body else {}
        status, response, _body = raw(site, method, path, headers, body)
        assert status == expected, (path, status)
        check_security_headers(response, path)


def test_moderation_responses_differ_from_the_rest_only_in_their_csp(hosted, admin_session):
    site, _output, _comments = hosted
    cases = [
        ("/comments/admin/", {}),                                   # nginx's 401
        ("/comments/admin/", basic()),                              # the app's login form
        ("/comments/admin/", {**basic(), "Cookie": admin_session}),  # Isso's admin page
    ]
    for path, headers in cases:
        status, response, _body = raw(site, "GET", path, headers)
        assert status in (200, 401)
        check_security_headers(response, path, csp=MODERATION_CSP)


def test_moderation_needs_nginx_password_then_isso_password(hosted):
    site, _output, _comments = hosted
    status, headers, body = raw(site, "GET", "/comments/admin/")
    assert status == 401 and headers["WWW-Authenticate"] == 'Basic realm="Moderatie"'
    assert not any(mark in body for mark in LOGIN_FORM + ADMIN_UI)
    # Past nginx: the comment server's own login form, not yet the admin page.
    status, headers, body = raw(site, "GET", "/comments/admin/", basic())
    assert status == 401 and "WWW-Authenticate" not in headers
    assert b'type="password"' in body and not any(mark in body for mark in ADMIN_UI)
    # The wrong nginx password is refused by nginx.
    status, headers, _body = raw(site, "GET", "/comments/admin/", basic(("moderator", "fout")))
    assert status == 401 and headers["WWW-Authenticate"].startswith("Basic")


@pytest.fixture(scope="module")
def admin_session(hosted):
    """Isso's session cookie of a logged-in moderator (through nginx, with both
    passwords), and a check that ADMIN_UI does recognise the admin page."""
    site, _output, _comments = hosted
    status, headers, _body = raw(
        site, "POST", "/comments/login/",
        {**basic(), "Origin": site, "Content-Type": "application/x-www-form-urlencoded"},
        f"password={ISSO_PASSWORD}")
    assert status in (302, 303), status
    cookie = next(c.split(";")[0] for c in headers.get_all("Set-Cookie")
                  if c.startswith("admin-session="))
    status, _headers, body = raw(site, "GET", "/comments/admin/", {**basic(), "Cookie": cookie})
    assert status == 200 and all(mark in body for mark in ADMIN_UI), \
        "the admin page no longer looks like isso/templates/admin.html: update ADMIN_UI"
    return cookie


# Spellings of the moderation routes that nginx normalises onto an "admin" or
# "login" segment: nginx asks for its password (401 with a Basic challenge).
GUARDED = [
    ("GET", "/comments/admin/"),
    ("GET", "/comments/admin"),
    ("HEAD", "/comments/admin/"),
    ("POST", "/comments/admin/"),
    ("GET", "/comments/admin/?x=1"),
    ("GET", "/comments/admin/?mode=1&page=0&order_by=id"),
    ("GET", "/comments//admin/"),
    ("GET", "/comments///admin/"),
    ("GET", "/comments/comments/admin/"),       # Isso strips /comments a second time
    ("GET", "/comments/comments//admin/"),
    ("GET", "/comments/comments%2Fadmin/"),
    ("GET", "/comments/commentsadmin/"),        # ... without checking a "/" follows
    ("GET", "/comments/%61dmin/"),
    ("GET", "/comments/%61%64%6d%69%6e/"),
    ("GET", "/comments/./admin/"),
    ("GET", "/comments/%2e/admin/"),
    ("GET", "/comments/.%2fadmin/"),
    ("GET", "/comments/x/../admin/"),
    ("GET", "/comments/x/%2e%2e/admin/"),
    ("GET", "/comments/admin/../admin/"),
    ("GET", "/comments/admin/."),
    ("GET", "/comments/admin%2F"),
    ("GET", "/comments/ADMIN/"),
    ("GET", "/comments/Admin/"),
    ("GET", "/comments/admin/index.html"),
    ("GET", "/comments/login/"),
    ("HEAD", "/comments/login/"),
    ("POST", "/comments/login/"),
    ("POST", "/comments/login"),
    ("POST", "/comments//login/"),
    ("POST", "/comments/comments/login/"),
    ("POST", "/comments/commentslogin/"),
    ("POST", "/comments/%6cogin/"),
    ("POST", "/comments/LOGIN/"),
    ("POST", "/comments/./login/?next=/comments/admin/"),
]
# Spellings nginx does not take for those routes, and neither does the comment
# server: it refuses them itself (404 with a JSON reason, or nginx's 400).
NOT_ROUTES = [
    ("GET", "/comments/%2561dmin/"),   # decoded once by nginx: %61dmin, not admin
    ("GET", "/comments/admin;x/"),
    ("GET", "/comments/admin%20/"),
    ("GET", "/comments/admin%3F/"),
    ("GET", "/comments/admin%00/"),
    ("POST", "/comments/%256cogin/"),
]


@pytest.mark.parametrize(("method", "path"), GUARDED + NOT_ROUTES,
                         ids=[f"{m} {p}" for m, p in GUARDED + NOT_ROUTES])
def test_no_spelling_reaches_moderation_without_nginx_password(hosted, admin_session,
                                                               method, path):
    """Even with Isso's password (POST) and a moderator's session cookie, no
    spelling shows the admin page or a login form without nginx's password."""
    site, _output, _comments = hosted
    headers = {"Cookie": admin_session, "Origin": site}
    body = None
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = f"password={ISSO_PASSWORD}"
    status, response, content = raw(site, method, path, headers, body)
    assert not any(mark in content for mark in ADMIN_UI + LOGIN_FORM), (status, content[:200])
    assert not any(c.startswith("admin-session=") for c in response.get_all("Set-Cookie") or [])
    if (method, path) in GUARDED:
        assert status == 401 and response["WWW-Authenticate"] == 'Basic realm="Moderatie"'
    else:
        assert status in (400, 403, 404) and "WWW-Authenticate" not in response
    check_security_headers(response, path, csp=MODERATION_CSP if status == 401 else
                           SECURITY_HEADERS["content-security-policy"])


DEMO = ["/comments/demo/", "/comments/demo", "/comments/demo/index.html", "/comments//demo/",
        "/comments/%64emo/", "/comments/./demo/", "/comments/x/../demo/index.html",
        "/comments/comments/demo/", "/comments/commentsdemo/", "/comments/DEMO/"]


@pytest.mark.parametrize("path", DEMO)
def test_isso_demo_page_is_not_served(hosted, path):
    site, _output, _comments = hosted
    status, headers, body = raw(site, "GET", path)
    assert status == 404
    assert b"Isso Demo" not in body and b"embed.dev.js" not in body
    assert "Pagina niet gevonden" in body.decode("utf-8")  # the site's own 404 page
    check_security_headers(headers, path)


THREAD_LIST = ["/isso-threads.json", "/isso-threads.json.gz", "/isso-threads.json.br",
               "/isso-threads.json.zst", "//isso-threads.json", "/./isso-threads.json",
               "/%69sso-threads.json", "/isso-threads%2Ejson", "/x/../isso-threads.json",
               "/feeds/../isso-threads.json", "/ISSO-THREADS.JSON", "/isso-threads.json/",
               "/isso-threads.json?x=1", "/isso-threads.json.12345.abcd.tmp"]


@pytest.mark.parametrize("path", THREAD_LIST)
@pytest.mark.parametrize("encoding", ["identity", "gzip, br"])
def test_the_thread_list_is_not_served_under_any_name(hosted, path, encoding):
    site, output, _comments = hosted
    assert (output / "isso-threads.json").is_file()  # the comment server reads it from disk
    status, headers, body = raw(site, "GET", path, {"Accept-Encoding": encoding})
    assert status in (403, 404)
    if headers["Content-Encoding"] == "gzip":  # nginx compressing its own error page
        body = gzip.decompress(body)
    assert headers["Content-Encoding"] in (None, "gzip")
    assert headers.get_content_type() == "text/html"
    assert b'"threads"' not in body and b"/2026/" not in body
    with pytest.raises(ValueError):
        json.loads(body)
    check_security_headers(headers, path)


def test_the_publish_build_makes_no_compressed_copies_of_the_thread_list(hosted):
    _site, output, _comments = hosted
    assert (output / "index.html.gz").is_file() and (output / "index.html.br").is_file()
    assert sorted(p.name for p in output.glob("isso-threads*")) == ["isso-threads.json"]
