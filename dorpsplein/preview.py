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
import os
import signal
import subprocess
import sys
from pathlib import Path

from .build import ROOT, BuildFailed, build

WATCHED = [
    "pelicanconf.py",
    "theme/templates/**/*.html",
    "theme/static/**/*",
    "theme/translations/**/*.po",
    "plugins/**/*.py",
]


def rebuild(settings_file: str):
    """Build once; return the BuildResult, or None after printing the problems."""
    try:
        result = build(settings_file)
    except BuildFailed as failed:
        for line in failed.problems:
            print(line, file=sys.stderr)
        print("The files named above are left out of the preview (or, for a settings "
              "problem, nothing was rebuilt): fix them and save again.", file=sys.stderr)
        return None
    print(f"Rebuilt in {result.seconds:.2f} s.", flush=True)
    return result


def start_comments(settings_file: str, origin: str) -> subprocess.Popen:
    """Start the town's Isso server (plugins/isso_comments/server.py) beside the preview."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "plugins"))
    return subprocess.Popen(
        [sys.executable, "-m", "isso_comments.server", "--settings", str(settings_file),
         "--origin", origin],
        cwd=ROOT, env=env,
    )


def serve(host: str = "127.0.0.1", port: int = 8000, settings_file: str = "pelicanconf.py",
          comments: bool = True):
    from livereload import Server

    first = rebuild(settings_file)
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
    watched = [str(content / "**" / "*"), str(content / "*" / "*")]
    watched += [str(ROOT / pattern) for pattern in WATCHED]
    if Path(settings_file).is_absolute():
        watched.append(str(settings_file))
    for pattern in watched:
        server.watch(pattern, lambda: rebuild(settings_file), delay=0.3)
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
