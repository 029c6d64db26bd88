"""Through nginx in Chromium: comments work under the strict CSP, with no violation."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


def test_comment_through_nginx_with_no_csp_violation(browser, hosted, artifacts):
    site, _output, comments = hosted
    context = browser.new_context(viewport={"width": 375, "height": 800})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(m.text))
    try:
        page.goto(site + "/2026/schrijven-voor-het-web/", wait_until="networkidle")
        page.locator("#reacties").scroll_into_view_if_needed()
        page.locator("#isso-thread > .isso-postbox .isso-textarea").fill(
            "Via nginx geplaatst: duidelijke tips.")
        page.fill("#isso-thread > .isso-postbox #isso-postbox-author", "Hanne")
        page.click("#isso-thread > .isso-postbox input[type=submit]")
        page.locator(".isso-comment").filter(has_text="Via nginx geplaatst").wait_for()
        page.reload(wait_until="networkidle")
        page.locator("#reacties").scroll_into_view_if_needed()
        page.locator(".isso-comment").filter(has_text="Via nginx geplaatst").wait_for()
        page.screenshot(path=str(artifacts / "comments-through-nginx.png"))
        # Also the share bar's scripts and a list page's comment counts.
        page.get_by_role("button", name="Kopieer link").wait_for()
        violations = page.evaluate("window.__cspViolations")
        page.goto(site + "/", wait_until="networkidle")
        page.wait_for_function(
            "() => [...document.querySelectorAll('a[data-isso-count]')]"
            ".some(a => a.textContent === '1 reactie')")
        violations += page.evaluate("window.__cspViolations")
    finally:
        context.close()
    assert violations == []
    assert not [m for m in console if "Content Security Policy" in m], console
    status, thread = comments.request("GET", "/?uri=/2026/schrijven-voor-het-web/")
    assert status == 200
    assert [c["author"] for c in thread["replies"]] == ["Hanne"]


def test_the_violation_recorder_does_see_a_violation(browser, hosted):
    """The check above is only worth something if a violation would be seen."""
    site, _output, _comments = hosted
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    try:
        page.goto(site + "/", wait_until="networkidle")
        page.evaluate("document.body.insertAdjacentHTML('beforeend', "
                      "'<div style=\"color: red\">inline</div>')")
        page.wait_for_function("() => window.__cspViolations.length > 0")
        assert page.evaluate("window.__cspViolations")[0].startswith("style-src")
    finally:
        context.close()


def test_an_emailed_moderation_link_works_under_the_csp(browser, hosted):
    """Isso's own confirmation page needs inline script, which the CSP blocks;
    ours is a plain form. The link is built as Isso's notification e-mail
    builds it: /id/N/delete/<the comment id signed with Isso's session key>."""
    import json
    import sqlite3
    import urllib.request

    from itsdangerous import URLSafeTimedSerializer

    site, _output, comments = hosted
    request = urllib.request.Request(
        f"{site}/comments/new?uri=/2026/facebookpagina-starten/",
        data=json.dumps({"text": "Dit hoort hier niet thuis.", "author": "Spam"}).encode(),
        headers={"Content-Type": "application/json", "Origin": site}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        number = json.loads(response.read())["id"]
    with sqlite3.connect(comments.database) as db:
        secret = db.execute("SELECT value FROM preferences WHERE key = 'session-key'"
                            ).fetchone()[0]
    key = URLSafeTimedSerializer(secret).dumps(number)

    context = browser.new_context(viewport={"width": 375, "height": 800})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    try:
        page.goto(f"{site}/comments/id/{number}/delete/{key}")
        assert page.locator("h1").inner_text() == "Reactie verwijderen"
        page.get_by_role("button", name="Verwijderen").click()
        page.get_by_text("De reactie is verwijderd.").wait_for()
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
    with sqlite3.connect(comments.database) as db:
        assert db.execute("SELECT COUNT(*) FROM comments WHERE id = ?", (number,)
                          ).fetchone()[0] == 0


def test_the_reply_mail_unsubscribe_link_works_under_the_csp(browser, hosted):
    """The link in a reply notification, built as the comment server's mail
    builds it (/id/N/unsubscribe/<address>/<the address signed with Isso's
    session key>), through nginx in Chromium: a page with a button, no CSP
    violation; opening it changes nothing, the button stops the mails."""
    import json
    import sqlite3
    import urllib.parse
    import urllib.request

    from itsdangerous import URLSafeTimedSerializer

    site, _output, comments = hosted
    address = "wouter@lindeveld.example"
    request = urllib.request.Request(
        f"{site}/comments/new?uri=/2026/facebookpagina-starten/",
        data=json.dumps({"text": "Laat me weten wie antwoordt.", "author": "Wouter",
                         "email": address, "notification": 1}).encode(),
        headers={"Content-Type": "application/json", "Origin": site}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        number = json.loads(response.read())["id"]

    def notified() -> int:
        with sqlite3.connect(comments.database) as db:
            return db.execute("SELECT notification FROM comments WHERE id = ?",
                              (number,)).fetchone()[0]

    assert notified() == 1
    with sqlite3.connect(comments.database) as db:
        secret = db.execute("SELECT value FROM preferences WHERE key = 'session-key'"
                            ).fetchone()[0]
    key = URLSafeTimedSerializer(secret).dumps(["unsubscribe", address])
    link = f"{site}/comments/id/{number}/unsubscribe/{urllib.parse.quote(address)}/{key}"

    context = browser.new_context(viewport={"width": 375, "height": 800})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    try:
        page.goto(link)
        assert page.locator("h1").inner_text() == "Geen mails meer over dit gesprek"
        assert notified() == 1  # opening the link (a mail scanner does) changes nothing
        page.get_by_role("button", name="Stop deze mails").click()
        page.get_by_role("status").filter(has_text="geen mails meer").wait_for()
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
    assert notified() == 0
