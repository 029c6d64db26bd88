"""The layout in Chromium: one grid for header, content and footer at every width;
a phone header under 120 px whose menu opens without JavaScript; cards with
the article's picture; dark mode keeps the town's colour."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

PAGES = ["/", "/2026/geintegreerde-kanaalaanpak/", "/over-deze-blog/", "/thema/moderatie/",
         "/archief/", "/zoeken/?q=vergadering"]

LEFT_EDGES = """() => {
  const x = (selector) => {
    const element = document.querySelector(selector);
    return element ? Math.round(element.getBoundingClientRect().left) : null;
  };
  return {brand: x('.site-header__brand'), title: x('main h1'),
          footer: x('.site-footer__section')};
}"""


@pytest.mark.parametrize("width", [375, 768, 1280, 1600])
def test_header_content_and_footer_start_at_the_same_x(browser, served_site, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        for url in PAGES:
            page.goto(served_site + url)
            edges = page.evaluate(LEFT_EDGES)
            assert None not in edges.values(), (url, edges)
            assert len(set(edges.values())) == 1, f"{url} at {width} px: {edges}"
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_the_phone_header_is_short_and_its_menu_opens_without_javascript(
        browser, served_site, javascript):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True, java_script_enabled=javascript)
    page = context.new_page()
    try:
        page.goto(served_site + "/2026/geintegreerde-kanaalaanpak/")
        height = page.evaluate(
            "() => document.querySelector('.site-header').getBoundingClientRect().height")
        assert height < 120, f"the header is {height} px high"
        title_top = page.evaluate(
            "() => document.querySelector('main h1').getBoundingClientRect().top")
        assert title_top < 220, f"the title starts at {title_top} px"
        menu = page.locator(".site-nav__list")
        assert not menu.is_visible()
        toggle = page.locator(".site-nav__toggle")
        assert toggle.is_visible() and toggle.inner_text().strip() == "Menu"
        assert toggle.bounding_box()["height"] >= 44
        toggle.click()
        links = page.locator(".site-nav__link")
        assert links.first.is_visible()
        assert [links.nth(i).inner_text() for i in range(links.count())][:3] == [
            "Start", "Thema's", "Archief"]
        with page.expect_navigation():
            page.get_by_role("link", name="Contact").click()
        assert page.url.endswith("/contact/")
    finally:
        context.close()


def test_on_a_wide_screen_the_menu_is_one_row_without_a_button(browser, served_site):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(served_site + "/")
        assert not page.locator(".site-nav__toggle").is_visible()
        tops = page.eval_on_selector_all(
            ".site-nav__link", "links => links.map(a => Math.round(a.getBoundingClientRect().top))")
        assert len(tops) == 6 and len(set(tops)) == 1, tops
        assert page.get_by_role("link", name="Archief").is_visible()
    finally:
        context.close()


def test_cards_show_the_articles_picture_lazily_after_the_first(browser, served_site,
                                                                 sample_site):
    doc = sample_site.html("/")
    cards = doc.select(".card")
    pictures = [card.select_one("img.card__image") for card in cards]
    with_picture = [p for p in pictures if p is not None]
    assert with_picture, "no card shows its article's picture"
    for card, picture in zip(cards, pictures, strict=True):
        meta = card.select_one(".card__meta").get_text(" ", strip=True)
        assert "\n" not in meta and meta.endswith("min. lezen"), meta
        if picture is None:
            continue
        assert picture["alt"] == "" and picture["width"] and picture["height"]
        first = card is cards[0]
        assert (picture.get("loading") == "lazy") != first
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        page.goto(served_site + "/")
        one_line = page.evaluate("""() => [...document.querySelectorAll('.card__meta')]
          .every(p => p.getBoundingClientRect().height
                      < 1.8 * parseFloat(getComputedStyle(p).lineHeight))""")
        assert one_line, "a card's metadata wraps at 375 px"
    finally:
        context.close()


def test_the_home_page_says_what_the_blog_is_and_offers_its_themes(sample_site):
    doc = sample_site.html("/")
    assert doc.select_one("h1").get_text(strip=True) == sample_site.settings["SITENAME"]
    assert doc.select_one(".home-intro__lead").get_text(strip=True) == \
        sample_site.settings["SITESUBTITLE"]
    themes = [a["href"] for a in doc.select(".home-topics a")]
    assert themes and all(href.startswith("/thema/") for href in themes)
    levels = [int(h.name[1]) for h in doc.select("main h1, main h2, main h3")]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
