"""Skip a build when nothing it reads has changed since the last one.

Pelican's content cache saves Markdown parsing, but it still renders and
writes every page: seconds on a large site for a rebuild that changes
nothing (a town's CI on a push that only touched the README, ``./go build``
run twice). With the caches on (``CACHE_CONTENT`` and ``LOAD_CONTENT_CACHE``,
as in pelicanconf.py; publishconf.py turns them off, so a publish always
builds), a successful build writes a manifest to ``CACHE_PATH``:

- every input file's path, size and modification time: the content folder,
  the theme, the plugins, the application (``dorpsplein/``), the folder of
  the settings file (``*.py`` and ``*.toml``: pelicanconf, publishconf,
  town.toml), and any other file a setting names by its absolute path (a
  font, a logo);
- the settings as the build saw them (after the environment had its say:
  ``DORPSPLEIN_SITEURL`` and the like), written out stably;
- the installed packages (the modification time of each ``sys.path`` folder:
  installing or removing a package changes it);
- what plugins read from outside the files (their contracts' ``outside``:
  the participation service's boards and counts);
- the hour: some pages change with time alone (an article dated in the
  future appears; comments close after ``ISSO_COMMENTS_CLOSE_AFTER_DAYS``),
  so a manifest is good until the end of the hour in which it was written;
- the output folder as the build left it: every file's path, size and
  modification time. A file deleted or changed there by hand means a build.

When all of that is as recorded, the next build does nothing and says so
(with the warnings the recorded build gave). Any difference, a failed build,
or a build that keeps its state for the live preview: a full build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
from datetime import date, datetime
from pathlib import Path

MANIFEST = "build-manifest.json"
# Folders that hold no input (caches, compiled Python, version control).
SKIPPED = {"__pycache__", ".git", ".pytest_cache", ".ruff_cache"}


def enabled(settings: dict) -> bool:
    return bool(settings.get("CACHE_CONTENT") and settings.get("LOAD_CONTENT_CACHE")
                and settings.get("CACHE_PATH"))


def _stable(value):
    """``value`` as JSON-able data that is the same in every process."""
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, set | frozenset):
        return sorted((_stable(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [_stable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, re.Pattern):
        return value.pattern
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    # A function, class, module or other object: its name, never its address
    # (its code lives in a file that is fingerprinted anyway).
    name = getattr(value, "__qualname__", None) or type(value).__qualname__
    return f"{getattr(value, '__module__', '')}.{name}"


def _walk(root: Path, stats: dict) -> None:
    if root.is_file():
        stat = root.stat()
        stats[str(root)] = (stat.st_size, stat.st_mtime_ns)
        return
    if not root.is_dir():
        stats[str(root)] = None
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED)
        for name in files:
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                stat = os.stat(path)
                stats[path] = (stat.st_size, stat.st_mtime_ns)


def _named_files(settings: dict) -> list[Path]:
    """Files outside the project that a setting names by absolute path."""
    found = []
    for value in settings.values():
        if isinstance(value, str) and os.path.isabs(value) and len(value) < 4096:
            with contextlib.suppress(OSError):
                if os.path.isfile(value):
                    found.append(Path(value))
    return found


class Inputs:
    """Taken before a build (plugins change the settings as they load): what it
    reads, and where its manifest is."""

    def __init__(self, settings: dict, settings_file: Path, root: Path):
        self.enabled = enabled(settings)
        self.manifest = Path(settings.get("CACHE_PATH") or "cache") / MANIFEST
        self.output = Path(settings["OUTPUT_PATH"])
        folders = [Path(settings["PATH"]), Path(settings["THEME"]),
                   *(Path(p) for p in settings.get("PLUGIN_PATHS") or []), root / "dorpsplein"]
        self.roots = [f if f.is_absolute() else root / f for f in folders]
        for pattern in ("*.py", "*.toml"):
            self.roots += sorted(settings_file.parent.glob(pattern))
        self.roots += [settings_file, *_named_files(settings)]
        packages = {}
        for entry in sys.path:
            with contextlib.suppress(OSError):
                packages[entry] = os.stat(entry).st_mtime_ns
        self.settings = settings
        self.rest = json.dumps({
            "settings": _stable({k: v for k, v in settings.items() if k.isupper()}),
            "packages": packages,
            "python": sys.version,
            "hour": datetime.now().strftime("%Y-%m-%dT%H"),
        }, sort_keys=True)
        self.files = self._files() if self.enabled else ""
        # Asked before the build, as the files are: data that changes while it
        # runs means the next build builds.
        self.outside = self._outside() if self.enabled else ""

    def _files(self) -> str:
        stats: dict = {}
        for folder in self.roots:
            _walk(folder, stats)
        return json.dumps(sorted(stats.items()))

    def _outside(self) -> str:
        from dorpsplein_kit import declared

        told = json.dumps([outside(self.settings) for outside in declared(self.settings).outside])
        return hashlib.sha256(told.encode()).hexdigest()

    def fingerprint(self) -> str:
        return hashlib.sha256((self.rest + self.files + self.outside).encode()).hexdigest()

    def unchanged(self) -> list[str] | None:
        """The recorded warnings when nothing changed since the last build, else None."""
        if not self.enabled:
            return None
        try:
            recorded = json.loads(self.manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if recorded.get("inputs") != self.fingerprint():
            return None
        if recorded.get("outputs") != outputs(self.output):
            return None
        return list(recorded.get("advice", []))

    def forget(self) -> None:
        """A build is under way: until it succeeds, the next one must build."""
        with contextlib.suppress(OSError):
            self.manifest.unlink()

    def record(self, advice: list[str]) -> None:
        """Write the manifest of a build that succeeded, if the files it read were
        the same from its start to its end: a file saved while it ran, or one the
        build itself wrote into the theme, means the next one builds."""
        if not self.enabled or self._files() != self.files:
            return
        self.manifest.parent.mkdir(parents=True, exist_ok=True)
        data = {"inputs": self.fingerprint(), "outputs": outputs(self.output),
                "advice": advice}
        self.manifest.write_text(json.dumps(data), encoding="utf-8")


def outputs(output_path: Path) -> str:
    """A fingerprint of the output folder as it is."""
    stats: dict = {}
    _walk(output_path, stats)
    return hashlib.sha256(json.dumps(sorted(stats.items())).encode()).hexdigest()
