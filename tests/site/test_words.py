"""Words and truth: the built site says "Start", names feeds in words, calls a
draft a draft, addresses the reader as "je" on every page, and its sample
pages claim nothing the site does not do."""

from __future__ import annotations

import re

import pytest
from isso_comments.settings import merged

pytestmark = pytest.mark.slow

# The sample pages (content/pages/), by address.
PAGES = ["/over-deze-blog/", "/contact/", "/privacyverklaring/",
         "/toegankelijkheidsverklaring/", "/reageerregels/", "/volg-ons/"]
# Words that address the reader as "u". "U" never starts a sentence here in
# another sense; quoted speech would go in ALLOWED.
FORMAL = {"u", "uw", "uzelf", "hebt u", "kunt u", "wilt u", "bent u"}
ALLOWED: set[str] = set()


def visible_text(doc) -> str:
    """What a reader sees, without JavaScript too (<noscript> included)."""
    for hidden in doc.find_all(["script", "style", "template"]):
        hidden.decompose()
    return doc.body.get_text(" ", strip=True)


def words(text: str) -> list[str]:
    return re.findall(r"[\wÀ-ÿ'-]+", text.lower())


def test_no_page_says_home(sample_site):
    saying_home = []
    for page in sample_site.pages():
        url = sample_site.url_of(page)
        if "home" in words(visible_text(sample_site.html(url))):
            saying_home.append(url)
    assert not saying_home, f"'Home' on: {saying_home}"


def test_menu_and_breadcrumbs_say_start(sample_site):
    doc = sample_site.html("/2026/x-of-mastodon/")
    assert doc.select_one(".breadcrumbs li a").get_text(strip=True) == "Start"
    menu = [a.get_text(strip=True) for a in doc.select(".site-nav a")]
    assert menu[0] == "Start"


def test_no_link_is_just_a_feed_format(sample_site):
    bare = []
    for page in sample_site.pages():
        url = sample_site.url_of(page)
        for link in sample_site.html(url).find_all("a"):
            if link.get_text(strip=True).upper() in {"ATOM", "RSS", "XML"}:
                bare.append(f"{url}: {link}")
    assert not bare, "feed links without words:\n" + "\n".join(bare[:10])


def test_feed_links_are_words_with_the_formats_second(sample_site):
    tag = sample_site.html("/tag/mastodon/").select_one(".feed-links")
    main = tag.select_one("a.feed-links__main")
    assert main.get_text(strip=True) == "Volg dit trefwoord via je feedlezer"
    assert main["href"] == "/feeds/tag/mastodon.atom.xml"
    formats = [a.get_text(strip=True) for a in tag.select(".feed-links__formats a")]
    assert formats == ["Atom-feed", "RSS-feed"]
    theme = sample_site.html("/thema/moderatie/").select_one(".feed-links__main")
    assert theme.get_text(strip=True) == "Volg dit thema via je feedlezer"


def test_follow_page_puts_the_site_feed_first_and_groups_the_rest(sample_site):
    doc = sample_site.html("/volg-ons/")
    first = doc.select_one(".article a.feed-links__main")
    assert first.get_text(strip=True) == "Volg de hele blog via je feedlezer"
    assert first["href"] == "/feeds/atom.xml"
    groups = doc.select("details.feed-group")
    assert len(groups) == 2
    for details in groups:
        assert not details.has_attr("open")
        summary = details.find("summary", recursive=False).get_text(strip=True)
        assert summary.startswith("Toon de feeds van")
        assert details.select(".feed-list a")
    # The site feed comes before any disclosure in the page.
    links = doc.select(".feed-list a, .feed-links a")
    assert links[0]["href"] == "/feeds/atom.xml"
    assert all(not link.find_parent("details") for link in doc.select(".feed-list--site a"))
    # Every link of a theme or tag says which one it is, for screen readers.
    moderatie = doc.select_one('a[href="/feeds/thema/moderatie.rss.xml"]')
    assert moderatie.get_text(strip=True) == "RSS-feed"
    assert moderatie["aria-label"] == "Moderatie als RSS-feed"


def test_drafts_and_scheduled_articles_say_so(build_site, content_copy):
    articles = content_copy / "articles"
    (articles / "concept.md").write_text(
        "Title: Nieuw speelplein\nDate: 2026-11-20 10:00\nCategory: Burgerparticipatie\n"
        "Slug: nieuw-speelplein\nSummary: Nog niet klaar.\nStatus: draft\n\nTekst.\n",
        encoding="utf-8")
    (articles / "later.md").write_text(
        "Title: Kerstmarkt 2099\nDate: 2099-12-01 09:00\nCategory: Burgerparticipatie\n"
        "Slug: kerstmarkt-2099\nSummary: Nog even geduld.\n\nTekst.\n", encoding="utf-8")
    site = build_site(content=content_copy)
    draft = site.html("/concepten/nieuw-speelplein/")
    meta = draft.select_one(".article-meta").get_text(" ", strip=True)
    assert meta.startswith("Concept, gedateerd 20 november 2026")
    assert "Gepubliceerd" not in visible_text(draft)
    assert draft.select_one(".draft-banner").get_text(strip=True).startswith("Concept:")
    scheduled = site.html("/concepten/kerstmarkt-2099/").select_one(".article-meta")
    assert scheduled.get_text(" ", strip=True).startswith("Gepland voor 1 december 2099")
    listing = site.html("/concepten/")
    assert listing.h1.get_text(strip=True) == "Concepten"
    badges = {b.get_text(strip=True) for b in listing.select(".badge")}
    assert badges == {"concept", "gepland"}
    published = site.html("/2026/x-of-mastodon/").select_one(".article-meta")
    assert published.get_text(" ", strip=True).startswith("Gepubliceerd op")


@pytest.mark.parametrize("url", PAGES)
def test_pages_address_the_reader_as_je(sample_site, url):
    text = visible_text(sample_site.html(url))
    found = words(text)
    pairs = {" ".join(found[i:i + 2]) for i in range(len(found) - 1)}
    formal = (FORMAL & (set(found) | pairs)) - ALLOWED
    assert not formal, f"{url} says {sorted(formal)}: write 'je', 'jouw' (see docs/redactie.md)"
    assert "je" in found


def test_accessibility_statement_matches_what_comments_need(sample_site):
    statement = visible_text(sample_site.html("/toegankelijkheidsverklaring/"))
    # What the article page itself says without JavaScript.
    note = sample_site.html("/2026/debat-modereren/").select_one(".comments__noscript")
    assert "reacties te lezen" in note.get_text() and "JavaScript" in note.get_text()
    assert "Reacties lezen en schrijven vraagt JavaScript" in statement
    assert not re.search(r"reacties\s+(kunt|kun|kan)[^.]*lezen zonder JavaScript", statement, re.I)
    assert not re.search(r"(kunt|kun) (je|u) alle reacties lezen", statement, re.I)
    # No attachments the site does not have.
    assert "oudere pdf" not in statement.lower()
    assert not list(sample_site.output.rglob("*.pdf"))


def test_privacy_page_matches_the_comment_server(sample_site):
    settings = dict(sample_site.settings)
    merged(settings)
    server, client = settings["ISSO_COMMENTS_SERVER"], settings["ISSO_COMMENTS_CLIENT"]
    assert server["max_age"] == "15m" and server["keep_email_days"] == 365
    # The statement's table is made from these settings (plugins/privacy_statement).
    text = visible_text(sample_site.html("/privacyverklaring/"))
    assert "Een cookie in je browser Zodat je je eigen reactie nog kunt aanpassen of " \
        "verwijderen 15 minuten" in text
    assert "1 jaar na je reactie; daarna wissen we het" in text
    assert ("Je naam (verplicht" in text) == bool(client["require-author"])
    assert ("Je e-mailadres (niet verplicht)" in text) == (not client["require-email"])
    footer = visible_text(sample_site.html("/")).split("Over deze site")[-1]
    assert "Wie deze site leest, krijgt geen cookies" in footer
