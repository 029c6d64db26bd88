"""Defaults and checks for the ISSO_COMMENTS_* settings."""

from __future__ import annotations

import copy
import re
from urllib.parse import urlsplit

from dorpsplein_kit import Setting, dictionary, fail, merge, one_of, whole_number
from dorpsplein_kit.urls import PREVIEW_URL

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
    # The "mail me when someone replies" box: None offers it exactly when the
    # server sends mail (ISSO_COMMENTS_SERVER['notify'] == "smtp").
    "reply-notifications": None,
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

NOTIFY = ("stdout", "smtp")
# Isso's [smtp] keys (https://isso-comments.de/docs/reference/server-config/).
SMTP_KEYS = {"host", "port", "security", "username", "password", "from", "to", "timeout"}
SMTP_REQUIRED = {"host": "the mail server", "from": "the sender's address",
                 "to": "the moderators' address"}
SMTP_SECURITY = ("none", "starttls", "ssl")

SERVER_DEFAULTS = {
    # host:port the comment server listens on.
    "listen": "127.0.0.1:8080",
    # The SQLite database, relative to the project folder (git-ignored).
    "database": "var/isso/comments.db",
    # New comments wait for a moderator's approval.
    "moderation": False,
    # Origins of the local preview, allowed besides SITEURL.
    "preview_origins": [PREVIEW_URL, PREVIEW_URL.replace("127.0.0.1", "localhost")],
    # How long a citizen may edit or delete their own comment.
    "max_age": "15m",
    # Rate-limit guard, counted per network (IPv4 /24, IPv6 /48), which many
    # citizens may share: new comments per minute, and top-level comments
    # per thread.
    "ratelimit": 5,
    "direct_reply": 20,
    # Bytes of rendered thread reads each comment server worker keeps.
    "read_cache_bytes": 16 * 1024 * 1024,
    # Comments a moderator has not approved are deleted this long after they
    # were posted (Isso's duration: "30d", "2w", "12h"). The daily privacy
    # job (./go retention) applies it too.
    "purge_after": "30d",
    # A comment's e-mail address, its shortened IP address and its reply-mail
    # choice are removed this many days after it was posted; the comment,
    # its name and website stay (./go retention, daily).
    "keep_email_days": 365,
    # Backups of the comment database older than this many days are deleted
    # (./go retention), so an erased comment leaves the backups too.
    "keep_backups_days": 30,
    # Where new-comment notices go: "stdout" (the log) or "smtp": a mail to
    # the moderators, and replies mailed to commenters who ask for them (then
    # fill in smtp: host, port, security, username, password, from, to).
    "notify": "stdout",
    "smtp": {},
    # Reverse proxies whose X-Forwarded-For Isso may trust (nginx on the same
    # machine); needed so the guard and votes see the citizen's address.
    "trusted_proxies": ["127.0.0.1", "::1"],
}


# Where the web server hands the comment server its requests, under the
# site's own address (deploy/nginx, deploy/apache: the /comments/ location).
COMMENTS_PATH = "/comments"

# The comment server the local preview starts (`invoke serve`), for a site
# without SITEURL.
PREVIEW_COMMENTS_URL = "http://127.0.0.1:8080"


def default_url(settings: dict) -> str:
    """ISSO_COMMENTS_URL when it is not set: COMMENTS_PATH under SITEURL's own
    path (SITEURL "https://example.org/blog" gives "/blog/comments"; at a
    host's root "/comments"), or the preview's comment server without SITEURL."""
    site = str(settings.get("SITEURL") or "")
    if not site:
        return PREVIEW_COMMENTS_URL
    return urlsplit(site).path.rstrip("/") + COMMENTS_PATH


def _url(name: str, url, settings: dict) -> str:
    if url is None or url == "":
        return default_url(settings)
    parts = urlsplit(str(url))
    if not (parts.scheme in ("http", "https") and parts.netloc or str(url).startswith("/")):
        raise fail(name, url, "is not an address: write the comment server's URL, such as "
                   "'http://127.0.0.1:8080' or '/comments',")
    return str(url).rstrip("/")


def _client(name: str, client, settings: dict) -> dict:
    dictionary(name, client, CLIENT_KEYS, kind="option",
               shape=" of Isso client options, such as {'vote': True},",
               use=f"Isso's names ({', '.join(sorted(CLIENT_KEYS))})")
    client = {**CLIENT_DEFAULTS, **client}
    mails = settings.get("ISSO_COMMENTS_SERVER", {}).get("notify") == "smtp"
    if client["reply-notifications"] is None:
        client["reply-notifications"] = mails
    elif client["reply-notifications"] not in (True, False):
        raise fail(f"{name}['reply-notifications']", client["reply-notifications"],
                   "must be True, False or None (None: offered when the server sends mail)")
    elif client["reply-notifications"] and not mails:
        raise fail(f"{name}['reply-notifications']", True, "needs a comment server that sends "
                   "mail: set ISSO_COMMENTS_SERVER['notify'] = 'smtp' (and its 'smtp'), or "
                   "leave 'reply-notifications' out,")
    if client["sorting"] not in SORTING:
        raise fail(f"{name}['sorting']", client["sorting"], "is not an Isso sorting: write one "
                   f"of {', '.join(sorted(SORTING))}")
    return client


def _server(name: str, server, settings: dict) -> dict:
    dictionary(name, server, SERVER_DEFAULTS, shape=", such as {'moderation': True},")
    server = {**copy.deepcopy(SERVER_DEFAULTS), **server}
    host, _, port = str(server["listen"]).rpartition(":")
    if not host or not port.isdigit():
        raise fail(f"{name}['listen']", server["listen"], "must be host:port, such as "
                   "'127.0.0.1:8080',")
    for key in ("ratelimit", "direct_reply", "read_cache_bytes"):
        whole_number(0, "must be a whole number of 0 or more")(f"{name}[{key!r}]",
                                                               server[key], settings)
    for key in ("keep_email_days", "keep_backups_days"):
        whole_number(1, "must be a whole number of days, 1 or more")(f"{name}[{key!r}]",
                                                                      server[key], settings)
    for key in ("max_age", "purge_after"):
        if duration_seconds(server[key]) is None:
            raise fail(f"{name}[{key!r}]", server[key], "is not a duration: write a number "
                       "and w, d, h, m or s, such as '30d' or '15m',")
    one_of(NOTIFY, "is not a way to notify: write 'stdout' (the log) or 'smtp' (mail),")(
        f"{name}['notify']", server["notify"], settings)
    smtp = dictionary(f"{name}['smtp']", server["smtp"] or {}, SMTP_KEYS,
                      shape=" of Isso's SMTP settings, such as {'host': 'smtp.example.be'},")
    if server["notify"] == "smtp":
        for key, what in SMTP_REQUIRED.items():
            if not str(smtp.get(key) or "").strip():
                raise fail(f"{name}['smtp'][{key!r}]", smtp.get(key), f"must be {what}, "
                           "which notify = 'smtp' needs,")
    if smtp.get("security", "starttls") not in SMTP_SECURITY:
        raise fail(f"{name}['smtp']['security']", smtp["security"],
                   "must be 'none', 'starttls' or 'ssl',")
    return server


# Isso's durations (isso.config.timedelta): Nw, Nd, Nh, Nm and Ns, in that order.
DURATION = re.compile("^" + "".join(rf"(?:(?P<{unit}>\d+){unit} ?)?" for unit in "wdhms") + "$")
UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def duration_seconds(value) -> int | None:
    """Seconds in an Isso duration such as "30d" or "1h30m"; None when it is not one."""
    match = DURATION.match(value.strip()) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        return None
    return sum(int(amount) * UNIT_SECONDS[unit]
               for unit, amount in match.groupdict().items() if amount)


SETTINGS = (
    # Where the browser reaches the comment server: an absolute URL, or a
    # path on the site itself such as "/comments" behind a reverse proxy.
    # None or "": default_url (the site's own path + /comments; the preview's
    # server without SITEURL).
    Setting("ISSO_COMMENTS_URL", None, _url),
    # State of an article's thread when its front matter says nothing.
    Setting("ISSO_COMMENTS_DEFAULT", "open",
            one_of(STATES, "is not a comment state: write 'open', 'closed' or 'off'")),
    # Close threads this many days after publication (0 = never).
    Setting("ISSO_COMMENTS_CLOSE_AFTER_DAYS", 0,
            whole_number(0, "must be a whole number of days (0 keeps threads open)")),
    # The server first: the client's reply-notifications follow its notify.
    Setting("ISSO_COMMENTS_SERVER", {}, _server),
    Setting("ISSO_COMMENTS_CLIENT", {}, _client),
    # Slug of the page with the house rules for comments, linked from every
    # thread.
    Setting("ISSO_COMMENTS_RULES_PAGE", "reageerregels"),
    # The moment the build judges thread age by; None = now (tests set it).
    Setting("ISSO_COMMENTS_NOW", None),
)


def merged(settings: dict) -> None:
    """Fill defaults in place and validate; raises SettingsError."""
    merge(settings, SETTINGS)


def thread_id(url: str) -> str:
    """The stable thread id of a page: its path from the site root, with
    leading and trailing slash, whatever SITEURL, scheme or host serve it."""
    path = urlsplit(url).path if "://" in url else url.split("?")[0].split("#")[0]
    path = "/" + path.lstrip("/")
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path
