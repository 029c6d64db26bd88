"""The town profile (town.toml): every fact about the town, read once.

``pelicanconf.py`` turns it into Pelican settings (``settings(profile)``),
``publishconf.py`` takes the public address from it, ``./go deploy-config``
writes the server configurations from it (dorpsplein/deploy_config.py) and
``./go town`` writes it (dorpsplein/town_setup.py).

Why one TOML file and not a section of pelicanconf.py: the deploy
configurations and the setup questions read and write it without running
Python, and an editor changing the town's phone number in a web UI edits
quoted text, not code. TOML's own syntax errors come with a line number.

A mistake stops everything with one sentence naming the file, the key and
the fix (``ProfileError``, a ``SettingsError``).
"""

from __future__ import annotations

import difflib
import re
import tomllib
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dorpsplein_kit import SettingsError

from .build import ROOT

PROFILE = ROOT / "town.toml"

# Every key the profile has: section -> {key: (type, required)}.
SCHEMA: dict[str, dict[str, tuple[type, bool]]] = {
    "town": {"name": (str, True), "site_name": (str, True), "tagline": (str, False),
             "author": (str, False), "brand_colour": (str, False), "logo": (str, False),
             "tokens": (str, False)},
    "contact": {"organisation": (str, False), "address": (list, False), "phone": (str, False),
                "email": (str, False), "opening_hours": (list, False)},
    "privacy": {"officer": (str, False), "officer_email": (str, False),
                "processors": (list, False)},
    "social": {"facebook": (str, False), "x": (str, False), "linkedin": (str, False),
               "instagram": (str, False), "mastodon": (str, False), "bluesky": (str, False),
               "youtube": (str, False), "hashtags": (list, False), "x_account": (str, False)},
    "web": {"url": (str, True), "comments_url": (str, False),
            "feed_id_namespace": (str, True)},
    "hosting": {"web_root": (str, False), "install_dir": (str, False), "user": (str, False),
                "comments_port": (int, False)},
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "town": {"tagline": "", "author": "", "brand_colour": "#1d5c3a", "logo": "", "tokens": ""},
    "contact": {"organisation": "", "address": [], "phone": "", "email": "",
                "opening_hours": []},
    "privacy": {"officer": "", "officer_email": "", "processors": []},
    "social": {"hashtags": [], "x_account": ""},
    "web": {"comments_url": ""},
    "hosting": {"web_root": "/var/www/dorpsplein", "install_dir": "/srv/dorpsplein",
                "user": "dorpsplein", "comments_port": 8080},
}
NETWORKS = ("facebook", "x", "linkedin", "instagram", "mastodon", "bluesky", "youtube")
TYPE_WORDS = {str: 'text in "quotes"', list: 'a list in [brackets], such as ["a", "b"]',
              int: "a whole number"}
UNIX_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


class ProfileError(SettingsError):
    """town.toml is wrong; the message names the file, the key and the fix."""


def load(path: Path = PROFILE) -> dict[str, dict[str, Any]]:
    """The profile with defaults filled in, checked."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError(f"{path.name} is missing: run ./go town to write it (or copy it "
                           "from Dorpsplein's repository).") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        line = f":{where.group(1)}" if where else ""
        reason = re.sub(r"\s*\(at line.*\)", "", str(error))
        raise ProfileError(f"{path.name}{line}: this is not valid TOML ({reason}): text "
                           "goes in \"quotes\", lists in [brackets].") from None
    return check(data, path.name)


def _unknown(name: str, known, where: str, file: str) -> ProfileError:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(known)}."
    return ProfileError(f"{file}: '{name}' is not {where} — {hint}")


def check(data: dict, file: str = "town.toml") -> dict[str, dict[str, Any]]:
    profile: dict[str, dict[str, Any]] = {}
    for section in data:
        if section not in SCHEMA:
            raise _unknown(section, SCHEMA, "a section of the town profile", file)
    for section, keys in SCHEMA.items():
        given = data.get(section, {})
        if not isinstance(given, dict):
            raise ProfileError(f"{file}: [{section}] must be a section with keys under it.")
        for key in given:
            if key not in keys:
                raise _unknown(key, keys, f"a key of [{section}]", file)
        values = {**DEFAULTS.get(section, {}), **given}
        for key, (kind, required) in keys.items():
            if key not in values:
                if required:
                    raise ProfileError(f"{file}: [{section}] {key} is missing — add it (./go "
                                       "town asks for every required fact).")
                continue
            value = values[key]
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ProfileError(f"{file}: [{section}] {key} = {value!r} must be "
                                   f"{TYPE_WORDS[kind]}.")
            if kind is list and not all(isinstance(v, str) for v in value):
                raise ProfileError(f"{file}: [{section}] {key} must be a list of texts in "
                                   "\"quotes\".")
            if kind is str:
                values[key] = value.strip()
            if required and not values[key]:
                raise ProfileError(f"{file}: [{section}] {key} is empty — fill it in.")
        profile[section] = values
    _check_web(profile, file)
    _check_hosting(profile, file)
    return profile


def is_site_url(url: str) -> bool:
    """A blog's full address: http(s), a host, perhaps a path, nothing else."""
    parts = urlsplit(url.rstrip("/"))
    return parts.scheme in ("https", "http") and bool(parts.netloc) and not parts.query


def _check_web(profile: dict, file: str) -> None:
    web = profile["web"]
    url = web["url"].rstrip("/")
    if not is_site_url(url):
        raise ProfileError(f"{file}: [web] url = {web['url']!r} must be the blog's full "
                           "address, such as \"https://blog.yourtown.be\" or "
                           "\"https://www.yourtown.be/blog\".")
    web["url"] = url
    comments = web["comments_url"].rstrip("/")
    if comments and urlsplit(comments).scheme not in ("https", "http"):
        raise ProfileError(f"{file}: [web] comments_url = {comments!r} must be a full "
                           "address (https://…), or \"\" for the blog's own /comments.")
    web["comments_url"] = comments
    try:
        uuid.UUID(web["feed_id_namespace"])
    except ValueError:
        raise ProfileError(f"{file}: [web] feed_id_namespace = {web['feed_id_namespace']!r} "
                           f"is not a UUID — use a new one such as \"{uuid.uuid4()}\" (once; "
                           "never change it afterwards).") from None


def _check_hosting(profile: dict, file: str) -> None:
    hosting = profile["hosting"]
    for key in ("web_root", "install_dir"):
        if not hosting[key].startswith("/") or re.search(r"[\s;{}'\"$]", hosting[key]):
            raise ProfileError(f"{file}: [hosting] {key} = {hosting[key]!r} must be an "
                               "absolute folder path without spaces, such as \"/srv/dorpsplein\".")
    if not UNIX_NAME.match(hosting["user"]):
        raise ProfileError(f"{file}: [hosting] user = {hosting['user']!r} must be a system "
                           "user name such as \"dorpsplein\".")
    if not 1024 <= hosting["comments_port"] <= 65535:
        raise ProfileError(f"{file}: [hosting] comments_port = {hosting['comments_port']} "
                           "must be a port between 1024 and 65535, such as 8080.")


def public_comments_url(profile: dict) -> str:
    """Where browsers reach the comment server on the public site: [web]
    comments_url, else the blog's own address + /comments (as the isso_comments
    plugin computes it when ISSO_COMMENTS_URL is None)."""
    return profile["web"]["comments_url"] or profile["web"]["url"] + "/comments"


def settings(profile: dict) -> dict[str, Any]:
    """The Pelican settings the profile gives (pelicanconf.py takes these)."""
    town, contact, social = profile["town"], profile["contact"], profile["social"]
    return {
        "TOWN_NAME": town["name"],
        "SITENAME": town["site_name"],
        "SITESUBTITLE": town["tagline"],
        "AUTHOR": town["author"] or contact["organisation"] or f"Gemeente {town['name']}",
        "TOWN_BRAND_COLOUR": town["brand_colour"],
        "TOWN_LOGO": town["logo"],
        "TOWN_TOKENS": town["tokens"],
        "TOWN_CONTACT": {key: value for key, value in contact.items() if value},
        "TOWN_PRIVACY": dict(profile["privacy"]),
        "TOWN_SOCIAL": {network: social[network] for network in NETWORKS
                        if social.get(network)},
        "SHARE_LINKS_HASHTAGS": list(social["hashtags"]),
        "SHARE_LINKS_VIA": social["x_account"].lstrip("@"),
        "FEEDGEN_FEEDS_ID_NAMESPACE": profile["web"]["feed_id_namespace"],
        # publishconf.py uses these for the public build ("" comments URL: the
        # blog's own address + /comments).
        "TOWN_PUBLIC_URL": profile["web"]["url"],
        "TOWN_COMMENTS_URL": profile["web"]["comments_url"],
    }
