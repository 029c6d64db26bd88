"""Reading time: ``article.reading_time``, whole minutes, at least 1.

Counts the words of the rendered article (tags stripped) and divides by
``READING_TIME_WPM`` words per minute (default 200, a common figure for
adults reading informative Dutch text on a screen).
"""

from __future__ import annotations

import math
import re

from dorpsplein_kit import Contract, Setting, merge, whole_number
from pelican import signals

SETTINGS = (
    Setting("READING_TIME_WPM", 200,
            whole_number(1, "must be a whole number of words per minute above 0, such as 200,")),
)

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+", re.UNICODE)


def configure(pelican) -> None:
    merge(pelican.settings, SETTINGS)


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


# List pages show the reading time: a change of it rebuilds them.
CONTRACT = Contract(listed=("reading_time",))


def register() -> None:
    signals.initialized.connect(configure)
    signals.all_generators_finalized.connect(attach)
