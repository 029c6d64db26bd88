"""The sample site builds strictly and has every page type, linked up."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from site_checks import PAGE_TYPES

pytestmark = pytest.mark.slow

@pytest.mark.parametrize("name", PAGE_TYPES)
def test_every_page_type_exists_with_one_h1_and_landmarks(sample_site, name):
    doc = sample_site.html(PAGE_TYPES[name])
    assert doc.html["lang"] == "nl-BE"
    assert len(doc.find_all("h1")) == 1, f"{name}: exactly one h1"
    assert doc.find("main", id="inhoud") is not None
    assert doc.find("header", class_="site-header") is not None
    assert doc.find("footer", class_="site-footer") is not None
    assert doc.find("nav", attrs={"aria-label": "Hoofdmenu"}) is not None
    skip = doc.find("a", class_="skip-link")
    assert skip["href"] == "#inhoud" and skip.get_text(strip=True) == "Naar de inhoud"
    assert doc.title.get_text(strip=True).endswith("Lindeveld in gesprek")


def test_all_sample_articles_and_pages_are_published(sample_site):
    articles = sorted(p.parent.name for p in sample_site.output.glob("2026/*/index.html"))
    assert len(articles) >= 8
    for slug in ("over-deze-blog", "contact", "privacyverklaring",
                 "toegankelijkheidsverklaring", "reageerregels"):
        assert sample_site.path(f"/{slug}/").is_file(), slug


def _local_targets(site, doc):
    for tag, attr in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")):
        for element in doc.find_all(tag):
            value = element.get(attr)
            if not value:
                continue
            parts = urlsplit(value)
            if parts.scheme or parts.netloc or value.startswith(("mailto:", "tel:", "#")):
                continue
            yield value


def test_every_internal_link_resolves_to_a_file(sample_site):
    broken = []
    checked = 0
    for page in sample_site.pages():
        doc = sample_site.html(sample_site.url_of(page))
        for target in _local_targets(sample_site, doc):
            assert target.startswith("/"), f"{page}: {target} is not site-root relative"
            checked += 1
            if not sample_site.path(target).is_file():
                broken.append(f"{sample_site.url_of(page)} -> {target}")
    assert checked > 200
    assert not broken, "broken internal links:\n" + "\n".join(broken)


def test_in_page_anchors_point_at_existing_ids(sample_site):
    for page in sample_site.pages():
        doc = sample_site.html(sample_site.url_of(page))
        ids = {el["id"] for el in doc.find_all(id=True)}
        for link in doc.find_all("a", href=re.compile(r"^#")):
            assert link["href"][1:] in ids, f"{page}: {link['href']}"


def test_dates_are_dutch_and_machine_readable(sample_site):
    doc = sample_site.html("/2026/facebookpagina-starten/")
    times = doc.select(".article-meta time")
    assert [t.get_text() for t in times] == ["8 september 2026", "14 oktober 2026"]
    assert times[0]["datetime"] == "2026-09-08T09:30:00+02:00"
    meta = doc.select_one(".article-meta").get_text(" ", strip=True)
    assert "bijgewerkt op 14 oktober 2026" in meta
    assert re.search(r"\d+ minuten leestijd", meta)
    archive = sample_site.html("/archief/").select(".archive-list time")
    assert archive[-1].get_text() == "8 september"


def test_article_without_modified_date_shows_no_update_line(sample_site):
    meta = sample_site.html("/2026/x-of-mastodon/").select_one(".article-meta")
    assert "bijgewerkt" not in meta.get_text()


def test_article_has_breadcrumbs_neighbours_and_tags(sample_site):
    doc = sample_site.html("/2026/x-of-mastodon/")
    crumbs = [li.get_text(strip=True) for li in doc.select(".breadcrumbs li")]
    # The pages above this one; the title itself is the h1 right below.
    assert crumbs == ["Start", "Sociale media"]
    assert [a["href"] for a in doc.select(".breadcrumbs a")] == ["/", "/thema/sociale-media/"]
    older = doc.select_one(".prev-next__older a")
    newer = doc.select_one(".prev-next__newer a")
    assert older["href"] == "/2026/facebookpagina-starten/"
    assert newer["href"] == "/2026/linkedin-lokaal-bestuur/"
    assert doc.select(".tag-list a.tag")


def test_home_is_paginated_newest_first(sample_site):
    first = sample_site.html("/")
    second = sample_site.html("/pagina/2/")
    titles = [a["href"] for a in first.select(".card__title a")]
    assert len(titles) == sample_site.settings["DEFAULT_PAGINATION"]
    assert titles[0] == "/2026/bereik-meten-zonder-volgen/"
    assert first.select_one("a[rel=next]")["href"] == "/pagina/2/"
    assert second.select_one("a[rel=prev]")["href"] == "/"
    assert "Pagina 2 van 2" in second.select_one(".pagination").get_text()


def test_menu_marks_the_current_page(sample_site):
    doc = sample_site.html("/over-deze-blog/")
    current = doc.select(".site-nav [aria-current=page]")
    assert [a.get_text() for a in current] == ["Over deze blog"]


def test_footer_has_contact_and_social_profiles(sample_site):
    footer = sample_site.html("/").select_one("footer.site-footer")
    text = footer.get_text(" ", strip=True)
    assert "Marktplein 1" in text and "Openingsuren" in text
    assert footer.select_one('a[href="tel:091234567"]')
    assert footer.select_one('a[href="mailto:communicatie@lindeveld.example"]')
    names = [a.get_text() for a in footer.select('a[rel="me"]')]
    assert names == [
        "Lindeveld op Facebook", "Lindeveld op X", "Lindeveld op LinkedIn",
        "Lindeveld op Instagram", "Lindeveld op Mastodon", "Lindeveld op YouTube",
    ]
    links = {a.get_text() for a in footer.select(".site-footer__list a")}
    assert {"Privacyverklaring", "Toegankelijkheidsverklaring", "Reageerregels"} <= links


LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest",
                "apple-touch-icon", "dns-prefetch", "preconnect"}


def test_no_page_loads_anything_from_another_host(sample_site):
    """Elements that make the browser fetch something point at the site itself
    (canonical and alternate links only name addresses, they load nothing)."""
    checked = 0
    for page in sample_site.pages():
        doc = sample_site.html(sample_site.url_of(page))
        for element in doc.find_all(["script", "img", "iframe", "link", "source", "video",
                                     "audio", "embed", "object", "input"]):
            if element.name == "link" and not LOADING_RELS & set(element.get("rel", [])):
                continue
            for attr in ("src", "href", "srcset", "data", "poster"):
                value = element.get(attr)
                if value:
                    checked += 1
                    assert not urlsplit(value).netloc, f"{page}: {element}"
    assert checked > 50


def test_article_images_have_alt_text(sample_site):
    with_images = 0
    for page in sample_site.output.glob("2026/*/index.html"):
        for img in sample_site.html(sample_site.url_of(page)).select(".prose img"):
            assert img.get("alt", "").strip(), f"{page}: {img}"
            with_images += 1
    assert with_images >= 3
