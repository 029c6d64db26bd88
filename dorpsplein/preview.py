"""The local preview: build, serve, rebuild on change, reload the browser.

The town's comment server (Isso) and its participation service (the
consultations, dorpsplein/participation) start beside it, so comments, ideas
and supports work in the preview too.

Uses livereload (as Pelican's own tasks.py template does): it serves the
preview's own folder (OUTPUT_PATH of pelicanconf.py, output/preview/; the
public site is built into output/public/, so `./go publish` never changes an
open preview), watches content, theme, plugins and settings, rebuilds with
the content cache on, and tells the open page to reload. A build problem is
printed as its one-line reasons and the last good site keeps being served.
A missing page gets the site's own 404 page, with status 404.

The problems are shown where the editor looks, too: every HTML page the
preview serves gets one script tag (``OVERLAY_TAG``, added as the page is
sent, never written to the built site), whose script (``preview_static/
overlay.js``) asks ``/__dorpsplein/status.json`` once a second for the last
build's problems and shows them in a panel over the last good page: file,
line, what is wrong and the fix. The next good build takes it away (the page
reloads). When the first build fails, the preview still starts; a page that
is not there yet is a short page saying so, with the same panel.

Everything the preview says is in EDITOR_LANGUAGE (Dutch by default,
dorpsplein/messages.py).

``--lan`` listens on every network address of this machine and prints its
address and a QR code, so a phone on the same network can open the preview;
the comment server and the participation service follow (they listen there
too and accept comments, ideas and supports from that address).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import errno
import json
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from html import escape as html_escape
from pathlib import Path
from urllib.parse import urlsplit

from livereload import Server
from livereload.handlers import StaticFileHandler
from livereload.watcher import Watcher as LiveReloadWatcher
from tornado.web import RequestHandler

from .build import ROOT, BuildFailed, build, build_with
from .incremental import WarmSite
from .messages import N_, decimal, language_of, translations

DEFAULT_PORT = 8000
# Every network address: what --lan listens on.
ALL_ADDRESSES = "0.0.0.0"

# What the preview says to the editor about ports and the phone, in this one
# place: English msgids, said in EDITOR_LANGUAGE (Dutch by default) by ``say``.
SAY = {
    "port_in_use": N_("Port {port} is already in use (is ./go serve running already?). "
                      "Start on another port: {command}"),
    "comments_port_in_use": N_("Port {port} of the comment server is already in use (is "
                               "./go serve or ./go comments running already?). Start on "
                               "another port: {command}"),
    "participation_port_in_use": N_("Port {port} of the participation service is already in "
                                    "use (is ./go serve or ./go participation running "
                                    "already?). Start on another port: {command}"),
    "lan": N_("On your phone or tablet: {url} — it must be on the same network (the same "
              "Wi-Fi) as this computer."),
    "lan_qr": N_("Or point your phone's camera at this QR code:"),
    "lan_others": N_("Does it not work? This computer has other addresses too: {urls}"),
    "lan_none": N_("This computer found no network address (only 127.0.0.1): connect it to "
                   "the same network (the same Wi-Fi) as your phone and start ./go serve "
                   "--lan again."),
}

# The one tag the preview adds to every HTML page it serves (before </head>);
# the built files never contain it.
OVERLAY_SCRIPT = "/__dorpsplein/overlay.js"
STATUS_URL = "/__dorpsplein/status.json"
OVERLAY_TAG = f'<script src="{OVERLAY_SCRIPT}" defer></script>'.encode()
STATIC = Path(__file__).resolve().parent / "preview_static"


class Say:
    """Says a message in the preview's EDITOR_LANGUAGE (the settings' at the
    start, then each build's)."""

    def __init__(self, language: str = "nl"):
        self.language = language

    def __call__(self, message: str, **values) -> str:
        return translations(self.language).gettext(message).format(**values)


say = Say()


# "content/articles/x.md:3: what is wrong — the fix" (the line number is left
# out for a whole file); a settings sentence ("NAME = 'x' must …") has no file.
PROBLEM = re.compile(r"^(?P<file>[^:=\s][^:=]*?\.\w{1,10})(?::(?P<line>\d+))?: (?P<rest>.+)$")


def problem_parts(text: str, root: Path | None = None) -> dict:
    """One problem line as the panel shows it: file (relative to ``root``, the
    project's folder, when it is inside), line, what, fix."""
    match = PROBLEM.match(text)
    rest = match.group("rest") if match else text
    what, _dash, fix = rest.partition(" — ")
    file = match.group("file") if match else None
    if file and root is not None and Path(file).is_absolute() and Path(file).is_relative_to(root):
        file = Path(file).relative_to(root).as_posix()
    return {"file": file,
            "line": int(match.group("line")) if match and match.group("line") else None,
            "what": what, "fix": fix or None, "text": text}


class BuildStatus:
    """The outcome of the preview's last build, for the panel in the browser."""

    def __init__(self, root: Path | None = None):
        self.root = root  # the project's folder: files are shown relative to it
        # A new preview counts again from 1: the session tells its builds apart.
        self.session = secrets.token_hex(4)
        self.number = 0
        self.problems: list[str] = []
        self.language = "nl"

    @property
    def ok(self) -> bool:
        return not self.problems

    def record(self, problems: list[str], language: str) -> None:
        self.number += 1
        self.problems = list(problems)
        self.language = language

    def as_json(self) -> dict:
        said = translations(self.language)
        _ = said.gettext
        count = len(self.problems)
        problems = [problem_parts(line, self.root) for line in self.problems]
        if problems and not any(problem["file"] for problem in problems):
            # No file named: a setting (pelicanconf.py), not the editor's text.
            heading = said.ngettext("There is a problem with the settings",
                                    "There are {count} problems with the settings", count)
        else:
            heading = said.ngettext("There is a problem with your text",
                                    "There are {count} problems with your text", count)
        return {
            "ok": self.ok,
            "build": f"{self.session}-{self.number}",
            "lang": self.language,
            "problems": problems,
            "say": {
                "heading": heading.format(count=count),
                "intro": _("Your browser still shows the last good version of the page. Fix "
                           "it and save the file: this message then disappears by itself."),
                "line": _("line {line}"),
                "fix": _("How to fix it:"),
                "hide": _("Hide"),
            },
        }

    def missing_page(self) -> bytes:
        """The page a missing address gets while the last build failed (the
        panel shows the problems on top of it)."""
        _ = translations(self.language).gettext
        title = html_escape(_("This page is not there yet"))
        text = html_escape(_("The site could not be built completely. Fix the problem and "
                             "save your text: this page then reloads by itself."))
        return (f'<!DOCTYPE html>\n<html lang="{self.language}">\n<head>\n'
                '<meta charset="utf-8">\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{title}</title>\n"
                "<style>body{font:1.125rem/1.5 system-ui,sans-serif;margin:0;color:#1f1f1f;"
                "background:#fff}main{max-width:40rem;margin:0 auto;padding:2rem 1rem}</style>\n"
                f"</head>\n<body>\n<main>\n<h1>{title}</h1>\n<p>{text}</p>\n</main>\n"
                "</body>\n</html>\n").encode()


def rebuild(settings_file: str, site=None):
    """Build once; return the BuildResult, or None after printing the problems.
    The site's ``status`` (when it has one) keeps the outcome for the panel."""
    status = getattr(site, "status", None)
    try:
        result = site.full() if site is not None else build(settings_file)
    except BuildFailed as failed:
        say.language = failed.language
        if status is not None:
            status.record(failed.problems, failed.language)
        for line in failed.advice:
            print(say(N_("warning: {line}"), line=line), file=sys.stderr)
        for line in failed.problems:
            print(line, file=sys.stderr)
        print(say(N_("The files named above are left out of the preview (or, for a settings "
                     "problem, nothing was rebuilt): fix them and save again. The browser "
                     "shows the problem too.")), file=sys.stderr, flush=True)
        return None
    say.language = language_of(result.settings)
    if status is not None:
        status.record([], say.language)
    for line in result.advice:
        print(say(N_("warning: {line}"), line=line), file=sys.stderr)
    print(say(N_("Rebuilt in {seconds} s."), seconds=decimal(result.seconds, say.language, 2)),
          flush=True)
    return result


def _watched(path: str, roots: list[Path]) -> bool:
    """Whether a change of ``path`` under one of ``roots`` matters (not compiled
    Python, editor backups and lock files, nothing in hidden or cache folders)."""
    name = os.path.basename(path)
    if name.endswith((".pyc", ".swp", "~")) or name.startswith(".#"):
        return False
    for root in roots:
        with contextlib.suppress(ValueError):
            folders = Path(path).relative_to(root).parts[:-1]
            return not any(part == "__pycache__" or part.startswith(".") for part in folders)
    return True


class Watcher:
    """Knows which watched files changed since it last looked.

    The operating system says so (inotify and its kin, through watchfiles,
    which Pelican itself depends on): the former scan of every file every
    0.1 s cost 82 ms at 5,000 articles, most of a core while the preview sat
    idle and most of the edit-to-preview time. ``roots`` are watched with
    everything under them; ``files`` through their folders (an editor that
    saves by renaming replaces the file itself).
    """

    def __init__(self, roots: list[Path], files: list[Path]):
        self.roots, self.files = roots, files
        self._changed: set[Path] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started: list[threading.Event] = []
        folders = sorted({f.parent for f in files if f.parent.is_dir()})
        wanted = {str(f) for f in files}
        existing = [r for r in roots if r.exists()]
        self._watch(existing, True, lambda _c, path: _watched(path, existing))
        self._watch(folders, False, lambda _c, path: path in wanted)
        for started in self._started:
            started.wait(10)

    def _watch(self, paths: list[Path], recursive: bool, keep) -> None:
        if not paths:
            return
        started = threading.Event()
        self._started.append(started)

        def run() -> None:
            from watchfiles import watch

            for changes in watch(*paths, watch_filter=keep, recursive=recursive,
                                 stop_event=self._stop, debounce=200, step=10,
                                 rust_timeout=100, yield_on_timeout=True):
                started.set()
                with self._lock:
                    self._changed.update(Path(path) for _change, path in changes)

        threading.Thread(target=run, name="preview-watcher", daemon=True).start()

    def changed(self) -> list[Path]:
        with self._lock:
            paths, self._changed = sorted(self._changed), set()
        return paths

    def stop(self) -> None:
        self._stop.set()


def on_change(site, watcher: Watcher, settings_file: str, articles: list[Path]) -> list[Path]:
    """Bring the preview up to date: one edited article in place, else a full build.
    Looks again afterwards, so a save made during a rebuild is never lost.
    Returns every changed path it handled (empty when nothing changed)."""
    handled: list[Path] = []
    while True:
        changed = watcher.changed()
        if not changed:
            return handled
        handled += changed
        started = time.perf_counter()
        single = changed[0] if len(changed) == 1 else None
        if single is not None and single.suffix == ".md" and any(
                single.is_relative_to(folder) for folder in articles) and site.update(single):
            print(say(N_("Updated {name} in {seconds} s."), name=single.name,
                      seconds=decimal(time.perf_counter() - started, say.language, 2)),
                  flush=True)
            continue
        rebuild(settings_file, site)


class PreviewSite(WarmSite):
    """The warm site, built with the preview's overrides (its own address and
    the comment server's, when they differ from the settings file), and the
    outcome of its last build (``status``, for the panel in the browser)."""

    def __init__(self, settings_file: str, overrides: dict | None = None):
        super().__init__(settings_file)
        self.overrides = overrides or {}
        settings_path = Path(settings_file)
        self.status = BuildStatus((settings_path if settings_path.is_absolute()
                                   else ROOT / settings_path).resolve().parent)

    def full(self):
        result, self.state = build_with(self.settings_file, self.overrides, keep=True)
        return result

    def update(self, path: Path) -> bool:
        """One article in place, only when nothing is wrong: while the last
        build failed, and when this file has a content error, a full build
        runs instead and names every problem (for the terminal and the panel)."""
        if not self.status.ok or self.state is None or self._content_errors(path):
            return False
        return super().update(path)

    def _content_errors(self, path: Path) -> bool:
        """Whether the editor checks find an error in this one file (an
        unknown front-matter key, a picture without alt text, ...), which the
        one-article update would not notice."""
        from editor_checks.checks import Checker

        try:
            findings = Checker(self.state["context"]).check_file(Path(path))
        except Exception:  # noqa: BLE001 - the full build that follows reports it
            return True
        return any(finding.severity == "error" for finding in findings)


class ChangeTrigger(LiveReloadWatcher):
    """livereload's watcher, driven by ours: one look per poll and one rebuild
    per change (livereload's own glob tasks would run once per matching pattern).

    A build that failed reloads nothing: the page stays the last good one and
    the panel on it shows the problems (it asks for them itself)."""

    # livereload waits this long before it tells the page to reload.
    DELAY = 0.05

    def __init__(self, look, status: BuildStatus | None = None):
        super().__init__()
        self.look = look  # () -> the changed paths it brought up to date
        self.status = status

    def examine(self):
        # livereload adds a watch of the working directory when it has no
        # task; this method never reads its tasks, only ``look``.
        if self._changes:
            return self._changes.pop()
        changed = self.look()
        self.filepath = str(changed[-1]) if changed else None
        if changed and self.status is not None and not self.status.ok:
            return self.filepath, "forever"  # livereload's word for "no reload"
        return self.filepath, (self.DELAY if changed else None)


def with_overlay(html: bytes) -> bytes:
    """The page with the panel's script tag before its </head> (if it has one)."""
    return html.replace(b"</head>", OVERLAY_TAG + b"</head>", 1)


class SiteFiles(StaticFileHandler):
    """livereload's static files, answering a missing page with the site's own
    404 page (status 404), as the web server does in production. Every HTML
    page gets the panel's script tag as it is sent (``with_overlay``). While
    the last build failed, a missing page (not a missing picture or file) is a
    short page that says so (status 503), with the panel on top."""

    def initialize(self, path: str, default_filename: str | None = None,
                   status: BuildStatus | None = None) -> None:
        super().initialize(path, default_filename)
        self.status = status

    @classmethod
    def get_content(cls, abspath: str, start: int | None = None, end: int | None = None):
        if not abspath.endswith(".html"):
            return super().get_content(abspath, start, end)
        return with_overlay(Path(abspath).read_bytes())[start:end]

    def get_content_size(self) -> int:
        if not self.absolute_path.endswith(".html"):
            return super().get_content_size()
        return len(with_overlay(Path(self.absolute_path).read_bytes()))

    def write_error(self, status_code: int, **kwargs) -> None:
        page = Path(self.root) / "404.html"
        last = self.request.path.rsplit("/", 1)[-1]
        a_page = not last or last.endswith(".html") or "." not in last
        if status_code == 404 and a_page and self.status is not None and not self.status.ok:
            self.set_status(503)
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(with_overlay(self.status.missing_page()))
            return
        if status_code == 404 and page.is_file():
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.finish(with_overlay(page.read_bytes()))
            return
        super().write_error(status_code, **kwargs)


class StatusHandler(RequestHandler):
    """/__dorpsplein/status.json: the last build's outcome, for the panel."""

    def initialize(self, status: BuildStatus) -> None:
        self.status = status

    def get(self) -> None:
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(self.status.as_json(), ensure_ascii=False))


class OverlayScriptHandler(RequestHandler):
    """/__dorpsplein/overlay.js: the panel (preview_static/overlay.js)."""

    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish((STATIC / "overlay.js").read_bytes())


class PreviewServer(Server):
    """livereload's server, printing each log line once.

    livereload's ``_setup_logging`` adds a handler to its own and tornado's
    loggers, which also pass every record on to the root logger, where
    Pelican's console handler printed it a second time (and where a build's
    problem collector would take a 404 for a build problem). Here each has
    one handler and passes nothing on; livereload's own chatter (serving on,
    watching, running task) stays below the line, tornado's warnings (a 404
    with its address) are shown.

    Besides the site's files it answers the panel's two addresses
    (``STATUS_URL``, ``OVERLAY_SCRIPT``) with the outcome in ``status``."""

    def __init__(self, status: BuildStatus, **kwargs):
        super().__init__(**kwargs)
        self.status = status

    def get_web_handlers(self, script):
        return [
            (re.escape(STATUS_URL), StatusHandler, {"status": self.status}),
            (re.escape(OVERLAY_SCRIPT), OverlayScriptHandler),
            (r"/(.*)", SiteFiles, {"path": self.root or ".",
                                   "default_filename": self.default_filename,
                                   "status": self.status}),
        ]

    def _setup_logging(self):
        from tornado.log import LogFormatter

        handler = logging.StreamHandler()
        handler.setFormatter(LogFormatter())
        for name in ("livereload", "tornado"):
            logger = logging.getLogger(name)
            logger.handlers = [handler]
            logger.setLevel(logging.WARNING)
            logger.propagate = False


def port_free(host: str, port: int) -> bool:
    """Whether a server could listen on host:port now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As tornado and gunicorn do: a port in TIME_WAIT counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def next_free_port(host: str, port: int, avoid=()) -> int:
    """The first free port after ``port`` (not one of ``avoid``)."""
    for candidate in range(port + 1, min(port + 200, 65536)):
        if candidate not in avoid and port_free(host, candidate):
            return candidate
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class Beside:
    """A server the preview starts beside the site: the comment server
    (``name`` "comments") or the participation service ("participation").
    ``host`` is None when it does not run; ``chosen``: its port was given on
    the command line; ``off``: the editor switched it off (--no-<name>)."""

    def __init__(self, name: str, host: str | None, port: int, chosen: bool = False,
                 off: bool = False):
        self.name, self.host, self.port, self.chosen, self.off = name, host, port, chosen, off

    @property
    def on(self) -> bool:
        return self.host is not None


def serve_command(port: int, lan: bool, beside: list[tuple[Beside, int]] = ()) -> str:
    """The ./go serve command line with these choices: each server beside the
    preview with the port to offer (named when chosen or changed)."""
    command = "./go serve"
    if lan:
        command += " --lan"
    for server, _port in beside:
        if server.off:
            command += f" --no-{server.name}"
    if port != DEFAULT_PORT:
        command += f" --port {port}"
    for server, offered in beside:
        if server.on and (server.chosen or offered != server.port):
            command += f" --{server.name}-port {offered}"
    return command


def ports_problem(host: str, port: int, beside: list[Beside], lan: bool) -> str | None:
    """None when the preview (and each server beside it that runs) can listen;
    else the sentence that says which port is in use (the first taken one),
    with the command that starts on free ones (all of them, when several are
    taken: a second ./go serve)."""
    port_taken = not port_free(host, port)
    taken = [server for server in beside if server.on and not port_free(server.host,
                                                                           server.port)]
    if not (port_taken or taken):
        return None
    avoid = {port} | {server.port for server in beside if server.on}
    new_port = next_free_port(host, port, avoid=avoid) if port_taken else port
    avoid.add(new_port)
    offered = []
    for server in beside:
        new = server.port
        if server in taken:
            new = next_free_port(server.host, server.port, avoid=avoid)
            avoid.add(new)
        offered.append((server, new))
    command = serve_command(new_port, lan, offered)
    if port_taken:
        return say(SAY["port_in_use"], port=port, command=command)
    first = taken[0]
    return say(SAY[f"{first.name}_port_in_use"], port=first.port, command=command)


def lan_addresses() -> list[str]:
    """This machine's IPv4 network addresses, without loopback; first the one
    its traffic to a private network leaves from (a UDP ``connect`` only picks
    a route: no packet is sent, no internet needed), then the others."""
    primary = []
    for private in ("10.254.254.254", "192.168.254.254", "172.31.254.254"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.connect((private, 9))
                primary.append(probe.getsockname()[0])
                break
            except OSError:
                continue
    others = []
    with contextlib.suppress(OSError):
        others += [info[4][0] for info in
                   socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    others += _interface_addresses()
    found = []
    for address in primary + sorted(set(others)):
        if address not in found and not address.startswith(("127.", "0.")):
            found.append(address)
    return found


def _interface_addresses() -> list[str]:
    """The IPv4 address of every network interface (Linux; elsewhere none)."""
    try:
        import fcntl
        import struct
    except ImportError:
        return []
    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _index, name in getattr(socket, "if_nameindex", list)():
            with contextlib.suppress(OSError):
                packed = fcntl.ioctl(probe.fileno(), 0x8915,  # SIOCGIFADDR
                                     struct.pack("256s", name[:15].encode()))
                found.append(socket.inet_ntoa(packed[20:24]))
    return found


def qr_code(text: str, colours: bool) -> str:
    """``text`` as a QR code for the terminal: two rows of modules per line,
    dark on light whatever the terminal's own colours (when ``colours``)."""
    import segno

    rows = [list(row) for row in segno.make(text, error="m").matrix_iter(border=2)]
    if len(rows) % 2:
        rows.append([0] * len(rows[0]))
    blocks = {(1, 1): "█", (1, 0): "▀", (0, 1): "▄", (0, 0): " "}
    lines = []
    for top, bottom in zip(rows[::2], rows[1::2], strict=True):
        line = "".join(blocks[bool(a), bool(b)] for a, b in zip(top, bottom, strict=True))
        lines.append(f"\033[30;107m{line}\033[0m" if colours else line)
    return "\n".join(lines)


def tell_lan(addresses: list[str], port: int) -> None:
    """Print the address a phone opens, its QR code, and the other addresses."""
    if not addresses:
        print(say(SAY["lan_none"]), flush=True)
        return
    url = f"http://{addresses[0]}:{port}/"
    print(say(SAY["lan"], url=url))
    print(say(SAY["lan_qr"]))
    print(qr_code(url, colours=sys.stdout.isatty()))
    if len(addresses) > 1:
        print(say(SAY["lan_others"],
                  urls=", ".join(f"http://{a}:{port}/" for a in addresses[1:])))
    sys.stdout.flush()


def start_comments(settings_file: str, origins: list[str], bind: str, threads: Path,
                   database: Path) -> subprocess.Popen:
    """Start the town's comment server (dorpsplein/comments) beside the preview."""
    command = [sys.executable, "-m", "dorpsplein.comments", "--settings", str(settings_file),
               "--bind", bind, "--threads", str(threads),
               # One editor: one worker, so each of its log lines shows once.
               "--workers", "1",
               # isso.cfg beside the database (var/isso/ by default).
               "--state-dir", str(database.parent), "--database", str(database)]
    for origin in origins:
        command += ["--origin", origin]
    return subprocess.Popen(command, cwd=ROOT, env=dict(os.environ))


def start_participation(settings_file: str, origins: list[str], bind: str, site: Path,
                        database: Path) -> subprocess.Popen:
    """Start the town's participation service (dorpsplein/participation) beside
    the preview; it prints the moderation address and this run's password."""
    command = [sys.executable, "-m", "dorpsplein.participation", "--settings",
               str(settings_file), "--bind", bind, "--site", str(site),
               # One editor: one worker, so each of its log lines shows once.
               "--workers", "1",
               # Its secret beside the database (var/participation/ by default).
               "--state-dir", str(database.parent), "--database", str(database)]
    for origin in origins:
        command += ["--origin", origin]
    return subprocess.Popen(command, cwd=ROOT, env=dict(os.environ))


class LateServer:
    """A server beside the preview, started once the site has the file it
    reads (the comment server: isso-threads.json; the participation service:
    participation.json): at once after a good first build, else after the
    first good rebuild (a first build stopped by a settings problem writes
    nothing)."""

    def __init__(self, start, needs: Path):
        self.start = start  # () -> the running subprocess.Popen
        self.needs = needs
        self.process: subprocess.Popen | None = None
        self.started_with = None  # the file's stamp when it was started

    def _stamp(self):
        with contextlib.suppress(OSError):
            stat = self.needs.stat()
            return stat.st_mtime_ns, stat.st_size
        return None

    def start_when_ready(self) -> bool:
        """Start it when its file is there (again, when it stopped and the
        build has since written that file anew); True when it was started."""
        stamp = self._stamp()
        if stamp is None:
            return False
        if self.process is not None and (self.process.poll() is None
                                         or stamp == self.started_with):
            return False
        self.process, self.started_with = self.start(), stamp
        return True

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()


def wait_for_port(host: str, port: int, seconds: float) -> bool:
    """Whether something listens on host:port within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return True
        time.sleep(0.05)
    return False


def _read_settings(settings_path: Path) -> dict:
    from pelican.settings import read_settings

    previous = Path.cwd()
    os.chdir(ROOT)  # as the build reads them
    try:
        return read_settings(str(settings_path))
    finally:
        os.chdir(previous)


def serve(host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          settings_file: str = "pelicanconf.py", comments: bool = True, lan: bool = False,
          comments_port: int | None = None, participation: bool = True,
          participation_port: int | None = None):
    from isso_comments.settings import SERVER_DEFAULTS
    from participation.settings import SERVER_DEFAULTS as PARTICIPATION_DEFAULTS

    settings_path = Path(settings_file) if Path(settings_file).is_absolute() else \
        ROOT / settings_file
    settings = _read_settings(settings_path)
    say.language = language_of(settings)
    with_comments = comments and "isso_comments" in settings.get("PLUGINS", [])
    server_settings = {**SERVER_DEFAULTS, **(settings.get("ISSO_COMMENTS_SERVER") or {})}
    comments_host, _, listen_port = str(server_settings["listen"]).rpartition(":")
    chosen_comments_port = bool(comments_port)
    comments_port = int(comments_port or listen_port)
    with_participation = participation and "participation" in settings.get("PLUGINS", [])
    participation_settings = {**PARTICIPATION_DEFAULTS,
                              **(settings.get("PARTICIPATION_SERVER") or {})}
    participation_host, _, participation_listen = str(
        participation_settings["listen"]).rpartition(":")
    chosen_participation_port = bool(participation_port)
    participation_port = int(participation_port or participation_listen)
    if lan:
        host = comments_host = participation_host = ALL_ADDRESSES
    beside = [Beside("comments", comments_host if with_comments else None, comments_port,
                     chosen_comments_port, off=not comments),
              Beside("participation", participation_host if with_participation else None,
                     participation_port, chosen_participation_port, off=not participation)]
    problem = ports_problem(host, port, beside, lan)
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(1)

    addresses = lan_addresses() if lan else []
    local = "127.0.0.1" if host in (ALL_ADDRESSES, "") else host
    shown = addresses[0] if addresses else local
    site_url = f"http://{shown}:{port}"
    overrides = {}
    if lan or urlsplit(str(settings.get("PREVIEW_URL") or "")).port != port:
        overrides["PREVIEW_URL"] = site_url  # feeds and share links name this address
    if with_comments and (lan or comments_port != int(listen_port)):
        comments_shown = shown if comments_host in (ALL_ADDRESSES, "") else comments_host
        overrides["ISSO_COMMENTS_URL"] = f"http://{comments_shown}:{comments_port}"
    if with_participation and (lan or participation_port != int(participation_listen)):
        # The pages send citizens to the service on this address, and the
        # build reads the board from it (unless the settings name a folder).
        participation_shown = (shown if participation_host in (ALL_ADDRESSES, "")
                               else participation_host)
        overrides["PARTICIPATION_URL"] = f"http://{participation_shown}:{participation_port}"
        data = str(settings.get("PARTICIPATION_DATA") or "")
        if not data or data.startswith(("http://", "https://")):
            local_host = ("127.0.0.1" if participation_host in (ALL_ADDRESSES, "")
                          else participation_host)
            overrides["PARTICIPATION_DATA"] = f"http://{local_host}:{participation_port}"

    output = Path(settings["OUTPUT_PATH"])
    output.mkdir(parents=True, exist_ok=True)
    servers: list[LateServer] = []
    origins = list(dict.fromkeys([site_url, f"http://{local}:{port}",
                                  f"http://localhost:{port}"]))
    if with_comments:
        database = Path(server_settings["database"])
        servers.append(LateServer(lambda: start_comments(
            settings_file, origins, f"{comments_host}:{comments_port}",
            output / "isso-threads.json",
            database if database.is_absolute() else ROOT / database),
            output / "isso-threads.json"))
    if with_participation:
        participation_database = Path(participation_settings["database"])
        servers.append(LateServer(lambda: start_participation(
            settings_file, origins, f"{participation_host}:{participation_port}",
            output / "participation.json",
            participation_database if participation_database.is_absolute()
            else ROOT / participation_database),
            output / "participation.json"))
    for late in servers:
        atexit.register(late.stop)
    if servers:
        # A plain `kill` must not leave a server beside the preview running.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if with_participation and servers[-1].start_when_ready():
        # The site's participation.json from an earlier build: the service
        # starts first, so the first build reads the live board from it.
        wait_for_port("127.0.0.1" if participation_host in (ALL_ADDRESSES, "")
                      else participation_host, participation_port, 5)

    site = PreviewSite(settings_file, overrides)
    # A first build that fails still starts the preview: the browser shows
    # the problems, and the first good save builds the site.
    rebuild(settings_file, site)
    for late in servers:
        late.start_when_ready()
    content = Path(settings["PATH"])
    watcher = Watcher([content, Path(settings["THEME"]), ROOT / "plugins"],
                      [settings_path, ROOT / "pelicanconf.py"])
    articles = [content / folder for folder in settings["ARTICLE_PATHS"]]

    def look() -> list[Path]:
        handled = on_change(site, watcher, settings_file, articles)
        if handled:
            for late in servers:
                late.start_when_ready()
        return handled

    server = PreviewServer(site.status, watcher=ChangeTrigger(look, site.status))
    # livereload looks for changes every 0.8 s; look every 0.05 s as well (a
    # look is a glance at what the watcher was told), so a save shows in the
    # browser within a few tenths of a second.
    from livereload.handlers import LiveReloadHandler
    from tornado import ioloop

    ioloop.PeriodicCallback(LiveReloadHandler.poll_tasks, 50).start()
    print(say(N_("Preview on {url} — press Ctrl+C to stop."), url=f"http://{local}:{port}/"),
          flush=True)
    if lan:
        tell_lan(addresses, port)
    try:
        server.serve(host=host, port=port, root=str(output), open_url_delay=None)
    except OSError as exc:  # taken between the check and now
        if exc.errno != errno.EADDRINUSE:
            raise
        free = next_free_port(host, port, avoid={server.port for server in beside})
        print(say(SAY["port_in_use"], port=port, command=serve_command(
            free, lan, [(server, server.port) for server in beside])), file=sys.stderr)
        sys.exit(1)
    finally:
        for late in servers:
            late.stop()


def main(argv: list[str] | None = None) -> None:
    """python -m dorpsplein.preview [settings file] [port] [--no-comments] [--lan]
    [--comments-port N] [--no-participation] [--participation-port N] (what
    ./go serve runs, for tests and developers)."""
    parser = argparse.ArgumentParser(prog="python -m dorpsplein.preview")
    parser.add_argument("settings", nargs="?", default="pelicanconf.py")
    parser.add_argument("port", nargs="?", type=int, default=DEFAULT_PORT)
    parser.add_argument("--no-comments", action="store_true")
    parser.add_argument("--lan", action="store_true")
    parser.add_argument("--comments-port", type=int, default=None)
    parser.add_argument("--no-participation", action="store_true")
    parser.add_argument("--participation-port", type=int, default=None)
    args = parser.parse_args(argv)
    serve(settings_file=args.settings, port=args.port, comments=not args.no_comments,
          lan=args.lan, comments_port=args.comments_port,
          participation=not args.no_participation,
          participation_port=args.participation_port)


if __name__ == "__main__":
    main()
