"""Interface language for the theme: gettext catalogues and Babel dates.

- Compiles the theme's catalogue ``translations/<DEFAULT_LANG>/LC_MESSAGES/
  messages.po`` in memory at every build (no manual ``msgfmt`` step, no
  compiled ``.mo`` file in git) and installs it in Jinja, so templates write
  ``{{ _("Read more") }}``. English is the source language of the theme, so
  ``DEFAULT_LANG = "en"`` needs no catalogue.
- Installs ``_``, ``gettext`` and ``ngettext`` with jinja2.ext.i18n's
  "newstyle" meaning (the result is Markup when autoescaping, ``%(name)s``
  placeholders are filled from keyword arguments, which are escaped) but
  remembered: a page asks for some 150 strings, and a string without
  placeholders costs one dictionary look-up after its first use.
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
from jinja2 import pass_eval_context
from markupsafe import Markup
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


def gettext_callables(translations: gettext.NullTranslations) -> dict:
    """``gettext`` and ``ngettext`` for Jinja with the newstyle meaning of
    jinja2.ext.i18n (``install_gettext_translations(..., newstyle=True)``),
    remembered per string.

    Newstyle: the translation is Markup when the template autoescapes, and it
    is always used as a %-format string with the keyword arguments, which are
    escaped ("50%%" gives "50%"; ``ngettext`` fills ``num`` too). The
    catalogue does not change during a build, so a translated string is
    looked up once, and a call without arguments (most of them) returns the
    result of its first call."""
    translate, translate_plural = translations.gettext, translations.ngettext
    templates: dict[tuple[str, bool], str] = {}  # (msgid, autoescape) -> format string
    finished: dict[tuple[str, bool], str] = {}   # the same, formatted without variables
    plurals: dict[tuple, str] = {}               # ngettext with only ``num``, formatted

    def template(string: str, autoescape: bool) -> str:
        key = (string, autoescape)
        found = templates.get(key)
        if found is None:
            found = translate(string)
            found = templates[key] = Markup(found) if autoescape else found
        return found

    @pass_eval_context
    def gettext_(eval_ctx, string: str, /, **variables):
        autoescape = eval_ctx.autoescape
        if type(string) is not str:  # Markup or a str subclass: as it comes
            rv = translate(string)
            return (Markup(rv) if autoescape else rv) % variables
        if variables:
            return template(string, autoescape) % variables
        key = (string, autoescape)
        try:
            return finished[key]
        except KeyError:
            done = finished[key] = template(string, autoescape) % variables
            return done

    @pass_eval_context
    def ngettext_(eval_ctx, singular: str, plural: str, num, /, **variables):
        autoescape = eval_ctx.autoescape
        # Remembered only for a whole number and no other arguments (the
        # reading time): equal values of other types can print differently.
        key = None
        if not variables and type(num) is int:
            key = (singular, plural, num, autoescape)
            try:
                return plurals[key]
            except KeyError:
                pass
        variables.setdefault("num", num)
        rv = translate_plural(singular, plural, num)
        rv = (Markup(rv) if autoescape else rv) % variables
        if key is not None:
            plurals[key] = rv
        return rv

    return {"gettext": gettext_, "ngettext": ngettext_}


def _filters(locale: str) -> dict:
    def to_date(value):
        return value.date() if isinstance(value, datetime) else value

    # A site has a few hundred dates, each shown on several pages: Babel
    # formats each (day, format) once.
    dates: dict[tuple[date, str], str] = {}

    def babel_date(value: date | datetime, format: str = "long") -> str:  # noqa: A002
        day = to_date(value)
        key = (day, format)
        try:
            return dates[key]
        except (KeyError, TypeError):  # TypeError: not a date Babel knows either
            text = format_date(day, format=format, locale=locale)
            if type(day) is date and type(format) is str:
                dates[key] = text
            return text

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
    # The same meaning, remembered (see gettext_callables). ``_`` is the
    # function itself rather than the extension's alias, which looks
    # ``gettext`` up in the context and calls through it at every use.
    callables = gettext_callables(translations)
    env.globals.update(callables)
    env.globals["_"] = callables["gettext"]
    env.filters.update(_filters(settings["SITE_LOCALE"]))
    # Templates use the language code in <html lang>, as BCP 47 (nl-BE).
    env.globals["HTML_LANG"] = settings["SITE_LOCALE"].replace("_", "-")


def register() -> None:
    signals.initialized.connect(configure)
    signals.generator_init.connect(install)
