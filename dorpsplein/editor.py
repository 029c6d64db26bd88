"""Editor commands: `invoke new` (a new article) and `invoke check` (all content).

Both read the same settings as the build; `check` runs the same checks the
build runs (plugins/editor_checks/checks.py), without building.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .build import ROOT


def _settings(settings_file: str) -> dict:
    from pelican.settings import read_settings

    return read_settings(str(ROOT / settings_file))


def _checker(settings: dict):
    # The same checks as the build; the Checker asks the plugins in PLUGINS
    # which front-matter values they accept (their contracts).
    from editor_checks.checks import Checker

    return Checker(settings, root=ROOT)


def check(settings_file: str = "pelicanconf.py", strict: bool = False) -> int:
    """Print every finding; return the exit code (1 on errors, or warnings with strict)."""
    checker = _checker(_settings(settings_file))
    findings = checker.run()
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity != "error"]
    for finding in errors:
        print(finding, file=sys.stderr)
    for finding in warnings:
        print(f"warning: {finding}", file=sys.stderr)
    count = len(errors) + (len(warnings) if strict else 0)
    files = len({f.path for f in findings})
    if count:
        print(f"Check failed: {len(errors)} error(s), {len(warnings)} warning(s) in {files} "
              f"file(s){' (warnings count with --strict)' if strict and warnings else ''}.",
              file=sys.stderr)
        return 1
    print(f"All content is fine ({len(warnings)} warning(s)).")
    return 0


def slug_of(title: str) -> str:
    """A URL slug with Dutch diacritics transliterated: 'Één week café' → 'een-week-cafe'."""
    from slugify import slugify

    return slugify(title, max_length=80, word_boundary=True)


def _category(settings: dict, category: str | None, ask) -> str:
    """The category given, or asked for; one of CATEGORIES when the site has them."""
    categories = list(settings.get("CATEGORIES") or [])
    if category is None:
        if not sys.stdin.isatty() and ask is input:
            raise ValueError("Say which category: invoke new \"…\" --category \"" +
                             (categories[0] if categories else "…") + "\".")
        for number, name in enumerate(categories, start=1):
            print(f"  {number}. {name}")
        answer = ask("Category (number or name): ").strip()
        category = categories[int(answer) - 1] if answer.isdigit() and 0 < int(answer) <= len(
            categories) else answer
    if categories and category not in categories:
        raise ValueError(f"{category!r} is not one of the categories: " + ", ".join(categories)
                         + " (see CATEGORIES in pelicanconf.py).")
    return category


def _refuse_taken_slug(settings: dict, slug: str) -> None:
    """Stop when an article already has this address (its Slug:, or its title's)."""
    content = Path(settings["PATH"])
    for path in (content / folder for folder in settings["ARTICLE_PATHS"]):
        for existing in path.rglob("*.md"):
            text = existing.read_text(encoding="utf-8", errors="replace")
            slugs = [line.split(":", 1)[1].strip() for line in text.splitlines()[:20]
                     if line.lower().startswith("slug:")]
            titles = [line.split(":", 1)[1].strip() for line in text.splitlines()[:20]
                      if line.lower().startswith("title:")]
            if slug in slugs or (not slugs and titles and slug_of(titles[0]) == slug):
                shown = existing.relative_to(ROOT) if existing.is_relative_to(ROOT) else existing
                raise ValueError(f"An article with the address '{slug}' already exists: "
                                 f"{shown} — choose another title.")


def new_article(title: str, category: str | None, settings_file: str = "pelicanconf.py",
                ask=input, now: datetime | None = None) -> Path:
    """Write a draft article with its front matter filled in; return its path."""
    settings = _settings(settings_file)
    title = " ".join(title.split())
    if not title:
        raise ValueError('Give the article a title: invoke new "Titel van het bericht".')
    slug = slug_of(title)
    if not slug:
        raise ValueError(f"The title {title!r} gives no usable address: use some letters "
                         "or digits in it.")
    category = _category(settings, category, ask)
    content = Path(settings["PATH"])
    _refuse_taken_slug(settings, slug)
    zone = ZoneInfo(settings.get("TIMEZONE") or "Europe/Brussels")
    moment = (now or datetime.now(zone)).astimezone(zone)
    folder = content / settings["ARTICLE_PATHS"][0]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{moment:%Y-%m}-{slug}.md"
    if target.exists():
        raise ValueError(f"{target} already exists — choose another title.")
    author = settings.get("AUTHOR", "")
    from editor_checks.checks import NEW_FIRST_PARAGRAPH, NEW_SUMMARY

    target.write_text(
        f"Title: {title}\n"
        f"Date: {moment:%Y-%m-%d %H:%M}\n"
        f"Category: {category}\n"
        f"Slug: {slug}\n"
        f"Authors: {author}\n"
        f"Summary: {NEW_SUMMARY}\n"
        "Status: draft\n"
        "\n"
        f"{NEW_FIRST_PARAGRAPH}\n"
        "\n"
        "## Een tussenkop\n"
        "\n"
        "Meer tekst.\n",
        encoding="utf-8",
    )
    return target
