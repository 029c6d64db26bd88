"""Shared fixtures: build a site into tmp_path, serve it, drive Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from dorpsplein.build import ROOT, BuildFailed, build

CONTENT = ROOT / "content"
ARTIFACTS = ROOT / "artifacts"


class Site:
    """A built site: its output folder and helpers to read it."""

    def __init__(self, result):
        self.result = result
        self.settings = result.settings
        self.output = result.output_path

    def path(self, url: str) -> Path:
        """The file that serves a site-root URL such as '/2026/x/'."""
        relative = url.split("#")[0].split("?")[0].lstrip("/")
        target = self.output / relative
        if url.endswith("/") or target.is_dir():
            target = target / "index.html"
        return target

    def html(self, url: str) -> BeautifulSoup:
        return BeautifulSoup(self.path(url).read_text(encoding="utf-8"), "lxml")

    def pages(self) -> list[Path]:
        return sorted(self.output.rglob("*.html"))

    def url_of(self, path: Path) -> str:
        relative = path.relative_to(self.output).as_posix()
        if relative.endswith("index.html"):
            relative = relative[: -len("index.html")]
        return "/" + relative


@pytest.fixture
def build_site(tmp_path):
    """Build the sample site into tmp_path, with settings overrides.

    ``build_site(TOWN_NAME="Beekdorp")`` returns a Site; a failed build raises
    dorpsplein.build.BuildFailed with one line per problem.
    ``content=`` gives another content folder.
    """

    def _build(content: Path | None = None, settings_file="pelicanconf.py", **overrides):
        overrides.setdefault("OUTPUT_PATH", str(tmp_path / "output"))
        overrides.setdefault("CACHE_CONTENT", False)
        overrides.setdefault("LOAD_CONTENT_CACHE", False)
        if content is not None:
            overrides["PATH"] = str(content)
        return Site(build(settings_file, overrides=overrides))

    return _build


@pytest.fixture
def content_copy(tmp_path):
    """A private copy of content/ that a test may break."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory):
    """The sample site, built once for all tests that only read it."""
    output = tmp_path_factory.mktemp("sample") / "output"
    try:
        result = build(
            "pelicanconf.py",
            overrides={
                "OUTPUT_PATH": str(output),
                "CACHE_CONTENT": False,
                "LOAD_CONTENT_CACHE": False,
            },
        )
    except BuildFailed as failed:  # show the editor-facing lines, not a traceback
        pytest.fail("The sample site does not build:\n" + "\n".join(failed.problems))
    return Site(result)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="session")
def served_site(sample_site):
    """The sample site served over HTTP on 127.0.0.1; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(sample_site.output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser"
    )
    if not path:
        pytest.fail(
            "Chromium is not installed: run ./go test, which installs Debian's chromium, "
            "or set CHROMIUM=/path/to/chromium."
        )
    return path


@pytest.fixture(scope="session")
def browser():
    """A real headless Debian Chromium, driven by Playwright (never downloaded)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def phone(browser):
    """A page in a 375 px wide phone viewport."""
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="nl-BE",
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
