"""Citizens comment through the real Isso server, in real Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import isso
import pytest

pytestmark = pytest.mark.e2e

ARTICLE = "/2026/debat-modereren/"
CLOSED = "/2026/online-burgerbevraging/"
ISSO_EN = Path(isso.__file__).parent / "js" / "app" / "i18n" / "en.js"

VISIBLE_WORDS = """() => {
  const root = document.getElementById('reacties');
  const parts = [root.innerText];
  root.querySelectorAll('*').forEach(el => {
    for (const name of ['placeholder', 'value', 'aria-label', 'title']) {
      if (el.getAttribute(name)) parts.push(el.getAttribute(name));
    }
  });
  return parts.join('\\n');
}"""


def english_isso_phrases() -> set[str]:
    source = ISSO_EN.read_text(encoding="utf-8")
    phrases = set()
    for value in re.findall(r':\s*"((?:[^"\\]|\\.)*)"', source):
        for part in value.split("\\n"):
            part = part.replace("{{ n }}", "").strip()
            if len(part) > 3:
                phrases.add(part)
    return phrases


def open_thread(page, url):
    page.goto(url, wait_until="networkidle")
    page.locator("#reacties").scroll_into_view_if_needed()
    page.wait_for_selector("#isso-root", state="attached")


def as_second_citizen(context, server_url):
    """Requests from this context reach Isso as if from another household."""

    def add_address(route):
        headers = {**route.request.headers, "x-forwarded-for": "203.0.113.9"}
        route.continue_(headers=headers)

    context.route(server_url + "/**", add_address)


def test_citizens_post_reply_vote_and_see_counts(browser, served_site, comment_server, artifacts):
    first = browser.new_context(viewport={"width": 375, "height": 800}, locale="nl-BE")
    page = first.new_page()
    to_comment_server = []
    page.on("request", lambda r: r.url.startswith(comment_server.url)
            and to_comment_server.append(r.url))
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # Opening the article without reaching the thread contacts nobody.
    page.goto(served_site + ARTICLE, wait_until="networkidle")
    assert to_comment_server == []
    assert page.context.cookies() == []

    # Reaching the thread loads Isso; our labels are on its controls.
    page.locator("#reacties").scroll_into_view_if_needed()
    textarea = page.locator("#isso-thread > .isso-postbox .isso-textarea")
    textarea.wait_for()
    assert any(url.endswith("/js/embed.min.js") for url in to_comment_server)
    assert textarea.evaluate("el => [...el.labels].map(l => l.textContent)") == ["Je reactie"]
    assert page.locator("#isso-postbox-author").get_attribute("placeholder") == "Voornaam en naam"

    textarea.fill("Goede tips over modereren. <script>alert('x')</script>")
    page.fill("#isso-thread > .isso-postbox #isso-postbox-author", "Marieke")
    page.click("#isso-thread > .isso-postbox input[type=submit]")
    comment = page.locator("#isso-root > .isso-comment").filter(has_text="Goede tips")
    comment.wait_for()
    assert comment.locator(".isso-author").inner_text() == "Marieke"
    assert "<script>alert('x')</script>" in comment.locator(".isso-text").inner_text()

    # After a reload the comment is read back from the server.
    open_thread(page, served_site + ARTICLE)
    comment = page.locator("#isso-root > .isso-comment").filter(has_text="Goede tips")
    comment.wait_for()
    comment_id = comment.get_attribute("id")
    page.screenshot(path=str(artifacts / "comments-375.png"), full_page=False)

    # A second citizen votes on it and replies.
    second = browser.new_context(viewport={"width": 375, "height": 800}, locale="nl-BE")
    as_second_citizen(second, comment_server.url)
    other = second.new_page()
    open_thread(other, served_site + ARTICLE)
    theirs = other.locator(f"#{comment_id}")
    theirs.wait_for()
    footer = theirs.locator(":scope > .isso-text-wrapper > .isso-comment-footer")
    footer.get_by_role("button", name="Nuttig (0)", exact=True).click()
    footer.get_by_role("button", name="Nuttig (1)", exact=True).wait_for()
    other.wait_for_function(
        f"() => document.querySelector('#{comment_id} .isso-votes')?.textContent.trim() === '1'"
    )
    theirs.locator(":scope > .isso-text-wrapper .isso-reply").click()
    reply_box = theirs.locator(".isso-postbox")
    reply_box.locator(".isso-textarea").fill("Eens, vooral het deel over transparantie.")
    reply_box.locator("input[name=author]").fill("Youssef")
    reply_box.locator("input[type=submit]").click()
    reply = theirs.locator(".isso-follow-up .isso-comment").filter(has_text="transparantie")
    reply.wait_for()

    # Both are on the server; the home page shows the count.
    status, thread = comment_server.request("GET", f"/?uri={ARTICLE}")
    texts = [c["text"] for c in thread["replies"]]
    assert any("Goede tips" in t for t in texts)
    top = next(c for c in thread["replies"] if "Goede tips" in c["text"])
    assert top["likes"] == 1
    assert top["total_replies"] == 1

    page.goto(served_site + "/", wait_until="networkidle")
    count = page.locator(f'a[data-isso-count="{ARTICLE}"]')
    page.wait_for_function(
        f"() => document.querySelector('a[data-isso-count=\"{ARTICLE}\"]').textContent"
        " === '2 reacties'"
    )
    assert count.inner_text() == "2 reacties"
    assert dialogs == [], f"a script ran: {dialogs}"
    first.close()
    second.close()


def test_closed_article_shows_no_form_and_the_server_refuses(browser, served_site,
                                                             comment_server):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        open_thread(page, served_site + CLOSED)
        page.wait_for_selector("#isso-thread .isso-postbox", state="attached")
        assert not page.locator("#isso-thread .isso-postbox").is_visible()
        assert "Reageren op dit artikel is afgesloten" in page.locator("#reacties").inner_text()
        status = page.evaluate(
            """async ([url, uri]) => {
                const r = await fetch(url + '/new?uri=' + encodeURIComponent(uri), {
                  method: 'POST', headers: {'Content-Type': 'application/json'},
                  body: JSON.stringify({text: 'Toch nog reageren', author: 'Piet', title: 'x'})});
                return [r.status, await r.json()];
            }""",
            [comment_server.url, CLOSED],
        )
        # The page says it in its own words (test_comment_messages.py); the
        # server's sentence is for whoever reads the raw answer.
        code, body = status
        assert code == 403 and body["reason"] == "thread-closed"
        assert isinstance(body["message"], str) and body["message"]
    finally:
        context.close()


def test_no_isso_text_shows_in_english(browser, served_site, comment_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    try:
        open_thread(page, served_site + "/2026/schrijven-voor-het-web/")
        page.wait_for_selector("#isso-thread .isso-postbox")
        shown = page.evaluate(VISIBLE_WORDS)
        leaks = sorted(p for p in english_isso_phrases() if p in shown)
        assert leaks == [], f"English Isso texts on the page: {leaks}"
        assert "Reactie plaatsen" in shown and "Nog geen reacties" in shown
    finally:
        context.close()


def test_the_button_loads_the_thread_for_keyboard_users(browser, served_site, comment_server):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    requests = []
    page.on("request", lambda r: r.url.startswith(comment_server.url) and requests.append(r.url))
    try:
        page.goto(served_site + "/2026/linkedin-lokaal-bestuur/", wait_until="networkidle")
        assert requests == []
        button = page.get_by_role("button", name="Toon reacties en reageer")
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#isso-thread .isso-postbox")
        assert requests, "pressing the button did not load the thread"
    finally:
        context.close()
