"""A self-test from end to end, in real Chromium, against the real service.

The sample site (its profile test "Hoe wil jij in 2040 in Lindeveld wonen?",
with counts on) plus a knowledge test is built and served on 127.0.0.1; the
participation service (gunicorn, SQLite) reads the build's participation.json.
A citizen takes the test with JavaScript on (in place, the browser's history
between questions), with it off (the service's question pages) and by
keyboard alone; the error summary, the result's address (the result, never
the answers), the count, and axe on every step and result.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from participation_service import free_port, start
from test_accessibility import axe_faults

from dorpsplein.build import ROOT, build
from dorpsplein.devtools.static_server import serve_directory

pytestmark = pytest.mark.e2e

SLUG = "lindeveld-2040"
QUIZ = "inspraak-quiz"
# The answers (option numbers) that make a "buurtbouwer" (samen) of the
# sample's six questions, and the labels to click for them.
SAMEN = [2, 3, 2, 1, 2, 2]
QUIZ_TEXT = (ROOT / "tests" / "plugins" / "test_participation_self_test.py").read_text(
    encoding="utf-8").split('KNOWLEDGE = """', 1)[1].split('"""', 1)[0]


class SelfTestSite:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.content = tmp / "content"
        shutil.copytree(ROOT / "content", self.content)
        (self.content / "zelftest" / f"{QUIZ}.md").write_text(QUIZ_TEXT, encoding="utf-8")
        self.output = tmp / "output"
        self.site_port, self.service_port = free_port(), free_port()
        self.site = f"http://127.0.0.1:{self.site_port}"
        self.service_url = f"http://127.0.0.1:{self.service_port}"
        self.stack = ExitStack()

    def __enter__(self):
        build("pelicanconf.py", overrides={
            "PATH": str(self.content), "OUTPUT_PATH": str(self.output),
            "CACHE_PATH": str(self.tmp / "cache"), "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False, "PREVIEW_URL": self.site,
            "PARTICIPATION_URL": self.service_url, "PARTICIPATION_DATA": self.service_url,
            "PARTICIPATION_NOW": "2026-11-27 12:00"})
        self.service = start(self.tmp / "service", "--origin", self.site,
                             site=self.output / "participation.json", port=self.service_port,
                             time_trap_seconds=1)
        self.stack.callback(self.service.stop)
        self.stack.enter_context(serve_directory(self.output, port=self.site_port))
        return self

    def __exit__(self, *exc):
        self.stack.close()

    def counts(self) -> dict:
        with urllib.request.urlopen(f"{self.service_url}/api/zelftest/{SLUG}/counts",
                                    timeout=10) as response:
            return json.loads(response.read())

    def rows(self) -> dict:
        """Every table of the service's database and its number of rows."""
        with sqlite3.connect(self.service.state_dir / "participation.db") as db:
            tables = [row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with SelfTestSite(tmp_path_factory.mktemp("zelftest")) as running:
        yield running


def new_context(browser, javascript=True, width=375, scheme="light", **options):
    return browser.new_context(viewport={"width": width, "height": 900}, locale="nl-BE",
                               java_script_enabled=javascript, color_scheme=scheme, **options)


def focused_is(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, target, what: str, presses: int = 80) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user does."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if focused_is(target):
            return
    pytest.fail(f"{what} cannot be reached with Tab")


def choose(page, question: int, option: int) -> None:
    page.locator(f"#v{question}-{option}").check()


def test_with_javascript_in_place_with_history_errors_and_the_result(browser, site):
    before = site.counts()["results"]["samen"]
    context = new_context(browser)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(f"{site.site}/zelftest/{SLUG}/", wait_until="networkidle")
        loads = []
        page.on("load", lambda _page: loads.append(page.url))
        page.get_by_role("link", name="Begin de test").click()
        question = page.get_by_role("heading", level=1, name="Hoe kom je in 2040 het liefst "
                                                                "naar het dorpscentrum?")
        question.wait_for()
        assert page.title().startswith("Vraag 1 van 6 – Hoe kom je in 2040")
        assert urlsplit(page.url).fragment == "vraag-1"
        assert focused_is(question)

        # "Volgende" without an answer: the error summary, focused and announced.
        page.get_by_role("button", name="Volgende").click()
        summary = page.locator(".error-summary")
        assert summary.is_visible() and summary.get_attribute("role") == "alert"
        assert focused_is(summary)
        assert page.title().startswith("Fout: Vraag 1 van 6")
        assert page.locator("#v1-error").is_visible()
        assert "v1-error" in page.locator("#vraag-1").get_attribute("aria-describedby")
        summary.get_by_role("link", name="Kies een antwoord.").click()
        assert focused_is(page.locator("#v1-1"))

        for number in (1, 2, 3):
            choose(page, number, SAMEN[number - 1])
            page.get_by_role("button", name="Volgende").click()
        assert not summary.is_visible()
        assert page.title().startswith("Vraag 4 van 6")
        # "Vorige", then the browser's own back button: the answers are kept.
        page.get_by_role("button", name="Vorige").click()
        assert page.title().startswith("Vraag 3 van 6")
        assert page.locator(f"#v3-{SAMEN[2]}").is_checked()
        page.go_back()
        assert page.title().startswith("Vraag 2 van 6")
        page.go_forward()
        assert page.title().startswith("Vraag 3 van 6")
        page.get_by_role("button", name="Volgende").click()
        for number in (4, 5, 6):
            choose(page, number, SAMEN[number - 1])
            page.get_by_role("button", name="Volgende").click()

        result = page.get_by_role("heading", level=1, name="Jij bent een buurtbouwer")
        result.wait_for(timeout=15_000)
        assert urlsplit(page.url).path == f"/zelftest/{SLUG}/resultaat/samen/"
        assert not urlsplit(page.url).query and not urlsplit(page.url).fragment
        assert page.title().startswith("Jij bent een buurtbouwer · ")
        assert focused_is(result)
        assert loads == []  # no page load between the start page and the result
        assert site.counts()["results"]["samen"] == before + 1, (site.counts(), site.rows())
        assert context.cookies() == []
        hosts = {urlsplit(url).netloc for url in requests}
        assert hosts <= {urlsplit(site.site).netloc, urlsplit(site.service_url).netloc}
        # The answers went to the service once, to be counted; never into an address.
        assert not [url for url in requests if "v1=" in url]
        # Back from the result: the last question, answered.
        page.go_back()
        assert page.title().startswith("Vraag 6 van 6")
        assert page.locator(f"#v6-{SAMEN[5]}").is_checked()
        # The result's address on its own: the static page.
        page.goto(f"{site.site}/zelftest/{SLUG}/resultaat/samen/")
        assert page.get_by_role("heading", level=1).inner_text() == "Jij bent een buurtbouwer"
    finally:
        context.close()


def test_without_javascript_the_service_asks_one_question_a_page(browser, site):
    before = site.counts()["results"]["samen"]
    context = new_context(browser, javascript=False)
    page = context.new_page()
    try:
        page.goto(f"{site.site}/zelftest/{SLUG}/")
        page.get_by_role("link", name="Begin de test").click()
        page.wait_for_load_state()
        assert page.url.startswith(f"{site.service_url}/zelftest/{SLUG}/vraag/1")
        assert page.title().startswith("Vraag 1 van 6 – Hoe kom je in 2040")
        legend_h1 = page.locator("fieldset legend h1")
        assert legend_h1.inner_text() == "Hoe kom je in 2040 het liefst naar het dorpscentrum?"

        page.get_by_role("button", name="Volgende").click()
        page.wait_for_load_state()
        summary = page.locator(".error-summary")
        assert summary.count() == 1 and summary.get_attribute("role") == "alert"
        assert focused_is(summary)  # autofocus: no script needed
        assert page.title().startswith("Fout:")

        for number in range(1, 7):
            choose(page, number, SAMEN[number - 1])
            if number == 3:  # back and forth once: the answers travel along
                page.get_by_role("button", name="Volgende").click()
                page.wait_for_load_state()
                page.get_by_role("button", name="Vorige").click()
                page.wait_for_load_state()
                assert page.locator(f"#v3-{SAMEN[2]}").is_checked()
            if number == 6:
                page.wait_for_timeout(1100)  # the time trap of the counted last step
            page.get_by_role("button", name="Volgende").click()
            page.wait_for_load_state()
        page.wait_for_url(f"{site.site}/zelftest/{SLUG}/resultaat/samen/")
        assert page.get_by_role("heading", level=1).inner_text() == "Jij bent een buurtbouwer"
        assert site.counts()["results"]["samen"] == before + 1
        assert context.cookies() == []
    finally:
        context.close()


def test_keyboard_alone_with_javascript(browser, site):
    context = new_context(browser, width=1280)
    page = context.new_page()
    try:
        page.goto(f"{site.site}/zelftest/{QUIZ}/", wait_until="networkidle")
        tab_to(page, page.get_by_role("link", name="Begin de test"), "'Begin de test'")
        page.keyboard.press("Enter")
        # Right, wrong, right: 2 of 3 ("Goed bezig").
        for number, option in enumerate((2, 2, 2), start=1):
            page.keyboard.press("Tab")  # from the question's heading to its answers
            first = page.locator(f"#v{number}-1")
            assert focused_is(first)
            for _ in range(option - 1):
                page.keyboard.press("ArrowDown")
            assert page.locator(f"#v{number}-{option}").is_checked()
            page.keyboard.press("Tab")
            assert focused_is(page.get_by_role("button", name="Volgende"))
            page.keyboard.press("Enter")
        heading = page.get_by_role("heading", level=1, name="Goed bezig")
        heading.wait_for(timeout=15_000)
        assert focused_is(heading)
        assert page.locator(".self-test__score").inner_text() == \
            "Je beantwoordde 2 van de 3 vragen juist."
        yours = page.locator("[data-self-test-yours]")
        assert yours.nth(0).inner_text() == "Jouw antwoord: Tot de inspraakronde sluit (juist)"
        assert yours.nth(1).inner_text() == "Jouw antwoord: Niemand (niet juist)"
        assert urlsplit(page.url).path == f"/zelftest/{QUIZ}/resultaat/2/"
    finally:
        context.close()


def test_a_test_without_counts_stores_nothing_and_sends_nothing(browser, site):
    """The knowledge test has no counts: with JavaScript nothing goes to the
    service; without it the steps go through the service and leave no row."""
    rows = site.rows()
    context = new_context(browser)
    page = context.new_page()
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    try:
        page.goto(f"{site.site}/zelftest/{QUIZ}/", wait_until="networkidle")
        page.get_by_role("link", name="Begin de test").click()
        for number in (1, 2, 3):
            choose(page, number, 1)
            page.get_by_role("button", name="Volgende").click()
        page.get_by_role("heading", level=1, name="Je kan nog wat bijleren").wait_for()
        assert not [url for url in asked if url.startswith(site.service_url)]
    finally:
        context.close()
    context = new_context(browser, javascript=False)
    page = context.new_page()
    try:
        page.goto(f"{site.service_url}/zelftest/{QUIZ}/vraag/1")
        for number, right in enumerate((2, 1, 2), start=1):
            choose(page, number, right)
            page.get_by_role("button", name="Volgende").click()
            page.wait_for_load_state()
        page.wait_for_url(f"{site.site}/zelftest/{QUIZ}/resultaat/3/")
    finally:
        context.close()
    assert site.rows() == rows


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_every_step_and_result_passes_axe(browser, site, axe_source, width, scheme):
    faults = []

    def check(page, name):
        faults.extend(f"{name} ({width}px, {scheme}) {f}" for f in
                      axe_faults(page, name, axe_source))
        overflow = page.evaluate("() => document.documentElement.scrollWidth - "
                                 "document.documentElement.clientWidth")
        if overflow > 0:
            faults.append(f"{name} ({width}px): scrolls sideways by {overflow}px")

    # With JavaScript: the start, a question, a question with its error, a result.
    context = new_context(browser, width=width, scheme=scheme)
    page = context.new_page()
    try:
        page.goto(f"{site.site}/zelftest/{QUIZ}/", wait_until="networkidle")
        check(page, "start")
        page.get_by_role("link", name="Begin de test").click()
        check(page, "question 1 (script)")
        page.get_by_role("button", name="Volgende").click()
        check(page, "question 1 with its error (script)")
        for number in (1, 2, 3):
            choose(page, number, 2)
            page.get_by_role("button", name="Volgende").click()
        page.get_by_role("heading", level=1, name="Goed bezig").wait_for()
        check(page, "result in place (script)")
    finally:
        context.close()
    # What a reader without JavaScript gets: the service's pages (they carry no
    # script; axe itself needs one, and the service's CSP would refuse axe's
    # inline script: the check alone bypasses it) and the static results.
    context = new_context(browser, width=width, scheme=scheme, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{site.service_url}/zelftest/{SLUG}/vraag/2?v1=1")
        check(page, "question 2 (service)")
        page.get_by_role("button", name="Volgende").click()
        page.wait_for_load_state()
        check(page, "question 2 with its error (service)")
        for url in (f"/zelftest/{SLUG}/resultaat/groen/", f"/zelftest/{QUIZ}/resultaat/0-1/"):
            page.goto(site.site + url)
            check(page, url)
    finally:
        context.close()
    assert not faults, "\n".join(faults)


def test_the_start_page_and_each_step_stay_within_the_article_budget(browser, site):
    from test_budget import BUDGET_BYTES, BUDGET_REQUESTS, opened

    context = new_context(browser)
    page = context.new_page()
    try:
        rows, code_bytes, own = opened(page, f"{site.site}/zelftest/{SLUG}/", "the self-test")
        assert {urlsplit(row[1]).netloc for row in rows} == {urlsplit(site.site).netloc}
        assert context.cookies() == []
        assert len(own) <= BUDGET_REQUESTS, f"{len(own)} requests, budget {BUDGET_REQUESTS}"
        assert code_bytes <= BUDGET_BYTES, f"{code_bytes} bytes, budget {BUDGET_BYTES}"
        later = []
        page.on("request", lambda request: later.append(request.url))
        page.get_by_role("link", name="Begin de test").click()
        for number in (1, 2, 3):
            choose(page, number, 1)
            page.get_by_role("button", name="Volgende").click()
        # Each step costs nothing but the count's form token, asked once.
        assert [urlsplit(url).path for url in later] == [f"/api/zelftest/{SLUG}/form"]
    finally:
        context.close()
    context = new_context(browser, javascript=False)
    page = context.new_page()
    try:
        rows, code_bytes, own = opened(page, f"{site.service_url}/zelftest/{SLUG}/vraag/3"
                                       "?v1=1&v2=1", "a question without JavaScript")
        assert len(own) <= BUDGET_REQUESTS and code_bytes <= BUDGET_BYTES
    finally:
        context.close()


def test_a_failure_is_said_and_nothing_is_lost(browser, site):
    """The counting service does not answer: the result is shown all the same,
    and the status says it was not counted. The result's page does not load:
    the status says so with "Opnieuw proberen", which then works."""
    context = new_context(browser)
    page = context.new_page()
    try:
        page.route(f"{site.service_url}/api/**", lambda route: route.abort())
        page.goto(f"{site.site}/zelftest/{SLUG}/", wait_until="networkidle")
        page.get_by_role("link", name="Begin de test").click()
        for number in range(1, 7):
            choose(page, number, SAMEN[number - 1])
            page.get_by_role("button", name="Volgende").click()
        page.get_by_role("heading", level=1, name="Jij bent een buurtbouwer").wait_for()
        status = page.get_by_role("status").filter(has_text="niet meegeteld")
        status.wait_for()
        assert "Je ziet je resultaat wel" in status.inner_text()

        page.unroute(f"{site.service_url}/api/**")
        page.route("**/resultaat/samen/", lambda route: route.abort())
        page.goto(f"{site.site}/zelftest/{SLUG}/", wait_until="networkidle")
        page.get_by_role("link", name="Begin de test").click()
        for number in range(1, 7):
            choose(page, number, SAMEN[number - 1])
            page.get_by_role("button", name="Volgende").click()
        failed = page.get_by_role("status").filter(has_text="kon niet geladen worden")
        failed.wait_for()
        assert page.title().startswith("Vraag 6 van 6")  # still on the last question
        assert page.locator(f"#v6-{SAMEN[5]}").is_checked()  # nothing lost
        page.unroute("**/resultaat/samen/")
        failed.get_by_role("button", name="Opnieuw proberen").click()
        page.get_by_role("heading", level=1, name="Jij bent een buurtbouwer").wait_for()
    finally:
        context.close()


def test_history_after_a_reload_never_gives_a_result_from_missing_answers(browser, site):
    """Answers live in the page: after a reload the history can lead back to
    a later question with the earlier ones unanswered. Finishing then shows
    the first unanswered question with its error, as the service does."""
    context = new_context(browser)
    page = context.new_page()
    try:
        page.goto(f"{site.site}/zelftest/{QUIZ}/", wait_until="networkidle")
        page.get_by_role("link", name="Begin de test").click()
        for number in (1, 2):
            choose(page, number, 2)
            page.get_by_role("button", name="Volgende").click()
        page.go_back()
        page.go_back()
        page.reload(wait_until="networkidle")
        page.go_forward()
        page.go_forward()
        assert page.title().startswith("Vraag 3 van 3")
        choose(page, 3, 2)
        page.get_by_role("button", name="Volgende").click()
        assert page.title().startswith("Fout: Vraag 1 van 3")
        assert page.locator(".error-summary").is_visible()
        assert urlsplit(page.url).path == f"/zelftest/{QUIZ}/"
    finally:
        context.close()


def test_keyboard_alone_completes_the_sample_without_javascript(browser, site):
    """The sample test, start to result, with Tab, the arrow keys and Enter
    only, on the service's pages (no script): every question's radios are
    reached with Tab, and Enter on "Volgende" goes on."""
    context = new_context(browser, javascript=False, width=1280)
    page = context.new_page()
    try:
        page.goto(f"{site.site}/zelftest/{SLUG}/")
        tab_to(page, page.get_by_role("link", name="Begin de test"), "'Begin de test'")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        for number, option in enumerate(SAMEN, start=1):
            tab_to(page, page.locator(f"#v{number}-1"), f"question {number}'s answers", 60)
            page.keyboard.press("Space")
            for _ in range(option - 1):
                page.keyboard.press("ArrowDown")
            assert page.locator(f"#v{number}-{option}").is_checked()
            page.keyboard.press("Tab")
            assert focused_is(page.get_by_role("button", name="Volgende"))
            if number == len(SAMEN):
                page.wait_for_timeout(1100)  # the time trap of the counted last step
            with page.expect_navigation():
                page.keyboard.press("Enter")
        assert page.url == f"{site.site}/zelftest/{SLUG}/resultaat/samen/", \
            page.locator("main").inner_text()
        assert page.get_by_role("heading", level=1).inner_text() == "Jij bent een buurtbouwer"
    finally:
        context.close()
