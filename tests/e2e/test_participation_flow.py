"""A consultation from end to end, in real Chromium, against the real service.

The sample site is built with an extra consultation (e-mail verification) and
served on 127.0.0.1; the participation service (gunicorn, SQLite) reads the
build's participation.json; its confirmation mails go to a real SMTP server
(aiosmtpd). Citizens post an idea, a moderator approves it, citizens support
it — with JavaScript on and off, and by keyboard alone — and the service
refuses what it must: a support after the deadline (whatever the page
shows), a second support from the same e-mail address. Afterwards a build
past the deadline writes the results, whose totals equal the database's.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sqlite3
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from participation_service import PASSWORD, confirm_link, free_port, start
from test_accessibility import axe_faults

from dorpsplein.build import ROOT, build
from dorpsplein.devtools.static_server import serve_directory

pytestmark = pytest.mark.e2e

SLUG = "dorpsplein-groener"
MAIL_SLUG = "speelplein-schoolstraat"
MAIL_CONSULTATION = """Title: Welk speeltuig komt er in de Schoolstraat?
Slug: speelplein-schoolstraat
Summary: Kies mee welk speeltuig er komt op het kleine speelplein in de Schoolstraat.
Opens: 2026-11-01 09:00
Closes: 2027-03-31 23:59
Phase: ideas
Supports: 2
Verification: email
Moderation: after

Het speelplein in de Schoolstraat krijgt volgend voorjaar een nieuw speeltuig.
Welk? Dat kiezen de buren mee. Je steun telt pas als je hem bevestigt via de
link in je mailbox.
"""


class Inspraak:
    """The built site, its static server, the service and the mailbox."""

    def __init__(self, tmp: Path, mailbox):
        self.tmp = tmp
        self.mailbox = mailbox
        self.content = tmp / "content"
        shutil.copytree(ROOT / "content", self.content)
        (self.content / "inspraak" / f"{MAIL_SLUG}.md").write_text(MAIL_CONSULTATION,
                                                                   encoding="utf-8")
        self.output = tmp / "output"
        self.site_port, self.service_port = free_port(), free_port()
        self.site = f"http://127.0.0.1:{self.site_port}"
        self.service_url = f"http://127.0.0.1:{self.service_port}"
        self.stack = ExitStack()

    def build(self, **overrides) -> None:
        build("pelicanconf.py", overrides={
            "PATH": str(self.content), "OUTPUT_PATH": str(self.output),
            "CACHE_PATH": str(self.tmp / "cache"), "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False, "PREVIEW_URL": self.site,
            "PARTICIPATION_URL": self.service_url, "PARTICIPATION_DATA": self.service_url,
            **overrides})

    def __enter__(self):
        self.build()
        self.service = start(
            self.tmp / "service", "--origin", self.site, site=self.output / "participation.json",
            port=self.service_port, time_trap_seconds=1,
            smtp={"host": "127.0.0.1", "port": self.mailbox.port,
                  "from": "inspraak@lindeveld.example"})
        self.stack.callback(self.service.stop)
        self.stack.enter_context(serve_directory(self.output, port=self.site_port))
        return self

    def __exit__(self, *exc):
        self.stack.close()

    def database(self):
        return sqlite3.connect(self.service.state_dir / "participation.db")

    def idea_id(self, title: str) -> int:
        with self.database() as db:
            return db.execute("SELECT id FROM ideas WHERE title = ?", (title,)).fetchone()[0]

    def supports(self, idea: int) -> int:
        with self.database() as db:
            return db.execute("SELECT COUNT(*) FROM supports WHERE idea = ?",
                              (idea,)).fetchone()[0]


@pytest.fixture(scope="module")
def inspraak(tmp_path_factory, mailbox):
    with Inspraak(tmp_path_factory.mktemp("inspraak"), mailbox) as running:
        yield running


def named(action: str, title: str) -> re.Pattern:
    """The accessible name of a control "action" for the idea ``title``
    (the title is visually hidden: "Steun dit idee: <title>")."""
    return re.compile(rf"^{re.escape(action)}\s*:\s*{re.escape(title)}$")


def new_context(browser, javascript=True, width=375, scheme="light", **options):
    return browser.new_context(viewport={"width": width, "height": 900}, locale="nl-BE",
                               java_script_enabled=javascript, color_scheme=scheme, **options)


def open_board(page, inspraak):
    """The consultation page, scrolled to its board (the script asks the
    service for the current board when the reader nears it)."""
    with page.expect_response(lambda r: "/api/" in r.url):
        page.goto(f"{inspraak.site}/inspraak/{SLUG}/", wait_until="networkidle")
        page.locator("[data-participation-board]").scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")


def post_idea(page, inspraak, title, text, name="", place=""):
    """From the consultation page to the service's form and back: the thanks page."""
    page.goto(f"{inspraak.site}/inspraak/{SLUG}/")
    page.get_by_role("link", name="Deel je idee").click()
    page.get_by_label("Titel van je idee").fill(title)
    page.get_by_label("Je idee", exact=True).fill(text)
    if name:
        page.get_by_label("Je naam").fill(name)
    if place:
        page.get_by_label("Waar je woont").fill(place)
    page.wait_for_timeout(1100)  # the time trap: a person reads before sending
    page.get_by_role("button", name="Verstuur je idee").click()
    page.wait_for_load_state()
    return page


def approve(browser, inspraak, title):
    """A moderator logs in on the service's moderation page and approves."""
    context = new_context(browser, javascript=False, width=1280)
    page = context.new_page()
    try:
        page.goto(inspraak.service_url + "/moderatie/")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Aanmelden").click()
        page.get_by_role("button", name=named("Goedkeuren", title)).click()
        assert page.get_by_role("status").filter(has_text="Gedaan").count() == 1
    finally:
        context.close()


def test_with_javascript_post_approve_support_and_see_the_count(browser, inspraak):
    title = "Bomen langs de kerkmuur"
    context = new_context(browser)
    page = context.new_page()
    try:
        post_idea(page, inspraak, title, "Vier lindes langs de kerkmuur geven schaduw aan "
                  "wie op de bank zit.", name="Mira", place="Kerkstraat")
        assert "moderator" in page.get_by_role("status").inner_text()
        assert context.cookies() == []  # an idea needs no cookie
        approve(browser, inspraak, title)

        # The page was built before the idea existed: the script shows it live.
        open_board(page, inspraak)
        idea = page.locator(".participation-idea", has_text=title)
        idea.wait_for()
        assert "0 keer gesteund" in idea.inner_text()
        assert context.cookies() == []  # reading the board sets none either
        idea.get_by_role("button", name=named("Steun dit idee", title)).click()
        status = idea.get_by_role("status")
        status.filter(has_text="Bedankt").wait_for(timeout=10_000)
        assert "je steun is geteld" in status.inner_text()
        assert "1 keer gesteund" in idea.inner_text()
        assert [c["name"] for c in context.cookies()] == ["deelnemer"]
        number = inspraak.idea_id(title)
        assert inspraak.supports(number) == 1

        # The same browser cannot support the same idea twice.
        open_board(page, inspraak)
        idea = page.locator(".participation-idea", has_text=title)
        idea.wait_for()
        idea.get_by_role("button", name=named("Steun dit idee", title)).click()
        idea.get_by_role("status").filter(has_text="al").wait_for(timeout=10_000)
        assert "Je steunt dit idee al" in idea.get_by_role("status").inner_text()
        assert inspraak.supports(number) == 1
    finally:
        context.close()


def test_without_javascript_post_approve_support_and_see_the_count(browser, inspraak):
    title = "Een bloemenweide achter het gemeentehuis"
    context = new_context(browser, javascript=False)
    page = context.new_page()
    try:
        post_idea(page, inspraak, title, "Zaai bloemen voor bijen en vlinders op het "
                  "grasveld achter het gemeentehuis.")
        assert page.url.startswith(inspraak.service_url + f"/{SLUG}/bedankt")
        approve(browser, inspraak, title)

        page.goto(f"{inspraak.site}/inspraak/{SLUG}/")
        page.get_by_role("link", name="Bekijk het actuele overzicht").click()
        idea = page.locator(".participation-idea", has_text=title)
        assert "0 steunbetuigingen" in idea.inner_text()
        assert "Een inwoner" in idea.inner_text()  # posted without a name
        idea.get_by_role("link", name=named("Steun dit idee", title)).click()
        page.wait_for_timeout(1100)
        page.get_by_role("button", name="Steun dit idee").click()
        assert title in page.get_by_role("status").inner_text()
        assert "geteld" in page.get_by_role("status").inner_text()
        page.goto(f"{inspraak.service_url}/{SLUG}/")
        idea = page.locator(".participation-idea", has_text=title)
        assert "1 steun" in idea.inner_text()
        assert inspraak.supports(inspraak.idea_id(title)) == 1
    finally:
        context.close()


def test_keyboard_alone_and_the_error_summary(browser, inspraak):
    """Without a mouse and without JavaScript: a mistake shows the error
    summary, which takes the focus; the idea is sent after correcting it."""
    context = new_context(browser, javascript=False, width=1280)
    page = context.new_page()
    try:
        page.goto(f"{inspraak.site}/inspraak/{SLUG}/")
        link = page.get_by_role("link", name="Deel je idee")
        for _ in range(80):
            page.keyboard.press("Tab")
            if link.evaluate("el => el === document.activeElement"):
                break
        else:
            pytest.fail("'Deel je idee' cannot be reached with Tab")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        page.get_by_label("Titel van je idee").focus()
        page.keyboard.type("Zit")  # too short: a title has at least 3 words' worth
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")  # past the text, left empty
        page.wait_for_timeout(1100)
        submit = page.get_by_role("button", name="Verstuur je idee")
        submit.focus()
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        summary = page.locator(".error-summary")
        assert summary.evaluate("el => el === document.activeElement")
        assert summary.get_attribute("role") == "alert"
        text_field = page.get_by_label("Je idee", exact=True)
        assert text_field.get_attribute("aria-invalid") == "true"
        assert page.get_by_label("Titel van je idee").input_value() == "Zit"  # kept
        summary.get_by_role("link").last.focus()
        page.keyboard.press("Enter")
        assert text_field.evaluate("el => el === document.activeElement")
        page.keyboard.type("Zitbanken in de schaduw van de nieuwe bomen, voor ouderen.")
        title = page.get_by_label("Titel van je idee")
        title.focus()
        page.keyboard.press("End")
        page.keyboard.type("banken onder de bomen")
        page.wait_for_timeout(1100)
        submit = page.get_by_role("button", name="Verstuur je idee")
        submit.focus()
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert "moderator" in page.get_by_role("status").inner_text()
        assert inspraak.idea_id("Zitbanken onder de bomen")
    finally:
        context.close()


def test_a_support_after_the_deadline_is_refused_whatever_the_page_shows(browser, inspraak):
    title = "Regenwater opvangen voor de plantenbakken"
    context = new_context(browser)
    page = context.new_page()
    site_file = inspraak.output / "participation.json"
    original = site_file.read_text(encoding="utf-8")
    try:
        post_idea(page, inspraak, title, "Een ondergrondse tank vangt het regenwater van het "
                  "kerkdak op voor de plantenbakken.")
        approve(browser, inspraak, title)
        open_board(page, inspraak)
        idea = page.locator(".participation-idea", has_text=title)
        idea.wait_for()
        # The deadline passes while the page is open: only the service knows.
        data = json.loads(original)
        closed = datetime.now(UTC) - timedelta(minutes=1)
        data["consultations"][SLUG]["closes"] = closed.isoformat()
        partial = site_file.with_name("participation.json.partial")
        partial.write_text(json.dumps(data), encoding="utf-8")
        os.replace(partial, site_file)
        idea.get_by_role("button", name=named("Steun dit idee", title)).click()
        status = idea.get_by_role("status")
        status.filter(has_text="gesloten").wait_for(timeout=10_000)
        assert inspraak.supports(inspraak.idea_id(title)) == 0
        assert "0 keer gesteund" in idea.inner_text()
    finally:
        partial = site_file.with_name("participation.json.partial")
        partial.write_text(original, encoding="utf-8")
        os.replace(partial, site_file)
        context.close()


def test_a_second_support_from_the_same_address_is_refused(browser, inspraak):
    title = "Een kabelbaan over het zandveld"
    answer = inspraak.service.new_idea(MAIL_SLUG, origin=inspraak.site, title=title,
                                       text="Een korte kabelbaan over het zandveld, voor "
                                       "kinderen van zes tot twaalf.")
    assert answer.status == 201, answer  # moderation after: on the board at once
    address = "an.peeters@example.org"
    context = new_context(browser, javascript=False)
    page = context.new_page()
    try:
        page.goto(f"{inspraak.site}/inspraak/{MAIL_SLUG}/")
        page.get_by_role("link", name="Bekijk het actuele overzicht").click()
        idea = page.locator(".participation-idea", has_text=title)
        idea.get_by_role("link", name=named("Steun dit idee", title)).click()
        page.get_by_label("Je e-mailadres").fill(address)
        page.wait_for_timeout(1100)
        page.get_by_role("button", name="Steun dit idee").click()
        assert "e-mail" in page.get_by_role("status").inner_text()
        link = confirm_link(inspraak.mailbox.wait_for(address))
        page.goto(link)
        page.get_by_role("button").filter(has_text="Bevestig").click()
        assert inspraak.supports(inspraak.idea_id(title)) == 1

        # Again, from another browser, with the same address: refused at once.
        other = new_context(browser, javascript=False)
        again = other.new_page()
        again.goto(f"{inspraak.service_url}/{MAIL_SLUG}/steun/{inspraak.idea_id(title)}")
        again.get_by_label("Je e-mailadres").fill(address.upper())
        again.wait_for_timeout(1100)
        again.get_by_role("button", name="Steun dit idee").click()
        assert "al" in again.locator("main").inner_text()
        assert "steun" in again.locator("main").inner_text().lower()
        other.close()
        assert inspraak.supports(inspraak.idea_id(title)) == 1
        with inspraak.database() as db:  # only a keyed hash, never the address
            dump = "\n".join(db.iterdump()).lower()
        assert "an.peeters" not in dump and "example.org" not in dump
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_the_consultation_pages_and_forms_pass_axe(browser, inspraak, axe_source, width,
                                                   scheme):
    with inspraak.database() as db:
        number = db.execute("SELECT id FROM ideas WHERE status = 'approved' "
                            "AND consultation = ? LIMIT 1", (SLUG,)).fetchone()
    if number is None:
        answer = inspraak.service.new_idea(SLUG, origin=inspraak.site)
        number = (answer.json["id"],)
    # The service's strict CSP would refuse axe's inline script: the check
    # alone bypasses it (the pages themselves carry no script).
    context = new_context(browser, width=width, scheme=scheme, bypass_csp=True)
    page = context.new_page()
    faults = []
    pages = {
        "consultations": f"{inspraak.site}/inspraak/",
        "consultation": f"{inspraak.site}/inspraak/{SLUG}/",
        "live board": f"{inspraak.service_url}/{SLUG}/",
        "idea form": f"{inspraak.service_url}/{SLUG}/idee",
        "support form": f"{inspraak.service_url}/{SLUG}/steun/{number[0]}",
        "support form (e-mail)": f"{inspraak.service_url}/{MAIL_SLUG}/steun/{number[0]}",
        "report form": f"{inspraak.service_url}/{SLUG}/meld/{number[0]}",
        "moderation login": f"{inspraak.service_url}/moderatie/",
    }
    try:
        for name, url in pages.items():
            page.goto(url, wait_until="networkidle")
            if page.locator("[data-participation-board]").count():  # the live board too
                page.locator("[data-participation-board]").scroll_into_view_if_needed()
                page.wait_for_load_state("networkidle")
            faults += [f"{name} ({width}px, {scheme}) {f}" for f in
                       axe_faults(page, url, axe_source)]
        # The idea form with its errors.
        page.goto(pages["idea form"])
        page.get_by_role("button", name="Verstuur je idee").click()
        page.wait_for_load_state("networkidle")
        assert page.locator(".error-summary").count() == 1
        faults += [f"idea form with errors ({width}px, {scheme}) {f}" for f in
                   axe_faults(page, "idea form", axe_source)]
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            faults.append(f"idea form ({width}px): scrolls sideways by {overflow}px")
    finally:
        context.close()
    assert not faults, "\n".join(faults)


def test_results_after_the_deadline_total_the_database(inspraak, tmp_path):
    """The first build after Closes writes the results; its CSV and JSON add
    up to what the service's database holds."""
    with inspraak.database() as db:
        expected = dict(db.execute(
            "SELECT i.id, COUNT(s.idea) FROM ideas i LEFT JOIN supports s ON s.idea = i.id "
            "WHERE i.consultation = ? AND i.status = 'approved' GROUP BY i.id", (SLUG,)))
    assert sum(expected.values()) >= 2  # the tests above supported ideas
    output = tmp_path / "results"
    build("pelicanconf.py", overrides={
        "PATH": str(inspraak.content), "OUTPUT_PATH": str(output),
        "CACHE_PATH": str(tmp_path / "cache"), "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False, "PREVIEW_URL": inspraak.site,
        "PARTICIPATION_URL": inspraak.service_url, "PARTICIPATION_DATA": inspraak.service_url,
        "PARTICIPATION_NOW": "2027-03-01 10:00"})
    folder = output / "inspraak" / SLUG
    rows = list(csv.DictReader(io.StringIO(
        (folder / "resultaten.csv").read_text(encoding="utf-8-sig"))))
    data = json.loads((folder / "resultaten.json").read_text(encoding="utf-8"))
    support_column = next(k for k in rows[0] if "steun" in k.lower() or "support" in k.lower())
    id_column = next(k for k in rows[0] if k.lower() in ("id", "nummer", "idee"))
    assert {int(r[id_column]): int(r[support_column]) for r in rows} == expected
    assert sum(int(r[support_column]) for r in rows) == sum(expected.values())
    assert data["total_supports"] == sum(expected.values())
    assert (folder / "resultaten" / "index.html").is_file()


def test_the_board_page_stays_within_the_article_budget(browser, inspraak):
    """The consultation page with its live board, before the reader acts:
    within the article page's budget (tests/e2e/test_budget.py), no cookie,
    nothing from any host but the site and the town's participation service."""
    from test_budget import BUDGET_BYTES, BUDGET_REQUESTS, opened

    context = new_context(browser)
    page = context.new_page()
    try:
        rows, code_bytes, own = opened(page, f"{inspraak.site}/inspraak/{SLUG}/", "the board")
        hosts = {row[1].split("/")[2] for row in rows}
        assert hosts <= {inspraak.site.split("/")[2]}  # the board comes when it is near
        assert context.cookies() == []
        assert len(own) <= BUDGET_REQUESTS, f"{len(own)} requests, budget {BUDGET_REQUESTS}"
        assert code_bytes <= BUDGET_BYTES, f"{code_bytes} bytes, budget {BUDGET_BYTES}"
        # The reader reaches the ideas: now the current board is asked for.
        with page.expect_response(lambda r: "/api/" in r.url) as asked:
            page.locator("[data-participation-board]").scroll_into_view_if_needed()
        assert asked.value.url.startswith(inspraak.service_url)
        assert context.cookies() == []
    finally:
        context.close()
