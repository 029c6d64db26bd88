"""The live preview an editor can trust: its own folder, the site's 404 page,
a clear word when the port is taken, a phone on the same network, each log
line once, and what it says in Dutch (the panel over the page is tested in
Chromium: tests/e2e/test_preview_problems.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import segno
from bs4 import BeautifulSoup
from conftest import FROM_PELICANCONF, fetch, fetch_when_ready, free_port

from dorpsplein.build import ROOT, build
from dorpsplein.preview import OVERLAY_TAG, SAY, problem_parts, say, tell_lan

ARTICLE = "/2026/x-of-mastodon/"
# The panel's script tag and livereload's script, which the preview adds before </head>.
INJECTED = re.compile(re.escape(OVERLAY_TAG.decode()) +
                      r'<script type="text/javascript">\(function\(\)\{var s=document.*?</script>')


def project(tmp_path: Path, **settings) -> Path:
    """A town's project folder in tmp_path: a pelicanconf.py that takes every
    setting of the real one (OUTPUT_PATH included, relative to this folder) with
    the content copied here, and the real publishconf.py beside it, which reads
    that pelicanconf.py as it reads the real one."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    lines = [FROM_PELICANCONF, f"PATH = {str(tmp_path / 'content')!r}",
             f"CACHE_PATH = {str(tmp_path / 'cache')!r}",
             f"THEME = {str(tmp_path / 'theme')!r}",
             f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]"]
    lines += [f"{name} = {value!r}" for name, value in settings.items()]
    (tmp_path / "pelicanconf.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copy(ROOT / "publishconf.py", tmp_path / "publishconf.py")
    return tmp_path


def start_preview(folder: Path, port: int, *flags: str) -> tuple[subprocess.Popen, Path]:
    """`python -m dorpsplein.preview` (what ./go serve runs); its output goes to a file.

    The participation service stays off unless the test names it (a
    --participation-port of its own): on its default port, one preview's
    service would make the next preview refuse to start."""
    if not any(flag.startswith(("--participation", "--no-participation")) for flag in flags):
        flags = (*flags, "--no-participation")
    log = folder / f"preview-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "dorpsplein.preview", str(folder / "pelicanconf.py"), str(port),
         *flags],
        cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env=dict(os.environ, PYTHONUNBUFFERED="1"))
    return process, log


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def get(url: str, headers: dict | None = None, data: bytes | None = None):
    """(status, headers, body bytes), for error statuses too."""
    request = urllib.request.Request(url, data=data, headers=headers or {},
                                     method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def settings_of(path: Path) -> dict:
    from pelican.settings import read_settings

    return read_settings(str(path))


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    """One preview of a project of its own (no comment server, no
    participation service): (base URL, project folder, process, log file)."""
    folder = project(tmp_path_factory.mktemp("town"))
    port = free_port()
    process, log = start_preview(folder, port, "--no-comments", "--no-participation")
    base = f"http://127.0.0.1:{port}"
    try:
        if fetch_when_ready(base + "/") is None:
            pytest.fail("the preview did not start:\n" + log.read_text())
        yield base, folder, process, log
    finally:
        stop(process)


# --- 1. Preview and publish never share a folder -----------------------------


def test_the_preview_and_the_public_site_have_folders_of_their_own():
    preview_out = Path(settings_of(ROOT / "pelicanconf.py")["OUTPUT_PATH"])
    public_out = Path(settings_of(ROOT / "publishconf.py")["OUTPUT_PATH"])
    assert preview_out == ROOT / "output" / "preview"
    assert public_out == ROOT / "output" / "public"
    # publishconf.py empties its folder first (DELETE_OUTPUT_DIRECTORY): it
    # must never be the preview's, nor hold it.
    assert not preview_out.is_relative_to(public_out)
    assert not public_out.is_relative_to(preview_out)
    for folder in (preview_out, public_out):
        relative = (folder / "index.html").relative_to(ROOT).as_posix()
        ignored = subprocess.run(["git", "check-ignore", "-q", relative], cwd=ROOT)
        assert ignored.returncode == 0, f"{relative} must be git-ignored"


@pytest.mark.slow
def test_a_publish_build_leaves_the_open_preview_as_it_was(preview):
    base, folder, _process, _log = preview
    preview_out = folder / "output" / "preview"
    assert (preview_out / "index.html").is_file(), "the preview is not in output/preview/"
    before_files = tree(preview_out)
    home = BeautifulSoup(fetch(base + "/"), "lxml")
    before_pages = {url: get(base + url)[2] for url in ("/", ARTICLE)}

    published = build(folder / "publishconf.py")  # what ./go publish-build runs

    public_out = folder / "output" / "public"
    assert published.output_path == public_out
    siteurl = published.settings["SITEURL"]
    assert siteurl.startswith("https://")
    assert siteurl in (public_out / "index.html").read_text(encoding="utf-8")
    assert tree(preview_out) == before_files, "the publish build changed the preview's files"
    for url, body in before_pages.items():
        assert get(base + url)[2] == body, f"the preview serves another {url} after a publish"
    # Its links stay local: its own stylesheets (served, as CSS), no public address.
    after = fetch(base + "/")
    assert siteurl not in after
    sheets = [link["href"] for link in home.find_all("link", rel="stylesheet")]
    assert sheets
    for href in sheets:
        assert href.startswith("/"), href
        status, headers, _body = get(base + href)
        assert status == 200 and headers["Content-Type"].startswith("text/css"), href


# --- 3. The preview's 404 is the site's own ----------------------------------


@pytest.mark.slow
def test_a_missing_page_gets_the_sites_own_404_page_with_status_404(preview):
    base, folder, _process, _log = preview
    status, headers, body = get(base + "/bestaat-niet/")
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    page = body.decode("utf-8")
    own = (folder / "output" / "preview" / "404.html").read_text(encoding="utf-8")
    assert INJECTED.sub("", page, count=1) == own  # the page itself, plus the reload script
    assert "404: Not Found" not in page
    assert "<title>" in page and "Lindeveld" in page


# --- 4. A second ./go serve ---------------------------------------------------


def taken_port() -> socket.socket:
    """A port some other program listens on (as a first ./go serve does)."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    return holder


def one_line_refusal(run: subprocess.CompletedProcess) -> str:
    assert run.returncode != 0
    assert "Traceback" not in run.stdout + run.stderr
    lines = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_a_second_serve_on_a_taken_port_says_so_in_one_sentence(tmp_path):
    (tmp_path / "pelicanconf.py").write_text(
        FROM_PELICANCONF + f"PATH = {str(ROOT / 'content')!r}\n", encoding="utf-8")
    with taken_port() as holder:
        port = holder.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "dorpsplein.preview", str(tmp_path / "pelicanconf.py"),
             str(port), "--no-comments", "--no-participation"],
            cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    line = one_line_refusal(run)
    offered = int(re.fullmatch(
        rf"Poort {port} is al in gebruik \(draait \./go serve al\?\)\. Start op een andere "
        r"poort: \./go serve --no-comments --no-participation --port (\d+)", line).group(1))
    assert offered > port
    assert not (tmp_path / "output").exists(), "it built before looking at the port"


def test_invoke_serve_on_a_taken_port_says_so_without_a_traceback():
    with taken_port() as holder:
        port = holder.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "invoke", "serve", "--port", str(port)],
                             cwd=ROOT, capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL)
    line = one_line_refusal(run)
    assert line.startswith(f"Poort {port} is al in gebruik (draait ./go serve al?). "
                           "Start op een andere poort: ./go serve --port "), line


def test_a_taken_comment_server_port_says_so_too(tmp_path):
    (tmp_path / "pelicanconf.py").write_text(
        FROM_PELICANCONF + f"PATH = {str(ROOT / 'content')!r}\n", encoding="utf-8")
    port = free_port()
    with taken_port() as holder:
        comments_port = holder.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "dorpsplein.preview", str(tmp_path / "pelicanconf.py"),
             str(port), "--comments-port", str(comments_port)],
            cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    line = one_line_refusal(run)
    assert re.fullmatch(
        rf"Poort {comments_port} van de reactieserver is al in gebruik \(draait \./go serve "
        r"of \./go comments al\?\)\. Start op een andere poort: \./go serve --port "
        rf"{port} --comments-port (\d+)", line), line


# --- 2. The preview on a phone -------------------------------------------------


def machine_addresses() -> set[str]:
    """This machine's IPv4 addresses besides loopback, found apart from the code
    under test: `ip` when there is one, else `hostname -I`."""
    for command in (["ip", "-o", "-4", "addr", "show"], ["hostname", "-I"]):
        if shutil.which(command[0]):
            text = subprocess.run(command, capture_output=True, text=True).stdout
            found = set(re.findall(r"\b(\d{1,3}(?:\.\d{1,3}){3})(?:/\d+)?\b", text))
            return {a for a in found if not a.startswith("127.") and not a.endswith(".255")}
    return set()


def printed_qr(lines: list[str]) -> list[list[int]]:
    """The QR code printed in half blocks, back to rows of modules."""
    halves = {"█": (1, 1), "▀": (1, 0), "▄": (0, 1), " ": (0, 0)}
    rows = []
    for line in lines:
        pairs = [halves[ch] for ch in line]
        rows.append([top for top, _ in pairs])
        rows.append([bottom for _, bottom in pairs])
    return rows


def qr_block(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line == say(SAY["lan_qr"])) + 1
    block = []
    for line in lines[start:]:
        if not line or set(line) - set("█▀▄ "):
            break
        block.append(line)
    return block


def shows_qr_of(text: str, url: str) -> bool:
    """Whether the QR code printed in ``text`` holds exactly ``url`` (its
    modules as segno makes them; a last half line may be quiet zone)."""
    printed = printed_qr(qr_block(text))
    wanted = [[int(bool(m)) for m in row]
              for row in segno.make(url, error="m").matrix_iter(border=2)]
    return printed[:len(wanted)] == wanted and not any(
        any(row) for row in printed[len(wanted):]) and len(printed) - len(wanted) <= 1


@pytest.mark.slow
def test_lan_preview_prints_the_address_and_its_qr_code_and_takes_comments_from_a_phone(
        tmp_path):
    addresses = machine_addresses()
    if not addresses:
        pytest.skip("this machine has only a loopback address: no network to preview on")
    database = tmp_path / "isso" / "comments.db"
    folder = project(tmp_path)
    (folder / "pelicanconf.py").write_text(
        (folder / "pelicanconf.py").read_text(encoding="utf-8") +
        f"ISSO_COMMENTS_SERVER = {{**ISSO_COMMENTS_SERVER, 'database': {str(database)!r}}}\n",
        encoding="utf-8")
    port, comments_port = free_port(), free_port()
    process, log = start_preview(folder, port, "--lan", "--comments-port", str(comments_port))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "QR-code" not in log.read_text():
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        time.sleep(0.5)
        text = log.read_text(encoding="utf-8")
        match = re.search(r"Op je telefoon of tablet: http://([\d.]+):(\d+)/", text)
        assert match, text
        address = match.group(1)
        assert address != "127.0.0.1" and address in addresses, (address, addresses)
        assert int(match.group(2)) == port
        assert "hetzelfde netwerk" in text
        url = f"http://{address}:{port}/"
        assert shows_qr_of(text, url), "the QR code is not of " + url

        # The phone's view: the page on that address, its comments on that address too.
        page = fetch_when_ready(url.rstrip("/") + ARTICLE, seconds=30)
        assert page is not None, text
        endpoint = BeautifulSoup(page, "lxml").find(attrs={"data-isso": True})["data-isso"]
        assert endpoint == f"http://{address}:{comments_port}"
        assert fetch_when_ready(f"{endpoint}/?uri={ARTICLE}", seconds=30) is not None, \
            log.read_text()
        status, _headers, body = get(
            f"{endpoint}/new?uri={ARTICLE}",
            headers={"Origin": f"http://{address}:{port}", "Content-Type": "application/json"},
            data=json.dumps({"text": "Gepost vanaf mijn telefoon.", "author": "An"}).encode())
        assert status == 201, body
        assert database.is_file()
    finally:
        stop(process)


def test_without_a_network_address_it_says_how_to_connect(capsys):
    tell_lan([], 8000)
    out = capsys.readouterr().out
    assert out.strip() == say(SAY["lan_none"])
    assert out.startswith("Deze computer heeft geen netwerkadres gevonden (alleen 127.0.0.1)")


def test_the_qr_code_is_the_address_and_other_addresses_are_listed(capsys):
    tell_lan(["192.168.1.20", "10.0.0.5"], 8001)
    out = capsys.readouterr().out
    assert say(SAY["lan"], url="http://192.168.1.20:8001/") in out
    assert "Op je telefoon of tablet: http://192.168.1.20:8001/ — die moet" in out
    assert shows_qr_of(out, "http://192.168.1.20:8001/")
    assert not shows_qr_of(out, "http://192.168.1.21:8001/")
    assert "http://10.0.0.5:8001/" in out.splitlines()[-1]


# --- 5. Each log line once ----------------------------------------------------


def message(line: str) -> str:
    """A log line without its time, level and source: tornado's
    "[W 261127 09:04:05 web:2591] ..." and Pelican's "[09:04:05] WARNING ... web.py:2591"."""
    line = re.sub(r"^\[[A-Z] \d{6} [\d:]+ [\w.]+:\d+\] ", "", line)
    line = re.sub(r"^(\[[\d:]+\])?\s+(DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+", "", line)
    line = re.sub(r"\s+[\w.]+\.py:\d+$", "", line)
    return re.sub(r"\d+(\.\d+)?ms$", "", line).strip()


@pytest.mark.slow
def test_each_log_line_is_printed_once(preview):
    base, folder, process, log = preview
    status, _headers, _body = get(base + "/pagina-die-er-niet-is/")
    assert status == 404
    article = folder / "content" / "articles" / "2026-09-x-of-mastodon.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n\nNog een zin.\n",
                       encoding="utf-8")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "Nog een zin" not in fetch(base + ARTICLE):
        time.sleep(0.2)
    assert "Nog een zin" in fetch(base + ARTICLE), log.read_text()
    time.sleep(0.5)
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sum("/pagina-die-er-niet-is/" in line for line in lines) == 1, lines
    assert sum(line.startswith("Voorbeeld op ") for line in lines) == 1, lines
    assert sum(line.startswith("2026-09-x-of-mastodon.md bijgewerkt in ")
               for line in lines) == 1, lines
    # And no other line twice, in one format or two (a rebuild's own timing
    # line may repeat when something else changed meanwhile).
    seen = [message(line) for line in lines
            if not line.startswith("Opnieuw gebouwd in") and " bijgewerkt in " not in line]
    assert len(seen) == len(set(seen)), lines


# --- 6. What the preview says, and the problems it shows -----------------------


def test_a_problem_line_is_split_into_file_line_what_and_fix():
    assert problem_parts("content/articles/x.md:3: 'gisteren' is geen geldige datum — schrijf "
                         "de datum als 2026-11-26.") == {
        "file": "content/articles/x.md", "line": 3, "what": "'gisteren' is geen geldige datum",
        "fix": "schrijf de datum als 2026-11-26.",
        "text": "content/articles/x.md:3: 'gisteren' is geen geldige datum — schrijf de datum "
                "als 2026-11-26."}
    whole = problem_parts("content/articles/mijn stuk.md: het bestand is leeg — schrijf iets.")
    assert (whole["file"], whole["line"], whole["what"], whole["fix"]) == (
        "content/articles/mijn stuk.md", None, "het bestand is leeg", "schrijf iets.")
    # A settings sentence names no file, even one with a path in it.
    for sentence in ("EDITOR_LANGUAGE = 'de' must be 'nl' (Dutch messages) or 'en' (English "
                     "messages), in pelicanconf.py.",
                     "DEFAULT_LANG = 'xx' has no catalogue at theme/translations/xx/LC_MESSAGES/"
                     "messages.po: copy it there."):
        parts = problem_parts(sentence)
        assert parts["file"] is None and parts["line"] is None
        assert parts["what"] + (" — " + parts["fix"] if parts["fix"] else "") == sentence


def test_the_panel_says_whose_problem_it_is_in_the_editors_language(tmp_path):
    from dorpsplein.preview import BuildStatus

    status = BuildStatus(tmp_path)
    assert status.as_json()["ok"] and status.as_json()["problems"] == []
    status.record([f"{tmp_path}/content/articles/x.md:2: 'gisteren' is geen geldige datum — "
                   "schrijf de datum als 2026-11-26.", "content/articles/y.md: leeg — schrijf."],
                  "nl")
    said = status.as_json()
    first_build = said["build"]
    assert not said["ok"] and said["lang"] == "nl"
    assert said["say"]["heading"] == "Er zijn 2 problemen met je tekst"
    assert [p["file"] for p in said["problems"]] == ["content/articles/x.md",
                                                     "content/articles/y.md"]
    status.record(["EDITOR_LANGUAGE = 'fr' must be 'nl' (Dutch messages) or 'en' (English "
                   "messages), in pelicanconf.py."], "nl")
    said = status.as_json()
    assert said["say"]["heading"] == "Er is een probleem met de instellingen"
    assert said["build"] != first_build  # a new failing build: the panel shows again
    status.record(["content/articles/x.md:2: 'x' is not a valid date — write 2026-11-26."], "en")
    said = status.as_json()
    assert said["say"] == {
        "heading": "There is a problem with your text",
        "intro": "Your browser still shows the last good version of the page. Fix it and save "
                 "the file: this message then disappears by itself.",
        "line": "line {line}", "fix": "How to fix it:", "hide": "Hide"}
    assert b'<html lang="en">' in status.missing_page()
    assert b"This page is not there yet" in status.missing_page()


def test_the_preview_speaks_english_when_the_settings_say_so(capsys):
    previous = say.language
    try:
        say.language = "en"
        tell_lan([], 8000)
        assert capsys.readouterr().out.strip() == SAY["lan_none"]
    finally:
        say.language = previous
    assert say(SAY["lan_none"]) != SAY["lan_none"]  # Dutch again, from the catalogue


def status_of(base: str) -> dict:
    return json.loads(get(base + "/__dorpsplein/status.json")[2])


def status_when(base: str, wanted, seconds: float = 60) -> dict:
    """The preview's status once ``wanted(status)`` holds (fails after ``seconds``)."""
    deadline = time.monotonic() + seconds
    status = status_of(base)
    while not wanted(status) and time.monotonic() < deadline:
        time.sleep(0.2)
        status = status_of(base)
    assert wanted(status), status
    return status


@pytest.mark.slow
def test_a_key_the_one_article_update_would_miss_is_reported_and_every_page_has_the_tag(
        tmp_path):
    """A body-only edit updates one article in place, which reads no front-matter
    key it does not know: the preview runs the editor checks on that file first."""
    folder = project(tmp_path)
    port = free_port()
    process, log = start_preview(folder, port, "--no-comments", "--no-participation")
    base = f"http://127.0.0.1:{port}"
    article = folder / "content" / "articles" / "2026-09-x-of-mastodon.md"
    original = article.read_text(encoding="utf-8")
    try:
        assert fetch_when_ready(base + "/") is not None, log.read_text()
        good = status_of(base)
        assert good["ok"] and good["problems"] == [] and good["lang"] == "nl"
        # Every HTML page carries the panel's tag once (the 404 page too), as served.
        tag = OVERLAY_TAG.decode()
        for url in ("/", ARTICLE, "/bestaat-niet/"):
            assert get(base + url)[2].decode("utf-8").count(tag) == 1, url
        assert not any(tag.encode() in data for data in
                       tree(folder / "output" / "preview").values()), "a built file has the tag"
        status, headers, script = get(base + "/__dorpsplein/overlay.js")
        assert status == 200 and headers["Content-Type"].startswith("text/javascript")
        assert b'setAttribute("role", "alert")' in script

        article.write_text(original.replace("Slug: x-of-mastodon\n",
                                            "Slug: x-of-mastodon\nCatgory: Moderatie\n"),
                           encoding="utf-8")
        broken = status_when(base, lambda s: not s["ok"])
        [problem] = broken["problems"]
        # Named as in the project's folder (the terminal line names it in full).
        assert problem["file"] == "content/articles/2026-09-x-of-mastodon.md"
        assert problem["text"].endswith("/content/articles/2026-09-x-of-mastodon.md:6: "
                                        "'Catgory:' kent Dorpsplein niet — schrijf 'Category:' "
                                        "(kijk de spelling na).")
        assert (problem["line"], problem["what"], problem["fix"]) == (
            6, "'Catgory:' kent Dorpsplein niet", "schrijf 'Category:' (kijk de spelling na).")
        assert broken["say"]["heading"] == "Er is een probleem met je tekst"
        assert broken["say"]["hide"] == "Verbergen"
        assert "X of Mastodon" in fetch(base + ARTICLE)  # the last good page stays
        text = log.read_text(encoding="utf-8")
        assert problem["text"] in text and "Je ziet het probleem ook in de browser." in text

        # Fixed, and a body edit: in place again, and the status is good again.
        article.write_text(original + "\nEen zin na de fout.\n", encoding="utf-8")
        fixed = status_when(base, lambda s: s["ok"])
        assert fixed["build"] != broken["build"]
        assert "Een zin na de fout." in fetch_when_ready(base + ARTICLE)
        article.write_text(original + "\nNog een zin.\n", encoding="utf-8")
        deadline = time.monotonic() + 30
        while "Nog een zin." not in fetch(base + ARTICLE) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "2026-09-x-of-mastodon.md bijgewerkt in " in log.read_text(encoding="utf-8")
    finally:
        stop(process)


# --- 7. The participation service beside the preview ---------------------------

CONSULTATION = """Title: Hoe maken we het Dorpsplein groener?
Slug: dorpsplein-groener
Summary: Deel je idee voor meer groen op het Dorpsplein.
Opens: 2026-01-05 09:00
Closes: 2035-01-31 23:59
Phase: ideas
Supports: 5
Moderation: after

Waar wil jij meer groen zien?
"""


def participation_project(tmp_path: Path) -> tuple[Path, Path]:
    """A project with one open consultation, the participation plugin on and
    the service's database in tmp_path: (folder, database)."""
    database = tmp_path / "participation" / "participation.db"
    folder = project(tmp_path)
    inspraak = folder / "content" / "inspraak"
    inspraak.mkdir(exist_ok=True)
    (inspraak / "dorpsplein-groener.md").write_text(CONSULTATION, encoding="utf-8")
    (folder / "pelicanconf.py").write_text(
        (folder / "pelicanconf.py").read_text(encoding="utf-8") +
        "PLUGINS = [*PLUGINS, 'participation'] if 'participation' not in PLUGINS "
        "else PLUGINS\n"
        "PARTICIPATION_SERVER = {**globals().get('PARTICIPATION_SERVER', {}), "
        f"'database': {str(database)!r}}}\n",
        encoding="utf-8")
    return folder, database


def test_a_taken_participation_port_says_so_too(tmp_path):
    folder, _database = participation_project(tmp_path)
    port = free_port()
    with taken_port() as holder:
        participation_port = holder.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "dorpsplein.preview", str(folder / "pelicanconf.py"),
             str(port), "--no-comments", "--participation-port", str(participation_port)],
            cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    line = one_line_refusal(run)
    offered = re.fullmatch(
        rf"Poort {participation_port} van de inspraakserver is al in gebruik \(draait "
        r"\./go serve of \./go participation al\?\)\. Start op een andere poort: \./go serve "
        rf"--no-comments --port {port} --participation-port (\d+)", line)
    assert offered, line
    assert int(offered.group(1)) != participation_port
    assert not (folder / "output").exists(), "it built before looking at the port"


def test_with_everything_taken_it_offers_free_ports_for_all_three(tmp_path):
    """A second ./go serve: the preview's, the comment server's and the
    participation service's ports are all in use."""
    from dorpsplein.preview import Beside, ports_problem

    with taken_port() as site, taken_port() as comments, taken_port() as participation:
        ports = [s.getsockname()[1] for s in (site, comments, participation)]
        line = ports_problem("127.0.0.1", ports[0], [
            Beside("comments", "127.0.0.1", ports[1]),
            Beside("participation", "127.0.0.1", ports[2])], lan=False)
    match = re.fullmatch(
        rf"Poort {ports[0]} is al in gebruik \(draait \./go serve al\?\)\. Start op een andere "
        r"poort: \./go serve --port (\d+) --comments-port (\d+) --participation-port (\d+)",
        line)
    assert match, line
    offered = [int(n) for n in match.groups()]
    assert len(set(offered)) == 3 and not set(offered) & set(ports)


@pytest.mark.slow
def test_serve_starts_the_participation_service_beside_the_preview(tmp_path):
    folder, database = participation_project(tmp_path)
    port, participation_port = free_port(), free_port()
    process, log = start_preview(folder, port, "--no-comments",
                                 "--participation-port", str(participation_port))
    service = f"http://127.0.0.1:{participation_port}"
    try:
        assert fetch_when_ready(f"http://127.0.0.1:{port}/", seconds=90) is not None, \
            log.read_text()
        assert (folder / "output" / "preview" / "participation.json").is_file(), log.read_text()
        board = fetch_when_ready(f"{service}/api/dorpsplein-groener/ideas", seconds=60)
        assert board is not None, log.read_text()
        board = json.loads(board)
        assert board["consultation"] and board["phase"] == "ideas" and board["open"] is True
        assert board["ideas"] == [] and board["total_supports"] == 0
        # Its own database (from PARTICIPATION_SERVER), the moderators' address
        # and this run's password printed like the comment server's.
        assert database.is_file()
        text = log.read_text(encoding="utf-8")
        assert re.search(rf"http://127\.0\.0\.1:{participation_port}/moderatie/", text), text
        # The pages send citizens to the service on the chosen port.
        page = fetch_when_ready(f"http://127.0.0.1:{port}/inspraak/dorpsplein-groener/")
        assert page is not None and f"127.0.0.1:{participation_port}" in page
        # A form from the preview's own address is accepted (its origin is allowed).
        status, _headers, body = get(f"{service}/api/dorpsplein-groener/form",
                                     headers={"Accept": "application/json",
                                              "Origin": f"http://127.0.0.1:{port}"})
        assert status == 200 and json.loads(body)["token"], body
    finally:
        stop(process)
    # Stopping the preview stops the service too.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not port_free(participation_port):
        time.sleep(0.2)
    assert port_free(participation_port), "the participation service kept running"

    # The next ./go serve finds participation.json of this build: the service
    # starts before the first build, which reads the live board from it.
    process, log = start_preview(folder, port, "--no-comments",
                                 "--participation-port", str(participation_port))
    try:
        assert fetch_when_ready(f"http://127.0.0.1:{port}/", seconds=90) is not None, \
            log.read_text()
        assert fetch_when_ready(f"{service}/api/dorpsplein-groener/ideas") is not None
        text = log.read_text(encoding="utf-8")
        assert f"127.0.0.1:{participation_port}" in text
        assert text.index("/moderatie/") < text.index("Opnieuw gebouwd in"), text
    finally:
        stop(process)


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
