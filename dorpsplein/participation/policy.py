"""The build's participation.json and what it allows, by the server's clock.

``Consultations`` re-reads the file when it changes (its mtime, size or
inode), so a new build (a phase or a date changed, new idea pages) counts at
the next request without a restart. A file that cannot be read keeps the
last good one (and the service says so in its log).

``Consultation`` judges a write:

- before ``opens``: 403 ``not_open`` (the date in the site's time zone);
- after ``closes``, or phase ``closed``/``results``: 410 ``closed``;
- a new idea in the ``support`` phase: 403 ``no_new_ideas``.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import i18n
from .i18n import _
from .refusals import Refusal

logger = logging.getLogger("dorpsplein.participation")
PHASES = ("ideas", "support", "closed", "results")
FALLBACK_SHELL = ('<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
                  '<meta name="viewport" content="width=device-width, initial-scale=1">'
                  "<title><!--participation:title--></title></head><body>"
                  '<main id="inhoud"><!--participation:main--></main></body></html>')


class SiteFileError(ValueError):
    """participation.json cannot be used; the message says why."""


def _moment(slug: str, key: str, value) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise SiteFileError(f"consultation {slug!r}: {key} {value!r} is not a date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=i18n.current.zone)
    return moment


@dataclass(frozen=True)
class Consultation:
    slug: str
    title: str
    url: str
    opens: datetime
    closes: datetime
    phase: str
    supports: int
    verification: str
    moderation: str
    ideas_built: frozenset = field(default_factory=frozenset)
    idea_url: str = ""

    @classmethod
    def read(cls, slug: str, data: dict) -> Consultation:
        if not isinstance(data, dict):
            raise SiteFileError(f"consultation {slug!r} is not an object")
        phase = data.get("phase")
        if phase not in PHASES:
            raise SiteFileError(f"consultation {slug!r}: phase {phase!r}")
        supports = data.get("supports", 5)
        if isinstance(supports, bool) or not isinstance(supports, int) or supports < 1:
            raise SiteFileError(f"consultation {slug!r}: supports {supports!r}")
        verification = data.get("verification", "indicative")
        moderation = data.get("moderation", "before")
        if verification not in ("indicative", "email") or moderation not in ("before", "after"):
            raise SiteFileError(f"consultation {slug!r}: verification or moderation")
        built = data.get("ideas_built") or []
        return cls(slug=slug, title=str(data.get("title") or slug), url=str(data.get("url") or ""),
                   opens=_moment(slug, "opens", data.get("opens")),
                   closes=_moment(slug, "closes", data.get("closes")), phase=phase,
                   supports=supports, verification=verification, moderation=moderation,
                   ideas_built=frozenset(i for i in built if isinstance(i, int)),
                   idea_url=str(data.get("idea_url") or ""))

    # -- what the clock and the phase allow ---------------------------------------

    def is_open(self, now: datetime) -> bool:
        return self.phase in ("ideas", "support") and self.opens <= now < self.closes

    def check_open(self, now: datetime) -> None:
        """Supports (and their confirmations) are taken now, or a refusal says why not."""
        if self.phase in ("closed", "results"):
            raise Refusal("closed", slug=self.slug)
        if now < self.opens:
            raise Refusal("not_open", _("The consultation opens on {date} at {time}.",
                                        **i18n.current.moment(self.opens)), slug=self.slug)
        if now >= self.closes:
            raise Refusal("closed", _("The consultation closed on {date} at {time}.",
                                      **i18n.current.moment(self.closes)), slug=self.slug)

    def check_new_idea(self, now: datetime) -> None:
        self.check_open(now)
        if self.phase != "ideas":
            raise Refusal("no_new_ideas", _(
                "New ideas can no longer be posted. You can support ideas until {date} at "
                "{time}.", **i18n.current.moment(self.closes)), slug=self.slug)

    def idea_page(self, idea_id: int) -> str | None:
        if idea_id in self.ideas_built and "{id}" in self.idea_url:
            return self.idea_url.replace("{id}", str(idea_id))
        return None


@dataclass(frozen=True)
class SiteFile:
    site_url: str
    consultations: dict
    shell: str


def parse(text: str) -> SiteFile:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SiteFileError(f"not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("consultations"), dict):
        raise SiteFileError("no 'consultations' object")
    consultations = {str(slug): Consultation.read(str(slug), value)
                     for slug, value in data["consultations"].items()}
    shell = data.get("shell")
    if not isinstance(shell, str) or "<!--participation:main-->" not in shell:
        shell = FALLBACK_SHELL
    return SiteFile(site_url=str(data.get("site_url") or "").rstrip("/"),
                    consultations=consultations, shell=shell)


class Consultations:
    """The build's participation.json, re-read when it changes."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._stamp = None
        self.generation = 0  # one more at every (re)read: the board cache's key
        self._site = SiteFile("", {}, FALLBACK_SHELL)
        self.current()

    def current(self) -> SiteFile:
        try:
            stat = os.stat(self.path)
        except OSError:
            return self._site
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if stamp != self._stamp:
            try:
                self._site = parse(self.path.read_text(encoding="utf-8"))
                self.generation += 1
            except (OSError, UnicodeDecodeError, SiteFileError) as exc:
                logger.error("%s cannot be used (%s): keeping the last good one.", self.path,
                             exc)
            self._stamp = stamp
        return self._site

    def get(self, slug: str) -> Consultation:
        consultation = self.current().consultations.get(slug)
        if consultation is None:
            raise Refusal("unknown")
        return consultation


def now() -> datetime:
    return datetime.now(UTC)
