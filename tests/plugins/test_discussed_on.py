"""discussed_on: "Besproken op" under an article — plain links to where it was
posted or discussed, with the public counts of its Mastodon and Bluesky posts
from stand-ins of their APIs on 127.0.0.1; a build without an answer still
succeeds (the copy's counts, or the links alone), a hostile answer never
reaches the page, a wrong address is an editor's file:line error and a wrong
setting stops the build naming it."""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from conftest import FROM_PELICANCONF
from discussed_on.posts import NOT_A_POST, NOT_HTTPS, NOT_WEB, addresses, recognise, written

from dorpsplein.build import ROOT, BuildFailed

PLUGIN = ROOT / "plugins" / "discussed_on"
HANDLE = "lindeveld.bsky.social"
DID = "did:plc:lindeveld7x2kqzs2abcdefgh"
RKEY = "3lbq5x2kqzs2a"
AT_URI = f"at://{DID}/app.bsky.feed.post/{RKEY}"
BLUESKY_POST = f"https://bsky.app/profile/{HANDLE}/post/{RKEY}"
LINKEDIN = "https://www.linkedin.com/feed/update/urn:li:activity:7254318806311170048/"
FACEBOOK = "https://www.facebook.com/gemeentelindeveld/posts/pfbid02kanaalaanpak"
LOADING = ["script", "img", "iframe", "link", "source", "video", "audio", "embed", "object",
           "input"]


def mastodon_status(number: str, replies=12, reblogs=5, favourites=30, **extra) -> dict:
    """A status as Mastodon's GET /api/v1/statuses/:id gives it (abridged)."""
    return {
        "id": number, "created_at": "2026-11-20T09:00:00.000Z", "in_reply_to_id": None,
        "sensitive": False, "spoiler_text": "", "visibility": "public", "language": "nl",
        "uri": f"https://mastodon.social/users/lindeveld/statuses/{number}",
        "url": f"https://mastodon.social/@lindeveld/{number}",
        "replies_count": replies, "reblogs_count": reblogs, "favourites_count": favourites,
        "content": "<p>Nieuw op de blog: besproken op sociale media.</p>",
        "account": {"id": "1", "username": "lindeveld", "acct": "lindeveld",
                    "display_name": "Gemeente Lindeveld",
                    "avatar": "https://files.mastodon.social/accounts/avatars/1/original/a.png"},
        "media_attachments": [], "mentions": [], "tags": [], "emojis": [], "card": None,
        "poll": None, **extra,
    }


def bluesky_posts(uri: str = AT_URI, replies=1, reposts=3, likes=7, **extra) -> dict:
    """app.bsky.feed.getPosts's answer for one post (abridged)."""
    return {"posts": [{
        "uri": uri, "cid": "bafyreib2rxk3rh6kzwq",
        "author": {"did": DID, "handle": HANDLE, "displayName": "Gemeente Lindeveld",
                   "avatar": "https://cdn.bsky.app/img/avatar/plain/did:plc:x/a@jpeg",
                   "labels": [], "createdAt": "2024-01-01T00:00:00.000Z"},
        "record": {"$type": "app.bsky.feed.post", "createdAt": "2026-11-20T09:00:00.000Z",
                   "langs": ["nl"], "text": "Nieuw op de blog."},
        "replyCount": replies, "repostCount": reposts, "likeCount": likes, "quoteCount": 0,
        "indexedAt": "2026-11-20T09:00:01.000Z", "labels": [], **extra,
    }]}


class StandIn:
    """A stand-in of a network's public API on 127.0.0.1: ``routes[path]`` is a
    function of the query that gives (status, headers, body); every request's
    path and query are kept in ``asked``. Stopped, its port is closed."""

    def __init__(self):
        self.routes: dict = {}
        self.asked: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                stand_in.asked.append(self.path)
                parts = urlsplit(self.path)
                route = stand_in.routes.get(parts.path)
                status, headers, body = route(parse_qs(parts.query)) if route else \
                    (404, {}, b'{"error": "NotFound"}')
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    def json(self, path: str, data, status: int = 200) -> None:
        body = data if isinstance(data, bytes) else json.dumps(data).encode("utf-8")
        self.routes[path] = lambda query: (status, {}, body)

    def stop(self) -> None:
        if self.running:
            self.server.shutdown()
            self.server.server_close()
            self.running = False


class Silent:
    """A server that takes connections and never answers (a network that
    hangs); ``connections`` counts them."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)
        self.thread.start()

    def _hold(self):
        while not self.stopping.is_set():
            try:
                self.held.append(self.socket.accept()[0])
            except OSError:
                continue

    def stop(self):
        self.stopping.set()
        self.thread.join()
        for connection in self.held:
            connection.close()
        self.socket.close()


@pytest.fixture
def networks():
    """A Mastodon server and Bluesky's API, both on 127.0.0.1."""
    mastodon, bluesky = StandIn(), StandIn()
    mastodon.json("/api/v1/statuses/1234", mastodon_status("1234"))
    bluesky.routes["/xrpc/com.atproto.identity.resolveHandle"] = lambda query: (
        (200, {}, json.dumps({"did": DID}).encode()) if query.get("handle") == [HANDLE]
        else (400, {}, b'{"error": "InvalidRequest", "message": "Unable to resolve handle"}'))
    bluesky.routes["/xrpc/app.bsky.feed.getPosts"] = lambda query: (
        (200, {}, json.dumps(bluesky_posts()).encode()) if query.get("uris") == [AT_URI]
        else (200, {}, b'{"posts": []}'))
    yield mastodon, bluesky
    mastodon.stop()
    bluesky.stop()


def write_article(content: Path, discussed: str, slug: str = "besproken") -> Path:
    path = content / "articles" / f"{slug}.md"
    path.write_text(
        f"Title: Besproken {slug}\nDate: 2026-11-20 10:00\nCategory: Sociale media\n"
        f"Slug: {slug}\nSummary: Een test van Besproken op.\nDiscussed: {discussed}\n\n"
        "Tekst van het artikel.\n", encoding="utf-8")
    return path


@pytest.fixture
def site(build_site, content_copy, tmp_path, networks):
    """Builds the sample site with the stand-ins; ``site(name, **settings)``
    builds into its own output folder."""
    mastodon, bluesky = networks

    def _build(name: str, **overrides):
        overrides.setdefault("CACHE_PATH", str(tmp_path / "cache"))
        overrides.setdefault("DISCUSSED_ON_BLUESKY_API", bluesky.url)
        return build_site(content=content_copy, OUTPUT_PATH=str(tmp_path / name), **overrides)

    return _build


def section(built, url: str = "/2026/besproken/"):
    return built.html(url).select_one("section.discussed-on")


def items(built, url: str = "/2026/besproken/") -> list[tuple[str, str, str]]:
    """(href, link text, counts text) of each entry."""
    found = []
    for item in section(built, url).select("li.discussed-on__item"):
        link = item.select_one("a")
        counts = [c.get_text(" ", strip=True) for c in item.select(".discussed-on__count")]
        found.append((link["href"], link.get_text(" ", strip=True), " · ".join(counts)))
    return found


def said_lines(captured: str) -> list[str]:
    return [line for line in captured.splitlines()
            if line.startswith(("Besproken op:", "Discussed on:"))]


@pytest.mark.slow
def test_counts_from_the_networks_then_from_the_copy_then_without(
        site, content_copy, networks, tmp_path, capsys):
    mastodon, bluesky = networks
    toot = f"{mastodon.url}/@lindeveld/1234"
    write_article(content_copy, f"{toot},\n    {BLUESKY_POST}\n    {LINKEDIN}, {FACEBOOK}")
    asked = [(toot, "Mastodon (@lindeveld@127.0.0.1)", "12 reacties · 5 keer gedeeld"),
             (BLUESKY_POST, f"Bluesky (@{HANDLE})", "1 reactie · 3 keer gedeeld"),
             (LINKEDIN, "LinkedIn (linkedin.com)", ""),
             (FACEBOOK, "Facebook (facebook.com)", "")]

    built = site("up")
    part = section(built)
    assert part.select_one("h2").get_text(strip=True) == "Besproken op"
    assert part["aria-labelledby"] == part.select_one("h2")["id"]
    assert items(built) == asked
    assert mastodon.asked == ["/api/v1/statuses/1234"]
    assert [urlsplit(a).path for a in bluesky.asked] == [
        "/xrpc/com.atproto.identity.resolveHandle", "/xrpc/app.bsky.feed.getPosts"]
    # Nothing in the page loads from another host: no embeds, no avatars.
    page = built.html("/2026/besproken/")
    for element in page.find_all(LOADING):
        for attribute in ("src", "href", "srcset", "data", "poster"):
            value = element.get(attribute)
            if value and (element.name != "link" or {"stylesheet", "icon", "preload",
                                                      "modulepreload", "prefetch"}
                          & set(element.get("rel", []))):
                assert not urlsplit(value).netloc, element
    raw = built.path("/2026/besproken/").read_text(encoding="utf-8")
    assert "cdn.bsky.app" not in raw and "files.mastodon.social" not in raw
    assert said_lines(capsys.readouterr().err) == []

    # A fresh copy is used without asking, even when the counts have changed.
    mastodon.json("/api/v1/statuses/1234", mastodon_status("1234", replies=99))
    again = site("fresh")
    assert items(again) == asked
    assert len(mastodon.asked) == 1 and len(bluesky.asked) == 2

    # The networks down (their ports closed): a fresh copy still shows.
    mastodon.stop()
    bluesky.stop()
    down = site("down-fresh")
    assert items(down) == asked
    assert said_lines(capsys.readouterr().err) == []

    # Asked at every build (0 hours), without an answer: the copy's counts,
    # and one line that says so.
    copy = site("down-copy", DISCUSSED_ON_MAX_AGE_HOURS=0)
    assert items(copy) == asked
    lines = said_lines(capsys.readouterr().err)
    assert len(lines) == 1, lines
    hosts = sorted(urlsplit(stand_in.url).netloc for stand_in in networks)
    assert lines[0].startswith(f"Besproken op: geen antwoord van {', '.join(hosts)} (")
    assert "de aantallen komen uit de kopie van 2026-" in lines[0]

    # Without a copy: the links alone.
    shutil.rmtree(tmp_path / "cache" / "discussed_on")
    bare = site("down-bare")
    assert items(bare) == [(href, text, "") for href, text, _counts in asked]
    lines = said_lines(capsys.readouterr().err)
    assert len(lines) == 1 and lines[0].endswith("2 berichten staan er zonder aantallen."), lines


@pytest.mark.slow
def test_a_hostile_answer_never_reaches_the_page_nor_fails_the_build(
        site, content_copy, networks, capsys):
    mastodon, bluesky = networks
    evil = "<script>alert('evil')</script>"
    answers = {
        "1": mastodon_status("1", content=evil, account={"display_name": evil, "acct": evil}),
        "2": mastodon_status("2", replies="12", reblogs="5"),
        "3": mastodon_status("3", replies=f"<b>12</b>{evil}"),
        "4": mastodon_status("4", replies=True, reblogs=-5, favourites=1.5),
        "5": mastodon_status("5", padding="evil" * 200_000),  # 800 kB
        "6": f"<html>{evil}</html>".encode(),
        "7": b"[" * 100_000,
        "8": mastodon_status("999"),  # another post
        "9": mastodon_status("9", replies=10**40),
    }
    for number, answer in answers.items():
        mastodon.json(f"/api/v1/statuses/{number}", answer)
    mastodon.json("/api/v1/statuses/10", {"error": "evil"}, status=500)
    mastodon.routes["/api/v1/statuses/11"] = lambda query: (
        302, {"Location": "https://evil.example/api/v1/statuses/11"}, b"")
    bluesky.json("/xrpc/com.atproto.identity.resolveHandle", {"did": evil})
    toots = [f"{mastodon.url}/@lindeveld/{number}" for number in range(1, 12)]
    write_article(content_copy, ", ".join([*toots, BLUESKY_POST]))

    built = site("hostile")
    found = items(built)
    assert [href for href, _text, _counts in found] == [*toots, BLUESKY_POST]
    assert [counts for _href, _text, counts in found] == \
        ["12 reacties · 5 keer gedeeld"] + [""] * 11
    raw = built.path("/2026/besproken/").read_text(encoding="utf-8")
    assert "evil" not in raw
    lines = said_lines(capsys.readouterr().err)
    assert len(lines) == 1 and "11 berichten staan er zonder aantallen" in lines[0], lines


@pytest.mark.slow
def test_a_network_that_hangs_is_asked_for_every_post_at_once_and_left(
        site, content_copy, networks, tmp_path, capsys):
    hanging = Silent()
    try:
        toots = [f"{hanging.url}/@lindeveld/{number}" for number in (1, 2, 3)]
        write_article(content_copy, ", ".join([*toots, BLUESKY_POST, LINKEDIN]))
        built = site("hanging", DISCUSSED_ON_TIMEOUT=0.5, DISCUSSED_ON_BLUESKY_API=hanging.url)
        # All four questions were on their way together, not one after another.
        assert len(hanging.held) == 4
    finally:
        hanging.stop()
    assert [counts for _href, _text, counts in items(built)] == [""] * 5
    lines = said_lines(capsys.readouterr().err)
    assert len(lines) == 1 and "(geen antwoord op tijd)" in lines[0], lines
    # Not asked again at the next build (a preview without network waits once).
    again = site("hanging-again", DISCUSSED_ON_BLUESKY_API=hanging.url)
    assert [counts for _href, _text, counts in items(again)] == [""] * 5
    assert len(said_lines(capsys.readouterr().err)) == 1
    kept = [json.loads(p.read_text()) for p in (tmp_path / "cache" / "discussed_on").iterdir()]
    assert sorted(record["failed"] for record in kept) == ["no answer in time"] * 4


@pytest.mark.slow
def test_links_only_when_fetching_is_off(site, content_copy, networks):
    mastodon, bluesky = networks
    toot = f"{mastodon.url}/@lindeveld/1234"
    write_article(content_copy, f"{toot} {BLUESKY_POST}")
    built = site("off", DISCUSSED_ON_FETCH=False)
    assert [counts for _href, _text, counts in items(built)] == ["", ""]
    assert mastodon.asked == [] and bluesky.asked == []
    # Articles without the key show no section.
    assert built.html("/2026/x-of-mastodon/").select_one("section.discussed-on") is None


WRONG = """Title: Verkeerd besproken
Date: 2026-11-20 10:00
Category: Sociale media
Slug: verkeerd
Summary: Een test van verkeerde adressen.
Discussed: ftp://example.org/bericht,
    http://mastodon.social/@lindeveld/1234
    https://example.org/nieuws/besproken, https://bsky.app/profile/lindeveld.bsky.social
    https://www.linkedin.com/

Tekst.
"""


@pytest.mark.slow
def test_an_address_that_is_no_post_is_an_editor_error_with_file_and_line(
        build_site, content_copy, tmp_path):
    path = content_copy / "articles" / "verkeerd.md"
    path.write_text(WRONG, encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_site(content=content_copy, CACHE_PATH=str(tmp_path / "cache"),
                   DISCUSSED_ON_FETCH=False)
    example = "https://mastodon.social/@lindeveld/113456789012345678"
    post = ("is geen bericht op Mastodon, Bluesky, LinkedIn, Facebook of X — schrijf het adres "
            f"van het bericht zelf, zoals {example}.")
    expected = [
        f"{path}:6: 'ftp://example.org/bericht' is geen webadres — schrijf het adres van het "
        "bericht zoals de browser het toont, beginnend met https://.",
        f"{path}:7: 'http://mastodon.social/@lindeveld/1234' begint met http:// — schrijf het "
        "met https://, zoals de browser het toont.",
        f"{path}:8: 'https://example.org/nieuws/besproken' {post}",
        f"{path}:8: 'https://bsky.app/profile/lindeveld.bsky.social' {post}",
        f"{path}:9: 'https://www.linkedin.com/' {post}",
    ]
    assert failed.value.problems == expected

    # ./go check says the same, without building; the key itself is known.
    from editor_checks.checks import Checker
    from pelican.settings import read_settings

    settings = read_settings(str(ROOT / "pelicanconf.py"), override={"PATH": str(content_copy)})
    findings = [str(f) for f in Checker(settings, root=ROOT).run_all()]
    assert [f for f in findings if "verkeerd.md" in f] == expected

    # In English for an English-speaking editor.
    with pytest.raises(BuildFailed) as english:
        build_site(content=content_copy, CACHE_PATH=str(tmp_path / "cache"),
                   DISCUSSED_ON_FETCH=False, EDITOR_LANGUAGE="en")
    assert f"{path}:9: 'https://www.linkedin.com/' is not a post on Mastodon, Bluesky, " \
        "LinkedIn, Facebook or X — write the address of the post itself, such as " \
        f"{example}." in english.value.problems


@pytest.mark.parametrize(("name", "value", "wording"), [
    ("DISCUSSED_ON_TIMEOUT", 0, "must be a number of seconds above 0 and at most 30"),
    ("DISCUSSED_ON_TIMEOUT", "2", "must be a number of seconds above 0 and at most 30"),
    ("DISCUSSED_ON_MAX_AGE_HOURS", -1, "must be a whole number of hours, 0 or more"),
    ("DISCUSSED_ON_MAX_AGE_HOURS", 1.5, "must be a whole number of hours, 0 or more"),
    ("DISCUSSED_ON_FETCH", "yes", "must be True (ask the networks for their counts) or False"),
    ("DISCUSSED_ON_BLUESKY_API", "http://public.api.bsky.app",
     "is not the address of a Bluesky API: write an https:// address"),
    ("DISCUSSED_ON_BLUESKY_API", "public.api.bsky.app",
     "is not the address of a Bluesky API: write an https:// address"),
])
def test_a_wrong_setting_stops_the_build_naming_it(build_site, tmp_path, name, value, wording):
    with pytest.raises(BuildFailed) as failed:
        build_site(CACHE_PATH=str(tmp_path / "cache"), **{name: value})
    last = failed.value.problems[-1]
    assert last.startswith(f"{name} = {value!r} {wording}"), last
    assert last.endswith(" in pelicanconf.py.")


@pytest.mark.parametrize(("url", "network", "account"), [
    ("https://mastodon.social/@lindeveld/113456789012345678", "mastodon",
     "@lindeveld@mastodon.social"),
    ("https://social.vlaanderen.be/users/lindeveld/statuses/1234", "mastodon",
     "@lindeveld@social.vlaanderen.be"),
    ("https://mastodon.social/@lindeveld@social.example.be/1234", "mastodon",
     "@lindeveld@social.example.be"),
    ("http://127.0.0.1:8765/@lindeveld/1234", "mastodon", "@lindeveld@127.0.0.1"),
    (BLUESKY_POST, "bluesky", f"@{HANDLE}"),
    (f"https://bsky.app/profile/{DID}/post/{RKEY}", "bluesky", "bsky.app"),
    (LINKEDIN, "linkedin", "linkedin.com"),
    ("https://nl.linkedin.com/posts/gemeente-lindeveld_activity-7254318806311170048-abcd",
     "linkedin", "linkedin.com"),
    (FACEBOOK, "facebook", "facebook.com"),
    ("https://m.facebook.com/story.php?story_fbid=1&id=2", "facebook", "facebook.com"),
    ("https://fb.com/gemeentelindeveld/posts/1", "facebook", "fb.com"),
    ("https://x.com/lindeveld/status/1859000000000000000", "x", "@lindeveld"),
    ("https://twitter.com/i/web/status/1859000000000000000", "x", "twitter.com"),
])
def test_posts_are_recognised_by_their_address(url, network, account):
    post = recognise(url)
    assert (post.network, post.account, post.url) == (network, account, url)


@pytest.mark.parametrize(("url", "reason"), [
    ("ftp://mastodon.social/@lindeveld/1", NOT_WEB),
    ("javascript:alert(1)", NOT_WEB),
    ("mastodon.social/@lindeveld/1", NOT_WEB),
    ("https://user:secret@mastodon.social/@lindeveld/1", NOT_WEB),
    ("https://[::1", NOT_WEB),
    ("http://mastodon.social/@lindeveld/1234", NOT_HTTPS),
    ("http://www.linkedin.com/feed/update/urn:li:activity:1/", NOT_HTTPS),
    ("https://mastodon.social/@lindeveld", NOT_A_POST),
    ("https://mastodon.social/@lindeveld/12ab", NOT_A_POST),
    ("https://bsky.app/profile/lindeveld.bsky.social", NOT_A_POST),
    ("https://bsky.app/profile/<b>/post/3lbq5x2kqzs2a", NOT_A_POST),
    ("https://www.facebook.com/", NOT_A_POST),
    ("https://example.org/nieuws/", NOT_A_POST),
    ("https://notlinkedin.com/@lindeveld/1", "mastodon"),  # any host may be a Mastodon server
])
def test_what_is_not_a_post_says_why(url, reason):
    found = recognise(url)
    assert (found if isinstance(found, str) else found.network) == reason


def test_addresses_and_their_lines():
    assert addresses(["https://a.example/@x/1, https://b.example/@y/2", "https://a.example/@x/1"]) \
        == ["https://a.example/@x/1", "https://b.example/@y/2"]
    assert addresses("  ") == [] and addresses(None) == []
    text = ("Title: X\nDiscussed: https://a.example/@x/1,\n    https://b.example/@y/2 "
            "https://c.example/@z/3\nTags: a\n    b\n\nDiscussed: https://d.example/@w/4\n")
    assert written(text) == [(2, "https://a.example/@x/1"), (3, "https://b.example/@y/2"),
                             (3, "https://c.example/@z/3")]


def test_every_message_has_its_dutch_line_with_the_same_placeholders():
    with (PLUGIN / "locale" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="nl")
    wanted = set()
    for source in sorted(PLUGIN.glob("*.py")):
        wanted |= {message for _line, message, _comments, _context
                   in extract_from_file("python", source)}
    entries = {message.id: message for message in catalogue if message.id}
    assert len(wanted) >= 8
    assert sorted(map(str, wanted - set(entries))) == []
    assert sorted(map(str, set(entries) - wanted)) == []
    for msgid, message in entries.items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not message.fuzzy and all(strings), msgid
        for string in strings:
            assert set(re.findall(r"\{(\w*)\}", string)) == \
                set(re.findall(r"\{(\w*)\}", ids[-1])), string
            if " — " in ids[0]:
                assert " — " in string


def preview_settings(tmp_path, content, output, bluesky) -> Path:
    path = tmp_path / f"conf-{output.name}.py"
    path.write_text(
        FROM_PELICANCONF +
        f"PATH = {str(content)!r}\nOUTPUT_PATH = {str(output)!r}\n"
        f"CACHE_PATH = {str(tmp_path / 'cache')!r}\n"
        f"THEME = {str(ROOT / 'theme')!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n"
        f"DISCUSSED_ON_BLUESKY_API = {bluesky.url!r}\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_the_live_preview_shows_an_edit_of_the_key_in_place(tmp_path, content_copy, networks):
    from dorpsplein.build import build
    from dorpsplein.incremental import WarmSite

    mastodon, bluesky = networks
    site = WarmSite(str(preview_settings(tmp_path, content_copy, tmp_path / "warm", bluesky)))
    site.full()
    article = content_copy / "articles" / "2026-09-x-of-mastodon.md"
    text = article.read_text(encoding="utf-8")
    toot = f"{mastodon.url}/@lindeveld/1234"
    article.write_text(text.replace("\n\n", f"\nDiscussed: {toot}, {LINKEDIN}\n\n", 1),
                       encoding="utf-8")
    assert site.update(article) is True
    page = (tmp_path / "warm" / "2026" / "x-of-mastodon" / "index.html").read_text("utf-8")
    assert "Besproken op" in page and "12 reacties" in page and LINKEDIN in page
    build(str(preview_settings(tmp_path, content_copy, tmp_path / "fresh", bluesky)))
    fresh = (tmp_path / "fresh" / "2026" / "x-of-mastodon" / "index.html").read_text("utf-8")
    assert page == fresh

    # A wrong address: the one-article update gives way to the full build,
    # which names it.
    article.write_text(text.replace("\n\n", "\nDiscussed: https://example.org/x\n\n", 1),
                       encoding="utf-8")
    assert site.update(article) is False
