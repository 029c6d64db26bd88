"""The site's menu and footer links, resolved once and checked.

Reads ``MENUITEMS`` (Pelican's: label and address relative to the site),
``MENU_PAGES`` and ``FOOTER_PAGES`` (page slugs) and puts into every
template's context:

- ``SITE_MENU``: ``[{"title", "url"}]`` — home first, then MENUITEMS, then
  the pages of MENU_PAGES in that order;
- ``FOOTER_LINKS``: ``[{"title", "url"}]`` for FOOTER_PAGES.

``url`` is relative to the site root; templates prefix ``SITEURL``. A slug
that no page has stops the build with a sentence naming the setting.
"""

from __future__ import annotations

import difflib

from dorpsplein_kit import Setting, SettingsError, merge
from pelican import signals


def _slugs(name: str, value, settings: dict) -> list:
    value = [] if value is None else value
    if not isinstance(value, list | tuple) or not all(isinstance(s, str) for s in value):
        raise SettingsError(
            f"{name} must be a list of page slugs, such as ['contact'], in pelicanconf.py."
        )
    return value


def _items(name: str, value, settings: dict) -> tuple:
    value = () if value is None else value
    for item in value:
        if not (isinstance(item, list | tuple) and len(item) == 2):
            raise SettingsError(
                f"MENUITEMS has {item!r}: write each entry as ('Label', 'address/'), "
                "in pelicanconf.py."
            )
    return value


SETTINGS = (
    Setting("MENU_PAGES", [], _slugs),
    Setting("FOOTER_PAGES", [], _slugs),
    Setting("MENUITEMS", (), _items),
)


def configure(pelican) -> None:
    merge(pelican.settings, SETTINGS)


def _resolve(key: str, slugs, pages) -> list[dict]:
    by_slug = {page.slug: page for page in pages}
    links = []
    for slug in slugs:
        page = by_slug.get(slug)
        if page is None:
            close = difflib.get_close_matches(slug, by_slug, n=1)
            hint = f"did you mean {close[0]!r}?" if close else (
                f"use one of {', '.join(sorted(by_slug)) or 'no pages yet'}"
            )
            raise SettingsError(
                f"{key} names {slug!r}, but no page in content/pages/ has that slug: {hint} "
                "(fix it in pelicanconf.py)."
            )
        links.append({"title": page.title, "url": page.url, "slug": page.slug})
    return links


def build_links(generators) -> None:
    pages, context, settings = [], None, None
    for generator in generators:
        if hasattr(generator, "pages") and hasattr(generator, "hidden_pages"):
            pages = list(generator.pages) + list(generator.hidden_pages)
        context = getattr(generator, "context", context)
        settings = getattr(generator, "settings", settings)
    if context is None:
        return
    menu = [{"title": None, "url": "", "slug": "home"}]
    menu += [{"title": label, "url": url.lstrip("/"), "slug": url.strip("/")}
             for label, url in settings["MENUITEMS"]]
    menu += _resolve("MENU_PAGES", settings["MENU_PAGES"], pages)
    context["SITE_MENU"] = menu
    context["FOOTER_LINKS"] = _resolve("FOOTER_PAGES", settings["FOOTER_PAGES"], pages)


def register() -> None:
    signals.initialized.connect(configure)
    signals.all_generators_finalized.connect(build_links)
