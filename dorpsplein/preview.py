"""The local preview: build, serve, rebuild on change, reload the browser.

Uses livereload (as Pelican's own tasks.py template does): it serves
output/, watches content, theme, plugins and settings, rebuilds with the
content cache on, and tells the open page to reload. A build problem is
printed as its one-line reasons and the last good site keeps being served.
"""

from __future__ import annotations

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
        print("Preview not updated: fix the problems above and save again.", file=sys.stderr)
        return None
    print(f"Rebuilt in {result.seconds:.2f} s.", flush=True)
    return result


def serve(host: str = "127.0.0.1", port: int = 8000, settings_file: str = "pelicanconf.py"):
    from livereload import Server

    first = rebuild(settings_file)
    if first is None:
        sys.exit(1)
    server = Server()
    content = Path(first.settings["PATH"])
    watched = [str(content / "**" / "*"), str(content / "*" / "*")]
    watched += [str(ROOT / pattern) for pattern in WATCHED]
    if Path(settings_file).is_absolute():
        watched.append(str(settings_file))
    for pattern in watched:
        server.watch(pattern, lambda: rebuild(settings_file), delay=0.3)
    print(f"Preview on http://{host}:{port}/ — press Ctrl+C to stop.", flush=True)
    server.serve(host=host, port=port, root=str(first.output_path), open_url_delay=None)


if __name__ == "__main__":
    # python -m dorpsplein.preview [settings file] [port]
    serve(
        settings_file=sys.argv[1] if len(sys.argv) > 1 else "pelicanconf.py",
        port=int(sys.argv[2]) if len(sys.argv) > 2 else 8000,
    )
