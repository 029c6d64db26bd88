"""Interface language for the theme: gettext catalogues and Babel dates.

- Compiles the theme's catalogue ``translations/<DEFAULT_LANG>/LC_MESSAGES/
  messages.po`` in memory at every build (no manual ``msgfmt`` step, no
  compiled ``.mo`` file in git) and installs it in Jinja, so templates write
  ``{{ _("Read more") }}``. English is the source language of the theme, so
  ``DEFAULT_LANG = "en"`` needs no catalogue.
- Adds Jinja filters that format dates with Babel in ``SITE_LOCALE``, never
  with the machine's locale: ``format_date`` ("26 november 2026"),
  ``format_datetime``, ``iso_datetime`` (for ``<time datetime>``), and
  ``format_number``.

Settings: ``DEFAULT_LANG`` (Pelican's), ``SITE_LOCALE`` (default "nl_BE").
"""

from __future__ import annotations

import gettext
from datetime import date, datetime
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from dorpsplein_kit import Setting, SettingsError, merge
from dorpsplein_kit.language import compiled
from pelican import signals


def catalogue_path(theme: str, lang: str) -> Path:
    return Path(theme) / "translations" / lang / "LC_MESSAGES" / "messages.po"


def load_translations(theme: str, lang: str) -> gettext.NullTranslations:
    """The compiled catalogue for ``lang`` (cached while the file is unchanged)."""
    if lang == "en":
        return gettext.NullTranslations()
    path = catalogue_path(theme, lang)
    if not path.is_file():
        raise SettingsError(
            f"DEFAULT_LANG = {lang!r} has no catalogue at {path}: copy "
            f"{catalogue_path(theme, 'nl')} there and translate it, or set DEFAULT_LANG = 'nl'."
        )
    return compiled(path, lang)


def _locale(name: str, value, settings: dict) -> str:
    try:
        Locale.parse(value)
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise SettingsError(
            f"SITE_LOCALE = {value!r} is not a locale Babel knows: "
            "write one such as 'nl_BE' or 'nl_NL' in pelicanconf.py."
        ) from exc
    return value


SETTINGS = (Setting("SITE_LOCALE", "nl_BE", _locale),)


def configure(pelican) -> None:
    settings = merge(pelican.settings, SETTINGS)
    # Fail early, before any page is rendered.
    load_translations(settings["THEME"], settings["DEFAULT_LANG"])


def _filters(locale: str) -> dict:
    def to_date(value):
        return value.date() if isinstance(value, datetime) else value

    def babel_date(value: date | datetime, format: str = "long") -> str:  # noqa: A002
        return format_date(to_date(value), format=format, locale=locale)

    def babel_datetime(value: datetime, format: str = "long") -> str:  # noqa: A002
        return format_datetime(value, format=format, locale=locale, tzinfo=value.tzinfo)

    def iso_datetime(value: date | datetime) -> str:
        return value.isoformat()

    def babel_number(value: float) -> str:
        return format_decimal(value, locale=locale)

    return {
        "format_date": babel_date,
        "format_datetime": babel_datetime,
        "iso_datetime": iso_datetime,
        "format_number": babel_number,
    }


def install(generator) -> None:
    env = getattr(generator, "env", None)
    if env is None:
        return
    settings = generator.settings
    translations = load_translations(settings["THEME"], settings["DEFAULT_LANG"])
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(translations, newstyle=True)
    env.filters.update(_filters(settings["SITE_LOCALE"]))
    # Templates use the language code in <html lang>, as BCP 47 (nl-BE).
    env.globals["HTML_LANG"] = settings["SITE_LOCALE"].replace("_", "-")


def register() -> None:
    signals.initialized.connect(configure)
    signals.generator_init.connect(install)
