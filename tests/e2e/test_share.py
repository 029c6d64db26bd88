"""The share bar in Chromium: no third-party request, copy link, Mastodon, no JavaScript."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.e2e

ARTICLE = "/2026/geintegreerde-kanaalaanpak/"


def test_opening_an_article_contacts_only_the_site(browser, served_site):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    hosts = set()
    page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
    try:
        page.goto(served_site + ARTICLE, wait_until="networkidle")
        assert hosts == {urlsplit(served_site).netloc}
        assert context.cookies() == []
    finally:
        context.close()


def test_copy_link_puts_the_address_on_the_clipboard(browser, served_site, artifacts):
    context = browser.new_context(viewport={"width": 375, "height": 800},
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(served_site + ARTICLE)
        canonical = page.locator('link[rel="canonical"]').get_attribute("href")
        button = page.get_by_role("button", name="Kopieer link")
        button.scroll_into_view_if_needed()
        page.locator(".share").screenshot(path=str(artifacts / "share-bar-375.png"))
        button.focus()
        page.keyboard.press("Enter")
        status = page.locator(".share__status")
        status.wait_for(state="visible")
        assert status.inner_text() == "De link naar dit artikel staat op je klembord."
        assert page.locator("[data-share-copy-label]").inner_text() == "Link gekopieerd"
        assert page.evaluate("navigator.clipboard.readText()") == canonical
        assert canonical.endswith(ARTICLE)
    finally:
        context.close()


def test_mastodon_shares_on_the_readers_own_server(browser, served_site):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    opened = []

    def fake_server(route):
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>ok</p>")

    context.route("https://social.example/**", fake_server)
    try:
        page.goto(served_site + ARTICLE)
        link = page.get_by_role("link", name="Deel op Mastodon")
        expected = link.get_attribute("data-share-mastodon")
        link.click()
        dialog = page.get_by_role("dialog", name="Delen op Mastodon")
        dialog.wait_for()
        page.get_by_label("Jouw Mastodon-server").fill("https://Social.Example/")
        with page.expect_navigation():
            dialog.get_by_role("button", name="Delen", exact=True).click()
        [url] = opened
        assert url.startswith("https://social.example/share?")
        assert parse_qs(urlsplit(url).query) == {"text": [expected]}
        page.goto(served_site + ARTICLE)
        assert page.evaluate("localStorage.getItem('dorpsplein.mastodon-server')") == (
            "social.example")
        href = page.get_by_role("link", name="Deel op Mastodon").get_attribute("href")
        assert href.startswith("https://social.example/share?text=")
    finally:
        context.close()


def test_share_links_work_without_javascript(browser, served_site):
    context = browser.new_context(viewport={"width": 375, "height": 800},
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(served_site + ARTICLE)
        names = page.locator(".share a.share__link").all_inner_texts()
        assert len(names) == 7
        for link in page.locator(".share a.share__link").all():
            assert link.is_visible()
        assert not page.get_by_role("button", name="Kopieer link").is_visible()
        assert page.locator("#reacties noscript").count() == 1
    finally:
        context.close()
