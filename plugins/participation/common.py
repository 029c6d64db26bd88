"""What the participation plugin's two readers share: consultations
(participation.py) and self-tests (self_test.py).

- ``Problem``: one ``file:line: problem — fix`` line for the editor;
- ``FileReader``: a content file's front matter, its line numbers, and the
  checks every key needs (a choice among values, the editor's language);
- ``Service``: JSON from the participation service (``GET {url}/api/...``) or
  from a folder, with the service's last good answer kept in
  ``CACHE_PATH/participation/``.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dorpsplein_kit import said, write_if_changed

# The editor-facing messages (English msgids; Dutch in locale/nl/...).
LOCALE = Path(__file__).resolve().parent / "locale"
MOMENT = "%Y-%m-%d %H:%M"
TITLE_MAX = 120
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
META_LINE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):")
# How long the build waits for the service, in seconds.
TIMEOUT = 3
RASTER = (".png", ".jpg", ".jpeg", ".gif", ".webp")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def zone(settings: dict) -> ZoneInfo:
    return ZoneInfo(settings.get("TIMEZONE") or "Europe/Brussels")


def now_of(settings: dict) -> datetime:
    """The moment phases and deadlines are judged by (PARTICIPATION_NOW in tests)."""
    value = settings.get("PARTICIPATION_NOW")
    tz = zone(settings)
    if value is None:
        return datetime.now(tz).replace(second=0, microsecond=0)
    if isinstance(value, str):
        value = datetime.strptime(value, MOMENT)
    return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)


def shown_path(path: Path) -> str:
    """The path as editors see it: relative to the project when inside it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def front_matter_lines(path: Path) -> dict[str, tuple[int, str]]:
    """Each front-matter key (lower case) → (its line number, the key as written)."""
    found: dict[str, tuple[int, str]] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            break
        match = META_LINE.match(line)
        if match:
            found.setdefault(match.group("key").lower(), (number, match.group("key")))
        elif not line.startswith("    "):
            break
    return found


def plain(value) -> str:
    """A metadata value as one line of text (continuation lines joined)."""
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    return " ".join(str(value or "").split())



class FileReader:
    """One content file: its front matter's lines, and the problems found."""

    # Values a key takes when the file leaves it out (a subclass's own).
    DEFAULTS: dict = {}

    def __init__(self, generator, path: Path):
        self.generator = generator
        self.settings = generator.settings
        self.path = path
        self.shown = shown_path(path)
        self.lines = front_matter_lines(path)
        self.problems: list[Problem] = []
        self._ = said(LOCALE, self.settings).gettext

    def problem(self, key: str | None, message: str, line: int | None = None) -> None:
        if line is None:
            line = self.lines.get(key, (None,))[0] if key else None
        self.problems.append(Problem(self.shown, line or 1, message))

    def written(self, key: str) -> str:
        return self.lines.get(key, (None, key.capitalize()))[1]

    def missing(self, key: str, example: str) -> None:
        """A required key is not there (the subclass says what the file is)."""
        raise NotImplementedError

    def choice(self, meta: dict, key: str, allowed: tuple, message: str) -> str | None:
        raw = plain(meta.get(key)) if meta.get(key) is not None else None
        if raw is None:
            if key in self.DEFAULTS:
                return self.DEFAULTS[key]
            self.missing(key, allowed[0])
            return None
        value = raw.strip().lower()
        if value not in allowed:
            self.problem(key, message.format(value=raw, key=self.written(key),
                                             allowed=self.either(allowed)))
            return None
        return value

    def title(self, meta: dict, missing: str, too_long: str) -> str:
        """The Title, with ``missing`` or ``too_long`` ({count}, {limit}) said when so."""
        title = plain(meta.get("title"))
        if not title:
            self.problem(None, missing)
        elif len(title) > TITLE_MAX:
            self.problem("title", too_long.format(count=len(title), limit=TITLE_MAX))
        return title

    def slug(self, meta: dict, wrong: str) -> tuple[str, bool]:
        """(the Slug, or the file's name; whether it is one), ``wrong`` ({slug})
        said when not."""
        slug = plain(meta.get("slug")) if "slug" in self.lines else self.path.stem
        if SLUG.match(slug):
            return slug, True
        self.problem("slug" if "slug" in self.lines else None, wrong.format(slug=slug))
        return slug, False

    def either(self, choices) -> str:
        word = self._("or")
        return f" {word} ".join(choices)

    def page(self, content_class):
        """The file read by Pelican's own readers, or None (with the problem said)."""
        generator = self.generator
        try:
            return generator.readers.read_file(
                base_path=generator.path, path=str(self.path.relative_to(generator.path)),
                content_class=content_class, context=generator.context)
        except Exception as exc:  # noqa: BLE001 - one line for the editor
            self.problem(None, self._("Pelican could not read the file ({error}) — check the "
                                      "front matter at the top of the file.").format(
                error=" ".join(str(exc).split()) or exc.__class__.__name__))
            return None


class Service:
    """JSON from the participation service, or from a folder (PARTICIPATION_DATA).

    ``fetch`` asks ``GET {url}/{api}`` (``TIMEOUT`` seconds) and keeps the last
    good answer in ``CACHE_PATH/participation/<name>.json``; when the service
    does not answer, that copy is used and one line is printed on stderr (no
    log warning: the strict build would fail). Once the service failed to
    answer, later questions of the same build go to their copies at once.
    From a folder: ``<name>.json`` in the API's shape, not cached.
    """

    def __init__(self, settings: dict, now: datetime):
        self.settings = settings
        self.now = now
        source = settings.get("PARTICIPATION_DATA")
        if not source:
            source = "http://" + settings["PARTICIPATION_SERVER"]["listen"]
        self.source = source.rstrip("/")
        self.service = self.source.startswith(("http://", "https://"))
        self.cache = Path(settings.get("CACHE_PATH") or "cache") / "participation"
        self.unreachable: str | None = None  # why the service did not answer (once a build)

    def fetch(self, name: str, api: str, shape: Callable[[object], dict | None], wrong: str,
            stale: str) -> tuple[dict | None, str]:
        """(the answer in ``shape``, where it came from: "service", "folder",
        "cache" or ""). ``wrong`` is the reason said when the service answers
        something else; ``stale`` the line printed when the copy is used (with
        ``{url}``, ``{reason}`` and ``{when}``)."""
        if not self.service:
            try:
                data = json.loads((Path(self.source) / f"{name}.json").read_text(
                    encoding="utf-8"))
            except (OSError, ValueError):
                return None, ""
            found = shape(data)
            return found, "folder" if found else ""
        if self.unreachable is None:
            try:
                request = urllib.request.Request(f"{self.source}/{api}",
                                                 headers={"Accept": "application/json"})
                with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                    data = json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                reason = f"HTTP {error.code}"
            except (OSError, ValueError) as error:
                reason = " ".join(str(getattr(error, "reason", error)).split()) or \
                    error.__class__.__name__
                self.unreachable = reason
            else:
                found = shape(data)
                if found is not None:
                    self.keep(name, data)
                    return found, "service"
                reason = wrong
        else:
            reason = self.unreachable
        return self.fallback(name, shape, reason, stale)

    def answer(self, api: str) -> str:
        """The service's answer to ``GET {url}/{api}`` as it came, or why none came."""
        if self.unreachable is not None:
            return self.unreachable
        try:
            request = urllib.request.Request(f"{self.source}/{api}",
                                             headers={"Accept": "application/json"})
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return f"HTTP {error.code}"
        except OSError as error:
            self.unreachable = error.__class__.__name__
            return self.unreachable

    def keep(self, name: str, data: dict) -> None:
        record = {"fetched": self.now.isoformat(), "board": data}
        write_if_changed(self.cache / f"{name}.json",
                         json.dumps(record, ensure_ascii=False, indent=1) + "\n")

    def fallback(self, name: str, shape, reason: str, stale: str) -> tuple[dict | None, str]:
        try:
            record = json.loads((self.cache / f"{name}.json").read_text(encoding="utf-8"))
            found = shape(record["board"])
            fetched = datetime.fromisoformat(record["fetched"])
        except (OSError, ValueError, KeyError, TypeError):
            found = None
        if found is None:
            # Nothing to say: a site without the service running (a fresh
            # checkout, the tests) builds without it, quietly; a results page
            # without data stops the build instead (the caller decides).
            return None, ""
        print(stale.format(url=self.source, reason=reason, when=fetched.strftime(MOMENT)),
              file=sys.stderr)
        return found, "cache"
