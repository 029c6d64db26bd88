"""Defaults and checks for the SHARE_LINKS_* settings."""

from __future__ import annotations

import re

NETWORKS = ("facebook", "x", "linkedin", "whatsapp", "mastodon", "bluesky", "email")

DEFAULTS = {
    # Which share links every article shows, in this order.
    "SHARE_LINKS_NETWORKS": list(NETWORKS),
    # Hashtags added where a network supports them (X, Mastodon, Bluesky),
    # without the # sign.
    "SHARE_LINKS_HASHTAGS": [],
    # The town's X account (without @), named as "via" in a post on X.
    "SHARE_LINKS_VIA": "",
    # Also show share links on pages (Over deze blog, Contact, ...).
    "SHARE_LINKS_PAGES": False,
    # Where the Mastodon link goes when the reader's own server is not known
    # (without JavaScript, or the first time): a page that lets the reader
    # pick their server. {text} is replaced by the encoded post text.
    "SHARE_LINKS_MASTODON_CHOOSER": "https://s2f.kytta.dev/?text={text}",
    # Open Graph locale of the site's articles.
    "SHARE_LINKS_LOCALE": "nl_BE",
}

_TAG = re.compile(r"^[^\s#]+$")
_ACCOUNT = re.compile(r"^[A-Za-z0-9_]{1,15}$")


class ShareSettingsError(ValueError):
    """A SHARE_LINKS_* setting is wrong; the message names it."""


def merged(settings: dict) -> None:
    for key, value in DEFAULTS.items():
        settings.setdefault(key, list(value) if isinstance(value, list) else value)
    networks = settings["SHARE_LINKS_NETWORKS"]
    if not isinstance(networks, list | tuple):
        raise ShareSettingsError(
            "SHARE_LINKS_NETWORKS must be a list such as ['facebook', 'email'] in pelicanconf.py."
        )
    for network in networks:
        if network not in NETWORKS:
            raise ShareSettingsError(
                f"SHARE_LINKS_NETWORKS has an unknown network {network!r}: use "
                f"{', '.join(NETWORKS)} in pelicanconf.py."
            )
    settings["SHARE_LINKS_NETWORKS"] = list(dict.fromkeys(networks))
    tags = settings["SHARE_LINKS_HASHTAGS"]
    if isinstance(tags, str) or not all(isinstance(t, str) and _TAG.match(t) for t in tags):
        raise ShareSettingsError(
            f"SHARE_LINKS_HASHTAGS = {tags!r} must be a list of words without # or spaces, "
            "such as ['Lindeveld'], in pelicanconf.py."
        )
    via = settings["SHARE_LINKS_VIA"]
    if via and not _ACCOUNT.match(str(via).lstrip("@")):
        raise ShareSettingsError(
            f"SHARE_LINKS_VIA = {via!r} is not an X account name: write it without @, "
            "such as 'lindeveld', in pelicanconf.py."
        )
    settings["SHARE_LINKS_VIA"] = str(via or "").lstrip("@")
    chooser = str(settings["SHARE_LINKS_MASTODON_CHOOSER"])
    if not chooser.startswith("https://") or "{text}" not in chooser:
        raise ShareSettingsError(
            f"SHARE_LINKS_MASTODON_CHOOSER = {chooser!r} must be an https:// address with "
            "{text} where the post goes, in pelicanconf.py."
        )
