"""A phone-width reader goes by keyboard from the skip link into an article."""

from __future__ import annotations

import pytest
from dorpsplein_kit.colours import parse_hex
from dorpsplein_kit.tokens import design_tokens

from dorpsplein.build import ROOT

pytestmark = pytest.mark.e2e

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName, text: el.textContent.trim(), id: el.id, href: el.getAttribute('href'),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== 'none',
    top: el.getBoundingClientRect().top,
  };
}"""


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_keyboard_from_skip_link_into_an_article(phone, served_site, sample_site, artifacts):
    requests = []
    phone.on("request", lambda r: requests.append(r.url))
    phone.goto(served_site + "/")
    assert no_horizontal_scroll(phone), "the home page scrolls sideways at 375 px"

    phone.keyboard.press("Tab")
    focused = phone.evaluate(FOCUS_STYLE)
    assert focused["text"] == "Naar de inhoud" and focused["href"] == "#inhoud"
    assert focused["outline"] or focused["shadow"], "the skip link shows no focus indicator"
    assert focused["top"] >= 0, "the focused skip link is off screen"

    phone.keyboard.press("Enter")
    assert phone.evaluate("() => document.activeElement.id") == "inhoud"

    # The home page's themes come first, then the newest articles.
    phone.keyboard.press("Tab")
    focused = phone.evaluate(FOCUS_STYLE)
    assert focused["href"].startswith("/thema/"), focused
    for _ in range(8):
        if focused["href"].startswith("/2026/"):
            break
        phone.keyboard.press("Tab")
        focused = phone.evaluate(FOCUS_STYLE)
    assert focused["tag"] == "A" and focused["href"].startswith("/2026/"), focused
    assert focused["outline"] or focused["shadow"], "the article link shows no focus indicator"
    title = focused["text"]

    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.url == served_site + focused["href"]
    assert phone.locator("h1").inner_text() == title
    assert no_horizontal_scroll(phone), "the article scrolls sideways at 375 px"
    phone.screenshot(path=str(artifacts / "article-375.png"), full_page=False)

    # The town's own comment server is first party (in production it sits
    # behind the site's own address); nothing else may be contacted.
    own = (served_site, sample_site.settings["ISSO_COMMENTS_URL"])
    others = [url for url in requests if not url.startswith(own)]
    assert others == [], f"requests to other hosts: {others}"
    cookies = phone.context.cookies()
    assert cookies == []


@pytest.mark.parametrize("url", ["/", "/2026/geintegreerde-kanaalaanpak/", "/archief/",
                                 "/themas/", "/tags/", "/contact/", "/404.html"])
def test_pages_fit_a_320_px_screen(browser, served_site, url):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(served_site + url)
        assert no_horizontal_scroll(page), f"{url} scrolls sideways at 320 px"
        size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
        assert size >= 16
    finally:
        context.close()


def test_dark_mode_changes_the_colours(browser, served_site, sample_site):
    context = browser.new_context(color_scheme="dark", viewport={"width": 375, "height": 700})
    page = context.new_page()
    try:
        page.goto(served_site + "/2026/x-of-mastodon/")
        colours = page.evaluate("""() => ({
          body: getComputedStyle(document.body).backgroundColor,
          header: getComputedStyle(document.querySelector('.site-header')).backgroundColor,
        })""")
        tokens = design_tokens({"THEME": str(ROOT / "theme"), "PATH": str(ROOT / "content"),
                                "TOWN_BRAND_COLOUR": sample_site.settings["TOWN_BRAND_COLOUR"]})
        body = parse_hex(tokens.value("color.bg", "dark"))
        assert colours["body"] == "rgb({}, {}, {})".format(*body)
        # The header keeps the town's colour (a deeper shade), not black.
        assert colours["header"] == "rgb({}, {}, {})".format(
            *parse_hex(tokens.value("color.header-bg", "dark")))
        red, green, blue = parse_hex(tokens.value("color.header-bg", "dark"))
        assert green > red + 10, "the dark header should be a shade of Lindeveld's green"
    finally:
        context.close()
