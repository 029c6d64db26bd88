"""Consent where it is needed: every comment form says what is shown of the
citizen and links to the privacy statement, and remembering name, e-mail and
website in the browser is opt-in. Real Chromium, the real comment server.

Isso 0.14 writes isso-author, isso-email and isso-website into localStorage
in its submit button's click handler, every time; our listener on the same
button runs after it (js/isso_comments_thread.js). That order is checked here
in the same task as the click, before anything else can run."""

from __future__ import annotations

import json
from urllib.parse import urljoin, urlsplit

import pytest
from site_checks import RUN_AXE, WCAG_AA
from test_comment_design import open_thread

pytestmark = pytest.mark.e2e

# A thread whose other tests count relatively (test_comment_design.py); these
# tests post from networks of their own (198.18.4x.0/24).
THREAD = "/2026/x-of-mastodon/"
MAIN_BOX = "#isso-thread > .isso-postbox"
ISSO_KEYS = ("isso-author", "isso-email", "isso-website")
FLAG = "dorpsplein-remember"
LINE = ("We tonen je naam, je website en je reactie; je e-mailadres tonen we nooit. "
        "Wat we bewaren en hoe lang: privacyverklaring.")
REMEMBER = "Onthoud mijn naam, e-mailadres en website op dit toestel"

STORED = """() => Object.fromEntries(
  ['isso-author', 'isso-email', 'isso-website', 'dorpsplein-remember']
    .map(key => [key, localStorage.getItem(key)]))"""

# Fill the main form, press its submit button and read localStorage in the
# same task: whatever runs after Isso's click handler has run by then.
SUBMIT_AND_READ = """([selector, values, keep]) => {
  const box = document.querySelector(selector);
  box.querySelector('.isso-textarea').value = values.text;
  for (const name of ['author', 'email', 'website']) {
    box.querySelector(`input[name=${name}]`).value = values[name];
  }
  const choice = box.querySelector('.comments__remember input[type=checkbox]');
  if (choice.checked !== keep) { choice.click(); }
  const submit = box.querySelector('.isso-post-action > input[type=submit]');
  submit.click();
  return {disabled: submit.disabled, stored: Object.fromEntries(
    ['isso-author', 'isso-email', 'isso-website', 'dorpsplein-remember']
      .map(key => [key, localStorage.getItem(key)]))};
}"""

FORM = """(selector) => {
  const box = document.querySelector(selector);
  const submit = box.querySelector('.isso-post-action > input[type=submit]');
  const line = box.querySelector('.comments__consent');
  const choice = box.querySelector('.comments__remember input[type=checkbox]');
  const link = line && line.querySelector('a');
  return {
    line: line && line.textContent, lineId: line && line.id,
    href: link && link.getAttribute('href'), linkText: link && link.textContent,
    describedBy: (submit.getAttribute('aria-describedby') || '').split(/\\s+/),
    lineBeforeSubmit: !!line &&
      !!(line.compareDocumentPosition(submit) & Node.DOCUMENT_POSITION_FOLLOWING),
    choice: choice && {checked: choice.checked, id: choice.id,
                       label: [...choice.labels].map(l => l.textContent),
                       beforeSubmit: !!(choice.compareDocumentPosition(submit)
                                        & Node.DOCUMENT_POSITION_FOLLOWING)},
    fields: Object.fromEntries(['author', 'email', 'website'].map(
      name => [name, box.querySelector(`input[name=${name}]`).value])),
  };
}"""


def citizen(browser, server_url, network, init_script=None, scheme="light", width=1280):
    """A context whose requests reach the comment server from ``network[0]``
    (a list, so a test can move to another network between posts)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-BE",
                                  color_scheme=scheme, timezone_id="Europe/Brussels")
    if init_script:
        context.add_init_script(init_script)

    def add_address(route):
        route.continue_(headers={**route.request.headers, "x-forwarded-for": network[0]})

    context.route(server_url + "/**", add_address)
    return context


def seed(comment_server, text, network):
    status, body = comment_server.request(
        "POST", f"/new?uri={THREAD}", {"text": text, "author": "Jan", "title": "x"},
        client_ip=network)
    assert status in (201, 202), (status, body)
    return body["id"]


def post(page, values, keep):
    """Post from the main form; returns what localStorage held right after the click."""
    done = page.evaluate(SUBMIT_AND_READ, [MAIN_BOX, values, keep])
    assert done["disabled"], "Isso did not take the post (its button stayed enabled)"
    page.locator("#isso-root .isso-comment").filter(has_text=values["text"]).wait_for()
    return done["stored"]


def values(text):
    return {"text": text, "author": "Lotte Peeters", "email": "lotte@example.be",
            "website": "https://lotte.example.be"}


def test_each_form_says_what_is_shown_and_links_to_the_privacy_statement(
        browser, served_site, sample_site, comment_server):
    comment_id = seed(comment_server, "Een reactie om op te antwoorden.", "198.18.41.1")
    context = citizen(browser, comment_server.url, ["198.18.41.5"])
    page = context.new_page()
    try:
        open_thread(page, served_site + THREAD)
        main = page.evaluate(FORM, MAIN_BOX)
        page.locator(f"#isso-{comment_id} > .isso-text-wrapper .isso-reply").click()
        reply_box = f"#isso-{comment_id} .isso-postbox"
        page.locator(reply_box).wait_for()
        reply = page.evaluate(FORM, reply_box)
        for form in (main, reply):
            assert form["line"] == LINE
            assert form["lineId"] in form["describedBy"]
            assert form["lineBeforeSubmit"]
            assert form["linkText"] == "privacyverklaring"
            assert form["choice"]["checked"] is False
            assert form["choice"]["label"] == [REMEMBER]
            assert form["choice"]["beforeSubmit"]
        assert main["lineId"] != reply["lineId"]
        assert main["choice"]["id"] != reply["choice"]["id"]

        # The link leads to the privacy statement, which the build wrote.
        href = urljoin(page.url, main["href"])
        assert reply["href"] == main["href"]
        assert sample_site.path(urlsplit(href).path).is_file()
        statement = page.request.get(href)
        assert statement.status == 200
        assert "rivacyverklaring" in statement.text()
    finally:
        context.close()


def test_unticked_nothing_is_remembered(browser, served_site, comment_server):
    context = citizen(browser, comment_server.url, ["198.18.42.5"])
    page = context.new_page()
    try:
        open_thread(page, served_site + THREAD)
        right_after = post(page, values("Niet onthouden, graag."), keep=False)
        # Isso wrote its keys in its click handler; ours ran after it.
        assert right_after == {key: None for key in (*ISSO_KEYS, FLAG)}
        assert page.evaluate(STORED) == {key: None for key in (*ISSO_KEYS, FLAG)}

        open_thread(page, served_site + THREAD)
        form = page.evaluate(FORM, MAIN_BOX)
        assert form["fields"] == {"author": "", "email": "", "website": ""}
        assert form["choice"]["checked"] is False
    finally:
        context.close()


def test_ticked_is_remembered_until_unticked(browser, served_site, comment_server):
    network = ["198.18.43.5"]
    context = citizen(browser, comment_server.url, network)
    page = context.new_page()
    try:
        open_thread(page, served_site + THREAD)
        right_after = post(page, values("Onthoud mij maar."), keep=True)
        assert right_after == {"isso-author": '"Lotte Peeters"',
                               "isso-email": '"lotte@example.be"',
                               "isso-website": '"https://lotte.example.be"', FLAG: "1"}

        # Another visit: the fields are filled and the box is ticked, in a
        # reply form too.
        network[0] = "198.18.44.5"
        open_thread(page, served_site + THREAD)
        form = page.evaluate(FORM, MAIN_BOX)
        assert form["fields"] == {"author": "Lotte Peeters", "email": "lotte@example.be",
                                  "website": "https://lotte.example.be"}
        assert form["choice"]["checked"] is True
        mine = page.locator("#isso-root > .isso-comment").filter(has_text="Onthoud mij maar.")
        mine.locator(":scope > .isso-text-wrapper .isso-reply").first.click()
        reply_box = mine.locator(".isso-postbox")
        reply_box.wait_for()
        assert reply_box.locator("input[name=author]").input_value() == "Lotte Peeters"
        assert reply_box.locator(".comments__remember input").is_checked()

        # Unticked and posted: the flag and Isso's keys are gone, at once.
        right_after = post(page, values("Vergeet mij nu weer."), keep=False)
        assert right_after == {key: None for key in (*ISSO_KEYS, FLAG)}
        assert not reply_box.locator(".comments__remember input").is_checked()

        network[0] = "198.18.45.5"
        open_thread(page, served_site + THREAD)
        form = page.evaluate(FORM, MAIN_BOX)
        assert form["fields"] == {"author": "", "email": "", "website": ""}
        assert form["choice"]["checked"] is False
        assert page.evaluate(STORED) == {key: None for key in (*ISSO_KEYS, FLAG)}
    finally:
        context.close()


def test_unticking_forgets_at_once(browser, served_site, comment_server):
    context = citizen(browser, comment_server.url, ["198.18.46.5"])
    page = context.new_page()
    try:
        page.goto(served_site + "/", wait_until="networkidle")
        page.evaluate("""() => { localStorage.setItem('dorpsplein-remember', '1');
            localStorage.setItem('isso-author', '"Lotte"'); }""")
        open_thread(page, served_site + THREAD)
        choice = page.locator(f"{MAIN_BOX} .comments__remember input")
        assert choice.is_checked()
        assert page.locator(f"{MAIN_BOX} input[name=author]").input_value() == "Lotte"
        choice.uncheck()
        assert page.evaluate(STORED) == {key: None for key in (*ISSO_KEYS, FLAG)}
    finally:
        context.close()


def test_what_was_remembered_without_consent_is_removed_on_load(browser, served_site,
                                                                comment_server):
    context = citizen(browser, comment_server.url, ["198.18.47.5"])
    page = context.new_page()
    try:
        # Stored by an earlier Isso that remembered without asking.
        page.goto(served_site + "/", wait_until="networkidle")
        page.evaluate("""() => { localStorage.setItem('isso-author', '"Oud"');
            localStorage.setItem('isso-email', '"oud@example.be"');
            localStorage.setItem('isso-website', '"https://oud.example.be"'); }""")
        open_thread(page, served_site + THREAD)
        assert page.evaluate(STORED) == {key: None for key in (*ISSO_KEYS, FLAG)}
        form = page.evaluate(FORM, MAIN_BOX)
        assert form["fields"] == {"author": "", "email": "", "website": ""}
        assert form["choice"]["checked"] is False
    finally:
        context.close()


NO_STORAGE = """Object.defineProperty(window, 'localStorage', {
  configurable: true,
  get() { throw new DOMException('The operation is insecure.', 'SecurityError'); },
});"""


def test_without_local_storage_the_form_still_works(browser, served_site, comment_server):
    context = citizen(browser, comment_server.url, ["198.18.48.5"], init_script=NO_STORAGE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        open_thread(page, served_site + THREAD)
        form = page.evaluate(FORM, MAIN_BOX)
        assert form["line"] == LINE
        assert form["choice"] is None  # nothing could be remembered: no checkbox
        box = page.locator(MAIN_BOX)
        box.locator(".isso-textarea").fill("Zonder opslag in de browser.")
        box.locator("input[name=author]").fill("Anoniem")
        box.locator("input[type=submit]").click()
        page.locator("#isso-root .isso-comment").filter(
            has_text="Zonder opslag in de browser.").wait_for()
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_article_with_its_comment_form_passes_axe(browser, served_site, comment_server,
                                                      axe_source, scheme):
    context = citizen(browser, comment_server.url, ["198.18.49.5"], scheme=scheme, width=375)
    page = context.new_page()
    try:
        open_thread(page, served_site + THREAD)
        assert page.locator(f"{MAIN_BOX} .comments__consent").is_visible()
        assert page.locator(f"{MAIN_BOX} .comments__remember input").is_visible()
        page.add_script_tag(content=axe_source)
        faults = page.evaluate(RUN_AXE, WCAG_AA)
        assert faults == [], faults
    finally:
        context.close()


@pytest.mark.slow
def test_without_a_privacy_statement_the_lines_have_no_link(build_site, content_copy):
    """No page is the privacy statement (no Template: privacy, another slug):
    the comment form's and the idea form's lines are said without a link."""
    page = content_copy / "pages" / "privacyverklaring.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("Template: privacy\n", "").replace(
        "Slug: privacyverklaring", "Slug: over-gegevens"), encoding="utf-8")
    site = build_site(content=content_copy,
                      PARTICIPATION_DATA=str(content_copy.parent / "geen-gegevens"),
                      PARTICIPATION_NOW="2026-11-27 12:00",
                      FOOTER_PAGES=["volg-ons", "over-gegevens", "reageerregels"])
    loader = site.html(THREAD).select_one("script[data-isso]")
    assert loader["data-consent-text"] == LINE.split(" Wat we")[0]
    assert not {"data-consent-url", "data-consent-more", "data-consent-link"} & set(loader.attrs)
    line = site.html("/inspraak/dorpsplein-groener/").select_one("#ideeen-privacy")
    assert line.get_text(strip=True) == ("We tonen je idee met de naam en de straat of wijk die "
                                        "je invult; beide mag je leeg laten.")
    assert not line.select("a")
    data = json.loads((site.output / "participation.json").read_text(encoding="utf-8"))
    assert data["consultations"]["dorpsplein-groener"]["privacy_url"] == ""
