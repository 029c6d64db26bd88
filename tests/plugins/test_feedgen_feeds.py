"""Feeds: every feed written by feedgen, valid, complete, stable ids, discoverable."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from feed_rules import atom_problems, rss_problems
from stop_lines import stop_line

pytestmark = pytest.mark.slow

PREVIEW = "http://127.0.0.1:8000"


def feed_files(site) -> list[Path]:
    return sorted((site.output / "feeds").rglob("*.xml"))


def articles_of(site) -> dict[str, BeautifulSoup]:
    """Published articles by URL, newest first (as the archive lists them)."""
    archive = site.html("/archief/")
    urls = [a["href"] for a in archive.select(".archive-list a")]
    return {url: site.html(url) for url in urls}


def expected_feeds(site) -> set[str]:
    paths = {"feeds/atom.xml", "feeds/rss.xml"}
    for doc in articles_of(site).values():
        crumb = doc.select_one(".breadcrumbs li:nth-of-type(2) a")
        category = crumb["href"].strip("/").split("/")[-1]
        paths |= {f"feeds/thema/{category}.atom.xml", f"feeds/thema/{category}.rss.xml"}
        for tag in doc.select(".tag-list a.tag"):
            slug = tag["href"].strip("/").split("/")[-1]
            paths |= {f"feeds/tag/{slug}.atom.xml", f"feeds/tag/{slug}.rss.xml"}
    return paths


def test_every_feed_exists_and_nothing_else_writes_feeds(sample_site):
    written = {p.relative_to(sample_site.output).as_posix() for p in feed_files(sample_site)}
    assert written == expected_feeds(sample_site)
    stray = [p for p in sample_site.output.rglob("*.xml") if "feeds" not in p.parts]
    assert stray == [], "Pelican's own feed writer is on"
    for path in feed_files(sample_site):
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.feed.generator == "Dorpsplein", path


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_every_feed_is_valid(sample_site, kind):
    checked = 0
    for path in feed_files(sample_site):
        if not path.name.endswith(f"{kind}.xml"):
            continue
        data = path.read_bytes()
        problems = atom_problems(data) if kind == "atom" else rss_problems(data)
        assert problems == [], f"{path.name}: {problems}"
        parsed = feedparser.parse(data)
        assert parsed.bozo is False, f"{path.name}: {parsed.get('bozo_exception')}"
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_site_feed_matches_the_articles(sample_site, kind):
    parsed = feedparser.parse((sample_site.output / "feeds" / f"{kind}.xml").read_bytes())
    articles = articles_of(sample_site)
    assert parsed.feed.language == "nl-BE"
    assert parsed.feed.title == "Lindeveld in gesprek — alle artikels"
    assert [urlsplit(e.link).path for e in parsed.entries] == list(articles)
    ids = [e.id for e in parsed.entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
    for entry, (url, doc) in zip(parsed.entries, articles.items(), strict=True):
        assert entry.link == PREVIEW + url
        assert entry.title == doc.h1.get_text()
        published = datetime.fromisoformat(doc.select_one(".article-meta time")["datetime"])
        assert tuple(entry.published_parsed)[:6] == published.astimezone(UTC).timetuple()[:6]
        author = doc.select_one(".article-meta a[href^='/auteur/']").get_text()
        assert entry.author_detail.name == author
        terms = {t.term for t in entry.tags}
        assert doc.select_one(".breadcrumbs li:nth-of-type(2) a").get_text() in terms
        assert {a.get_text() for a in doc.select(".tag-list a.tag")} <= terms
        assert entry.summary.strip() and "<" not in entry.summary


def test_dates_carry_the_brussels_offset(sample_site):
    atom = (sample_site.output / "feeds" / "atom.xml").read_text()
    dates = re.findall(r"<(?:published|updated)>([^<]+)<", atom)
    assert dates and all(d.endswith(("+01:00", "+02:00")) for d in dates)
    assert "2026-09-08T09:30:00+02:00" in atom  # summer time
    assert "2026-11-19T08:30:00+01:00" in atom  # winter time


def test_content_is_full_with_absolute_links_and_images(sample_site):
    parsed = feedparser.parse((sample_site.output / "feeds" / "atom.xml").read_bytes())
    images = 0
    for entry in parsed.entries:
        html = entry.content[0].value
        assert len(html) > 2000, "full content expected"
        doc = BeautifulSoup(html, "lxml")
        for element in doc.find_all(["a", "img"]):
            value = element.get("href") or element.get("src")
            assert value.startswith(("http://", "https://", "mailto:")), value
        images += len(doc.find_all("img"))
    assert images >= 3


def test_articles_with_an_image_have_an_enclosure(sample_site):
    parsed = feedparser.parse((sample_site.output / "feeds" / "rss.xml").read_bytes())
    with_image = {e.link: e.enclosures for e in parsed.entries if e.enclosures}
    assert len(with_image) == 3
    for enclosures in with_image.values():
        [enclosure] = enclosures
        assert enclosure.type == "image/svg+xml"
        assert enclosure.href.startswith(PREVIEW + "/images/")
        assert int(enclosure.length) > 1000


def test_category_and_tag_feeds_hold_only_their_articles(sample_site):
    parsed = feedparser.parse(
        (sample_site.output / "feeds" / "thema" / "sociale-media.atom.xml").read_bytes())
    assert parsed.feed.title == "Lindeveld in gesprek — thema Sociale media"
    assert len(parsed.entries) == 3
    assert all(any(t.term == "Sociale media" for t in e.tags) for e in parsed.entries)
    tag = feedparser.parse((sample_site.output / "feeds" / "tag" / "facebook.rss.xml").read_bytes())
    assert tag.feed.title == "Lindeveld in gesprek — trefwoord facebook"
    assert [e.title for e in tag.entries] == ["Een Facebookpagina voor de gemeente: zo begin je"]


def test_switching_siteurl_changes_links_but_not_ids(build_site):
    first = build_site(settings_file="publishconf.py", SITEURL="https://blog.lindeveld.example")
    one = feedparser.parse((first.output / "feeds" / "atom.xml").read_bytes())
    second = build_site(settings_file="publishconf.py", SITEURL="http://www.lindeveld.be/blog")
    two = feedparser.parse((second.output / "feeds" / "atom.xml").read_bytes())
    assert [e.id for e in one.entries] == [e.id for e in two.entries]
    assert one.entries[0].link.startswith("https://blog.lindeveld.example/2026/")
    assert two.entries[0].link.startswith("http://www.lindeveld.be/blog/2026/")
    assert one.feed.id == two.feed.id
    self_links = [lk.href for lk in two.feed.links if lk.rel == "self"]
    assert self_links == ["http://www.lindeveld.be/blog/feeds/atom.xml"]


def test_pages_announce_their_feeds(sample_site):
    def alternates(url):
        return {(lk["type"], lk["href"]) for lk in
                sample_site.html(url).select('head link[rel="alternate"]')}

    site = {("application/atom+xml", "/feeds/atom.xml"), ("application/rss+xml", "/feeds/rss.xml")}
    assert alternates("/") == site
    assert alternates("/2026/x-of-mastodon/") == site
    assert alternates("/thema/moderatie/") == site | {
        ("application/atom+xml", "/feeds/thema/moderatie.atom.xml"),
        ("application/rss+xml", "/feeds/thema/moderatie.rss.xml")}
    assert alternates("/tag/mastodon/") == site | {
        ("application/atom+xml", "/feeds/tag/mastodon.atom.xml"),
        ("application/rss+xml", "/feeds/tag/mastodon.rss.xml")}


def test_follow_page_lists_every_feed(sample_site):
    doc = sample_site.html("/volg-ons/")
    assert doc.h1.get_text() == "Volg ons"
    listed = {a["href"].lstrip("/") for a in doc.select(".feed-list a")}
    assert listed == expected_feeds(sample_site)
    assert "feedlezer" in doc.select_one(".prose").get_text()
    footer = {a["href"] for a in sample_site.html("/").select("footer a")}
    assert "/volg-ons/" in footer


def _article(content, name, title, body):
    (content / "articles" / name).write_text(
        f"Title: {title}\nDate: 2026-11-20 10:00\nCategory: Moderatie\nSlug: speciaal\n"
        "Tags: tekens\nSummary: Een test met é & < en 🎉.\n\n" + body, encoding="utf-8")


def test_special_characters_survive_intact(build_site, content_copy):
    title = 'Café "De Linde" & co: meer dan 5 < 10 — 🎉'
    _article(content_copy, "speciaal.md", title,
             "Een zin met é, & en < en \"aanhalingstekens\" en een emoji 🌳.\n")
    site = build_site(content=content_copy)
    for kind in ("atom", "rss"):
        data = (site.output / "feeds" / "tag" / f"tekens.{kind}.xml").read_bytes()
        assert (atom_problems if kind == "atom" else rss_problems)(data) == []
        parsed = feedparser.parse(data)
        assert parsed.bozo is False
        [entry] = parsed.entries
        assert entry.title == title
        assert entry.summary == "Een test met é & < en 🎉."
        body = entry.content[0].value if kind == "atom" else entry.content[0].value
        assert "é, &amp; en &lt; en" in body and "🌳" in body


def test_item_count_and_summary_only_follow_the_settings(build_site):
    site = build_site(FEEDGEN_FEEDS_MAX_ITEMS=2, FEEDGEN_FEEDS_CONTENT="summary",
                      FEEDGEN_FEEDS_TYPES=["atom"])
    parsed = feedparser.parse((site.output / "feeds" / "atom.xml").read_bytes())
    assert len(parsed.entries) == 2
    assert "content" not in parsed.entries[0]
    assert not (site.output / "feeds" / "rss.xml").exists()


def test_a_feed_in_a_browser_wears_the_towns_colours(build_site):
    site = build_site(TOWN_BRAND_COLOUR="#0b4f8a")
    css = (site.output / "feeds" / "style.css").read_text(encoding="utf-8")
    palette = site.settings["TOWN_PALETTE"]
    assert palette["brand"] == "#0b4f8a"
    for colour in (palette["brand"], palette["brand_tint"], palette["brand_on_dark"]):
        assert colour in css
    assert "#1d5c3a" not in css


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"FEEDGEN_FEEDS_TYPES": ["atom", "json"]},
         "FEEDGEN_FEEDS_TYPES has an unknown feed type 'json': use 'atom' or 'rss'"),
        ({"FEEDGEN_FEEDS_MAX_ITEMS": -5},
         "FEEDGEN_FEEDS_MAX_ITEMS = -5 must be a whole number of 1 or more"),
        ({"FEEDGEN_FEEDS_CONTENT": "alles"}, "FEEDGEN_FEEDS_CONTENT = 'alles' is not a choice"),
        ({"FEEDGEN_FEEDS_ID_NAMESPACE": "lindeveld"},
         "FEEDGEN_FEEDS_ID_NAMESPACE = 'lindeveld' is not a UUID"),
    ],
)
def test_bad_feed_settings_stop_the_build(build_site, overrides, expected):
    line = stop_line(build_site, **overrides)
    assert line.startswith(expected), line
