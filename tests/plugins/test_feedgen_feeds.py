"""Feeds: every feed written by feedgen, valid, complete, stable ids, discoverable."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from feed_rules import ATOM, atom_problems, rss_problems
from lxml import etree
from stop_lines import stop_line

pytestmark = pytest.mark.slow

PREVIEW = "http://127.0.0.1:8000"
XHTML = "http://www.w3.org/1999/xhtml"
H = f"{{{XHTML}}}"
A = f"{{{ATOM}}}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
INTRO = [  # the Dutch catalogue's words, as a reader sees them
    "Dit is een nieuwsfeed: een lijst met de nieuwste artikels, die een feedlezer (zoals "
    "Feeder, NetNewsWire, Thunderbird of Inoreader) voor je in de gaten houdt.",
    "Wil je hem volgen? Kopieer het adres van deze pagina uit de adresbalk naar je feedlezer.",
    "De artikels zelf lees je op de website.",
]


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
    # Other XML (a sitemap) may exist; no feed outside feeds/.
    feed_roots = (A + "feed", "rss", "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF")
    stray = [p for p in sample_site.output.rglob("*.xml") if "feeds" not in p.parts
             and etree.parse(str(p)).getroot().tag in feed_roots]
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


def page_of_feed(relative: str) -> str:
    """The site page a feed belongs to, from the feed's own address."""
    parts = relative.split("/")
    if len(parts) == 2:  # feeds/atom.xml
        return "/"
    return f"/{parts[1]}/{parts[2].split('.')[0]}/"  # feeds/thema/<slug>.atom.xml


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def browser_parts(data: bytes) -> dict:
    """What a feed holds for a browser: its XHTML elements, read with lxml."""
    root = etree.fromstring(data)
    atom = root.tag == A + "feed"
    parent = root if atom else root.find("channel")
    entries = parent.findall(A + "entry") if atom else parent.findall("item")
    return {
        "parent": parent,
        "title": parent.findtext(A + "title" if atom else "title"),
        "entries": [
            {"element": entry,
             "title": entry.findtext(A + "title" if atom else "title"),
             "link": (entry.find(A + "link[@rel='alternate']").get("href") if atom
                      else entry.findtext("link"))}
            for entry in entries
        ],
    }


def test_every_feed_carries_a_page_for_browsers(sample_site):
    """Viewport, title, intro, a link to the feed's page, a linked title per entry."""
    checked = 0
    for path in feed_files(sample_site):
        relative = path.relative_to(sample_site.output).as_posix()
        feed = browser_parts(path.read_bytes())
        parent = feed["parent"]
        children = [child.tag for child in parent]
        assert children[:2] == [H + "title", H + "meta"], relative
        assert parent.findtext(H + "title") == feed["title"]
        assert parent.find(H + "meta").attrib == {
            "name": "viewport", "content": "width=device-width, initial-scale=1"}
        [header] = parent.findall(H + "header")
        assert header.get(XML_LANG) == "nl-BE"
        assert header.findtext(H + "h1") == feed["title"]
        intro = header.find(H + "div[@class='feed-intro']")
        assert [text_of(p) for p in intro.findall(H + "p")] == INTRO, relative
        [home] = header.iter(H + "a")
        page = page_of_feed(relative)
        assert home.get("href") == PREVIEW + page, relative
        assert text_of(home) == "Naar de website van Lindeveld in gesprek"
        assert sample_site.path(page).is_file(), f"{relative}: {page} does not exist"
        assert feed["entries"], relative
        for entry in feed["entries"]:
            element = entry["element"]
            [link] = element.iter(H + "a")
            assert element[0].tag == H + "h2" and link.getparent() is element[0], relative
            assert link.get("href") == entry["link"], relative
            assert text_of(link) == entry["title"], relative
            assert element[0].get(XML_LANG) == "nl-BE"
        # Only the header and the entries' headings: nothing else for browsers.
        assert len(list(parent.iter(H + "*"))) == len(list(header.iter())) + 2 + sum(
            len(list(e["element"].iter(H + "*"))) for e in feed["entries"])
        checked += 1
    assert checked == len(expected_feeds(sample_site))


def test_site_feed_headings_link_the_articles_in_order(sample_site):
    for kind in ("atom", "rss"):
        feed = browser_parts((sample_site.output / "feeds" / f"{kind}.xml").read_bytes())
        headings = [next(e["element"].iter(H + "a")) for e in feed["entries"]]
        articles = articles_of(sample_site)
        assert [a.get("href") for a in headings] == [PREVIEW + url for url in articles]
        assert [text_of(a) for a in headings] == [d.h1.get_text() for d in articles.values()]


def without_xhtml(data: bytes) -> bytes:
    root = etree.fromstring(data)
    found = [el for el in root.iter(H + "*") if not el.getparent().tag.startswith(H)]
    assert found, "no XHTML elements to strip"
    for element in found:
        element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def readers_view(parsed) -> tuple[dict, list[dict]]:
    """What a feed reader gets from feedparser, minus the xhtml_* keys it adds
    for the (to it unknown) XHTML elements."""
    def keep(mapping):
        return {k: v for k, v in mapping.items() if not k.startswith("xhtml_")}

    return keep(parsed.feed), [keep(entry) for entry in parsed.entries]


def test_browser_elements_change_nothing_a_feed_reader_reads(sample_site):
    """feedparser reads every feed without complaint and gets the same title,
    links, ids, summaries, content and dates as from the feed without the
    XHTML elements; those only add xhtml_* keys beside them."""
    for path in feed_files(sample_site):
        data = path.read_bytes()
        parsed = feedparser.parse(data)
        assert parsed.bozo is False, f"{path.name}: {parsed.get('bozo_exception')}"
        bare = feedparser.parse(without_xhtml(data))
        assert bare.bozo is False
        feed, entries = readers_view(parsed)
        assert feed == dict(bare.feed), path.name
        assert entries == [dict(e) for e in bare.entries], path.name
        added = set(parsed.feed) - set(bare.feed)
        for entry, plain in zip(parsed.entries, bare.entries, strict=True):
            added |= set(entry) - set(plain)
            assert (entry.title, entry.link, entry.id, entry.summary) == (
                plain.title, plain.link, plain.id, plain.summary)
            assert entry.title_detail.type == "text/plain"
        assert added and all(k.startswith("xhtml_") for k in added), added


def test_feed_words_are_written_once_escaped(build_site):
    site = build_site(SITENAME="Dorp & <Co>", SITESUBTITLE="Wij & jij")
    data = (site.output / "feeds" / "atom.xml").read_bytes()
    assert atom_problems(data) == []
    parsed = feedparser.parse(data)
    assert parsed.feed.title == "Dorp & <Co> — alle artikels"
    assert parsed.feed.subtitle == "Wij & jij"
    header = browser_parts(data)["parent"].find(H + "header")
    assert header.findtext(H + "h1") == "Dorp & <Co> — alle artikels"
    assert header.findtext(H + "p[@class='feed-subtitle']") == "Wij & jij"
    assert text_of(next(header.iter(H + "a"))) == "Naar de website van Dorp & <Co>"


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
        [heading] = browser_parts(data)["entries"][0]["element"].iter(H + "a")
        assert text_of(heading) == title
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
    # The intro is real text in the feed, not CSS generated content (which
    # screen readers read unreliably).
    assert "::before" not in css and "content:" not in css
    assert '@namespace h url("http://www.w3.org/1999/xhtml");' in css


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


# -- links other plugins give the feeds (dorpsplein_kit.FeedLink) ----------------

FOLLOW = f"{PREVIEW}/volg-ons/#volg-per-e-mail"


def threads(site) -> dict:
    """The comment threads the build wrote, by article address."""
    return json.loads((site.output / "isso-threads.json").read_text(encoding="utf-8"))["threads"]


def links_of(item, rel: str) -> list[tuple[str, str]]:
    return [(link["href"], link.get("title", "")) for link in item.get("links", [])
            if link.get("rel") == rel]


def expected_entry_links(site, url: str) -> dict:
    """What an entry must link, from the article's page and the comment threads."""
    doc = site.html(url)
    state = threads(site).get(url, {}).get("state")
    replies = []
    if state:
        assert doc.find(id="reacties"), url  # the anchor exists on the page
        text = "Reageer op dit artikel" if state == "open" else "Lees de reacties op dit artikel"
        replies = [(f"{PREVIEW}{url}#reacties", text)]
    discussed = [(a["href"], "Besproken op " + a.get_text(strip=True).split(" (")[0])
                 for a in doc.select(".discussed-on__link")]
    return {"replies": replies, "related": discussed + [(FOLLOW, "Volg ons per e-mail")]}


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_feeds_link_the_email_option_and_each_articles_discussion(sample_site, kind):
    assert sample_site.html("/volg-ons/").find(id="volg-per-e-mail").find("form")
    discussed = closed = 0
    for path in feed_files(sample_site):
        if not path.name.endswith(f"{kind}.xml"):
            continue
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo is False
        assert links_of(parsed.feed, "related") == [(FOLLOW, "Volg ons per e-mail")], path.name
        home = [link for link in parsed.feed.links if link.get("rel") == "alternate"]
        assert home and not home[0]["href"].endswith("#volg-per-e-mail")
        for entry in parsed.entries:
            url = urlsplit(entry.link).path
            want = expected_entry_links(sample_site, url)
            assert links_of(entry, "replies") == want["replies"], (path.name, url)
            assert links_of(entry, "related") == want["related"], (path.name, url)
            if kind == "rss":
                assert entry.get("comments") == (want["replies"][0][0] if want["replies"]
                                                 else None)
            discussed += len(want["related"]) > 1
            closed += bool(want["replies"]) and "Lees" in want["replies"][0][1]
    assert discussed and closed  # the sample has both kinds


def test_every_entry_ends_with_the_same_links_in_words(sample_site):
    for kind in ("atom", "rss"):
        parsed = feedparser.parse((sample_site.output / "feeds" / f"{kind}.xml").read_bytes())
        for entry in parsed.entries:
            url = urlsplit(entry.link).path
            want = expected_entry_links(sample_site, url)
            doc = BeautifulSoup(entry.content[0].value, "lxml")
            footer = doc.select("p.feed-entry-links")
            assert len(footer) == 1 and footer[0] is doc.find_all("p")[-1], url
            hrefs = [a["href"] for a in footer[0].find_all("a")]
            assert hrefs == [h for h, _t in want["replies"] + want["related"]], url
            text = footer[0].get_text(" ", strip=True)
            parts = [t for _h, t in want["replies"]]
            networks = [t.removeprefix("Besproken op ") for _h, t in want["related"][:-1]]
            if networks:
                parts.append("Besproken op " + " , ".join(networks))
            parts.append("Volg ons per e-mail")
            assert text == " · ".join(parts), text


def test_the_atom_entry_links_keep_their_rel_type_and_title(sample_site):
    root = etree.parse(str(sample_site.output / "feeds" / "atom.xml")).getroot()
    entry = root.find(A + "entry")
    rels = [(lk.get("rel"), lk.get("type")) for lk in entry.findall(A + "link")]
    assert rels[0] == ("alternate", "text/html")
    assert ("replies", "text/html") in rels and ("related", "text/html") in rels
    channel = etree.parse(str(sample_site.output / "feeds" / "rss.xml")).getroot()[0]
    assert channel.findtext("link") == PREVIEW + "/"
    related = [lk.attrib for lk in channel.findall(A + "link") if lk.get("rel") == "related"]
    assert related == [{"href": FOLLOW, "rel": "related", "type": "text/html",
                        "title": "Volg ons per e-mail"}]


def without_given_links(data: bytes) -> bytes:
    """A feed without what other plugins' links added: their link lines, RSS
    comments and the entries' closing paragraph."""
    text = data.decode("utf-8")
    text = re.sub(r'\n *<(?:atom:)?link href="[^"]*" rel="(?:related|replies)"[^>]*/>', "", text)
    text = re.sub(r"\n *<comments>[^<]*</comments>", "", text)
    text = re.sub(r'\n&lt;p class="feed-entry-links"&gt;.*?&lt;/p&gt;(?=</content>|\]\]>|'
                  r"</content:encoded>)", "", text, flags=re.S)
    return text.encode("utf-8")


def test_without_given_links_the_feeds_are_byte_for_byte_as_before(build_site, content_copy,
                                                                   sample_site):
    """Nobody gives a link (comments off, nothing posted, no e-mail option):
    every feed is the sample's feed minus exactly those additions."""
    for path in (content_copy / "articles").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^(Comments|Discussed):.*\n", "", text, flags=re.M | re.I)
        path.write_text(text, encoding="utf-8")
    site = build_site(content=content_copy, ISSO_COMMENTS_DEFAULT="off",
                      PARTICIPATION_EMAIL_FOLLOW=False, PARTICIPATION_NOW="2026-11-27 12:00",
                      PARTICIPATION_DATA=str(sample_site.settings["PARTICIPATION_DATA"]))
    plain_feeds = feed_files(site)
    assert [p.relative_to(site.output) for p in plain_feeds] == [
        p.relative_to(sample_site.output) for p in feed_files(sample_site)]
    for path in plain_feeds:
        data = path.read_bytes()
        assert b'rel="related"' not in data and b'rel="replies"' not in data
        assert b"<comments>" not in data and b"feed-entry-links" not in data
        given = (sample_site.output / path.relative_to(site.output)).read_bytes()
        assert given != data
        assert without_given_links(given) == data, path.name
