"""The local preview: build, serve, rebuild on change, reload the browser.

The town's comment server (Isso) starts beside it, so comments work in the
preview too.

Uses livereload (as Pelican's own tasks.py template does): it serves the
preview's own folder (OUTPUT_PATH of pelicanconf.py, output/preview/; the
public site is built into output/public/, so `./go publish` never changes an
open preview), watches content, theme, plugins and settings, rebuilds with
the content cache on, and tells the open page to reload. A build problem is
printed as its one-line reasons and the last good site keeps being served.
A missing page gets the site's own 404 page, with status 404.

``--lan`` listens on every network address of this machine and prints its
address and a QR code, so a phone on the same network can open the preview;
the comment server follows (it listens there too and accepts comments from
that address).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import errno
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from livereload import Server
from livereload.handlers import StaticFileHandler
from livereload.watcher import Watcher as LiveReloadWatcher

from .build import ROOT, BuildFailed, build, build_with
from .incremental import WarmSite

DEFAULT_PORT = 8000
# Every network address: what --lan listens on.
ALL_ADDRESSES = "0.0.0.0"

# What the preview says to the editor about ports and the phone, in Dutch (the
# editor reads it), in this one place.
SAY = {
    "port_in_use": "Poort {port} is al in gebruik (draait ./go serve al?). "
                   "Start op een andere poort: {command}",
    "comments_port_in_use": "Poort {port} van de reactieserver is al in gebruik (draait "
                            "./go serve of ./go comments al?). Start op een andere poort: "
                            "{command}",
    "lan": "Op je telefoon of tablet: {url} — die moet op hetzelfde netwerk (dezelfde wifi) "
           "zitten als deze computer.",
    "lan_qr": "Of richt de camera van je telefoon op deze QR-code:",
    "lan_others": "Lukt het niet? Deze computer heeft nog andere adressen: {urls}",
    "lan_none": "Deze computer heeft geen netwerkadres gevonden (alleen 127.0.0.1): verbind "
                "hem met hetzelfde netwerk (dezelfde wifi) als je telefoon en start "
                "./go serve --lan opnieuw.",
}


def rebuild(settings_file: str, site=None):
    """Build once; return the BuildResult, or None after printing the problems."""
    try:
        result = site.full() if site is not None else build(settings_file)
    except BuildFailed as failed:
        for line in failed.advice:
            print(f"warning: {line}", file=sys.stderr)
        for line in failed.problems:
            print(line, file=sys.stderr)
        print("The files named above are left out of the preview (or, for a settings "
              "problem, nothing was rebuilt): fix them and save again.", file=sys.stderr)
        return None
    for line in result.advice:
        print(f"warning: {line}", file=sys.stderr)
    print(f"Rebuilt in {result.seconds:.2f} s.", flush=True)
    return result


class Watcher:
    """Knows which watched files changed since it last looked."""

    def __init__(self, roots: list[Path], files: list[Path]):
        self.roots = roots
        self.files = files
        self.seen = self.scan()

    def scan(self) -> dict[Path, int]:
        found = {}
        for root in self.roots:
            for dirpath, dirs, names in os.walk(root):
                dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
                for name in names:
                    if name.endswith((".pyc", ".swp", "~")) or name.startswith(".#"):
                        continue
                    path = Path(dirpath) / name
                    with contextlib.suppress(FileNotFoundError):
                        found[path] = path.stat().st_mtime_ns
        for path in self.files:
            if path.exists():
                found[path] = path.stat().st_mtime_ns
        return found

    def changed(self) -> list[Path]:
        current = self.scan()
        paths = [p for p in set(current) | set(self.seen) if current.get(p) != self.seen.get(p)]
        self.seen = current
        return sorted(paths)


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
            print(f"Updated {single.name} in {time.perf_counter() - started:.2f} s.",
                  flush=True)
            continue
        rebuild(settings_file, site)


class PreviewSite(WarmSite):
    """The warm site, built with the preview's overrides (its own address and
    the comment server's, when they differ from the settings file)."""

    def __init__(self, settings_file: str, overrides: dict | None = None):
        super().__init__(settings_file)
        self.overrides = overrides or {}

    def full(self):
        result, self.state = build_with(self.settings_file, self.overrides, keep=True)
        return result


class ChangeTrigger(LiveReloadWatcher):
    """livereload's watcher, driven by ours: one look per poll and one rebuild
    per change (livereload's own glob tasks would run once per matching pattern)."""

    # livereload waits this long before it tells the page to reload.
    DELAY = 0.05

    def __init__(self, look):
        super().__init__()
        self.look = look  # () -> the changed paths it brought up to date

    def examine(self):
        # livereload adds a watch of the working directory when it has no
        # task; this method never reads its tasks, only ``look``.
        if self._changes:
            return self._changes.pop()
        changed = self.look()
        self.filepath = str(changed[-1]) if changed else None
        return self.filepath, (self.DELAY if changed else None)


class SiteFiles(StaticFileHandler):
    """livereload's static files, answering a missing page with the site's own
    404 page (status 404), as the web server does in production."""

    def write_error(self, status_code: int, **kwargs) -> None:
        page = Path(self.root) / "404.html"
        if status_code == 404 and page.is_file():
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.finish(page.read_bytes())
            return
        super().write_error(status_code, **kwargs)


class PreviewServer(Server):
    """livereload's server, printing each log line once.

    livereload's ``_setup_logging`` adds a handler to its own and tornado's
    loggers, which also pass every record on to the root logger, where
    Pelican's console handler printed it a second time (and where a build's
    problem collector would take a 404 for a build problem). Here each has
    one handler and passes nothing on; livereload's own chatter (serving on,
    watching, running task) stays below the line, tornado's warnings (a 404
    with its address) are shown."""

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


def serve_command(port: int, comments_port: int | None, lan: bool,
                  comments: bool = True) -> str:
    """The ./go serve command line with these choices."""
    command = "./go serve"
    if lan:
        command += " --lan"
    if not comments:
        command += " --no-comments"
    if port != DEFAULT_PORT:
        command += f" --port {port}"
    if comments_port is not None:
        command += f" --comments-port {comments_port}"
    return command


def ports_problem(host: str, port: int, comments_host: str | None, comments_port: int,
                  chosen_comments_port: bool, lan: bool, comments: bool = True) -> str | None:
    """None when the preview (and the comment server, when given a host) can
    listen; else the sentence that says which port is in use, with the command
    that starts on free ones (both, when both are taken: a second ./go serve)."""
    port_taken = not port_free(host, port)
    comments_taken = comments_host is not None and not port_free(comments_host, comments_port)
    if not (port_taken or comments_taken):
        return None
    new_port = next_free_port(host, port, avoid={comments_port}) if port_taken else port
    new_comments_port = (next_free_port(comments_host, comments_port, avoid={port, new_port})
                         if comments_taken else comments_port)
    command = serve_command(
        new_port, new_comments_port if comments_taken or chosen_comments_port else None, lan,
        comments)
    if port_taken:
        return SAY["port_in_use"].format(port=port, command=command)
    return SAY["comments_port_in_use"].format(port=comments_port, command=command)


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
        print(SAY["lan_none"], flush=True)
        return
    url = f"http://{addresses[0]}:{port}/"
    print(SAY["lan"].format(url=url))
    print(SAY["lan_qr"])
    print(qr_code(url, colours=sys.stdout.isatty()))
    if len(addresses) > 1:
        print(SAY["lan_others"].format(
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
          comments_port: int | None = None):
    from isso_comments.settings import SERVER_DEFAULTS

    settings_path = Path(settings_file) if Path(settings_file).is_absolute() else \
        ROOT / settings_file
    settings = _read_settings(settings_path)
    with_comments = comments and "isso_comments" in settings.get("PLUGINS", [])
    server_settings = {**SERVER_DEFAULTS, **(settings.get("ISSO_COMMENTS_SERVER") or {})}
    comments_host, _, listen_port = str(server_settings["listen"]).rpartition(":")
    chosen_comments_port = bool(comments_port)
    comments_port = int(comments_port or listen_port)
    if lan:
        host = comments_host = ALL_ADDRESSES
    problem = ports_problem(host, port, comments_host if with_comments else None,
                            comments_port, chosen_comments_port, lan, comments)
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

    site = PreviewSite(settings_file, overrides)
    first = rebuild(settings_file, site)
    if first is None:
        sys.exit(1)
    comment_server = None
    if with_comments:
        database = Path(server_settings["database"])
        origins = list(dict.fromkeys([site_url, f"http://{local}:{port}",
                                      f"http://localhost:{port}"]))
        comment_server = start_comments(
            settings_file, origins, f"{comments_host}:{comments_port}",
            first.output_path / "isso-threads.json",
            database if database.is_absolute() else ROOT / database)
        atexit.register(comment_server.terminate)
        # A plain `kill` must not leave the comment server running.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    content = Path(first.settings["PATH"])
    watcher = Watcher([content, Path(first.settings["THEME"]), ROOT / "plugins"],
                      [settings_path, ROOT / "pelicanconf.py"])
    articles = [content / folder for folder in first.settings["ARTICLE_PATHS"]]
    server = PreviewServer(watcher=ChangeTrigger(
        lambda: on_change(site, watcher, settings_file, articles)))
    server.SFH = SiteFiles
    # livereload looks for changes every 0.8 s; look every 0.1 s as well, so a
    # save shows in the browser within a few tenths of a second.
    from livereload.handlers import LiveReloadHandler
    from tornado import ioloop

    ioloop.PeriodicCallback(LiveReloadHandler.poll_tasks, 100).start()
    print(f"Preview on http://{local}:{port}/ — press Ctrl+C to stop.", flush=True)
    if lan:
        tell_lan(addresses, port)
    try:
        server.serve(host=host, port=port, root=str(first.output_path), open_url_delay=None)
    except OSError as exc:  # taken between the check and now
        if exc.errno != errno.EADDRINUSE:
            raise
        free = next_free_port(host, port, avoid={comments_port})
        print(SAY["port_in_use"].format(port=port, command=serve_command(
            free, comments_port if chosen_comments_port else None, lan, comments)),
            file=sys.stderr)
        sys.exit(1)
    finally:
        if comment_server is not None:
            comment_server.terminate()


def main(argv: list[str] | None = None) -> None:
    """python -m dorpsplein.preview [settings file] [port] [--no-comments] [--lan]
    [--comments-port N] (what ./go serve runs, for tests and developers)."""
    parser = argparse.ArgumentParser(prog="python -m dorpsplein.preview")
    parser.add_argument("settings", nargs="?", default="pelicanconf.py")
    parser.add_argument("port", nargs="?", type=int, default=DEFAULT_PORT)
    parser.add_argument("--no-comments", action="store_true")
    parser.add_argument("--lan", action="store_true")
    parser.add_argument("--comments-port", type=int, default=None)
    args = parser.parse_args(argv)
    serve(settings_file=args.settings, port=args.port, comments=not args.no_comments,
          lan=args.lan, comments_port=args.comments_port)


if __name__ == "__main__":
    main()
