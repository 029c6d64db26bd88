"""The build's participation.json and what it allows, by the server's clock.

``Consultations`` re-reads the file when it changes (its mtime, size or
inode), so a new build (a phase or a date changed, new idea pages) counts at
the next request without a restart. A file that cannot be read keeps the
last good one (and the service says so in its log).

``Consultation`` judges a write:

- before ``opens``: 403 ``not_open`` (the date in the site's time zone);
- after ``closes``, or phase ``closed``/``results``: 410 ``closed``;
- a new idea in the ``support`` phase: 403 ``no_new_ideas``.

``SelfTest`` is a self-test ("zelftest") as the build wrote it under
``self_tests``: its questions, their options and points (profile) or right
option (knowledge), and its results with their pages on the site. An
absent ``self_tests`` is no tests; a wrong entry makes the file unusable,
as a wrong consultation does.

``EmailFollow`` is following by e-mail ("volgen") as the build wrote it
under ``email_follow``: the town's name, the site's addresses, the themes a
citizen may choose and the newest articles (for the mail job). Absent: the
feature is off (``SiteFile.email_follow`` is None; every /volgen route 404).
Every run of white space (line breaks too) in the names, the postal address
and the articles' titles and summaries is one space: they go into mail
headers (Subject, From, List-Id), where a line break cannot be.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import i18n
from .i18n import _
from .refusals import Refusal

logger = logging.getLogger("dorpsplein.participation")
PHASES = ("ideas", "support", "closed", "results")
KINDS = ("profile", "knowledge")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_QUESTIONS = 20  # the answers travel as v1 ... v20
OPTIONS = (2, 8)  # answers per question
PROFILES = (2, 8)  # results of a profile test
MAX_POINTS = 10**6  # the build allows 1 to 9 a mention; an answer may name a result twice
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
    privacy_url: str = ""  # the site's privacy statement, "" for none

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
                   idea_url=str(data.get("idea_url") or ""),
                   privacy_url=str(data.get("privacy_url") or ""))

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


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def one_line(value: str) -> str:
    """Every run of white space (spaces, tabs, \\r, \\n, U+2028 ...) one space, trimmed."""
    return " ".join(value.split())


@dataclass(frozen=True)
class Question:
    text: str
    hint: str  # the editor's HTML, trusted as an article is; "" for none
    options: tuple[str, ...]
    points: tuple[tuple[tuple[str, int], ...], ...] = ()  # profile: per option (id, points)
    correct: int = 0  # knowledge: the right option, from 1


@dataclass(frozen=True)
class Result:
    id: str
    title: str
    url: str
    min: int = 0  # knowledge: the band of scores it holds
    max: int = 0


@dataclass(frozen=True)
class SelfTest:
    slug: str
    title: str
    kind: str
    url: str
    counts: bool
    questions: tuple[Question, ...]
    results: tuple[Result, ...]

    @classmethod
    def read(cls, slug: str, data) -> SelfTest:
        def wrong(what: str) -> SiteFileError:
            return SiteFileError(f"self-test {slug!r}: {what}")

        if not SLUG.match(slug):
            raise wrong("the slug is not lower-case letters, digits and hyphens")
        if not isinstance(data, dict):
            raise wrong("not an object")
        kind = data.get("kind")
        if kind not in KINDS:
            raise wrong(f"kind {kind!r}")
        counts = data.get("counts", False)
        if not isinstance(counts, bool):
            raise wrong(f"counts {counts!r}")
        if not _text(data.get("url")):
            raise wrong("no url")
        questions = data.get("questions")
        if not isinstance(questions, list) or not 1 <= len(questions) <= MAX_QUESTIONS:
            raise wrong(f"1 to {MAX_QUESTIONS} questions")
        results = data.get("results")
        if not isinstance(results, list) or not results:
            raise wrong("no results")
        read_results = tuple(cls._result(wrong, kind, number, value)
                             for number, value in enumerate(results, 1))
        ids = [result.id for result in read_results]
        if len(set(ids)) != len(ids):
            raise wrong("two results with one id")
        read_questions = tuple(cls._question(wrong, kind, number, value, set(ids))
                               for number, value in enumerate(questions, 1))
        if kind == "profile" and not PROFILES[0] <= len(ids) <= PROFILES[1]:
            raise wrong(f"{PROFILES[0]} to {PROFILES[1]} results")
        if kind == "knowledge":
            scores = sorted(score for result in read_results
                            for score in range(result.min, result.max + 1))
            if scores != list(range(len(read_questions) + 1)):
                raise wrong(f"the results' bands do not cover 0 to {len(read_questions)} once")
        return cls(slug=slug, title=str(data.get("title") or slug), kind=kind,
                   url=data["url"], counts=counts, questions=read_questions,
                   results=read_results)

    @staticmethod
    def _question(wrong, kind: str, number: int, data, ids: set) -> Question:
        if not isinstance(data, dict) or not _text(data.get("text")):
            raise wrong(f"question {number} has no text")
        hint = data.get("hint") or ""
        options = data.get("options")
        if not isinstance(hint, str):
            raise wrong(f"question {number}: hint {hint!r}")
        if (not isinstance(options, list) or not OPTIONS[0] <= len(options) <= OPTIONS[1]
                or not all(_text(option) for option in options)):
            raise wrong(f"question {number}: {OPTIONS[0]} to {OPTIONS[1]} options")
        if kind == "knowledge":
            correct = data.get("correct")
            if not _whole(correct, 1, len(options)):
                raise wrong(f"question {number}: correct {correct!r}")
            return Question(data["text"], hint, tuple(options), correct=correct)
        points = data.get("points")
        if not isinstance(points, list) or len(points) != len(options):
            raise wrong(f"question {number}: points for each option")
        for option in points:
            if (not isinstance(option, dict) or not option or not set(option) <= ids
                    or not all(_whole(v, 1, MAX_POINTS) for v in option.values())):
                raise wrong(f"question {number}: points {option!r}")
        return Question(data["text"], hint, tuple(options),
                        points=tuple(tuple(option.items()) for option in points))

    @staticmethod
    def _result(wrong, kind: str, number: int, data) -> Result:
        if not isinstance(data, dict) or not _text(data.get("url")):
            raise wrong(f"result {number} has no url")
        low = high = 0
        if kind == "knowledge":
            low, high = data.get("min"), data.get("max")
            if not (_whole(low, 0, MAX_QUESTIONS) and _whole(high, 0, MAX_QUESTIONS)
                    and low <= high):
                raise wrong(f"result {number}: min {low!r}, max {high!r}")
        # A knowledge band's id is its scores ("3-4", "5") when the file names none.
        result_id = data.get("id", (f"{low}-{high}" if low != high else str(low))
                             if kind == "knowledge" else None)
        if not isinstance(result_id, str) or not SLUG.match(result_id):
            raise wrong(f"result {number}: id {result_id!r}")
        return Result(result_id, str(data.get("title") or result_id), data["url"], low, high)

    def question(self, number: int) -> Question:
        return self.questions[number - 1]


MAX_THEMES = 100  # a follow form's checkboxes (input_check allows that many more fields)


@dataclass(frozen=True)
class Theme:
    slug: str
    name: str


@dataclass(frozen=True)
class Article:
    url: str
    title: str
    date: datetime
    summary: str
    theme: str  # a theme's slug; "" for none
    theme_name: str


@dataclass(frozen=True)
class EmailFollow:
    """``email_follow`` in participation.json (docs/participation.md)."""
    town: str
    site_name: str
    site_url: str
    follow_url: str
    privacy_url: str
    postal_address: str
    themes: tuple[Theme, ...]
    articles: tuple[Article, ...]

    @classmethod
    def read(cls, data) -> EmailFollow:
        def wrong(what: str) -> SiteFileError:
            return SiteFileError(f"email_follow: {what}")

        if not isinstance(data, dict):
            raise wrong("not an object")
        texts = {}
        for key in ("town", "site_name", "site_url", "follow_url", "privacy_url",
                    "postal_address"):
            value = data.get(key, "")
            if not isinstance(value, str):
                raise wrong(f"{key} {value!r} is not text")
            texts[key] = one_line(value)
        if not texts["site_url"]:
            raise wrong("no site_url")
        texts["town"] = texts["town"] or texts["site_name"] or texts["site_url"]
        texts["site_name"] = texts["site_name"] or texts["town"]
        themes = data.get("themes", [])
        if not isinstance(themes, list) or len(themes) > MAX_THEMES:
            raise wrong(f"themes: a list of at most {MAX_THEMES}")
        read_themes = []
        for number, theme in enumerate(themes, 1):
            if (not isinstance(theme, dict) or not isinstance(theme.get("slug"), str)
                    or not SLUG.match(theme["slug"]) or theme["slug"] == "alles"
                    or not _text(theme.get("name"))):
                raise wrong(f"theme {number}: a slug (lower-case letters, digits and "
                            "hyphens, not 'alles') and a name")
            read_themes.append(Theme(theme["slug"], one_line(theme["name"])))
        if len({theme.slug for theme in read_themes}) != len(read_themes):
            raise wrong("two themes with one slug")
        articles = data.get("articles", [])
        if not isinstance(articles, list):
            raise wrong("articles: not a list")
        read_articles = []
        for number, article in enumerate(articles, 1):
            if (not isinstance(article, dict) or not _text(article.get("url"))
                    or not _text(article.get("title"))):
                raise wrong(f"article {number}: no url or title")
            others = {key: article.get(key) or "" for key in ("summary", "theme",
                                                               "theme_name")}
            if not all(isinstance(value, str) for value in others.values()):
                raise wrong(f"article {number}: summary, theme, theme_name are text")
            others = {key: one_line(value) for key, value in others.items()}
            try:
                date = datetime.fromisoformat(str(article.get("date")))
            except ValueError:
                raise wrong(f"article {number}: date {article.get('date')!r}") from None
            if date.tzinfo is None:
                date = date.replace(tzinfo=i18n.current.zone)
            read_articles.append(Article(article["url"].strip(), one_line(article["title"]),
                                         date, **others))
        return cls(**texts, themes=tuple(read_themes), articles=tuple(read_articles))

    def theme_names(self) -> dict[str, str]:
        return {theme.slug: theme.name for theme in self.themes}


@dataclass(frozen=True)
class SiteFile:
    site_url: str
    consultations: dict
    shell: str
    self_tests: dict = field(default_factory=dict)
    email_follow: EmailFollow | None = None


def parse(text: str) -> SiteFile:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SiteFileError(f"not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("consultations"), dict):
        raise SiteFileError("no 'consultations' object")
    consultations = {str(slug): Consultation.read(str(slug), value)
                     for slug, value in data["consultations"].items()}
    tests = data.get("self_tests")
    if tests is None:
        tests = {}
    if not isinstance(tests, dict):
        raise SiteFileError("'self_tests' is not an object")
    self_tests = {str(slug): SelfTest.read(str(slug), value) for slug, value in tests.items()}
    shell = data.get("shell")
    if not isinstance(shell, str) or "<!--participation:main-->" not in shell:
        shell = FALLBACK_SHELL
    follow = data.get("email_follow")
    return SiteFile(site_url=str(data.get("site_url") or "").rstrip("/"),
                    consultations=consultations, shell=shell, self_tests=self_tests,
                    email_follow=EmailFollow.read(follow) if follow is not None else None)


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

    def self_test(self, slug: str, counted: bool = False) -> SelfTest:
        """The self-test ``slug`` (with ``counted``: only one that keeps counts), or 404."""
        test = self.current().self_tests.get(slug)
        if test is None or (counted and not test.counts):
            raise Refusal("unknown")
        return test

    def email_follow(self) -> EmailFollow:
        """Following by e-mail as the build wrote it, or 404 when it is off."""
        follow = self.current().email_follow
        if follow is None:
            raise Refusal("unknown")
        return follow


def now() -> datetime:
    return datetime.now(UTC)
