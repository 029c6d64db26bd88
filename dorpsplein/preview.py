"""The local preview: build, serve, rebuild on change, reload the browser.

The town's comment server (Isso) starts beside it, so comments work in the
preview too.

Uses livereload (as Pelican's own tasks.py template does): it serves
output/, watches content, theme, plugins and settings, rebuilds with the
content cache on, and tells the open page to reload. A build problem is
printed as its one-line reasons and the last good site keeps being served.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .build import ROOT, BuildFailed, build
from .incremental import WarmSite

WATCHED = [
    "pelicanconf.py",
    "theme/templates/**/*.html",
    "theme/static/**/*",
    "theme/translations/**/*.po",
    "plugins/**/*.py",
]


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


def on_change(site, watcher: Watcher, settings_file: str, articles: list[Path]) -> None:
    """Bring the preview up to date: one edited article in place, else a full build.
    Looks again afterwards, so a save made during a rebuild is never lost."""
    while True:
        changed = watcher.changed()
        if not changed:
            return
        started = time.perf_counter()
        single = changed[0] if len(changed) == 1 else None
        if single is not None and single.suffix == ".md" and any(
                single.is_relative_to(folder) for folder in articles) and site.update(single):
            print(f"Updated {single.name} in {time.perf_counter() - started:.2f} s.",
                  flush=True)
            continue
        rebuild(settings_file, site)


def start_comments(settings_file: str, origin: str) -> subprocess.Popen:
    """Start the town's comment server (dorpsplein/comments) beside the preview."""
    env = dict(os.environ)
    return subprocess.Popen(
        [sys.executable, "-m", "dorpsplein.comments", "--settings", str(settings_file),
         "--origin", origin],
        cwd=ROOT, env=env,
    )


def serve(host: str = "127.0.0.1", port: int = 8000, settings_file: str = "pelicanconf.py",
          comments: bool = True):
    from livereload import Server

    site = WarmSite(settings_file)
    first = rebuild(settings_file, site)
    if first is None:
        sys.exit(1)
    comment_server = None
    if comments and "isso_comments" in first.settings.get("PLUGINS", []):
        comment_server = start_comments(settings_file, f"http://{host}:{port}")
        atexit.register(comment_server.terminate)
        # A plain `kill` must not leave the comment server running.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = Server()
    content = Path(first.settings["PATH"])
    settings_path = Path(settings_file) if Path(settings_file).is_absolute() else \
        ROOT / settings_file
    watcher = Watcher([content, Path(first.settings["THEME"]), ROOT / "plugins"],
                      [settings_path, ROOT / "pelicanconf.py"])
    articles = [content / folder for folder in first.settings["ARTICLE_PATHS"]]
    watched = [str(content / "**" / "*"), str(content / "*" / "*")]
    watched += [str(ROOT / pattern) for pattern in WATCHED]
    watched.append(str(settings_path))
    for pattern in watched:
        server.watch(pattern, lambda: on_change(site, watcher, settings_file, articles),
                     delay=0.05)
    # livereload looks for changes every 0.8 s; look every 0.1 s as well, so a
    # save shows in the browser within a few tenths of a second.
    from livereload.handlers import LiveReloadHandler
    from tornado import ioloop

    ioloop.PeriodicCallback(LiveReloadHandler.poll_tasks, 100).start()
    print(f"Preview on http://{host}:{port}/ — press Ctrl+C to stop.", flush=True)
    try:
        server.serve(host=host, port=port, root=str(first.output_path), open_url_delay=None)
    finally:
        if comment_server is not None:
            comment_server.terminate()


if __name__ == "__main__":
    # python -m dorpsplein.preview [settings file] [port] [--no-comments]
    args = [a for a in sys.argv[1:] if a != "--no-comments"]
    serve(
        settings_file=args[0] if args else "pelicanconf.py",
        port=int(args[1]) if len(args) > 1 else 8000,
        comments="--no-comments" not in sys.argv,
    )
