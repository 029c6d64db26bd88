"""axe-core (pinned in package-lock.json) finds no WCAG 2.0/2.1 A or AA violation
on any page type, at phone and desktop width, in light and dark mode, with the
comment thread loaded where there is one."""

from __future__ import annotations

import pytest

from dorpsplein.build import ROOT

pytestmark = pytest.mark.e2e

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PAGES = {
    "home": "/",
    "home page 2": "/pagina/2/",
    "article with comments": "/2026/debat-modereren/",
    "article with closed comments": "/2026/online-burgerbevraging/",
    "page": "/over-deze-blog/",
    "category": "/thema/sociale-media/",
    "tag": "/tag/facebook/",
    "author": "/auteur/lotte-verbeke/",
    "archives": "/archief/",
    "categories list": "/themas/",
    "tags list": "/tags/",
    "authors list": "/auteurs/",
    "404": "/404.html",
}

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + n.failureSummary),
  }));
}"""


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.is_file():
        pytest.fail("axe-core is not installed: run ./go test (it runs npm ci).")
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_no_wcag_violations(browser, served_site, comment_server, axe_source, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    found = {}
    try:
        for name, url in PAGES.items():
            page.goto(served_site + url, wait_until="networkidle")
            if page.locator("#reacties").count():
                page.locator("#reacties").scroll_into_view_if_needed()
                page.wait_for_selector("#isso-thread .isso-postbox", state="attached")
                page.wait_for_load_state("networkidle")
            page.add_script_tag(content=axe_source)
            violations = page.evaluate(RUN_AXE, WCAG_AA)
            if violations:
                found[name] = violations
    finally:
        context.close()
    assert not found, "\n".join(
        f"{name} ({width}px, {scheme}): {v['rule']} [{v['impact']}] {v['help']}: {v['nodes']}"
        for name, violations in found.items() for v in violations
    )
