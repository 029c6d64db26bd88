"""What the application says to the editor, in ``EDITOR_LANGUAGE``.

The build's one-line problems (``dorpsplein/build.py``), ``./go check`` and
``./go new`` (``dorpsplein/editor.py``) and ``./go serve`` with its error
panel in the browser (``dorpsplein/preview.py``) write English gettext msgids;
the Dutch is in ``locale/nl/LC_MESSAGES/messages.po`` beside this file,
compiled in memory (``dorpsplein_kit.translations``), as the theme's and the
editor checks' catalogues are. ``EDITOR_LANGUAGE = "en"`` in pelicanconf.py
gives the English texts as written.
"""

from __future__ import annotations

import gettext
from pathlib import Path

from babel.numbers import format_decimal
from dorpsplein_kit import EDITOR_LANGUAGES
from dorpsplein_kit import translations as _translations
from dorpsplein_kit.language import DEFAULT_EDITOR_LANGUAGE

LOCALE = Path(__file__).resolve().parent / "locale"


def translations(language: str | None) -> gettext.NullTranslations:
    """This package's messages in ``language`` (Dutch when it is not one we have)."""
    return _translations(LOCALE, language if language in EDITOR_LANGUAGES
                         else DEFAULT_EDITOR_LANGUAGE)


def language_of(settings: dict | None) -> str:
    """The settings' ``EDITOR_LANGUAGE`` when it is a valid one, else Dutch
    (the build reports a wrong value; what is said meanwhile is Dutch)."""
    value = (settings or {}).get("EDITOR_LANGUAGE", DEFAULT_EDITOR_LANGUAGE)
    return value if value in EDITOR_LANGUAGES else DEFAULT_EDITOR_LANGUAGE


def decimal(value: float, language: str, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals as the language writes it (1,25 / 1.25)."""
    return format_decimal(value, format="0." + "0" * digits, locale=language)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a message for the catalogue; it is translated where it is said."""
    return message
