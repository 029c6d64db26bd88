"""Search in real Chromium: Pagefind's index (plugins/site_search) on the
search page, the header's box, the page and header without JavaScript, the
shipped Content-Security-Policy, and (slow) a query's transfer on a
1,000-article site, printed, never asserted against a time."""

from __future__ import annotations

import re

import pytest
from conftest import serve_directory

from dorpsplein.build import ROOT
from dorpsplein.devtools.bench import make_corpus

pytestmark = pytest.mark.e2e

ARTICLE = "/2026/debat-modereren/"
NGINX_HEADERS = ROOT / "deploy" / "nginx" / "snippets" / "dorpsplein-headers.conf"
# A sample article that says "vergadering" and never "vergaderingen".
MEETING = """Title: Wat de gemeenteraad deze maand besliste
Date: 2026-11-20 10:00
Category: Burgerparticipatie
Tags: raad
Slug: raad-in-het-kort
Summary: De beslissingen van de gemeenteraad in het kort.

De gemeenteraad kwam dinsdag samen. Na elke vergadering zetten we de
belangrijkste beslissingen hier op een rij, in gewone woorden.
"""


def results(page, url):
    page.goto(url, wait_until="networkidle")
    page.wait_for_function(
        "() => /resulta/.test(document.getElementById('search-status').textContent)")
    return page.eval_on_selector_all("#search-results h2 a",
                                     "links => links.map(a => new URL(a.href).pathname)")


def test_a_plural_finds_the_article_that_only_has_the_singular(phone, build_site, content_copy):
    (content_copy / "articles" / "2026-11-raad-in-het-kort.md").write_text(MEETING, "utf-8")
    site = build_site(content=content_copy)
    text = site.path("/2026/raad-in-het-kort/").read_text("utf-8")
    assert " vergadering " in text and "vergaderingen" not in text
    with serve_directory(site.output) as url:
        found = results(phone, url + "/zoeken/?q=vergaderingen")
    assert found[0] == "/2026/raad-in-het-kort/"
    status = phone.inner_text("#search-status")
    assert re.fullmatch(r"\d+ resulta(at|ten) voor “vergaderingen”\.", status), status
    assert phone.locator("#search-results li").first.locator("mark").count() > 0


def test_nothing_found_is_said_in_dutch(phone, served_site):
    phone.goto(served_site + "/zoeken/?q=qwzqwz", wait_until="networkidle")
    phone.wait_for_function("() => document.getElementById('search-status').textContent"
                            ".startsWith('Geen')")
    assert phone.inner_text("#search-status") == "Geen resultaten voor “qwzqwz”."
    assert phone.locator("#search-results li").count() == 0


def test_keyboard_only_type_tab_to_a_result_and_open_it(browser, served_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(served_site + "/zoeken/", wait_until="networkidle")
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.id") == "search-q":
                break
        else:
            pytest.fail("Tab never reaches the search field")
        page.keyboard.type("reacties")
        page.keyboard.press("Enter")
        page.wait_for_selector("#search-results h2 a")
        page.keyboard.press("Tab")  # the search button
        page.keyboard.press("Tab")  # the first result
        first = page.evaluate("() => document.activeElement.closest('#search-results') !== null"
                              " && document.activeElement.getAttribute('href')")
        assert first, "Tab from the form does not reach the first result"
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(re.escape(first) + "$"))
    finally:
        context.close()


def test_the_header_box_sends_the_query_to_the_search_page(phone, served_site):
    phone.goto(served_site + "/", wait_until="networkidle")
    assert phone.locator(".site-search__fallback").is_hidden()
    assert not any("pagefind" in s or "site_search" in s for s in
                   phone.eval_on_selector_all("script[src]", "s => s.map(e => e.src)"))
    phone.fill("#site-search-q", "reacties")
    phone.press("#site-search-q", "Enter")
    phone.wait_for_url(re.compile(r"/zoeken/\?q=reacties$"))
    phone.wait_for_selector("#search-results h2 a")
    assert phone.input_value("#search-q") == "reacties"


def test_without_javascript_the_header_and_the_search_page_point_to_the_archive(browser,
                                                                                served_site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375,
                                                                        "height": 800})
    page = context.new_page()
    try:
        page.goto(served_site + ARTICLE)
        assert page.locator(".site-search__form").is_hidden()
        fallback = page.locator(".site-search__fallback a")
        assert fallback.is_visible() and fallback.get_attribute("href") == "/archief/"
        page.goto(served_site + "/zoeken/")
        assert page.locator(".search__form").is_hidden()
        note = page.locator(".search__no-script")
        assert note.is_visible() and "JavaScript" in note.inner_text()
        assert note.locator("a").get_attribute("href") == "/archief/"
    finally:
        context.close()


def shipped_csp() -> str:
    return re.search(r'add_header Content-Security-Policy "([^"]+)"',
                     NGINX_HEADERS.read_text()).group(1)


def test_search_works_under_the_shipped_content_security_policy(browser, served_site):
    csp = shipped_csp()
    script_src = re.search(r"script-src ([^;]+)", csp).group(1).split()
    assert script_src == ["'self'", "'wasm-unsafe-eval'"]  # WebAssembly only, no JS eval
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def with_csp(route):
        response = route.fetch()
        route.fulfill(response=response,
                      headers={**response.headers, "content-security-policy": csp})

    try:
        page.route("**/*", with_csp)
        assert ARTICLE in results(page, served_site + "/zoeken/?q=modereren")
        assert not errors, errors
    finally:
        context.close()


@pytest.mark.slow
def test_a_query_on_a_thousand_articles_transfers_little(browser, build_site, tmp_path):
    """Prints the transfer of one query on the bench corpus (1,000 articles);
    the issue's target is under 300 KB. Asserted only loosely (1 MB), as a
    guard against loading the whole index."""
    site = build_site(content=make_corpus(tmp_path / "corpus", 1000))
    context = browser.new_context()
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda r: finished.append(r))
    try:
        with serve_directory(site.output) as url:
            page.goto(url + "/zoeken/", wait_until="networkidle")
            before = len(finished)
            page.fill("#search-q", "bibliotheek")
            page.press("#search-q", "Enter")
            page.wait_for_selector("#search-results h2 a")
            page.wait_for_load_state("networkidle")
            rows = [(r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"])
                    for r in finished]
    finally:
        context.close()
    page_bytes = sum(size for _u, size in rows[:before])
    query_bytes = sum(size for _u, size in rows[before:])
    print(f"\nSearch page: {page_bytes / 1024:.1f} KB; the query 'bibliotheek' on 1,000 "
          f"articles: {query_bytes / 1024:.1f} KB in {len(rows) - before} requests")
    for address, size in rows[before:]:
        print(f"  {size / 1024:6.1f} KB  {address.rsplit('/', 2)[-2:]}")
    assert query_bytes < 1024 * 1024
