"""The local preview: build, serve, rebuild on change, reload the browser.

Uses livereload (as Pelican's own tasks.py template does): it serves
output/, watches content, theme, plugins and settings, rebuilds with the
content cache on, and tells the open page to reload. A build problem is
printed as its one-line reasons and the last good site keeps being served.
"""

from __future__ import annotations

import sys

from .build import ROOT, BuildFailed, build

WATCHED = [
    "pelicanconf.py",
    "content/**/*",
    "theme/templates/**/*.html",
    "theme/static/**/*",
    "theme/translations/**/*.po",
    "plugins/**/*.py",
]


def rebuild(settings_file: str) -> bool:
    try:
        result = build(settings_file)
    except BuildFailed as failed:
        for line in failed.problems:
            print(line, file=sys.stderr)
        print("Preview not updated: fix the problems above and save again.", file=sys.stderr)
        return False
    print(f"Rebuilt in {result.seconds:.2f} s.")
    return True


def serve(host: str = "127.0.0.1", port: int = 8000, settings_file: str = "pelicanconf.py"):
    from livereload import Server

    rebuild(settings_file)
    server = Server()
    for pattern in WATCHED:
        server.watch(str(ROOT / pattern), lambda: rebuild(settings_file), delay=0.3)
    print(f"Preview on http://{host}:{port}/ — press Ctrl+C to stop.")
    server.serve(host=host, port=port, root=str(ROOT / "output"), open_url_delay=None)
