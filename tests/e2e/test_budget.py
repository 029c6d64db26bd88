"""Weight budget of an article page before the reader does anything: at most
30 KB of HTML, CSS and JavaScript transferred (gzip, as static hosts send it),
at most 5 requests besides the article's own content images (which the editor
chooses, and which the byte budget excludes too), none to another host, no
cookies. Prints the figures."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.e2e

BUDGET_BYTES = 30 * 1024
BUDGET_REQUESTS = 5
CODE_TYPES = {"document", "stylesheet", "script"}


def opened(page, address: str, name: str):
    """Open ``address`` as a reader who does nothing yet; prints what came.
    Returns (rows of (kind, url, bytes), HTML+CSS+JS bytes, the rows for the
    page itself: all but the article's own content images)."""
    finished = []
    page.on("requestfinished", lambda r: finished.append(r))
    page.goto(address, wait_until="networkidle")
    page.wait_for_timeout(300)
    rows = []
    for request in finished:
        sizes = request.sizes()
        rows.append((request.resource_type, request.url,
                     sizes["responseBodySize"] + sizes["responseHeadersSize"]))
    code_bytes = sum(size for kind, _url, size in rows if kind in CODE_TYPES)
    print(f"\nBudget for {name}: {len(rows)} requests, "
          f"{code_bytes / 1024:.1f} KB HTML+CSS+JS transferred (headers included)")
    for kind, where, size in rows:
        print(f"  {kind:<10} {size / 1024:6.1f} KB  {urlsplit(where).path}")
    content_images = set(page.eval_on_selector_all(".prose img", "els => els.map(e => e.src)"))
    return rows, code_bytes, [row for row in rows if row[1] not in content_images]


@pytest.mark.parametrize("url", ["/2026/debat-modereren/", "/2026/geintegreerde-kanaalaanpak/"])
def test_article_page_stays_within_budget(browser, served_site, url):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        rows, code_bytes, own = opened(page, served_site + url, url)
        print(f"  = {len(own)} requests for the page itself, "
              f"{len(rows) - len(own)} for content images")
        others = {urlsplit(a).netloc for _k, a, _s in rows} - {urlsplit(served_site).netloc}
        assert others == set(), f"requests to other hosts: {others}"
        assert context.cookies() == []
        assert len(own) <= BUDGET_REQUESTS, f"{len(own)} requests, budget {BUDGET_REQUESTS}"
        assert code_bytes <= BUDGET_BYTES, f"{code_bytes} bytes, budget {BUDGET_BYTES}"
    finally:
        context.close()
