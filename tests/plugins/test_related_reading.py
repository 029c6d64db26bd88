"""related_reading: "Lees ook" at the end of an article — ranked by shared
tags, then same category, then newest; at most RELATED_READING_MAX; never a
draft, never the article itself; nothing when no article shares a tag or the
category."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from dorpsplein_kit import declared
from related_reading.related_reading import rank

# Test articles: (slug, category, tags, date, extra front matter)
ARTICLES = [
    ("anker", "Moderatie", "alfa, beta, gamma", "2026-03-01 10:00", ""),
    ("drie-tags", "Burgerparticipatie", "alfa, beta, gamma", "2026-01-01 10:00", ""),
    ("twee-tags-zelfde-thema", "Moderatie", "alfa, beta", "2026-01-02 10:00", ""),
    ("twee-tags-ander-thema", "Burgerparticipatie", "alfa, beta", "2026-02-05 10:00", ""),
    ("een-tag-zelfde-thema-nieuw", "Moderatie", "alfa", "2026-02-10 10:00", ""),
    ("een-tag-zelfde-thema-oud", "Moderatie", "alfa", "2026-01-10 10:00", ""),
    ("een-tag-ander-thema", "Burgerparticipatie", "alfa", "2026-02-28 10:00", ""),
    ("concept-drie-tags", "Moderatie", "alfa, beta, gamma", "2026-02-01 10:00",
     "Status: draft\n"),
    # "eenzaam" shares nothing with any article (a category of its own);
    # "buur" shares only its category with "cultuur-oud".
    ("eenzaam", "Sport", "solo", "2026-04-01 10:00", ""),
    ("buur", "Cultuur", "anders", "2026-03-15 10:00", ""),
    ("cultuur-oud", "Cultuur", "nog-anders", "2026-03-10 10:00", ""),
]


def write_articles(content):
    for slug, category, tags, date, extra in ARTICLES:
        (content / "articles" / f"test-{slug}.md").write_text(
            f"Title: Test {slug}\nDate: {date}\nCategory: {category}\nTags: {tags}\n"
            f"Slug: {slug}\nSummary: Een testartikel.\n{extra}\n"
            "## Een tussenkop\n\nTekst van het artikel.\n",
            encoding="utf-8")


@pytest.fixture
def site(build_site, content_copy):
    write_articles(content_copy)
    categories = ["Sociale media", "Burgerparticipatie", "Communicatiestrategie",
                  "Moderatie", "Cultuur", "Sport"]
    return lambda **overrides: build_site(content=content_copy, CATEGORIES=categories,
                                          **overrides)


def related_links(page):
    section = page.select_one("section.related-reading")
    if section is None:
        return None
    return [a["href"] for a in section.select("li a")]


@pytest.mark.slow
def test_ranked_by_shared_tags_then_category_then_date(site):
    built = site()
    assert related_links(built.html("/2026/anker/")) == [
        "/2026/drie-tags/",               # three tags in common, other category, oldest
        "/2026/twee-tags-zelfde-thema/",  # two tags, same category ...
        "/2026/twee-tags-ander-thema/",   # ... before two tags, other category (newer)
    ]
    more = site(RELATED_READING_MAX=8, OUTPUT_PATH=str(built.output.parent / "eight"))
    assert related_links(more.html("/2026/anker/")) == [
        "/2026/drie-tags/",
        "/2026/twee-tags-zelfde-thema/",
        "/2026/twee-tags-ander-thema/",
        "/2026/een-tag-zelfde-thema-nieuw/",  # one tag, same category, newest first
        "/2026/een-tag-zelfde-thema-oud/",
        "/2026/een-tag-ander-thema/",         # one tag, other category, though newest
        "/2026/debat-modereren/",             # no tag, only the category: last
    ]  # seven: the other articles share nothing with it

    # Every article page: at most three, never itself, never a draft.
    for path in built.output.joinpath("2026").glob("*/index.html"):
        url = built.url_of(path)
        links = related_links(built.html(url)) or []
        assert len(links) <= 3, url
        assert url not in links, url
        assert not any("concepten" in link or "concept-drie-tags" in link for link in links)
    # Sample articles that share a tag or category get a list too.
    assert related_links(built.html("/2026/x-of-mastodon/"))


@pytest.mark.slow
def test_no_neighbours_shows_nothing_and_category_only_gives_the_category(site):
    built = site()
    # Nothing in common with any article: no section at all (no padding with
    # unrelated news).
    page = built.html("/2026/eenzaam/")
    assert page.select_one(".related-reading") is None
    assert "Lees ook" not in page.get_text()
    # Only the category in common: the newest of the category.
    assert related_links(built.html("/2026/buur/")) == ["/2026/cultuur-oud/"]
    # A draft (preview only) may show related articles, but is never one.
    draft = built.html("/concepten/concept-drie-tags/")
    assert related_links(draft)[0] == "/2026/anker/"


@pytest.mark.slow
def test_component_is_an_accessible_section_after_the_article(site):
    built = site()
    page = built.html("/2026/anker/")
    section = page.select_one("section.related-reading")
    heading = section.find("h2")
    assert heading.get_text(strip=True) == "Lees ook"
    assert section["aria-labelledby"] == heading["id"]
    items = section.select("ul > li")
    assert len(items) == 3
    for item in items:
        link, time = item.find("a"), item.find("time")
        assert link.get_text(strip=True).startswith("Test ")
        assert time["datetime"].startswith("2026-") and time.get_text(strip=True)
    # Headings in order: the article's h1 and h2s come first, no level skipped,
    # and the section stands outside <article>, before the comments.
    headings = page.select("main h1, main h2, main h3, main h4, main h5, main h6")
    levels = [int(h.name[1]) for h in headings]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    position = headings.index(heading)
    article_headings = page.select("article h1, article h2, article h3")
    assert all(headings.index(h) < position for h in article_headings)
    assert section.find_parent("article") is None
    comments = page.select_one("section.comments")
    assert comments is not None
    order = list(page.find_all(True))
    assert order.index(section) < order.index(comments)


@pytest.mark.slow
def test_plugin_off_shows_nothing(site, build_site):
    from pelican.settings import read_settings

    from dorpsplein.build import ROOT

    plugins = [p for p in read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"]
               if p != "related_reading"]
    built = site(PLUGINS=plugins)
    assert built.html("/2026/anker/").select_one(".related-reading") is None


def fake(slug, tags=(), category=None, date="2026-01-01", status="published", lang="nl"):
    return SimpleNamespace(
        title=slug, url=f"2026/{slug}/", source_path=f"{slug}.md", status=status, lang=lang,
        date=datetime.fromisoformat(date),
        tags=[SimpleNamespace(slug=t, name=t.upper()) for t in tags],
        category=SimpleNamespace(slug=category) if category else None)


def test_rank_is_deterministic_and_breaks_date_ties_by_address():
    me = fake("me", ["a"], "c")
    b, a = fake("b", ["a"], "c"), fake("a", ["a"], "c")  # same minute
    other_lang = fake("en", ["a"], "c", lang="en")
    result = rank(me, [me, b, a, other_lang], 3)
    assert [r["url"] for r in result] == ["2026/a/", "2026/b/"]
    assert result[0] == {"title": "a", "url": "2026/a/", "date": a.date,
                         "shared_tags": ["A"], "same_category": True}
    assert rank(me, [me, b, a], 3) == rank(me, [a, me, b], 3)
    assert rank(fake("no-category", ["zz"]), [fake("x", [], None)], 3) == []
    untagged = fake("untagged", [], "c")
    del untagged.tags  # Pelican sets no attribute when the front matter has no Tags:
    assert rank(me, [untagged], 3)[0]["shared_tags"] == []
    assert rank(untagged, [me], 3)[0]["url"] == "2026/me/"


def test_contract_makes_the_preview_rebuild_when_tags_or_category_change():
    shown = declared({"PLUGINS": ["related_reading"]}).shown_elsewhere
    assert {"tags", "category", "date", "title", "slug", "status"} <= set(shown)


def _pairwise(article, candidates, limit):
    """The ranking as the docstring states it, pairwise: the reference."""
    def tags(a):
        return {t.slug for t in getattr(a, "tags", None) or []}
    mine = tags(article)
    category = article.category.slug if article.category else None
    scored = []
    for other in candidates:
        if other is article or other.source_path == article.source_path \
                or other.lang != article.lang:
            continue
        shared = mine & tags(other)
        same = category is not None and other.category is not None \
            and other.category.slug == category
        if shared or same:
            scored.append((-len(shared), not same, -other.date.timestamp(), other.url))
    return [url for *_, url in sorted(scored)[:limit]]


def test_indexed_ranking_equals_the_pairwise_definition():
    import random
    rng = random.Random(16)
    pool = [fake(f"a{n}", rng.sample("abcdefg", rng.randint(0, 3)),
                 rng.choice(["x", "y", None]), f"2026-0{rng.randint(1, 3)}-0{rng.randint(1, 2)}",
                 lang=rng.choice(["nl", "nl", "nl", "en"]))
            for n in range(300)]
    for article in pool:
        for limit in (1, 3, 5):
            assert [r["url"] for r in rank(article, pool, limit)] == \
                _pairwise(article, pool, limit), article.title
