"""Phone-width screenshots of the sample site for the README (invoke screenshots)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..build import build
from . import chromium
from .static_server import serve_directory

SHOTS = {
    "home-375.png": "/",
    "article-375.png": "/2026/geintegreerde-kanaalaanpak/",
}


def main(target: Path) -> None:
    from playwright.sync_api import sync_playwright

    result = build("pelicanconf.py", overrides={"OUTPUT_PATH": str(target / ".site")})
    target.mkdir(parents=True, exist_ok=True)
    try:
        with serve_directory(result.output_path) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium.executable(), args=chromium.ARGS
            )
            page = browser.new_page(viewport={"width": 375, "height": 812},
                                    device_scale_factor=1)
            for name, url in SHOTS.items():
                page.goto(base + url)
                page.screenshot(path=str(target / name))
                print(f"Wrote {target / name}")
            page.goto(base + SHOTS["article-375.png"])
            page.locator(".share").screenshot(path=str(target / "share-bar-375.png"))
            print(f"Wrote {target / 'share-bar-375.png'}")
            browser.close()
    finally:
        shutil.rmtree(target / ".site", ignore_errors=True)
