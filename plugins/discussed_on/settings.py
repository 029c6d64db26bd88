"""Defaults and checks for the DISCUSSED_ON_* settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from dorpsplein_kit import Setting, fail, whole_number

# Hosts that may be asked over plain http:// (a stand-in on this machine, the
# tests'); every other address must be https://.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def _api(name: str, value, settings: dict) -> str:
    parts = urlsplit(str(value)) if isinstance(value, str) else None
    if parts is None or not parts.hostname or parts.query or parts.fragment \
            or parts.username or parts.password or not (
                parts.scheme == "https"
                or (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS)):
        raise fail(name, value, "is not the address of a Bluesky API: write an https:// "
                   "address such as 'https://public.api.bsky.app',")
    return value.rstrip("/")


def _seconds(name: str, value, settings: dict):
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 30:
        raise fail(name, value, "must be a number of seconds above 0 and at most 30, "
                   "such as 2,")
    return value


def _switch(name: str, value, settings: dict) -> bool:
    if not isinstance(value, bool):
        raise fail(name, value, "must be True (ask the networks for their counts) or False "
                   "(show the links only),")
    return value


SETTINGS = (
    # Ask Mastodon and Bluesky for a post's public counts (replies, reposts,
    # likes). False: never ask, show the links only.
    Setting("DISCUSSED_ON_FETCH", True, _switch),
    # Where Bluesky's public API answers (no login needed).
    Setting("DISCUSSED_ON_BLUESKY_API", "https://public.api.bsky.app", _api),
    # How long a build waits for the networks, in seconds, for all posts together
    # (they are asked at the same time).
    Setting("DISCUSSED_ON_TIMEOUT", 2, _seconds),
    # Counts younger than this many hours are used without asking again
    # (kept in CACHE_PATH/discussed_on/). 0 asks at every build.
    Setting("DISCUSSED_ON_MAX_AGE_HOURS", 6,
            whole_number(0, "must be a whole number of hours, 0 or more (0 asks at every "
                            "build), such as 6,")),
)
