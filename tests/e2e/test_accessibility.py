"""Accessibility in real Chromium: axe-core (pinned in package-lock.json) finds no
WCAG 2.0/2.1 A or AA violation on any page type, at 375 and 1280 px, light and
dark; nothing scrolls sideways; every control is reachable by Tab, in DOM order,
with a visible focus indicator."""

from __future__ import annotations

import pytest
from site_checks import PAGE_TYPES, RUN_AXE, WCAG_AA

pytestmark = pytest.mark.e2e


PAGES = PAGE_TYPES



def axe_faults(page, url, axe_source) -> list[str]:
    page.add_script_tag(content=axe_source)
    return [f"{url}: {v['rule']} [{v['impact']}] {v['help']}: {v['nodes']}"
            for v in page.evaluate(RUN_AXE, WCAG_AA)]


def open_fully(page, url):
    """Open a page as a reader who scrolls to the end (the comment thread loads)."""
    page.goto(url, wait_until="networkidle")
    if page.locator("#reacties").count():
        page.locator("#reacties").scroll_into_view_if_needed()
        page.wait_for_selector("#isso-thread .isso-postbox", state="attached")
        page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_no_wcag_violations(browser, served_site, comment_server, axe_source, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    faults = []
    try:
        for name, url in PAGES.items():
            open_fully(page, served_site + url)
            faults += [f"{name} ({width}px, {scheme}) {f}" for f in
                       axe_faults(page, url, axe_source)]
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                faults.append(f"{name} ({width}px): scrolls sideways by {overflow}px")
    finally:
        context.close()
    assert not faults, "\n".join(faults)


TABBABLE = """() => [...document.querySelectorAll(
  'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
  .filter(el => !el.disabled && el.getClientRects().length > 0
          && getComputedStyle(el).visibility !== 'hidden' && el.tabIndex >= 0
          // not inside a closed <details> (its summary stays reachable)
          && el.checkVisibility({visibilityProperty: true})
          // a group of radio buttons is one stop: its checked one, else its first
          && !(el.type === 'radio' && el.name && (() => {
            const group = [...(el.form || document).querySelectorAll(
              `input[type="radio"][name="${CSS.escape(el.name)}"]`)];
            const stop = group.find(r => r.checked) || group[0];
            return stop !== el;
          })()))
  .map(el => el.outerHTML.slice(0, 80))"""

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    html: el.outerHTML.slice(0, 80),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== 'none',
  };
}"""


@pytest.mark.parametrize("name", list(PAGES))
def test_keyboard_reaches_every_control_in_order_with_visible_focus(browser, served_site,
                                                                   comment_server, name):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        open_fully(page, served_site + PAGES[name])
        page.evaluate("() => { window.scrollTo(0, 0); document.activeElement.blur(); }")
        expected = page.evaluate(TABBABLE)
        reached, invisible = [], []
        for _ in range(len(expected)):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            reached.append(focused["html"])
            if not (focused["outline"] or focused["shadow"]):
                invisible.append(focused["html"])
        assert reached == expected, f"{name}: Tab order differs from the page order"
        assert not invisible, f"{name}: no visible focus on {invisible}"
        assert len(expected) >= 5
    finally:
        context.close()


def test_axe_names_the_page_and_the_fault_on_a_broken_page(browser, tmp_path, axe_source):
    from conftest import serve_directory

    (tmp_path / "kapot").mkdir()
    (tmp_path / "kapot" / "index.html").write_text(
        '<!DOCTYPE html><html lang="nl"><head><title>Kapot</title></head><body><main>'
        '<h1>Kapot</h1><img src="/x.png" width="10" height="10"></main></body></html>',
        encoding="utf-8")
    page = browser.new_page()
    try:
        with serve_directory(tmp_path) as url:
            page.goto(url + "/kapot/")
            faults = axe_faults(page, "/kapot/", axe_source)
    finally:
        page.close()
    assert any(f.startswith("/kapot/: image-alt [critical]") for f in faults), faults
