"""What the service says to citizens: English msgids, a Dutch catalogue.

``locale/nl/LC_MESSAGES/messages.po`` beside this file is compiled in memory
by the kit (``dorpsplein_kit.language.compiled``), as the application's own
catalogue is. The language is the site's ``DEFAULT_LANG`` when a catalogue
exists for it ("en" needs none), else Dutch. Dates are said with Babel in the
site's ``TIMEZONE``.
"""

from __future__ import annotations

import gettext
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from dorpsplein_kit.language import catalogue_path, compiled

LOCALE = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "nl"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a message for the catalogue; it is translated where it is said."""
    return message


class Language:
    """One language for the whole process: its catalogue and its dates."""

    def __init__(self, language: str = DEFAULT_LANGUAGE, timezone: str = "Europe/Brussels"):
        if language != "en" and not catalogue_path(LOCALE, language).is_file():
            language = DEFAULT_LANGUAGE
        self.code = language
        self.zone = ZoneInfo(timezone)
        self.translations = (gettext.NullTranslations() if language == "en"
                             else compiled(catalogue_path(LOCALE, language), language))

    def gettext(self, message: str, **values) -> str:
        text = self.translations.gettext(message)
        return text.format(**values) if values else text

    def date(self, moment: datetime) -> str:
        """16 november 2026"""
        return format_date(moment.astimezone(self.zone), "d MMMM y", locale=self.code)

    def time(self, moment: datetime) -> str:
        """9.00 (Dutch), 9:00 AM (English)"""
        pattern = "H.mm" if self.code == "nl" else "h:mm a"
        return format_time(moment.astimezone(self.zone), pattern, locale=self.code)

    def moment(self, moment: datetime) -> dict:
        return {"date": self.date(moment), "time": self.time(moment)}


# The process's language, set once by the app (gunicorn: once per worker).
current = Language.__new__(Language)
current.code = "en"
current.translations = gettext.NullTranslations()
current.zone = ZoneInfo("Europe/Brussels")


def use(language: Language) -> None:
    global current
    current = language


def _(message: str, **values) -> str:
    return current.gettext(message, **values)
