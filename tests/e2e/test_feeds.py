"""A feed opened in Chromium on a phone reads as a Dutch page: the XHTML elements
in the feed (viewport, intro, linked titles, a link to the site) are real HTML
elements, styled by the feed's CSS stylesheet; no XSLT.

axe-core is not run here: an XML document has no document.body and axe does
not take the h: elements for HTML (nodeName "h:a"), so its link, title, lang
and viewport rules are "inapplicable" and its contrast check "incomplete": a
pass would prove nothing. Chromium's own accessibility tree and a contrast
check on the computed colours stand in for it."""

from __future__ import annotations

import re

import feedparser
import pytest
from dorpsplein_kit.colours import contrast_ratio

pytestmark = pytest.mark.e2e

# Feeds link absolutely to the address the sample site was built for; the
# tests serve it elsewhere, so requests to that address are answered from there.
PREVIEW = "http://127.0.0.1:8000"
# A feed and the site page its "Naar de website" link goes to.
FEEDS = {
    "/feeds/atom.xml": "/",
    "/feeds/rss.xml": "/",
    "/feeds/thema/moderatie.atom.xml": "/thema/moderatie/",
    "/feeds/tag/mastodon.rss.xml": "/tag/mastodon/",
}
INTRO = [
    "Dit is een nieuwsfeed: een lijst met de nieuwste artikels, die een feedlezer (zoals "
    "Feeder, NetNewsWire, Thunderbird of Inoreader) voor je in de gaten houdt.",
    "Wil je hem volgen? Kopieer het adres van deze pagina uit de adresbalk naar je feedlezer.",
    "De artikels zelf lees je op de website.",
]
HOME_TEXT = "Naar de website van Lindeveld in gesprek"

PAGE_STATE = """() => {
  const H = 'http://www.w3.org/1999/xhtml';
  const shown = el => el.getBoundingClientRect().height > 0;
  const text = el => el.textContent.replace(/\\s+/g, ' ').trim();
  const size = el => parseFloat(getComputedStyle(el).fontSize);
  const link = a => a && {kind: a.constructor.name, href: a.href, text: text(a), shown: shown(a)};
  const header = document.getElementsByTagNameNS(H, 'header')[0];
  const entries = [...document.querySelectorAll('entry, item')];
  const summaries = [...document.querySelectorAll('entry > summary, item > description')];
  return {
    width: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    title: document.title,
    sheets: document.styleSheets.length,
    h1: header && text(header.getElementsByTagNameNS(H, 'h1')[0]),
    intro: header ? [...header.getElementsByTagNameNS(H, 'div')[0]
      .getElementsByTagNameNS(H, 'p')].map(p => ({text: text(p), shown: shown(p), size: size(p)}))
      : [],
    home: header && link(header.getElementsByTagNameNS(H, 'a')[0]),
    headings: entries.map(e => link(e.getElementsByTagNameNS(H, 'a')[0])),
    summarySizes: summaries.filter(shown).map(size),
    rawTitles: [...document.querySelectorAll('entry > title, item > title')].filter(shown).length,
    raw: [...document.querySelectorAll('content, encoded, id, guid, updated, pubDate, link')]
      .filter(shown).length,
  };
}"""


def parsed_feed(sample_site, path):
    return feedparser.parse((sample_site.output / path.lstrip("/")).read_bytes())


def serve_preview_address(page, served_site):
    """Answer page requests to the address the feeds link to from the served
    site (pictures, styles and scripts of those pages are not needed here)."""
    def forward(route):
        if route.request.resource_type != "document":
            route.abort()
            return
        route.fulfill(response=route.fetch(url=served_site + route.request.url[len(PREVIEW):]))

    page.route(PREVIEW + "/**", forward)


@pytest.mark.parametrize("path", list(FEEDS))
def test_feed_on_a_phone_is_a_readable_dutch_page(phone, sample_site, served_site, artifacts,
                                                  path):
    feed = parsed_feed(sample_site, path)
    console = []
    phone.on("console", lambda m: console.append(m.text))
    phone.goto(served_site + path)
    state = phone.evaluate(PAGE_STATE)

    assert state["width"] == 375, "the viewport meta is not applied (980 px layout)"
    assert state["scrollWidth"] <= 375, "the page scrolls sideways"
    assert state["sheets"] == 1
    assert state["title"] == state["h1"] == feed.feed.title
    assert [p["text"] for p in state["intro"]] == INTRO
    assert all(p["shown"] and p["size"] >= 16 for p in state["intro"]), state["intro"]
    assert state["summarySizes"] and min(state["summarySizes"]) >= 16
    assert state["home"] == {"kind": "HTMLAnchorElement", "href": PREVIEW + FEEDS[path],
                             "text": HOME_TEXT, "shown": True}
    assert state["headings"] == [
        {"kind": "HTMLAnchorElement", "href": entry.link, "text": entry.title, "shown": True}
        for entry in feed.entries
    ]
    assert state["rawTitles"] == 0, "an entry title shows twice"
    assert state["raw"] == 0, "raw ids, dates, links or HTML content are visible"
    assert not phone.locator("xslt-warning-banner").count()
    assert not [m for m in console if "xsl" in m.lower()], console
    if path == "/feeds/atom.xml":
        phone.screenshot(path=str(artifacts / "feed-375.png"))


@pytest.mark.parametrize("path", ["/feeds/atom.xml", "/feeds/tag/mastodon.rss.xml"])
def test_titles_and_the_home_link_lead_to_the_site(phone, sample_site, served_site, path):
    entry = parsed_feed(sample_site, path).entries[0]
    serve_preview_address(phone, served_site)
    phone.goto(served_site + path)

    with phone.expect_navigation() as article:
        phone.locator(f'entry > h2 > a[href="{entry.link}"], '
                      f'item > h2 > a[href="{entry.link}"]').click()
    response = article.value
    assert (response.url, response.status) == (entry.link, 200)
    assert response.headers["content-type"].startswith("text/html")
    assert phone.locator("h1").first.inner_text() == entry.title

    phone.go_back()
    with phone.expect_navigation() as home:
        phone.locator("header > p > a").click()
    response = home.value
    assert (response.url, response.status) == (PREVIEW + FEEDS[path], 200)
    assert response.headers["content-type"].startswith("text/html")
    assert phone.evaluate("document.contentType") == "text/html"


FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {kind: el.constructor.name, href: el.href, outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth)};
}"""


def test_keyboard_reaches_the_links_with_a_visible_focus(phone, sample_site, served_site):
    feed = parsed_feed(sample_site, "/feeds/atom.xml")
    phone.goto(served_site + "/feeds/atom.xml")
    reached = []
    for _ in range(3):
        phone.keyboard.press("Tab")
        reached.append(phone.evaluate(FOCUSED))
    assert [r["href"] for r in reached] == [PREVIEW + "/"] + [e.link for e in feed.entries[:2]]
    for focused in reached:
        assert focused["kind"] == "HTMLAnchorElement"
        assert focused["outline"] != "none" and focused["width"] >= 2, focused


def test_screen_readers_get_headings_links_and_the_intro_as_text(phone, sample_site,
                                                                 served_site):
    """Chromium's own accessibility tree (what a screen reader reads)."""
    path = "/feeds/thema/moderatie.rss.xml"
    feed = parsed_feed(sample_site, path)
    phone.goto(served_site + path)
    session = phone.context.new_cdp_session(phone)
    nodes = [n for n in session.send("Accessibility.getFullAXTree")["nodes"]
             if not n.get("ignored")]

    def named(role, **properties):
        found = []
        for node in nodes:
            values = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
            if node["role"]["value"] == role and all(values.get(k) == v
                                                     for k, v in properties.items()):
                found.append(node.get("name", {}).get("value", ""))
        return found

    assert named("RootWebArea") == [feed.feed.title]
    assert named("heading", level=1) == [feed.feed.title]
    assert sorted(named("heading", level=2)) == sorted(e.title for e in feed.entries)
    assert sorted(named("link")) == sorted([HOME_TEXT] + [e.title for e in feed.entries])
    static = {n.get("name", {}).get("value", "") for n in nodes
              if n["role"]["value"] == "StaticText"}
    assert set(INTRO) <= static, "the intro is not text in the accessibility tree"


EFFECTIVE_COLOURS = """() => {
  const H = 'http://www.w3.org/1999/xhtml';
  const background = el => {
    for (let node = el; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(colour) && colour !== 'transparent') return colour;
    }
    return null;
  };
  const pick = {
    'h1': document.getElementsByTagNameNS(H, 'h1')[0],
    'subtitle': document.getElementsByTagNameNS(H, 'p')[0],
    'intro': document.getElementsByTagNameNS(H, 'div')[0].firstElementChild,
    'home link': document.getElementsByTagNameNS(H, 'header')[0]
      .getElementsByTagNameNS(H, 'a')[0],
    'title link': document.getElementsByTagNameNS(H, 'h2')[0].firstElementChild,
    'summary': document.querySelector('entry > summary, item > description'),
  };
  return Object.fromEntries(Object.entries(pick).map(([name, el]) =>
    [name, [getComputedStyle(el).color, background(el)]]));
}"""


def rgb(css: str) -> tuple[int, int, int]:
    return tuple(int(float(v)) for v in re.findall(r"[\d.]+", css)[:3])  # type: ignore[return-value]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/feeds/atom.xml", "/feeds/rss.xml"])
def test_text_contrast_meets_wcag_aa(browser, served_site, scheme, path):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(served_site + path)
        colours = page.evaluate(EFFECTIVE_COLOURS)
    finally:
        context.close()
    assert all(bg for _fg, bg in colours.values()), colours
    ratios = {name: round(contrast_ratio(rgb(fg), rgb(bg)), 2)
              for name, (fg, bg) in colours.items()}
    assert min(ratios.values()) >= 4.5, f"{scheme}: {ratios} ({colours})"
    if scheme == "dark":
        assert rgb(colours["summary"][1]) != (255, 255, 255), "no dark mode"
