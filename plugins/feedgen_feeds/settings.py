"""Defaults and checks for the FEEDGEN_FEEDS_* settings."""

from __future__ import annotations

import uuid

TYPES = ("atom", "rss")
CONTENT_MODES = ("full", "summary")

DEFAULTS = {
    # Which formats to write for every feed: "atom", "rss" or both.
    "FEEDGEN_FEEDS_TYPES": ["atom", "rss"],
    # How many of the newest articles one feed holds.
    "FEEDGEN_FEEDS_MAX_ITEMS": 20,
    # "full": the whole article in the feed; "summary": only its summary.
    "FEEDGEN_FEEDS_CONTENT": "full",
    # Also a feed per category and per tag.
    "FEEDGEN_FEEDS_CATEGORIES": True,
    "FEEDGEN_FEEDS_TAGS": True,
    # Entry ids are urn:uuid values derived from this namespace and the
    # article's path, so they never change with SITEURL. None: derived from
    # TOWN_NAME. Set it once to a UUID of your own and never change it.
    "FEEDGEN_FEEDS_ID_NAMESPACE": None,
}


class FeedSettingsError(ValueError):
    """A FEEDGEN_FEEDS_* setting is wrong; the message names it."""


def merged(settings: dict) -> None:
    for key, value in DEFAULTS.items():
        settings.setdefault(key, list(value) if isinstance(value, list) else value)

    types = settings["FEEDGEN_FEEDS_TYPES"]
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list | tuple) or not types:
        raise FeedSettingsError(
            "FEEDGEN_FEEDS_TYPES must list at least one feed type, such as "
            "['atom', 'rss'], in pelicanconf.py."
        )
    for kind in types:
        if kind not in TYPES:
            raise FeedSettingsError(
                f"FEEDGEN_FEEDS_TYPES has an unknown feed type {kind!r}: use 'atom' or 'rss' "
                "in pelicanconf.py."
            )
    settings["FEEDGEN_FEEDS_TYPES"] = list(dict.fromkeys(types))

    items = settings["FEEDGEN_FEEDS_MAX_ITEMS"]
    if not isinstance(items, int) or isinstance(items, bool) or items < 1:
        raise FeedSettingsError(
            f"FEEDGEN_FEEDS_MAX_ITEMS = {items!r} must be a whole number of 1 or more, "
            "such as 20, in pelicanconf.py."
        )
    mode = settings["FEEDGEN_FEEDS_CONTENT"]
    if mode not in CONTENT_MODES:
        raise FeedSettingsError(
            f"FEEDGEN_FEEDS_CONTENT = {mode!r} is not a choice: write 'full' or 'summary' "
            "in pelicanconf.py."
        )
    namespace = settings["FEEDGEN_FEEDS_ID_NAMESPACE"]
    if namespace is None:
        town = str(settings.get("TOWN_NAME") or settings.get("SITENAME") or "dorpsplein")
        namespace = str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{town.lower()}.dorpsplein.invalid"))
    try:
        settings["FEEDGEN_FEEDS_ID_NAMESPACE"] = str(uuid.UUID(str(namespace)))
    except ValueError as exc:
        raise FeedSettingsError(
            f"FEEDGEN_FEEDS_ID_NAMESPACE = {namespace!r} is not a UUID: write one such as "
            f"'{uuid.uuid4()}' in pelicanconf.py (and never change it)."
        ) from exc


def entry_id(namespace: str, path: str) -> str:
    """A permanent id for the article at ``path`` (its URL from the site root)."""
    return uuid.uuid5(uuid.UUID(namespace), "/" + path.lstrip("/")).urn
