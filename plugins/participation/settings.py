"""Defaults and checks for the PARTICIPATION_* settings.

One concern, two halves: this plugin builds the consultation pages from
``content/inspraak/`` and writes ``participation.json`` for the service;
``dorpsplein/participation/`` is the service (ideas, support, reports,
moderation) that reads the same settings through ``merged()``.
"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

from dorpsplein_kit import Setting, dictionary, fail, merge, true_or_false, whole_number
from dorpsplein_kit.urls import PREVIEW_URL

# Where the web server hands the participation service its requests, under the
# site's own address (deploy/nginx, deploy/apache: the /participatie/ location).
SERVICE_PATH = "/participatie"

# How long the support cookie ("deelnemer", a random number) lives in the
# citizen's browser (the service sets it; the privacy statement says it).
SUPPORT_COOKIE_DAYS = 365

SERVER_DEFAULTS = {
    # host:port the participation service listens on.
    "listen": "127.0.0.1:8091",
    # The SQLite database, relative to the project folder (git-ignored).
    "database": "var/participation/participation.db",
    # Origins of the local preview, allowed besides SITEURL.
    "preview_origins": [PREVIEW_URL, PREVIEW_URL.replace("127.0.0.1", "localhost")],
    # Reverse proxies whose X-Forwarded-For may be trusted (nginx on the same
    # machine); the rate limit counts per network of the citizen's address.
    "trusted_proxies": ["127.0.0.1", "::1"],
    # Writes (ideas, supports, reports) per network (IPv4 /24, IPv6 /48) per
    # hour. A town hall's public Wi-Fi is one network: keep it generous.
    "writes_per_hour": 120,
    # A form may be sent no sooner than this many seconds after it was shown
    # (people read; scripts do not).
    "time_trap_seconds": 2,
    # How long a form (its signed single-use token) stays valid, in seconds.
    "form_max_age": 7200,
    # Hours an e-mailed confirmation link stays valid.
    "email_link_hours": 48,
    # Reports ("Melden") after which an idea is hidden until a moderator decides.
    "reports_to_hide": 3,
    # Following by e-mail: confirmation mails one address may be sent a day
    # (whoever asks for them), so the form cannot flood a mailbox.
    "follow_mails_per_address": 3,
    # The mail job mails a new article only when it is at most this many days
    # old (an older one, seen for the first time, is recorded without a mail).
    "follow_max_age_days": 7,
    # How long personal data is kept; the daily privacy job (./go retention)
    # removes what is older. Ideas waiting for a moderator or refused, with
    # their supports and reports, this many days after their last change:
    "keep_unapproved_days": 30,
    # Unconfirmed support confirmations (the link in the mail was not used),
    # this many days after they expired:
    "keep_unconfirmed_days": 7,
    # Reports ("Melden") of an idea, with the reporter's pseudonym and
    # network, this many days after they were made:
    "keep_reports_days": 90,
    # Which new articles were mailed to which follower, this many days after
    # the mail:
    "keep_deliveries_days": 90,
    # Backups of the participation database older than this many days, so
    # erased data leaves the backups too:
    "keep_backups_days": 30,
    # Outgoing mail for e-mail verified support: {"host": ..., "port": 25,
    # "from": "inspraak@example.org", "starttls": False, "username": ""};
    # the password comes from PARTICIPATION_SMTP_PASSWORD. Empty: in the
    # preview, mails are printed in the terminal; in production, a
    # consultation with e-mail verification refuses to start the service.
    "smtp": {},
}


def default_url(settings: dict) -> str:
    """PARTICIPATION_URL when it is not set: SERVICE_PATH under SITEURL's own
    path, or the preview's participation service without SITEURL."""
    site = str(settings.get("SITEURL") or "")
    if not site:
        listen = (settings.get("PARTICIPATION_SERVER") or {}).get("listen",
                                                                 SERVER_DEFAULTS["listen"])
        return f"http://{listen}"
    return urlsplit(site).path.rstrip("/") + SERVICE_PATH


def _url(name: str, url, settings: dict) -> str:
    if url is None or url == "":
        return default_url(settings)
    parts = urlsplit(str(url))
    if not (parts.scheme in ("http", "https") and parts.netloc or str(url).startswith("/")):
        raise fail(name, url, "is not an address: write the participation service's URL, "
                   "such as 'http://127.0.0.1:8091' or '/participatie',")
    return str(url).rstrip("/")


def _server(name: str, server, settings: dict) -> dict:
    dictionary(name, server, SERVER_DEFAULTS, shape=", such as {'writes_per_hour': 120},")
    server = {**copy.deepcopy(SERVER_DEFAULTS), **server}
    host, _, port = str(server["listen"]).rpartition(":")
    if not host or not port.isdigit():
        raise fail(f"{name}['listen']", server["listen"], "must be host:port, such as "
                   "'127.0.0.1:8091',")
    for key in ("writes_per_hour", "time_trap_seconds", "form_max_age", "email_link_hours",
                "reports_to_hide", "follow_mails_per_address", "follow_max_age_days"):
        whole_number(0, "must be a whole number of 0 or more")(f"{name}[{key!r}]",
                                                               server[key], settings)
    for key in ("keep_unapproved_days", "keep_unconfirmed_days", "keep_reports_days",
                "keep_deliveries_days", "keep_backups_days"):
        whole_number(1, "must be a whole number of days, 1 or more")(f"{name}[{key!r}]",
                                                                      server[key], settings)
    if not isinstance(server["smtp"], dict):
        raise fail(f"{name}['smtp']", server["smtp"], "must be a dictionary such as "
                   "{'host': 'smtp.example.org', 'port': 25, 'from': 'inspraak@example.org'},")
    return server


def _paths(name: str, value, settings: dict) -> list:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v for v in value):
        raise fail(name, value, "must be a list of folders under content/, such as ['inspraak'],")
    return list(value)


def _data(name: str, value, settings: dict):
    if value in (None, ""):
        return None
    return str(value)


SETTINGS = (
    # The service (dorpsplein/participation): see SERVER_DEFAULTS above.
    Setting("PARTICIPATION_SERVER", {}, _server),
    # Folders under content/ that hold consultations (one Markdown file each).
    Setting("PARTICIPATION_PATHS", ["inspraak"], _paths),
    # Folders under content/ that hold self-tests (one Markdown file each).
    Setting("PARTICIPATION_SELF_TEST_PATHS", ["zelftest"], _paths),
    # Where the browser reaches the participation service: an absolute URL, or
    # a path on the site itself such as "/participatie" behind a reverse proxy.
    # None or "": default_url.
    Setting("PARTICIPATION_URL", None, _url),
    # Where the build reads the approved ideas and their support: the
    # service's address (http://...), or a folder with one <slug>.json per
    # consultation (tests, or a copy). None: the service at
    # PARTICIPATION_SERVER's listen address.
    Setting("PARTICIPATION_DATA", None, _data),
    # The moment the build judges phases and deadlines by; None = now (tests).
    Setting("PARTICIPATION_NOW", None),
    # Following by e-mail: the form under every article and on the "Volg ons"
    # page, "email_follow" in participation.json, the service's /volgen
    # routes and the mail job. False: none of them.
    Setting("PARTICIPATION_EMAIL_FOLLOW", True,
            true_or_false("must be True (the follow-by-e-mail form) or False (none),")),
)


def merged(settings: dict) -> None:
    """Fill defaults in place and validate; raises SettingsError."""
    merge(settings, SETTINGS)
