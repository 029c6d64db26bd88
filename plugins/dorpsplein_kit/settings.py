"""Settings a plugin declares once: name, default, check — and the one error.

A plugin lists its settings in ``settings.py``::

    SETTINGS = (
        Setting("READING_TIME_WPM", 200,
                whole_number(1, "must be a whole number of words per minute above 0, "
                                "such as 200,")),
    )

and merges them at ``initialized``: ``merge(pelican.settings, SETTINGS)``.
``merge`` fills in every default (a deep copy: no two builds share a list),
then runs each check in order. A check is ``check(name, value, settings)``:
it returns the value to keep (normalised) or raises ``SettingsError`` with one
sentence that names the setting and says what to write instead; the build
prints that sentence and nothing else.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Check = Callable[[str, Any, dict], Any]


class SettingsError(ValueError):
    """A setting or a front-matter value is wrong; the message is one sentence
    naming it and saying what to write instead."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any = None
    check: Check | None = None


def merge(settings: dict, specs: Iterable[Setting]) -> dict:
    """Fill in the defaults of ``specs`` and run their checks, in order."""
    specs = tuple(specs)
    for spec in specs:
        settings.setdefault(spec.name, copy.deepcopy(spec.default))
    for spec in specs:
        if spec.check is not None:
            settings[spec.name] = spec.check(spec.name, settings[spec.name], settings)
    return settings


def fail(name: str, value: Any, wording: str) -> SettingsError:
    """``NAME = 'value' <wording> in pelicanconf.py.`` as an error to raise."""
    return SettingsError(f"{name} = {value!r} {wording} in pelicanconf.py.")


def is_whole(value: Any, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def whole_number(minimum: int, wording: str) -> Check:
    """A check: an int (not a bool) of at least ``minimum``."""

    def check(name: str, value: Any, settings: dict) -> Any:
        if not is_whole(value, minimum):
            raise fail(name, value, wording)
        return value

    return check


def true_or_false(wording: str = "must be True or False,") -> Check:
    """A check: True or False itself (not 1, 0 or "yes")."""

    def check(name: str, value: Any, settings: dict) -> Any:
        if not isinstance(value, bool):
            raise fail(name, value, wording)
        return value

    return check


def one_of(choices: Iterable, wording: str) -> Check:
    """A check: one of ``choices``."""
    allowed = tuple(choices)

    def check(name: str, value: Any, settings: dict) -> Any:
        if value not in allowed:
            raise fail(name, value, wording)
        return value

    return check


def reject_unknown(name: str, found: Iterable, allowed: Iterable, kind: str, use: str) -> None:
    """Raise for the first of ``found`` that is not in ``allowed``:
    ``NAME has an unknown <kind> 'x': use <use> in pelicanconf.py.``"""
    allowed = set(allowed)
    for item in found:
        if item not in allowed:
            raise SettingsError(
                f"{name} has an unknown {kind} {item!r}: use {use} in pelicanconf.py."
            )


def dictionary(name: str, value: Any, allowed: Iterable, *, shape: str, kind: str = "key",
               use: str = "") -> dict:
    """``value`` as a dict whose keys are all in ``allowed``.

    ``shape`` completes "NAME must be a dictionary…" (with its leading space or
    comma); ``use`` says what to write instead of an unknown key (default: the
    allowed keys, sorted).
    """
    if not isinstance(value, dict):
        raise SettingsError(f"{name} must be a dictionary{shape} in pelicanconf.py.")
    allowed = sorted(allowed)
    reject_unknown(name, sorted(value), allowed, kind, use or ", ".join(allowed))
    return value
