"""Editor commands: `invoke new` (a new article) and `invoke check` (all content).

Both read the same settings as the build; `check` runs the same checks the
build runs (plugins/editor_checks/checks.py), without building. What they say
is in EDITOR_LANGUAGE (Dutch by default; dorpsplein/messages.py).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .build import ROOT
from .messages import language_of, translations


def _settings(settings_file: str) -> dict:
    """The settings, with EDITOR_LANGUAGE checked (a wrong value raises
    SettingsError, a ValueError: one sentence naming it)."""
    from dorpsplein_kit import editor_language
    from pelican.settings import read_settings

    settings = read_settings(str(ROOT / settings_file))
    editor_language(settings)
    return settings


def _checker(settings: dict):
    # The same checks as the build; the Checker asks the plugins in PLUGINS
    # which front-matter values they accept (their contracts).
    from editor_checks.checks import Checker

    return Checker(settings, root=ROOT)


def check(settings_file: str = "pelicanconf.py", strict: bool = False) -> int:
    """Print every finding; return the exit code (1 on errors, or warnings with strict)."""
    try:
        settings = _settings(settings_file)
    except ValueError as exc:  # a wrong EDITOR_LANGUAGE: its one sentence
        print(exc, file=sys.stderr)
        return 1
    _ = translations(language_of(settings)).gettext
    checker = _checker(settings)
    findings = checker.run_all()
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity != "error"]
    for finding in errors:
        print(finding, file=sys.stderr)
    for finding in warnings:
        print(_("warning: {line}").format(line=finding), file=sys.stderr)
    count = len(errors) + (len(warnings) if strict else 0)
    counts = {"errors": len(errors), "warnings": len(warnings),
              "files": len({f.path for f in findings})}
    if count:
        if strict and warnings:
            summary = _("Check failed: {errors} error(s), {warnings} warning(s) in {files} "
                        "file(s) (warnings count with --strict).")
        else:
            summary = _("Check failed: {errors} error(s), {warnings} warning(s) in {files} "
                        "file(s).")
        print(summary.format(**counts), file=sys.stderr)
        return 1
    print(_("All content is fine ({warnings} warning(s)).").format(**counts))
    return 0


def slug_of(title: str) -> str:
    """A URL slug with Dutch diacritics transliterated: 'Één week café' → 'een-week-cafe'."""
    from slugify import slugify

    return slugify(title, max_length=80, word_boundary=True)


def _category(settings: dict, category: str | None, ask) -> str:
    """The category given, or asked for; one of CATEGORIES when the site has them."""
    _ = translations(language_of(settings)).gettext
    categories = list(settings.get("CATEGORIES") or [])
    if category is None:
        if not sys.stdin.isatty() and ask is input:
            raise ValueError(_('Say which category: ./go new "…" --category "{example}".')
                             .format(example=categories[0] if categories else "…"))
        for number, name in enumerate(categories, start=1):
            print(f"  {number}. {name}")
        answer = ask(_("Category (number or name): ")).strip()
        category = categories[int(answer) - 1] if answer.isdigit() and 0 < int(answer) <= len(
            categories) else answer
    if categories and category not in categories:
        raise ValueError(_("'{category}' is not one of the categories — choose one of: "
                           "{categories} (see CATEGORIES in pelicanconf.py).").format(
            category=category, categories=", ".join(categories)))
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
                _ = translations(language_of(settings)).gettext
                raise ValueError(_("An article with the address '{slug}' already exists: "
                                   "{path} — choose another title.").format(slug=slug,
                                                                            path=shown))


def new_article(title: str, category: str | None, settings_file: str = "pelicanconf.py",
                ask=input, now: datetime | None = None) -> Path:
    """Write a draft article with its front matter filled in; return its path."""
    settings = _settings(settings_file)
    _ = translations(language_of(settings)).gettext
    title = " ".join(title.split())
    if not title:
        raise ValueError(_('Give the article a title: ./go new "Titel van het bericht".'))
    slug = slug_of(title)
    if not slug:
        raise ValueError(_("The title '{title}' gives no usable address — use some letters "
                           "or digits in it.").format(title=title))
    category = _category(settings, category, ask)
    content = Path(settings["PATH"])
    _refuse_taken_slug(settings, slug)
    zone = ZoneInfo(settings.get("TIMEZONE") or "Europe/Brussels")
    moment = (now or datetime.now(zone)).astimezone(zone)
    folder = content / settings["ARTICLE_PATHS"][0]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{moment:%Y-%m}-{slug}.md"
    if target.exists():
        raise ValueError(_("{path} already exists — choose another title.").format(
            path=target))
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


def created(path: Path, host: str, port: int, settings_file: str = "pelicanconf.py") -> list[str]:
    """What `./go new` says once the draft is written: where it is and where
    the preview shows it (for tasks.py to print)."""
    settings = _settings(settings_file)
    _ = translations(language_of(settings)).gettext
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    slug = path.stem.split("-", 2)[-1]  # 2026-11-<slug>.md, as new_article names it
    address = (settings.get("DRAFT_URL") or "drafts/{slug}/").format(slug=slug)
    return [_("Created {path}").format(path=shown),
            _("Preview (after ./go serve): {url}").format(url=f"http://{host}:{port}/{address}")]
