"""The preview's problem panel in real Chromium (Debian's, through Playwright).

A save that breaks an article shows, over the last good page, the file, the
line, what is wrong and the fix, in Dutch; a screen reader hears it
(role="alert"); axe-core finds nothing wrong in it, at 1280 and 375 px; it
can be hidden with the keyboard and comes back with the next failing save; the
next good save takes it away and the page shows the new text. A first build
that fails still gives a page that says why. The public site has no trace of
any of it. The screenshots for the editor guide are made here (artifacts/).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import fetch_when_ready, free_port
from playwright.sync_api import expect
from test_preview import get, project, start_preview, stop

from dorpsplein.build import build
from dorpsplein.devtools.screenshots import save

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTICLE = "/2026/x-of-mastodon/"
ARTICLE_FILE = "2026-09-x-of-mastodon.md"
HEADING = "Er is een probleem met je tekst"
# What the built files must never hold (the panel is the preview's alone).
TRACES = ("__dorpsplein", "dorpsplein-preview-problems", "dorpsplein-problems-hidden",
          "overlay.js", HEADING, "Zo los je het op")

RUN_AXE = """async (tags) => {
  const result = await axe.run({include: [['#dorpsplein-preview-problems']]},
                               {runOnly: {type: 'tag', values: tags}});
  const targets = (list) => list.flatMap(r => r.nodes.map(n => JSON.stringify(n.target)));
  return {
    violations: result.violations.map(v => v.id + ' [' + v.impact + '] ' + v.help + ': '
      + v.nodes.slice(0, 3).map(n => JSON.stringify(n.target) + ' — ' + n.failureSummary)),
    passes: result.passes.map(r => r.id),
    checked: targets(result.passes).concat(targets(result.violations)),
  };
}"""


class Preview:
    """A running `./go serve` (without comments) of a project of its own."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process, self.log = start_preview(folder, self.port, "--no-comments")
        self.base = f"http://127.0.0.1:{self.port}"
        self.article = folder / "content" / "articles" / ARTICLE_FILE

    def status(self) -> dict:
        return json.loads(get(self.base + "/__dorpsplein/status.json")[2])

    def wait_until_ok(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not self.status()["ok"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert self.status()["ok"], self.log.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    running = Preview(project(tmp_path_factory.mktemp("town")))
    try:
        if fetch_when_ready(running.base + "/") is None:
            pytest.fail("the preview did not start:\n" + running.log.read_text())
        yield running
    finally:
        stop(running.process)


def broken_date(text: str) -> str:
    return text.replace("Date: 2026-09-22 10:00\n", "Date: gisteren\n", 1)


def open_page(browser, url: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 500 else 740},
                                  is_mobile=width < 500, has_touch=width < 500, locale="nl-BE")
    page = context.new_page()
    page.goto(url, wait_until="load")
    return context, page


def panel_of(page, heading: str = HEADING):
    return page.get_by_role("alert").get_by_role("region", name=heading)


def axe_check(page, axe_source) -> dict:
    page.add_script_tag(content=axe_source)
    return page.evaluate(RUN_AXE, WCAG_AA)


def test_a_broken_save_shows_the_problem_over_the_page_and_a_good_save_takes_it_away(
        browser, preview, axe_source, artifacts):
    original = preview.article.read_text(encoding="utf-8")
    assert "Date: 2026-09-22 10:00\n" in original
    context, page = open_page(browser, preview.base + ARTICLE, 1280)
    try:
        title = page.locator("main h1").first.inner_text()
        assert "Mastodon" in title
        expect(page.get_by_role("alert")).to_have_text("")  # a good build: nothing shown

        preview.article.write_text(broken_date(original), encoding="utf-8")
        panel = panel_of(page)
        expect(panel).to_be_visible(timeout=30_000)
        # Where, what and how, in Dutch, inside the region a screen reader announces.
        expect(panel.locator(".where")).to_have_text(f"content/articles/{ARTICLE_FILE}, regel 2")
        expect(panel).to_contain_text("'gisteren' is geen geldige datum.")
        expect(panel).to_contain_text(
            "Zo los je het op: Schrijf de datum als 2026-11-26 of 2026-11-26 14:30.")
        expect(panel.get_by_role("heading", name=HEADING, level=2)).to_be_visible()
        assert page.get_by_role("alert").count() == 1
        # Over the page, which is still the last good version.
        expect(page.locator("main h1").first).to_have_text(title)
        on_top = page.evaluate("""() => {
            const host = document.getElementById('dorpsplein-preview-problems');
            const box = host.shadowRoot.querySelector('.panel').getBoundingClientRect();
            return document.elementFromPoint(box.x + box.width / 2, box.y + 20) === host;
        }""")
        assert on_top, "the panel is not on top of the page"

        result = axe_check(page, axe_source)
        assert not result["violations"], "\n".join(result["violations"])
        # axe looked inside the panel (its shadow root), not only at the empty host.
        assert "color-contrast" in result["passes"]
        assert any("button" in target and target.startswith("[[") for target in
                   result["checked"]), result["checked"]
        save(page.screenshot(), artifacts / "error-overlay-1280.png")

        # The first Tab reaches "Verbergen", with a visible focus ring; Enter hides it.
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const host = document.getElementById('dorpsplein-preview-problems');
            const el = document.activeElement === host && host.shadowRoot.activeElement;
            return el ? [el.textContent, getComputedStyle(el).outlineStyle] : null;
        }""")
        assert focused == ["Verbergen", "solid"], focused
        page.keyboard.press("Enter")
        expect(panel).to_have_count(0)
        expect(page.get_by_role("alert")).to_have_text("")

        # The next failing save brings it back, with every problem.
        preview.article.write_text(broken_date(original).replace(
            "Slug: x-of-mastodon\n", "Slug: x-of-mastodon\nCatgory: Moderatie\n"),
            encoding="utf-8")
        both = panel_of(page, "Er zijn 2 problemen met je tekst")
        expect(both).to_be_visible(timeout=30_000)
        expect(both).to_contain_text(f"content/articles/{ARTICLE_FILE}, regel 6")
        expect(both).to_contain_text("'Catgory:' kent Dorpsplein niet.")
        expect(both).to_contain_text("Zo los je het op: Schrijf 'Category:' (kijk de spelling na).")

        # Fixed (with a new sentence): the panel goes and the page shows the new text.
        preview.article.write_text(original + "\nDeze zin kwam erbij na de fout.\n",
                                   encoding="utf-8")
        expect(page.locator("main")).to_contain_text("Deze zin kwam erbij na de fout.",
                                                     timeout=30_000)
        expect(page.get_by_role("alert")).to_have_text("")
        expect(page.get_by_role("region", name=HEADING)).to_have_count(0)
    finally:
        context.close()
        preview.article.write_text(original, encoding="utf-8")
        preview.wait_until_ok()
        print(preview.log.read_text(encoding="utf-8"))  # shown when the test failed


def test_at_375_px_the_panel_fits_and_passes_axe(browser, preview, axe_source, artifacts):
    original = preview.article.read_text(encoding="utf-8")
    context, page = open_page(browser, preview.base + ARTICLE, 375)
    try:
        preview.article.write_text(broken_date(original), encoding="utf-8")
        panel = panel_of(page)
        expect(panel).to_be_visible(timeout=30_000)
        box = page.evaluate("""() => {
            const host = document.getElementById('dorpsplein-preview-problems');
            const r = host.shadowRoot.querySelector('.panel').getBoundingClientRect();
            return {left: r.left, right: r.right, width: window.innerWidth,
                    overflow: document.documentElement.scrollWidth
                              - document.documentElement.clientWidth};
        }""")
        assert box["left"] >= 0 and box["right"] <= box["width"], box
        assert box["overflow"] <= 0, box
        button = panel.get_by_role("button", name="Verbergen")
        assert button.bounding_box()["height"] >= 44  # a finger's target
        result = axe_check(page, axe_source)
        assert not result["violations"], "\n".join(result["violations"])
        save(page.screenshot(), artifacts / "error-overlay-375.png")
    finally:
        context.close()
        preview.article.write_text(original, encoding="utf-8")
        preview.wait_until_ok()
        print(preview.log.read_text(encoding="utf-8"))  # shown when the test failed


def test_a_first_build_that_fails_still_shows_a_page_that_says_why(browser, tmp_path):
    folder = project(tmp_path)
    article = folder / "content" / "articles" / ARTICLE_FILE
    original = article.read_text(encoding="utf-8")
    article.write_text(broken_date(original), encoding="utf-8")
    running = Preview(folder)
    context = None
    try:
        assert fetch_when_ready(running.base + "/") is not None, running.log.read_text()
        assert running.process.poll() is None, "the preview stopped on a failed first build"
        status, _headers, body = get(running.base + ARTICLE)
        assert status == 503 and b"Deze pagina is er nog niet" in body
        assert get(running.base + "/images/bestaat-niet.png")[0] == 404  # not a page
        context, page = open_page(browser, running.base + ARTICLE, 1280)
        expect(page.get_by_role("heading", name="Deze pagina is er nog niet", level=1)) \
            .to_be_visible()
        panel = panel_of(page)
        expect(panel).to_be_visible(timeout=30_000)
        expect(panel).to_contain_text(f"content/articles/{ARTICLE_FILE}, regel 2")
        expect(panel).to_contain_text("Schrijf de datum als 2026-11-26 of 2026-11-26 14:30.")

        article.write_text(original, encoding="utf-8")
        expect(page.locator("main h1").first).to_contain_text("Mastodon", timeout=30_000)
        expect(page.get_by_role("alert")).to_have_text("")
    finally:
        if context is not None:
            context.close()
        stop(running.process)


def test_the_public_site_and_the_built_preview_have_no_trace_of_the_panel(preview):
    published = build(preview.folder / "publishconf.py")
    public = published.output_path
    assert public == preview.folder / "output" / "public"
    for folder in (public, preview.folder / "output" / "preview"):
        texts = [p for p in folder.rglob("*")
                 if p.is_file() and p.suffix in {".html", ".js", ".css", ".json", ".xml",
                                                 ".txt", ".atom", ".rss"}]
        assert any(p.suffix == ".html" for p in texts)
        for path in texts:
            text = path.read_text(encoding="utf-8", errors="replace")
            found = [trace for trace in TRACES if trace in text]
            assert not found, f"{path.relative_to(folder)} holds {found}"
    # Served by the preview only: no such file anywhere in the public site.
    assert not list(public.rglob("overlay.js")) and not (public / "__dorpsplein").exists()
