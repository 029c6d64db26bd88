"""Defaults and checks for the FEEDGEN_FEEDS_* settings."""

from __future__ import annotations

import uuid

from dorpsplein_kit import Setting, SettingsError, merge, one_of, reject_unknown, town, whole_number

TYPES = ("atom", "rss")
CONTENT_MODES = ("full", "summary")



def _types(name: str, types, settings: dict) -> list:
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list | tuple) or not types:
        raise SettingsError(
            "FEEDGEN_FEEDS_TYPES must list at least one feed type, such as "
            "['atom', 'rss'], in pelicanconf.py."
        )
    reject_unknown(name, types, TYPES, "feed type", "'atom' or 'rss'")
    return list(dict.fromkeys(types))


def _namespace(name: str, namespace, settings: dict) -> str:
    if namespace is None:
        place = town(settings).name or settings.get("SITENAME") or "dorpsplein"
        namespace = str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{place.lower()}.dorpsplein.invalid"))
    try:
        return str(uuid.UUID(str(namespace)))
    except ValueError as exc:
        raise SettingsError(
            f"FEEDGEN_FEEDS_ID_NAMESPACE = {namespace!r} is not a UUID: write one such as "
            f"'{uuid.uuid4()}' in pelicanconf.py (and never change it)."
        ) from exc


SETTINGS = (
    # Which formats to write for every feed: "atom", "rss" or both.
    Setting("FEEDGEN_FEEDS_TYPES", ["atom", "rss"], _types),
    # How many of the newest articles one feed holds.
    Setting("FEEDGEN_FEEDS_MAX_ITEMS", 20,
            whole_number(1, "must be a whole number of 1 or more, such as 20,")),
    # "full": the whole article in the feed; "summary": only its summary.
    Setting("FEEDGEN_FEEDS_CONTENT", "full",
            one_of(CONTENT_MODES, "is not a choice: write 'full' or 'summary'")),
    # Also a feed per category and per tag.
    Setting("FEEDGEN_FEEDS_CATEGORIES", True),
    Setting("FEEDGEN_FEEDS_TAGS", True),
    # Entry ids are urn:uuid values derived from this namespace and the
    # article's path, so they never change with SITEURL. None: derived from
    # TOWN_NAME. Set it once to a UUID of your own and never change it.
    Setting("FEEDGEN_FEEDS_ID_NAMESPACE", None, _namespace),
)


def merged(settings: dict) -> None:
    merge(settings, SETTINGS)


def entry_id(namespace: str, path: str) -> str:
    """A permanent id for the article at ``path`` (its URL from the site root)."""
    return uuid.uuid5(uuid.UUID(namespace), "/" + path.lstrip("/")).urn
