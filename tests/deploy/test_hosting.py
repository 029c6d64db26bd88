"""Hosting, tested against real servers: nginx with deploy/'s config in front of Isso."""

from __future__ import annotations

import base64
import gzip
import urllib.error
import urllib.request

import brotli
import pytest
from hosting_fixtures import MODERATOR

pytestmark = pytest.mark.slow

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'",
    "strict-transport-security": "max-age=31536000",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=()",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


def get(url, headers=None, method="GET"):
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, \
                response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


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


def test_moderation_page_needs_the_password(hosted):
    site, _output, _comments = hosted
    status, headers, _body = get(site + "/comments/admin/")
    assert status == 401 and "basic" in headers["www-authenticate"].lower()
    status, _h, _b = get(site + "/comments/login/", method="POST")
    assert status == 401
    token = base64.b64encode(":".join(MODERATOR).encode()).decode()
    status, _headers, body = get(site + "/comments/admin/", {"Authorization": f"Basic {token}"})
    assert status == 200 and b"password" in body.lower()


def test_the_thread_list_is_not_served(hosted):
    site, output, _comments = hosted
    assert (output / "isso-threads.json").is_file()  # the comment server reads it from disk
    status, _h, _b = get(site + "/isso-threads.json")
    assert status == 403
