"""Screenshots of the sample site for docs/screenshots/ and the README (invoke screenshots).

Home, an article, its comments (two comments posted to the real comment
server), "Volg ons", a feed, the search page with results, a consultation's
board (live from the real participation service) and its idea form with
errors, the self-test's second question and a result; at 375 and 1280 px,
light and dark: 40 pictures (and the share bar),
what the reader sees on opening (or scrolling to) each. Written as
256-colour PNGs, small enough for git.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from . import chromium
from .live_site import live_site

ARTICLE = "/2026/debat-modereren/"
SHOTS = {
    "home": "/",
    "article": ARTICLE,
    "comments": ARTICLE,
    # The comment form: what is shown, and remembering as a choice.
    "comment-form": ARTICLE,
    "follow": "/volg-ons/",
    "feed": "/feeds/atom.xml",
    "search": "/zoeken/?q=vergaderingen",
    "consultation": "/inspraak/dorpsplein-groener/",
    # On the participation service (its own page in the site's shell).
    "idea-form": "/dorpsplein-groener/idee",
    # The self-test: its second question (in place, with the script) and a result.
    "self-test": "/zelftest/lindeveld-2040/",
    "self-test-result": "/zelftest/lindeveld-2040/resultaat/samen/",
    # The privacy statement's generated tables (plugins/privacy_statement).
    "privacy": "/privacyverklaring/",
}
WIDTHS = {375: 812, 1280: 800}
COMMENTS = (
    ("Goed dat jullie de regels vooraf uitleggen. Zo weet iedereen waar hij aan toe is.",
     "Marleen"),
    ("Komt er ook een avond in het ontmoetingscentrum voor wie niet online is?", "Youssef"),
)


def save(png: bytes, target: Path) -> None:
    """A screenshot as a 256-colour PNG (a fraction of the size, the same look)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def shoot(page, name: str, path: str, site, target: Path) -> None:
    base = site.participation_url if name == "idea-form" else site.url
    page.goto(base + path, wait_until="networkidle")
    if name == "consultation":  # the board, refreshed from the service
        board = page.locator("[data-participation-board]")
        with page.expect_response(lambda r: "/api/" in r.url):
            board.scroll_into_view_if_needed()
        page.wait_for_load_state("networkidle")
        page.evaluate("document.querySelector('[data-participation-board]').scrollIntoView()")
    if name == "idea-form":  # sent empty: the error summary and the fields' messages
        page.wait_for_timeout(2100)  # past the time trap, as a person is
        page.locator("form.participation-form button[type=submit]").click()
        page.wait_for_load_state("networkidle")
    if name == "comments":
        page.locator("#reacties").scroll_into_view_if_needed()
        page.get_by_text(COMMENTS[0][0]).wait_for()
        page.wait_for_load_state("networkidle")
        page.evaluate("document.querySelector('#reacties').scrollIntoView()")
    if name == "comment-form":
        page.locator("#reacties").scroll_into_view_if_needed()
        page.locator(".comments__consent").first.wait_for()
        page.wait_for_load_state("networkidle")
        page.evaluate("document.querySelector('.isso-postbox .isso-textarea').scrollIntoView()")
    if name == "privacy":
        page.evaluate("document.getElementById('verwerking-reacties').scrollIntoView()")
    if name == "search":
        page.wait_for_selector("#search-results li")
    if name == "self-test":  # begun, the first question answered
        page.locator("[data-self-test-begin]").click()
        page.locator("#v1-2").check()
        page.get_by_role("button", name="Volgende").click()
        page.locator("#vraag-2 h1").wait_for()
    save(page.screenshot(), target)


def main(target: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    target.mkdir(parents=True, exist_ok=True)
    written = []
    with live_site() as site, sync_playwright() as playwright:
        for text, author in COMMENTS:
            site.comment(ARTICLE, text, author)
        browser = playwright.chromium.launch(executable_path=chromium.executable(),
                                             args=chromium.ARGS)
        try:
            for width, height in WIDTHS.items():
                for scheme in ("light", "dark"):
                    context = browser.new_context(
                        viewport={"width": width, "height": height}, color_scheme=scheme,
                        is_mobile=width < 500, has_touch=width < 500, locale="nl-BE")
                    page = context.new_page()
                    for name, path in SHOTS.items():
                        out = target / f"{name}-{width}-{scheme}.png"
                        shoot(page, name, path, site, out)
                        written.append(out)
                        print(f"Wrote {out}")
                    if width == 375 and scheme == "light":
                        page.goto(site.url + ARTICLE)
                        out = target / "share-bar-375.png"
                        save(page.locator(".share").screenshot(), out)
                        written.append(out)
                    context.close()
        finally:
            browser.close()
    return written
