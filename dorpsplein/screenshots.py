"""Phone-width screenshots of the sample site for the README (invoke screenshots)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

from .build import build

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

SHOTS = {
    "home-375.png": "/",
    "article-375.png": "/2026/geintegreerde-kanaalaanpak/",
}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def main(target: Path) -> None:
    from playwright.sync_api import sync_playwright

    result = build("pelicanconf.py", overrides={"OUTPUT_PATH": str(target / ".site")})
    handler = functools.partial(_QuietHandler, directory=str(result.output_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    target.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
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
        server.shutdown()
        shutil.rmtree(target / ".site", ignore_errors=True)
