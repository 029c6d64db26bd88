"""Shared fixtures: build a site into tmp_path, serve it, drive Chromium."""

from __future__ import annotations

import json
import shutil
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from dorpsplein.build import ROOT, BuildFailed, build
from dorpsplein.devtools import chromium
from dorpsplein.devtools.static_server import serve_directory

CONTENT = ROOT / "content"

# The first lines of a test's own settings file: every setting of pelicanconf.py,
# read by its path as publishconf.py does (no sys.path, works from any folder).
FROM_PELICANCONF = (
    "import runpy\n"
    f"globals().update((k, v) for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r})"
    ".items() if k.isupper())\n"
)

# nginx + Isso for the hosting tests (tests/deploy/).
pytest_plugins = ["hosting_fixtures", "own_servers", "participation_service"]
ARTIFACTS = ROOT / "artifacts"


def front_matter(path: Path) -> dict[str, str]:
    """A content file's front matter as the tests read it: key (lower case) → value."""
    meta = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        meta[key.strip().lower()] = value.strip()
    return meta


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


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def fetch_when_ready(url: str, seconds: float = 60) -> str | None:
    """The page at ``url`` once something serves it, or None after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return fetch(url)
        except OSError:
            time.sleep(0.2)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def comments_port():
    """The port the session's real Isso server will listen on."""
    return free_port()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory, comments_port):
    """The sample site, built once for all tests that only read it.

    Its pages talk to the session's comment server (see ``comment_server``).
    """
    output = tmp_path_factory.mktemp("sample") / "output"
    try:
        result = build(
            "pelicanconf.py",
            overrides={
                "OUTPUT_PATH": str(output),
                "CACHE_CONTENT": False,
                "LOAD_CONTENT_CACHE": False,
                "ISSO_COMMENTS_URL": f"http://127.0.0.1:{comments_port}",
                # The consultation's ideas from a fixture, judged at a fixed
                # moment while it is open (plugins/participation).
                "PARTICIPATION_DATA": str(ROOT / "tests" / "data" / "participation"),
                "PARTICIPATION_NOW": "2026-11-27 12:00",
            },
        )
    except BuildFailed as failed:  # show the editor-facing lines, not a traceback
        pytest.fail("The sample site does not build:\n" + "\n".join(failed.problems))
    return Site(result)


@pytest.fixture(scope="session")
def served_site(sample_site):
    """The sample site served over HTTP on 127.0.0.1; yields its base URL."""
    with serve_directory(sample_site.output) as url:
        yield url


class CommentServer:
    """A real Isso server (gunicorn, our ThreadPolicy) on 127.0.0.1."""

    def __init__(self, url: str, state_dir: Path, origin: str, log: Path):
        self.url = url
        self.state_dir = state_dir
        self.origin = origin
        self.log = log

    @property
    def database(self) -> Path:
        return self.state_dir / "comments.db"

    def request(self, method: str, path: str, body=None, origin: str | None = "default",
                client_ip: str | None = None, raw: bytes | None = None,
                headers: dict | None = None):
        """Send one API request; returns (status, parsed JSON or text).

        ``path`` is sent as written (no normalising); ``headers`` are added
        last (a None value removes a header)."""
        extra, headers = headers or {}, {"Content-Type": "application/json"}
        if origin == "default":
            origin = self.origin
        if origin:
            headers["Origin"] = origin
        if client_ip:
            headers["X-Forwarded-For"] = client_ip
        headers.update(extra)
        headers = {name: value for name, value in headers.items() if value is not None}
        data = raw if raw is not None else (
            json.dumps(body).encode("utf-8") if body is not None else None
        )
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        text = payload.decode("utf-8", errors="replace")
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text


@pytest.fixture(scope="session")
def comment_server(tmp_path_factory, sample_site, served_site, comments_port):
    """The town's comment server, started as `invoke comments` starts it."""
    from own_servers import start  # (it imports this module)

    server = start(tmp_path_factory.mktemp("isso"), sample_site.output / "isso-threads.json",
                   served_site, port=comments_port)
    yield server
    server.stop()


def chromium_path() -> str:
    path = chromium.executable()
    if not path:
        pytest.fail(
            "Chromium is not installed: run ./go test, which installs Debian's chromium, "
            "or set CHROMIUM=/path/to/chromium."
        )
    return path


# axe-core, pinned in package-lock.json (npm ci), for the accessibility checks.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.is_file():
        pytest.fail("axe-core is not installed: run ./go test (it runs npm ci).")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    """A real headless Debian Chromium, driven by Playwright (never downloaded)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=chromium.ARGS
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
