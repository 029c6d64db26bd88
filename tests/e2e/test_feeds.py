"""A feed opened in Chromium reads as a Dutch page (CSS stylesheet, no XSLT)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

PAGE_STATE = """() => {
  const root = document.documentElement;
  const intro = getComputedStyle(root.querySelector('channel') || root, '::before').content;
  const titles = [...document.querySelectorAll('entry > title, item > title')]
    .filter(t => t.getBoundingClientRect().height > 0).map(t => t.textContent);
  const raw = [...document.querySelectorAll('content, encoded, id, guid')]
    .filter(t => t.getBoundingClientRect().height > 0).length;
  return {intro, titles, raw, sheets: document.styleSheets.length};
}"""


@pytest.mark.parametrize("path", ["/feeds/atom.xml", "/feeds/rss.xml",
                                  "/feeds/thema/moderatie.atom.xml"])
def test_feed_in_the_browser_is_a_readable_dutch_page(browser, served_site, artifacts, path):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    try:
        page.goto(served_site + path)
        state = page.evaluate(PAGE_STATE)
        assert state["sheets"] == 1
        assert "Dit is een nieuwsfeed" in state["intro"]
        assert "feedlezer" in state["intro"]
        assert "De artikels zelf" in state["intro"]  # the line break escape is intact
        assert state["titles"], "no article titles are visible"
        assert state["raw"] == 0, "raw ids or HTML content are visible"
        assert not page.locator("xslt-warning-banner").count()
        if path == "/feeds/atom.xml":
            page.screenshot(path=str(artifacts / "feed-375.png"))
    finally:
        context.close()
