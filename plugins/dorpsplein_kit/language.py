"""The editor's language: ``EDITOR_LANGUAGE`` and message catalogues.

Everything an editor reads from the tools (the content checks' findings, the
build's ``file:line: problem — fix`` lines, ``./go check``, ``./go new`` and
``./go serve``) is written in English in the code, as gettext msgids, and
translated through a catalogue of the part that says it::

    <folder>/locale/nl/LC_MESSAGES/messages.po

compiled in memory with Babel at first use (no ``msgfmt`` step, no ``.mo``
file in git), as the theme's catalogue is (plugins/site_i18n). English is the
source language, so ``"en"`` needs no catalogue. A fuzzy or empty entry
falls back to the English text.

``editor_language(settings)`` checks the setting (a wrong value is one
``SettingsError`` naming it) and ``translations(folder, language)`` gives the
catalogue: ``_ = translations(LOCALE, language).gettext``.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from .settings import Setting, SettingsError, merge, one_of

# The languages every editor-facing message exists in.
EDITOR_LANGUAGES = ("nl", "en")
DEFAULT_EDITOR_LANGUAGE = "nl"

EDITOR_LANGUAGE = Setting(
    "EDITOR_LANGUAGE", DEFAULT_EDITOR_LANGUAGE,
    one_of(EDITOR_LANGUAGES, "must be 'nl' (Dutch messages) or 'en' (English messages),"))

_cache: dict[tuple[str, str, float], gettext.NullTranslations] = {}


def editor_language(settings: dict) -> str:
    """The checked ``EDITOR_LANGUAGE`` (filled in with "nl" when absent)."""
    return merge(settings, (EDITOR_LANGUAGE,))["EDITOR_LANGUAGE"]


def catalogue_path(folder: Path | str, language: str, domain: str = "messages") -> Path:
    return Path(folder) / language / "LC_MESSAGES" / f"{domain}.po"


def translations(folder: Path | str, language: str,
                 domain: str = "messages") -> gettext.NullTranslations:
    """The catalogue of ``language`` under ``folder`` (a ``locale`` folder),
    compiled in memory and kept while the .po file is unchanged."""
    if language == "en":
        return gettext.NullTranslations()
    if language not in EDITOR_LANGUAGES:
        raise SettingsError(f"EDITOR_LANGUAGE = {language!r} must be 'nl' (Dutch messages) "
                            "or 'en' (English messages), in pelicanconf.py.")
    path = catalogue_path(folder, language, domain)
    if not path.is_file():
        raise SettingsError(f"{path} is missing: the messages for EDITOR_LANGUAGE = "
                            f"{language!r} live there (or set EDITOR_LANGUAGE = 'en').")
    return compiled(path, language)


def compiled(path: Path, language: str) -> gettext.GNUTranslations:
    """The .po file at ``path`` compiled in memory (kept while it is unchanged);
    a broken file is one ``SettingsError`` naming it. The theme's catalogue
    (plugins/site_i18n) is compiled the same way."""
    key = (str(path.resolve()), language, path.stat().st_mtime)
    if key not in _cache:
        try:
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language, abort_invalid=True)
        except (PoFileError, ValueError) as exc:
            raise SettingsError(f"{path}: cannot read the catalogue: {exc}") from exc
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        _cache[key] = gettext.GNUTranslations(buffer)
    return _cache[key]


def said(folder: Path | str, settings: dict) -> gettext.NullTranslations:
    """The catalogue under ``folder`` in the settings' ``EDITOR_LANGUAGE``."""
    return translations(folder, editor_language(settings))
