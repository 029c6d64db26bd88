"""Defaults and checks for the ISSO_COMMENTS_* settings."""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

STATES = ("open", "closed", "off")

# Isso's own client options (its data-isso-* attributes), with our defaults.
# Keys and meanings are Isso's: https://isso-comments.de/docs/reference/client-config/
CLIENT_DEFAULTS = {
    "lang": "nl",
    # True: on a shared network (Wi-Fi, mobile) neighbours may answer each
    # other's fresh comments; Isso would refuse that for 15 minutes.
    "reply-to-self": True,
    "require-author": True,
    "require-email": False,
    "reply-notifications": False,
    "max-comments-top": "inf",
    "max-comments-nested": 5,
    "reveal-on-click": 5,
    "sorting": "oldest",
    "avatar": False,
    "gravatar": False,
    "vote": True,
    "feed": False,
}

CLIENT_KEYS = set(CLIENT_DEFAULTS) | {
    "default-lang",
    "reply-notifications-default-enabled",
    "avatar-bg",
    "avatar-fg",
    "vote-levels",
    "page-author-hashes",
}

# Options that Isso's server also enforces; isso.cfg is written with the same
# values so client and server agree (Isso's server overrides the client).
SERVER_SIDE_CLIENT_KEYS = ("reply-to-self", "require-author", "require-email",
                           "reply-notifications", "gravatar", "feed")

SORTING = {"oldest", "newest", "upvotes"}

SERVER_DEFAULTS = {
    # host:port the comment server listens on.
    "listen": "127.0.0.1:8080",
    # The SQLite database, relative to the project folder (git-ignored).
    "database": "var/isso/comments.db",
    # New comments wait for a moderator's approval.
    "moderation": False,
    # Origins of the local preview, allowed besides SITEURL.
    "preview_origins": ["http://127.0.0.1:8000", "http://localhost:8000"],
    # How long a citizen may edit or delete their own comment.
    "max_age": "15m",
    # Rate-limit guard, counted per network (IPv4 /24, IPv6 /48), which many
    # citizens may share: new comments per minute, and top-level comments
    # per thread.
    "ratelimit": 5,
    "direct_reply": 20,
    # Bytes of rendered thread reads each comment server worker keeps.
    "read_cache_bytes": 16 * 1024 * 1024,
    # Unmoderated comments older than this are removed from the queue.
    "purge_after": "30d",
    # Where new-comment notices go: "stdout" or "smtp" (then fill in smtp).
    "notify": "stdout",
    "smtp": {},
    # Reverse proxies whose X-Forwarded-For Isso may trust (nginx on the same
    # machine); needed so the guard and votes see the citizen's address.
    "trusted_proxies": ["127.0.0.1", "::1"],
}

DEFAULTS = {
    # Where the browser reaches the comment server: an absolute URL, or a
    # path on the site itself such as "/comments" behind a reverse proxy.
    "ISSO_COMMENTS_URL": "http://127.0.0.1:8080",
    # State of an article's thread when its front matter says nothing.
    "ISSO_COMMENTS_DEFAULT": "open",
    # Close threads this many days after publication (0 = never).
    "ISSO_COMMENTS_CLOSE_AFTER_DAYS": 0,
    "ISSO_COMMENTS_CLIENT": {},
    "ISSO_COMMENTS_SERVER": {},
    # Slug of the page with the house rules for comments, linked from every
    # thread.
    "ISSO_COMMENTS_RULES_PAGE": "reageerregels",
    # The moment the build judges thread age by; None = now (tests set it).
    "ISSO_COMMENTS_NOW": None,
}


class CommentsSettingsError(ValueError):
    """An ISSO_COMMENTS_* setting or a Comments: value is wrong."""


def merged(settings: dict) -> None:
    """Fill defaults in place and validate; raises CommentsSettingsError."""
    for key, value in DEFAULTS.items():
        settings.setdefault(key, copy.deepcopy(value))

    url = settings["ISSO_COMMENTS_URL"]
    parts = urlsplit(str(url or ""))
    if not url or not (parts.scheme in ("http", "https") and parts.netloc or
                       str(url).startswith("/")):
        raise CommentsSettingsError(
            f"ISSO_COMMENTS_URL = {url!r} is not an address: write the comment server's URL, "
            "such as 'http://127.0.0.1:8080' or '/comments', in pelicanconf.py."
        )
    settings["ISSO_COMMENTS_URL"] = str(url).rstrip("/")

    default = settings["ISSO_COMMENTS_DEFAULT"]
    if default not in STATES:
        raise CommentsSettingsError(
            f"ISSO_COMMENTS_DEFAULT = {default!r} is not a comment state: write "
            "'open', 'closed' or 'off' in pelicanconf.py."
        )
    days = settings["ISSO_COMMENTS_CLOSE_AFTER_DAYS"]
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise CommentsSettingsError(
            f"ISSO_COMMENTS_CLOSE_AFTER_DAYS = {days!r} must be a whole number of days "
            "(0 keeps threads open) in pelicanconf.py."
        )

    client = settings["ISSO_COMMENTS_CLIENT"]
    if not isinstance(client, dict):
        raise CommentsSettingsError(
            "ISSO_COMMENTS_CLIENT must be a dictionary of Isso client options, such as "
            "{'vote': True}, in pelicanconf.py."
        )
    unknown = sorted(set(client) - CLIENT_KEYS)
    if unknown:
        raise CommentsSettingsError(
            f"ISSO_COMMENTS_CLIENT has an unknown option {unknown[0]!r}: use Isso's names "
            f"({', '.join(sorted(CLIENT_KEYS))}) in pelicanconf.py."
        )
    client = {**CLIENT_DEFAULTS, **client}
    if client["sorting"] not in SORTING:
        raise CommentsSettingsError(
            f"ISSO_COMMENTS_CLIENT['sorting'] = {client['sorting']!r} is not an Isso sorting: "
            f"write one of {', '.join(sorted(SORTING))} in pelicanconf.py."
        )
    settings["ISSO_COMMENTS_CLIENT"] = client

    server = settings["ISSO_COMMENTS_SERVER"]
    if not isinstance(server, dict):
        raise CommentsSettingsError(
            "ISSO_COMMENTS_SERVER must be a dictionary, such as {'moderation': True}, "
            "in pelicanconf.py."
        )
    unknown = sorted(set(server) - set(SERVER_DEFAULTS))
    if unknown:
        raise CommentsSettingsError(
            f"ISSO_COMMENTS_SERVER has an unknown key {unknown[0]!r}: use "
            f"{', '.join(sorted(SERVER_DEFAULTS))} in pelicanconf.py."
        )
    server = {**copy.deepcopy(SERVER_DEFAULTS), **server}
    host, _, port = str(server["listen"]).rpartition(":")
    if not host or not port.isdigit():
        raise CommentsSettingsError(
            f"ISSO_COMMENTS_SERVER['listen'] = {server['listen']!r} must be host:port, "
            "such as '127.0.0.1:8080', in pelicanconf.py."
        )
    for key in ("ratelimit", "direct_reply", "read_cache_bytes"):
        if not isinstance(server[key], int) or server[key] < 0:
            raise CommentsSettingsError(
                f"ISSO_COMMENTS_SERVER[{key!r}] = {server[key]!r} must be a whole number "
                "of 0 or more in pelicanconf.py."
            )
    settings["ISSO_COMMENTS_SERVER"] = server


def thread_id(url: str) -> str:
    """The stable thread id of a page: its path from the site root, with
    leading and trailing slash, whatever SITEURL, scheme or host serve it."""
    path = urlsplit(url).path if "://" in url else url.split("?")[0].split("#")[0]
    path = "/" + path.lstrip("/")
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path
