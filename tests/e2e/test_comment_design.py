"""The comment thread looks designed and reads in order: aligned fields, votes
that say what they do, real save and cancel buttons, no skipped heading level,
Dutch date tooltips. Real Chromium, the real comment server."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dorpsplein.build import ROOT

pytestmark = pytest.mark.e2e

# Threads no other e2e test posts to; each test writes from its own /24 network.
THREAD = "/2026/x-of-mastodon/"
SHOWN = "/2026/facebookpagina-starten/"
MAIN_BOX = "#isso-thread > .isso-postbox"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

WEEKDAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december"]


def citizen(browser, server_url, network, width=1280, scheme="light"):
    """A context whose requests reach the comment server from ``network``."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-BE",
                                  color_scheme=scheme, timezone_id="Europe/Brussels")

    def add_address(route):
        route.continue_(headers={**route.request.headers, "x-forwarded-for": network})

    context.route(server_url + "/**", add_address)
    return context


def open_thread(page, url):
    page.goto(url, wait_until="networkidle")
    page.locator("#reacties").scroll_into_view_if_needed()
    page.locator(f"{MAIN_BOX} .isso-textarea").wait_for()
    page.wait_for_load_state("networkidle")


def post(page, text, author="Marieke"):
    box = page.locator(MAIN_BOX)
    box.locator(".isso-textarea").fill(text)
    box.locator("input[name=author]").fill(author)
    box.locator("input[type=submit]").click()
    comment = page.locator("#isso-root .isso-comment").filter(has_text=text)
    comment.wait_for()
    return comment


def seed(comment_server, uri, text, network, author="Jan"):
    status, body = comment_server.request(
        "POST", f"/new?uri={uri}", {"text": text, "author": author, "title": "x"},
        client_ip=network)
    assert status in (201, 202), (status, body)
    return body["id"]


def vote(comment_server, comment_id, how, network):
    """A vote from ``network``: Isso counts one per /24, never the author's own."""
    status, body = comment_server.request("POST", f"/id/{comment_id}/{how}", client_ip=network)
    assert status == 200, (status, body)
    return body


def box_of(locator):
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    return box


# --- The form ---------------------------------------------------------------

FORM = """(selector) => {
  const box = document.querySelector(selector);
  const rect = el => { const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, width: r.width, height: r.height}; };
  const fields = ['author', 'email', 'website'].map(name => {
    const input = box.querySelector(`input[name=${name}]`);
    const label = input.labels[0];
    return {name, input: rect(input), label: label ? rect(label) : null,
            labelText: label ? label.innerText.trim() : ''};
  });
  const text = box.querySelector('.isso-textarea');
  const textLabel = text.labels[0];
  const buttons = [...box.querySelectorAll('.isso-post-action > input')]
    .filter(b => b.checkVisibility()).map(b => ({value: b.value, ...rect(b)}));
  return {fields, text: rect(text), textLabel: textLabel ? textLabel.innerText.trim() : '',
          buttons};
}"""


def test_the_form_fields_are_aligned_and_not_squeezed_at_1280(browser, served_site,
                                                              comment_server, artifacts):
    context = citizen(browser, comment_server.url, "198.18.11.5")
    page = context.new_page()
    try:
        open_thread(page, served_site + THREAD)
        form = page.evaluate(FORM, MAIN_BOX)
        fields, text = form["fields"], form["text"]

        assert form["textLabel"] == "Je reactie", "the comment box has no visible label"
        for field in fields:
            assert field["label"] and field["labelText"], f"{field['name']}: no visible label"
            assert field["label"]["bottom"] <= field["input"]["top"] + 1, \
                f"{field['name']}: the label is not above its field"
            assert field["input"]["height"] >= 44, f"{field['name']}: lower than 44 px"
            assert field["input"]["width"] >= text["width"] / 2, \
                f"{field['name']} is squeezed: {field['input']['width']} px " \
                f"beside a {text['width']} px comment box"
        assert text["height"] >= 44

        tops = [f["label"]["top"] for f in fields]
        side_by_side = max(tops) - min(tops) < 1
        stacked = all(after["label"]["top"] >= before["input"]["bottom"]
                      for before, after in zip(fields, fields[1:], strict=False))
        assert side_by_side or stacked, f"labels at different heights: {tops}"

        # The buttons: one row of their own, below every field.
        buttons = form["buttons"]
        assert [b["value"] for b in buttons] == ["Reactie plaatsen", "Voorbeeld"]
        lowest_field = max(f["input"]["bottom"] for f in fields)
        assert all(b["top"] >= lowest_field for b in buttons), "a button sits beside a field"
        assert max(b["top"] for b in buttons) - min(b["top"] for b in buttons) < 1
        assert all(b["height"] >= 44 for b in buttons)
        page.locator(MAIN_BOX).screenshot(path=str(artifacts / "comment-form-1280.png"))

        # In preview mode "Bewerken" takes the place of "Voorbeeld", in the same row.
        page.locator(f"{MAIN_BOX} .isso-textarea").fill("Een *voorbeeld* van mijn reactie.")
        page.get_by_role("button", name="Voorbeeld", exact=True).click()
        page.locator(f"{MAIN_BOX} .isso-preview em").wait_for()
        again = page.evaluate(FORM, MAIN_BOX)
        previewed = again["buttons"]
        assert [b["value"] for b in previewed] == ["Reactie plaatsen", "Bewerken"]
        below = max(f["input"]["bottom"] for f in again["fields"])
        assert [b["top"] - below for b in previewed] == [b["top"] - lowest_field
                                                         for b in buttons]
        assert previewed[1]["left"] == buttons[1]["left"], "a hidden button leaves a gap"
    finally:
        context.close()


COLOUR_OF = """([selector, token]) => {
  const probe = document.createElement('span');
  probe.style.color = `var(${token})`;
  document.body.appendChild(probe);
  const wanted = getComputedStyle(probe).color;
  probe.remove();
  return [getComputedStyle(document.querySelector(selector)).borderTopColor, wanted];
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_refused_field_gets_the_error_colour_edge(browser, served_site, comment_server,
                                                    scheme):
    network = {"light": "198.18.11.6", "dark": "198.18.11.7"}[scheme]
    context = citizen(browser, comment_server.url, network, width=375, scheme=scheme)
    page = context.new_page()
    try:
        open_thread(page, served_site + THREAD)
        email = f"{MAIN_BOX} input[name=email]"
        edge, error = page.evaluate(COLOUR_OF, [email, "--color-error"])
        assert edge != error
        page.fill(email, "geen-adres")
        box = page.locator(MAIN_BOX)
        box.locator(".isso-textarea").fill("Een reactie met een fout e-mailadres.")
        box.locator("input[name=author]").fill("Ilse")
        box.locator("input[type=submit]").click()
        page.wait_for_selector(f"{email}[aria-invalid=true]")
        edge, error = page.evaluate(COLOUR_OF, [email, "--color-error"])
        assert edge == error
    finally:
        context.close()


# --- Votes ------------------------------------------------------------------

VOTES = """(id) => [...document.querySelectorAll(
    `#isso-${id} > .isso-text-wrapper > .isso-comment-footer > button`)]
  .filter(b => b.classList.contains('comments__vote'))
  .map(b => ({text: b.innerText.trim(), svgHidden: b.querySelector('svg')
    ?.getAttribute('aria-hidden') === 'true'}))"""


def test_votes_are_buttons_that_say_what_they_do_and_count(browser, served_site,
                                                           comment_server):
    comment_id = seed(comment_server, THREAD, "Mastodon vraagt wel meer moderatie.",
                      "198.18.12.1")
    vote(comment_server, comment_id, "like", "198.18.121.2")
    vote(comment_server, comment_id, "like", "198.18.122.2")
    vote(comment_server, comment_id, "dislike", "198.18.123.2")
    context = citizen(browser, comment_server.url, "198.18.124.5")
    page = context.new_page()
    try:
        open_thread(page, served_site + THREAD)
        comment = page.locator(f"#isso-{comment_id}")
        comment.wait_for()
        useful = comment.get_by_role("button", name="Nuttig (2)", exact=True)
        not_useful = comment.get_by_role("button", name="Niet nuttig (1)", exact=True)
        assert useful.is_visible() and not_useful.is_visible()
        assert page.evaluate(VOTES, comment_id) == [
            {"text": "Nuttig (2)", "svgHidden": True},
            {"text": "Niet nuttig (1)", "svgHidden": True},
        ]
        assert box_of(useful)["height"] >= 44 and box_of(not_useful)["height"] >= 44
        # Isso's own chevron links and its bare difference ("1") are not shown.
        footer = comment.locator(":scope > .isso-text-wrapper > .isso-comment-footer")
        assert not footer.locator("a.isso-upvote").is_visible()
        assert not footer.locator("a.isso-downvote").is_visible()
        assert not footer.locator(".isso-votes").is_visible()

        # By keyboard: the count follows the server.
        not_useful.focus()
        page.keyboard.press("Enter")
        comment.get_by_role("button", name="Niet nuttig (2)", exact=True).wait_for()
        assert comment.get_by_role("button", name="Nuttig (2)", exact=True).is_visible()
        status, thread = comment_server.request("GET", f"/?uri={THREAD}")
        mine = next(c for c in thread["replies"] if c["id"] == comment_id)
        assert (mine["likes"], mine["dislikes"]) == (2, 2)
    finally:
        context.close()


# --- Editing ----------------------------------------------------------------

def start_editing(page, text):
    comment_id = post(page, text).get_attribute("id")
    comment = page.locator(f"#{comment_id}")
    comment.get_by_role("button", name="Bewerken", exact=True).click()
    area = comment.locator(".isso-textarea")
    area.wait_for()
    return comment, area


def test_save_and_cancel_of_an_edit_are_full_size_buttons(browser, served_site,
                                                          comment_server):
    context = citizen(browser, comment_server.url, "198.18.13.5")
    page = context.new_page()
    try:
        open_thread(page, served_site + THREAD)
        comment, area = start_editing(page, "Eerste versie van mijn reactie.")
        save = comment.get_by_role("button", name="Opslaan", exact=True)
        cancel = comment.get_by_role("button", name="Annuleren", exact=True)
        for control in (save, cancel):
            assert control.evaluate("el => el.tagName") == "BUTTON"
            size = box_of(control)
            assert size["height"] >= 44 and size["width"] >= 44, size
            assert size["y"] >= box_of(area)["y"] + box_of(area)["height"], \
                "save and cancel are not below the text box"
        filled = "el => getComputedStyle(el).backgroundColor"
        assert save.evaluate(filled) != cancel.evaluate(filled), "save is not the main button"
        assert save.evaluate(filled) == page.locator(
            f"{MAIN_BOX} input[type=submit]").evaluate(filled), "save looks unlike submit"

        # Cancel, by keyboard: the text comes back, focus stays on the comment.
        area.fill("Toch niet.")
        cancel.focus()
        page.keyboard.press("Enter")
        area.wait_for(state="detached")
        assert comment.locator(".isso-text").inner_text() == "Eerste versie van mijn reactie."
        assert page.evaluate("() => document.activeElement.textContent") == "Bewerken"
        assert not save.count() and not cancel.count()

        # Save, by keyboard: focus stays on the comment's edit button.
        comment.get_by_role("button", name="Bewerken", exact=True).click()
        area.wait_for()
        save.focus()
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.textContent") == "Bewerken"
        assert not cancel.count()
    finally:
        context.close()


def test_a_saved_edit_reaches_the_server(browser, served_site, comment_server):
    context = citizen(browser, comment_server.url, "198.18.17.5")
    page = context.new_page()
    try:
        open_thread(page, served_site + THREAD)
        comment, area = start_editing(page, "Eerste versie, nog te verbeteren.")
        area.fill("Tweede versie, verbeterd.")
        comment.get_by_role("button", name="Opslaan", exact=True).click()
        comment.locator(".isso-text").filter(has_text="Tweede versie").wait_for(timeout=5000)
        # Stored: the thread as anyone reads it now has the new text, same name.
        comment_id = int(comment.get_attribute("id").removeprefix("isso-"))
        status, thread = comment_server.request("GET", f"/?uri={THREAD}")
        [stored] = [c for c in thread["replies"] if c["id"] == comment_id]
        assert "Tweede versie, verbeterd." in stored["text"]
        assert stored["author"], "the edit kept the comment's name"
    finally:
        context.close()


# --- Headings and dates -----------------------------------------------------

HEADINGS = """() => [...document.querySelectorAll('#reacties :is(h1, h2, h3, h4, h5, h6)')]
  .filter(h => h.checkVisibility())
  .map(h => [Number(h.tagName[1]), h.textContent.trim()])"""


def test_heading_levels_do_not_skip_and_the_count_still_updates(browser, served_site,
                                                                comment_server):
    seed(comment_server, THREAD, "Een reactie zodat er iets te tellen valt.", "198.18.14.1")
    context = citizen(browser, comment_server.url, "198.18.14.5")
    page = context.new_page()
    try:
        open_thread(page, served_site + THREAD)
        page.wait_for_function("() => document.querySelector('.isso-thread-heading')"
                               "?.textContent.includes('reactie')")
        headings = page.evaluate(HEADINGS)
        assert [level for level, _ in headings] == [2, 3], headings
        assert headings[0][1] == "Reacties"
        assert re.fullmatch(r"(Één reactie|\d+ reacties)", headings[1][1]), headings
        assert page.locator("#reacties h4").count() == 0

        # Isso writes a new count when it reads the thread again: the h3 shows it.
        post(page, "Nog een reactie, dus het aantal verandert.")
        status, thread = comment_server.request("GET", f"/?uri={THREAD}")
        expected = f"{thread['total_replies']} reacties"
        assert headings[1][1] != expected
        page.evaluate("() => window.Isso.fetchComments()")
        page.wait_for_function(
            "text => document.querySelector('#reacties h3.isso-thread-heading')"
            "?.textContent === text", arg=expected)
        assert [level for level, _ in page.evaluate(HEADINGS)] == [2, 3]
    finally:
        context.close()


TIMES = """() => [...document.querySelectorAll('#isso-thread time')]
  .map(t => [t.getAttribute('datetime'), t.title, t.textContent])"""


def dutch_date(stamp: str) -> str:
    when = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(
        ZoneInfo("Europe/Brussels"))
    return (f"{WEEKDAYS[when.weekday()]} {when.day} {MONTHS[when.month - 1]} {when.year}"
            f" om {when:%H:%M}")


def test_every_date_tooltip_is_dutch_also_for_new_comments(browser, served_site,
                                                           comment_server):
    seed(comment_server, THREAD, "Een reactie met een datum.", "198.18.15.1")
    context = citizen(browser, comment_server.url, "198.18.15.5")
    page = context.new_page()
    try:
        open_thread(page, served_site + THREAD)
        page.locator("#isso-root time").first.wait_for()
        post(page, "Een reactie die er later bij komt.")
        times = page.evaluate(TIMES)
        assert len(times) >= 2
        for stamp, title, shown in times:
            assert "GMT" not in title and re.search("|".join(MONTHS), title), title
            assert title == dutch_date(stamp)
            assert re.search(r"geleden|zojuist|gisteren|vorige", shown), shown
    finally:
        context.close()


# --- The whole thread: axe, and a look -------------------------------------

RUN_AXE = """async () => {
  const result = await axe.run(document.getElementById('reacties'),
    {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return result.violations.map(v => v.id + ': ' + v.nodes.slice(0, 3)
    .map(n => n.target.join(' ') + ' — ' + n.failureSummary).join(' | '));
}"""


def test_a_thread_with_two_comments_passes_axe_in_every_look(browser, served_site,
                                                             comment_server, artifacts):
    """Votes, buttons and the edit row included; screenshots for a human eye."""
    first = seed(comment_server, SHOWN, "Handige stappen, we zijn er vorige maand mee "
                 "begonnen. Vooral de tip over de huisregels hielp.", "198.18.16.1",
                 author="Jan Peeters")
    vote(comment_server, first, "like", "198.18.161.2")
    vote(comment_server, first, "like", "198.18.162.2")
    faults, cookies = [], []
    for scheme in ("light", "dark"):
        for width in (375, 1280):
            context = citizen(browser, comment_server.url, "198.18.16.5", width, scheme)
            context.add_cookies(cookies)  # the same citizen: may edit her comment
            page = context.new_page()
            try:
                open_thread(page, served_site + SHOWN)
                if not cookies:
                    post(page, "Welke foto gebruiken jullie als profielbeeld?", "Sofie")
                page.locator("#isso-root > .isso-comment").nth(1).wait_for()
                # This test's two comments (other tests may have left more here).
                for text in ("Handige stappen", "Welke foto gebruiken"):
                    assert page.locator("#isso-root .isso-comment").filter(
                        has_text=text).count() == 1, text
                page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
                faults += [f"{width}px {scheme}: {f}" for f in page.evaluate(RUN_AXE)]
                page.locator("#reacties").screenshot(
                    path=str(artifacts / f"comments-{width}-{scheme}.png"))
                mine = page.locator("#" + page.locator("#isso-root > .isso-comment").filter(
                    has_text="Welke foto").get_attribute("id"))
                edit = mine.get_by_role("button", name="Bewerken", exact=True)
                assert edit.count() == 1
                edit.click()
                mine.locator(".isso-textarea").wait_for()
                faults += [f"{width}px {scheme}, editing: {f}" for f in page.evaluate(RUN_AXE)]
                mine.screenshot(path=str(artifacts / f"comments-edit-{width}-{scheme}.png"))
                cookies = context.cookies()
            finally:
                context.close()
    assert not faults, "\n".join(faults)
