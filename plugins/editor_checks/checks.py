"""Checks on the editors' Markdown files, without building.

Every finding is one line an editor can act on::

    content/articles/x.md:3: 'gisteren' is geen geldige datum — schrijf de datum
    als 2026-11-26 of 2026-11-26 14:30.

(one line, shown here on two).

The messages are written in English here, as gettext msgids, and said in
``EDITOR_LANGUAGE`` ("nl" by default) through the catalogue beside this file,
``locale/nl/LC_MESSAGES/messages.po`` (compiled in memory by
``dorpsplein_kit.translations``). After changing a message, change its entry
there too (tests/plugins/test_editor_language.py says which are missing).

Errors stop a build (and `invoke check`); warnings are printed and only fail
`invoke check --strict`. The files are read as text here, independently of
Pelican's readers, so one broken file never hides the findings of another.
"""

from __future__ import annotations

import contextlib
import difflib
import fnmatch
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from babel.numbers import format_decimal
from dorpsplein_kit import declared, facts, said
from pelican.utils import slugify

# This plugin's catalogue of editor messages (English msgids).
LOCALE = Path(__file__).resolve().parent / "locale"

MARKDOWN = {".md", ".markdown", ".mdown", ".mkd"}
REQUIRED_ARTICLE = ("title", "date", "category", "summary")
REQUIRED_PAGE = ("title",)
# Pelican's own keys and the theme's (image, image_alt); plugins add theirs
# through their contracts (dorpsplein_kit.contracts).
KNOWN_KEYS = {
    "title", "date", "modified", "category", "tags", "slug", "author", "authors",
    "summary", "status", "image", "image_alt", "template", "lang", "translation", "save_as",
    "url",
}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%dT%H:%M")
STATUS = ("published", "draft", "hidden")
DEFAULT_CHOICES = {"status": STATUS}
META_LINE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
CONTINUATION = re.compile(r"^[ ]{4,}(?P<value>.*)$")
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
HTML_IMAGE = re.compile(r"<img\b(?P<attrs>[^>]*)>", re.I)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\((?P<target>\{(?:filename|static|attach)\}[^)\s#]+)")
TAG = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>")
# Anything that looks like a placeholder, {{ town.name }}, right or not.
ANY_PLACEHOLDER = re.compile(r"\{\{\s*(?P<name>[^{}]*?)\s*\}\}")
# A link written as an address on this site: [text](/2026/x-of-mastodon/).
SITE_LINK = re.compile(r"(?<!!)\[[^\]]*\]\((?P<target>/(?!/)[^)\s]*)")
HTML_SITE_LINK = re.compile(r"<a\b[^>]*\bhref\s*=\s*[\"'](?P<target>/(?!/)[^\"']*)", re.I)
# What the build writes itself (feeds, the theme's files, the search index,
# the sitemap and robots.txt).
GENERATED = ("feeds/", "theme/", "pagefind/", "sitemap.xml", "robots.txt")

# The texts `invoke new` writes for the editor to replace (dorpsplein/editor.py
# writes them from here, so the check and the template never drift apart).
NEW_SUMMARY = "Schrijf hier in één of twee zinnen waarover het artikel gaat."
NEW_FIRST_PARAGRAPH = "Schrijf hier de eerste alinea: het belangrijkste eerst."
# The example of a {filename} link the findings give.
LINK_EXAMPLE = "{filename}/articles/2026-09-x-of-mastodon.md"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int | None
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class Document:
    path: Path
    shown: str
    kind: str  # "article" or "page"
    meta: dict  # lower-case key -> (value, line, key as written)
    body: str
    body_start: int  # line number of the first body line


def parse_date(value: str) -> datetime | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    return None


def _front_matter(text: str):
    """Split Pelican/Python-Markdown metadata from the body, keeping line numbers."""
    lines = text.splitlines()
    meta: dict = {}
    duplicates = []
    last = None
    index = 0
    for index, line in enumerate(lines):
        if not line.strip():
            return meta, duplicates, "\n".join(lines[index + 1:]), index + 2
        match = META_LINE.match(line)
        if match:
            key = match.group("key").lower()
            if key in meta:
                duplicates.append((key, index + 1))
            meta[key] = (match.group("value").strip(), index + 1, match.group("key"))
            last = key
            continue
        cont = CONTINUATION.match(line)
        if cont and last:
            value, number, written = meta[last]
            meta[last] = ((value + " " + cont.group("value").strip()).strip(), number, written)
            continue
        # The first line that is neither metadata nor a continuation starts the body.
        return meta, duplicates, "\n".join(lines[index:]), index + 1
    return meta, duplicates, "", len(lines) + 1


class Checker:
    """Checks every Markdown file under PATH's article and page folders."""

    def __init__(self, settings: dict, root: Path | None = None):
        self.settings = settings
        self.content = Path(settings["PATH"])
        self.root = root or Path.cwd()
        self.categories = list(settings.get("CATEGORIES") or [])
        self.summary_max = settings.get("EDITOR_CHECKS_SUMMARY_MAX", 200)
        self.size_max = settings.get("EDITOR_CHECKS_MAX_BYTES", 1_000_000)
        # The values each plugin's front-matter keys accept, as they declare them;
        # a key declared without values takes any value (its plugin checks it).
        plugin_keys = declared(settings).front_matter
        self.choices = {**DEFAULT_CHOICES,
                        **{key: values for key, values in plugin_keys.items() if values}}
        self.known = KNOWN_KEYS | set(plugin_keys)
        self.findings: list[Finding] = []
        self.broken: set[Path] = set()
        # The findings in the editor's language (EDITOR_LANGUAGE, checked).
        self.language = settings.get("EDITOR_LANGUAGE") or "nl"
        self._ = said(LOCALE, settings).gettext
        # The town's facts editors may write as {{ town.name }} (town.toml).
        self.facts = sorted(facts(settings))

    # -- helpers ----------------------------------------------------------
    def show(self, path: Path) -> str:
        try:
            return os.path.relpath(path, self.root) if not os.path.relpath(
                path, self.root).startswith("..") else str(path)
        except ValueError:
            return str(path)

    def add(self, doc_or_path, line, message, severity="error"):
        path = doc_or_path.path if isinstance(doc_or_path, Document) else doc_or_path
        self.findings.append(Finding(self.show(path), line, message, severity))
        if severity == "error":
            self.broken.add(path)

    def folders(self):
        for key, kind in (("ARTICLE_PATHS", "article"), ("PAGE_PATHS", "page")):
            for folder in self.settings.get(key) or []:
                yield self.content / folder, kind

    def ignored(self, path: Path) -> bool:
        return any(fnmatch.fnmatch(path.name, pattern)
                   for pattern in self.settings.get("IGNORE_FILES", []))

    def number(self, value: float) -> str:
        """A number with one decimal, as the editor's language writes it (5,4 / 5.4)."""
        return format_decimal(value, format="0.0", locale=self.language)

    def either(self, choices) -> str:
        """'a' or 'b' or 'c', in the editor's language."""
        word = self._("or")
        return f" {word} ".join(choices)

    # -- the run -----------------------------------------------------------
    def run(self) -> list[Finding]:
        documents = []
        for folder, kind in self.folders():
            if not folder.is_dir():
                continue
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                if self.ignored(path):
                    continue
                if path.suffix.lower() not in MARKDOWN:
                    self.add(path, None, self._(
                        "'{name}' is not a Markdown file, so it is not published — rename it "
                        "to '{stem}.md' if it is an article, or move it to content/images/ or "
                        "content/extra/.").format(name=path.name, stem=path.stem))
                    continue
                doc = self.read(path, kind)
                if doc is not None:
                    documents.append(doc)
                    self.check_document(doc)
        self.check_slugs(documents)
        self.check_site_links(documents)
        return self.findings

    def run_all(self) -> list[Finding]:
        """``run()``, and the content files plugins read themselves (their
        contracts' ``check``: consultations, self-tests), which the build
        checks as it reads them: ``invoke check`` asks for everything."""
        self.run()
        for check in declared(self.settings).checks:
            for path, line, message in check(self.settings):
                self.add(Path(path), line, message)
        return self.findings

    def check_file(self, path: Path, kind: str = "article") -> list[Finding]:
        """The findings of one Markdown file on its own (the live preview asks
        before it updates one article in place); the checks that compare files
        with each other (slugs, links to site addresses) need ``run()``."""
        doc = self.read(path, kind)
        if doc is not None:
            self.check_document(doc)
        return self.findings

    def read(self, path: Path, kind: str) -> Document | None:
        raw = path.read_bytes()
        if not raw.strip():
            self.add(path, None, self._(
                "the file is empty — write the front matter (Title:, Date:, Category:, "
                "Summary:) and the text, or delete the file."))
            return None
        if b"\x00" in raw[:4096] or raw[:4] in (b"PK\x03\x04", b"\x89PNG", b"%PDF"):
            self.add(path, None, self._(
                "this is not a text file (perhaps a Word document, PDF or picture renamed to "
                ".md) — write the article as plain text in Markdown."))
            return None
        if len(raw) > self.size_max:
            self.add(path, None, self._(
                "the file is {size} MB, more than {limit} MB — keep an article short; put "
                "data or long documents in content/extra/ and link to them.").format(
                size=self.number(len(raw) / 1_000_000), limit=f"{self.size_max / 1_000_000:.0f}"))
            return None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.add(path, line, self._(
                "the file is not valid UTF-8 (byte {byte}) — save it as UTF-8 in your editor "
                "(in Notepad: Save as, Encoding UTF-8).").format(byte=f"0x{raw[exc.start]:02x}"))
            return None
        meta, duplicates, body, body_start = _front_matter(text)
        doc = Document(path, self.show(path), kind, meta, body, body_start)
        if not meta:
            self.add(doc, 1, self._(
                "the file has no front matter — start it with lines such as 'Title: …', "
                "'Date: 2026-11-26 10:00', 'Category: …' and 'Summary: …', then an empty "
                "line."))
            return None
        for key, line in duplicates:
            self.add(doc, line, self._("'{key}:' appears twice — keep one of the two "
                                       "lines.").format(key=key.capitalize()))
        return doc

    def check_document(self, doc: Document) -> None:
        meta = doc.meta
        required = REQUIRED_ARTICLE if doc.kind == "article" else REQUIRED_PAGE
        examples = {"title": "Title: Het nieuwe dorpsplein",
                    "date": "Date: 2026-11-26 10:00",
                    "category": f"Category: {self.categories[0] if self.categories else '…'}",
                    "summary": "Summary: Eén of twee zinnen over het artikel."}
        for key in required:
            if key not in meta or not meta[key][0]:
                line = meta[key][1] if key in meta else 1
                message = (self._("'{key}:' is empty — add a line such as '{example}' to the "
                                  "front matter.") if key in meta else
                           self._("'{key}:' is missing — add a line such as '{example}' to "
                                  "the front matter."))
                self.add(doc, line, message.format(key=key.capitalize(), example=examples[key]))
        for key, (_value, line, written) in meta.items():
            if written != written.capitalize() and key in self.known and written.islower():
                self.add(doc, line, self._(
                    "'{written}:' is written in lower case — write '{capital}:' like the other "
                    "keys.").format(written=written, capital=written.capitalize()), "warning")
            elif key not in self.known:
                close = difflib.get_close_matches(key, sorted(self.known), n=1)
                if close:
                    # A misspelled key would silently lose its value: an error.
                    self.add(doc, line, self._(
                        "'{written}:' is not a front-matter key — write '{key}:' (check the "
                        "spelling).").format(written=written, key=close[0].capitalize()))
                else:
                    self.add(doc, line, self._(
                        "'{written}:' is not a front-matter key Dorpsplein knows — see the "
                        "front-matter reference in the README.").format(written=written),
                        "warning")
        self.check_title(doc)
        self.check_dates(doc)
        self.check_category(doc)
        self.check_choices(doc)
        self.check_summary(doc)
        self.check_placeholders(doc)
        self.check_town_facts(doc)
        self.check_tags(doc)
        self.check_body(doc)
        self.check_images(doc)

    def check_title(self, doc):
        if "title" in doc.meta and TAG.search(doc.meta["title"][0]):
            tag = TAG.search(doc.meta["title"][0]).group(0)
            self.add(doc, doc.meta["title"][1], self._(
                "the title contains HTML ({tag}) — a title is plain text: remove the "
                "tags.").format(tag=tag))

    def check_dates(self, doc):
        dates = {}
        for key in ("date", "modified"):
            if key in doc.meta and doc.meta[key][0]:
                value, line, _ = doc.meta[key]
                parsed = parse_date(value)
                if parsed is None:
                    self.add(doc, line, self._(
                        "'{value}' is not a valid date — write the date as 2026-11-26 or "
                        "2026-11-26 14:30.").format(value=value))
                dates[key] = parsed
        if dates.get("date") and dates.get("modified") and dates["modified"] < dates["date"]:
            self.add(doc, doc.meta["modified"][1], self._(
                "'Modified:' is before 'Date:' — write the date of the last change, or remove "
                "the line."), "warning")

    def check_category(self, doc):
        if doc.kind != "article" or "category" not in doc.meta or not self.categories:
            return
        value, line, _ = doc.meta["category"]
        if value and value not in self.categories:
            lower = {c.lower(): c for c in self.categories}
            close = lower.get(value.lower()) or next(
                iter(difflib.get_close_matches(value, self.categories, n=1, cutoff=0.5)), None)
            if close:
                message = self._("'{value}' is not one of the categories in CATEGORIES in "
                                 "pelicanconf.py — write 'Category: {close}'.")
            else:
                message = self._("'{value}' is not one of the categories in CATEGORIES in "
                                 "pelicanconf.py — write one of: {categories}.")
            self.add(doc, line, message.format(value=value, close=close,
                                               categories=", ".join(self.categories)))

    def check_choices(self, doc):
        for key, allowed in self.choices.items():
            if key in doc.meta:
                value, line, written = doc.meta[key]
                if value.strip().lower() not in allowed:
                    self.add(doc, line, self._(
                        "'{key}: {value}' is not possible — write {choices}.").format(
                        key=written, value=value,
                        choices=self.either(f"'{written}: {a}'" for a in allowed)))

    def is_draft(self, doc) -> bool:
        return doc.meta.get("status", ("",))[0].strip().lower() == "draft"

    def check_placeholders(self, doc):
        """The texts `invoke new` writes must be replaced before publishing
        (an error); in a draft they are a reminder (a warning)."""
        severity = "warning" if self.is_draft(doc) else "error"
        if "summary" in doc.meta and doc.meta["summary"][0] == NEW_SUMMARY:
            self.add(doc, doc.meta["summary"][1], self._(
                "the summary is still the example text — write in one or two sentences what "
                "the article is about."), severity)
        for offset, line in enumerate(doc.body.splitlines()):
            if line.strip() == NEW_FIRST_PARAGRAPH:
                self.add(doc, doc.body_start + offset, self._(
                    "the first paragraph is still the example text — replace it with the "
                    "article's most important point."), severity)

    def check_town_facts(self, doc):
        """Every {{ … }} must name one of the town's facts (town.toml)."""
        lines = [(line, value) for value, line, _ in doc.meta.values()]
        lines += [(doc.body_start + i, text) for i, text in enumerate(doc.body.splitlines())]
        for number, text in lines:
            for match in ANY_PLACEHOLDER.finditer(text):
                name = match.group("name")
                if name in self.facts:
                    continue
                close = difflib.get_close_matches(name.replace(" ", "."), self.facts, n=1)
                if close:
                    message = self._("'{placeholder}' is not one of the town's facts — write "
                                     "{fact} (the facts are in town.toml).")
                else:
                    message = self._("'{placeholder}' is not one of the town's facts — use one "
                                     "of: {facts} (the facts are in town.toml).")
                self.add(doc, number, message.format(
                    placeholder=match.group(0), fact=f"{{{{ {close[0]} }}}}" if close else "",
                    facts=", ".join(self.facts)))

    def check_summary(self, doc):
        if "summary" not in doc.meta:
            return
        value, line, _ = doc.meta["summary"]
        if len(value) > self.summary_max:
            self.add(doc, line, self._(
                "the summary has {count} characters; social previews cut it after about "
                "{limit} — shorten it to one or two sentences.").format(
                count=len(value), limit=self.summary_max), "warning")

    def check_tags(self, doc):
        if "tags" not in doc.meta:
            return
        value, line, _ = doc.meta["tags"]
        tags = [t.strip() for t in value.split(",")]
        if not value.strip():
            self.add(doc, line, self._("'Tags:' is empty — write keywords separated by "
                                       "commas, or remove the line."), "warning")
        elif any(not t for t in tags):
            self.add(doc, line, self._(
                "'Tags:' has an empty keyword (two commas in a row, or a comma at the end) — "
                "remove the extra comma."), "warning")

    def check_body(self, doc):
        if not doc.body.strip():
            self.add(doc, doc.body_start - 1, self._(
                "there is no text after the front matter — write the article below the empty "
                "line."))
            return
        fence = False
        for offset, line in enumerate(doc.body.splitlines()):
            if line.lstrip().startswith(("```", "~~~")):
                fence = not fence
            if not fence and re.match(r"^#\s+\S", line):
                self.add(doc, doc.body_start + offset, self._(
                    "a second level-1 heading ('# …'): the title is the page's only level-1 "
                    "heading — use '## …' for sections."))
        for offset, line in enumerate(doc.body.splitlines()):
            for match in LINK.finditer(line):
                target = match.group("target")
                path = self._resolve(doc, re.sub(r"^\{\w+\}", "", target))
                if not path.is_file():
                    self.add(doc, doc.body_start + offset, self._(
                        "the link to '{target}' points at a file that does not exist — check "
                        "the name under content/ (for example {example}).").format(
                        target=target, example=LINK_EXAMPLE))

    def check_site_links(self, documents) -> None:
        """Links written as addresses on this site (/2026/…/) must lead to a page
        the build makes, like {filename} links must lead to a file."""
        known = self.site_paths(documents)
        for doc in documents:
            if doc.path in self.broken:
                continue
            for offset, line in enumerate(doc.body.splitlines()):
                targets = [m.group("target") for m in SITE_LINK.finditer(line)]
                targets += [m.group("target") for m in HTML_SITE_LINK.finditer(line)]
                for target in targets:
                    path = target.split("#")[0].split("?")[0].lstrip("/")
                    if path.startswith(GENERATED) or self.site_path_exists(path, known):
                        continue
                    close = difflib.get_close_matches(path, sorted(known), n=1, cutoff=0.6)
                    if close:
                        message = self._("the link to '{target}' leads to no page of this site "
                                         "— did you mean '{close}'? (or link to the file: "
                                         "{example}).")
                    else:
                        message = self._("the link to '{target}' leads to no page of this site "
                                         "— check the address in the browser (or link to the "
                                         "file: {example}).")
                    self.add(doc, doc.body_start + offset, message.format(
                        target=target, close=f"/{close[0]}" if close else "",
                        example="{filename}/articles/…md"))

    def site_path_exists(self, path: str, known: set[str]) -> bool:
        for candidate in (path, path.rstrip("/") + "/", path.removesuffix("index.html")):
            if candidate in known:
                return True
        return (self.content / path).is_file() and path.split("/")[0] in (
            self.settings.get("STATIC_PATHS") or [])

    def site_paths(self, documents) -> set[str]:
        """The addresses (without the leading /) of the pages the build makes."""
        settings = self.settings
        subs = settings.get("SLUG_REGEX_SUBSTITUTIONS", [])
        paths = {""}
        for key in ("ARCHIVES_URL", "CATEGORIES_URL", "TAGS_URL", "AUTHORS_URL", "SEARCH_URL",
                    "DRAFTS_URL"):
            if settings.get(key):
                paths.add(settings[key])
        categories, tags, authors = set(self.categories), set(), set()
        for doc in documents:
            meta = {k: v[0] for k, v in doc.meta.items()}
            slug = meta.get("slug") or slugify(meta.get("title", ""), regex_subs=subs)
            date = parse_date(meta.get("date", "")) or datetime(1970, 1, 1)
            pattern = settings.get("ARTICLE_URL" if doc.kind == "article" else "PAGE_URL", "")
            with contextlib.suppress(KeyError, IndexError, ValueError):
                paths.add(pattern.format(slug=slug, date=date, lang=meta.get("lang", ""),
                                         category=slugify(meta.get("category", ""),
                                                          regex_subs=subs)))
            if meta.get("category"):
                categories.add(meta["category"])
            tags.update(t.strip() for t in meta.get("tags", "").split(",") if t.strip())
            authors.update(a.strip() for a in re.split(r"[,;]", meta.get("authors", "")
                                                        or meta.get("author", "")) if a.strip())
        for key, names in (("CATEGORY_URL", categories), ("TAG_URL", tags),
                           ("AUTHOR_URL", authors)):
            for name in names:
                with contextlib.suppress(KeyError, IndexError, ValueError):
                    paths.add(settings.get(key, "").format(slug=slugify(name, regex_subs=subs)))
        for _source, meta in (settings.get("EXTRA_PATH_METADATA") or {}).items():
            if meta.get("path"):
                paths.add(meta["path"])
        return paths

    def _resolve(self, doc: Document, target: str) -> Path:
        if target.startswith("/"):
            return self.content / target.lstrip("/")
        return doc.path.parent / target

    def check_images(self, doc):
        for offset, line in enumerate(doc.body.splitlines()):
            number = doc.body_start + offset
            for match in IMAGE.finditer(line):
                src, alt = match.group("src"), match.group("alt").strip()
                self._check_image(doc, number, src, alt)
            for match in HTML_IMAGE.finditer(line):
                attrs = match.group("attrs")
                src = re.search(r"src\s*=\s*[\"']([^\"']+)", attrs)
                alt = re.search(r"alt\s*=\s*[\"']([^\"']*)", attrs)
                if src:
                    self._check_image(doc, number, src.group(1),
                                      alt.group(1).strip() if alt else "", html=True)
        if "image" in doc.meta:
            value, line, _ = doc.meta["image"]
            if not (self.content / value).is_file():
                self.add(doc, line, self._(
                    "'Image: {value}' does not exist under content/ — put the picture in "
                    "content/images/ and write 'Image: images/name.jpg'.").format(value=value))
            if "image_alt" not in doc.meta or not doc.meta["image_alt"][0]:
                self.add(doc, line, self._(
                    "'Image:' has no 'Image_alt:' — add a line 'Image_alt: …' that says what "
                    "the picture shows, for people who cannot see it."))

    def _check_image(self, doc, line, src, alt, html=False):
        if src.startswith(("http://", "https://", "//")):
            self.add(doc, line, self._(
                "the picture '{src}' comes from another website, which would let that site "
                "follow readers — save it in content/images/ and use {example}.").format(
                src=src, example="{static}/images/name.jpg"))
            return
        path = re.sub(r"^\{\w+\}", "", src)
        if path.startswith("/") and not src.startswith("{"):
            target = self.content / path.lstrip("/")
        else:
            target = self._resolve(doc, path)
        if not target.is_file():
            self.add(doc, line, self._(
                "the picture '{src}' does not exist — check the file name in content/images/ "
                "(names are case-sensitive).").format(src=src))
        if not alt:
            example = (self._('alt="…" in the <img> tag') if html
                       else "![Het plein met de nieuwe bomen](" + src + ")")
            self.add(doc, line, self._(
                "the picture '{src}' has no description (alt text) — describe what it shows, "
                "for example {example}.").format(src=src, example=example))

    def check_slugs(self, documents):
        seen: dict[tuple, Document] = {}
        subs = self.settings.get("SLUG_REGEX_SUBSTITUTIONS", [])
        for doc in documents:
            if doc.path in self.broken:
                continue
            if "slug" in doc.meta and doc.meta["slug"][0]:
                slug, line = doc.meta["slug"][0], doc.meta["slug"][1]
            elif "title" in doc.meta:
                slug, line = slugify(doc.meta["title"][0], regex_subs=subs), doc.meta["title"][1]
            else:
                continue
            key = (doc.kind, slug)
            if key in seen:
                other = seen[key]
                self.add(doc, line, self._(
                    "the slug '{slug}' is already used by {other} — give this one another "
                    "title or a 'Slug:' line of its own.").format(slug=slug, other=other.shown))
            else:
                seen[key] = doc
