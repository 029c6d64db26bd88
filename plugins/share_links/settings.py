"""Defaults and checks for the SHARE_LINKS_* settings."""

from __future__ import annotations

import os
import re

from dorpsplein_kit import Setting, SettingsError, fail, reject_unknown
from dorpsplein_kit.sharing import NETWORKS, SHARING_DEFAULTS

DEFAULTS = {  # name: default (dorpsplein_kit.sharing, the one place); checks in SETTINGS
    # Which share links every article shows, in this order; hashtags (without
    # #) where a network supports them; the town's X account (without @); the
    # Mastodon server chooser ({text}: the encoded post); the Open Graph locale.
    **SHARING_DEFAULTS,
    # Also show share links on pages (Over deze blog, Contact, ...).
    "SHARE_LINKS_PAGES": False,
}

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/Library/Fonts/Arial Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
]

_TAG = re.compile(r"^[^\s#]+$")
_ACCOUNT = re.compile(r"^[A-Za-z0-9_]{1,15}$")


def _networks(name: str, networks, settings: dict) -> list:
    if not isinstance(networks, list | tuple):
        raise SettingsError(
            "SHARE_LINKS_NETWORKS must be a list such as ['facebook', 'email'] in pelicanconf.py."
        )
    reject_unknown(name, networks, NETWORKS, "network", ", ".join(NETWORKS))
    return list(dict.fromkeys(networks))


def _hashtags(name: str, tags, settings: dict) -> list:
    if isinstance(tags, str) or not all(isinstance(t, str) and _TAG.match(t) for t in tags):
        raise fail(name, tags, "must be a list of words without # or spaces, such as "
                   "['Lindeveld'],")
    return tags


def _via(name: str, via, settings: dict) -> str:
    if via and not _ACCOUNT.match(str(via).lstrip("@")):
        raise fail(name, via, "is not an X account name: write it without @, such as "
                   "'lindeveld',")
    return str(via or "").lstrip("@")


def _chooser(name: str, chooser, settings: dict) -> str:
    if not str(chooser).startswith("https://") or "{text}" not in str(chooser):
        raise fail(name, str(chooser), "must be an https:// address with {text} where the "
                   "post goes,")
    return chooser


def _font(name: str, font, settings: dict) -> str:
    if font is None:
        font = next((path for path in FONT_CANDIDATES if os.path.isfile(path)), None)
    if not font or not os.path.isfile(font):
        raise SettingsError(
            f"SHARE_LINKS_FONT = {font!r}: no font to draw share images with. Install one "
            "(on Debian: apt-get install fonts-dejavu-core) or set SHARE_LINKS_FONT to a .ttf "
            "file in pelicanconf.py."
        )
    return font


CHECKS = {
    "SHARE_LINKS_NETWORKS": _networks,
    "SHARE_LINKS_HASHTAGS": _hashtags,
    "SHARE_LINKS_VIA": _via,
    "SHARE_LINKS_MASTODON_CHOOSER": _chooser,
    # None: the first of FONT_CANDIDATES this machine has.
    "SHARE_LINKS_FONT": _font,
}
SETTINGS = tuple(Setting(name, default, CHECKS.get(name))
                 for name, default in {**DEFAULTS, "SHARE_LINKS_FONT": None}.items())
