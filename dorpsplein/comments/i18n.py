"""The comment service's own words: English msgids, a Dutch catalogue.

Mails (moderators' notices, reply notifications) and the unsubscribe pages
say some twenty sentences; they live in ``locale/nl/LC_MESSAGES/messages.po``
beside this file, compiled in memory by the kit (no .mo file), as the
participation service's are. (The moderation pages in ``moderation.py``
still say their few words inline.) The language is the site's
``DEFAULT_LANG`` when a catalogue exists for it ("en" needs none), else Dutch.
"""

from __future__ import annotations

import gettext
from pathlib import Path

from dorpsplein_kit.language import catalogue_path, compiled

LOCALE = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "nl"

_translations: gettext.NullTranslations | None = None


def use(language: str | None) -> str:
    """Say everything in ``language`` from now on (once per worker); returns
    the language chosen."""
    global _translations
    language = language or DEFAULT_LANGUAGE
    if language != "en" and not catalogue_path(LOCALE, language).is_file():
        language = DEFAULT_LANGUAGE
    _translations = (gettext.NullTranslations() if language == "en"
                     else compiled(catalogue_path(LOCALE, language), language))
    return language


def _(message: str, **values) -> str:
    """``message`` in the service's language, with ``{name}`` values filled in."""
    if _translations is None:
        use(DEFAULT_LANGUAGE)
    text = _translations.gettext(message)
    return text.format(**values) if values else text
