"""Reading time: ``article.reading_time``, whole minutes, at least 1.

Counts the words of the rendered article (tags stripped) and divides by
``READING_TIME_WPM`` words per minute (default 200, a common figure for
adults reading informative Dutch text on a screen).
"""

from __future__ import annotations

import math
import re

from pelican import signals

DEFAULTS = {"READING_TIME_WPM": 200}

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+", re.UNICODE)


class ReadingTimeSettingsError(ValueError):
    pass


def configure(pelican) -> None:
    settings = pelican.settings
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    wpm = settings["READING_TIME_WPM"]
    if not isinstance(wpm, int) or isinstance(wpm, bool) or wpm <= 0:
        raise ReadingTimeSettingsError(
            f"READING_TIME_WPM = {wpm!r} must be a whole number of words per minute above 0, "
            "such as 200, in pelicanconf.py."
        )


def word_count(html: str) -> int:
    return len(_WORD.findall(_TAG.sub(" ", html or "")))


def minutes(words: int, wpm: int) -> int:
    return max(1, math.ceil(words / wpm))


def attach(generators) -> None:
    for generator in generators:
        for article in getattr(generator, "articles", []):
            wpm = generator.settings["READING_TIME_WPM"]
            article.word_count = word_count(article.content)
            article.reading_time = minutes(article.word_count, wpm)


def register() -> None:
    signals.initialized.connect(configure)
    signals.all_generators_finalized.connect(attach)
