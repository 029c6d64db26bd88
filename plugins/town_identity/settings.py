"""Defaults and checks for the town's identity settings (TOWN_*)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from dorpsplein_kit import Setting, SettingsError, dictionary, fail
from dorpsplein_kit.colours import (
    HEX,
    MIN_CONTRAST,
    WHITE,
    contrast_ratio,
    palette,
    parse_hex,
    shade_for,
    to_hex,
)
from dorpsplein_kit.identity import TOWN_DEFAULTS

__all__ = ["SETTINGS", "check_colour", "contrast_ratio", "darker_shade", "parse_hex"]

# Networks a profile may be given for, in the order the footer shows them,
# with the name people know them by.
SOCIAL_NETWORKS = {
    "facebook": "Facebook",
    "x": "X",
    "linkedin": "LinkedIn",
    "instagram": "Instagram",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "youtube": "YouTube",
}

CONTACT_KEYS = {"organisation", "address", "phone", "email", "opening_hours"}


def darker_shade(rgb: tuple[int, int, int], target: float = MIN_CONTRAST) -> str:
    """The lightest shade of the same hue that reaches ``target`` on white."""
    return shade_for(to_hex(rgb), "#ffffff", target)


def check_colour(value: object) -> dict:
    """Validate TOWN_BRAND_COLOUR and return the palette the theme uses."""
    if not isinstance(value, str) or not HEX.match(value.strip()):
        raise fail("TOWN_BRAND_COLOUR", value, "is not a colour: write a hex code such as "
                   "'#1d5c3a'")
    rgb = parse_hex(value)
    ratio = contrast_ratio(rgb, WHITE)
    if ratio < MIN_CONTRAST:
        raise fail("TOWN_BRAND_COLOUR", value,
                   f"has a contrast of {ratio:.2f}:1 against white, but text needs at least "
                   f"{MIN_CONTRAST}:1 (WCAG 2.1 AA): use a darker shade such as "
                   f"'{darker_shade(rgb)}'")
    return palette(value)


def check_social(value: object) -> list[dict]:
    """Validate TOWN_SOCIAL and return the profiles in footer order."""
    dictionary("TOWN_SOCIAL", value, SOCIAL_NETWORKS, kind="network",
               shape=" such as {'facebook': 'https://www.facebook.com/yourtown'}",
               use="one of " + ", ".join(SOCIAL_NETWORKS))
    profiles = []
    for key, label in SOCIAL_NETWORKS.items():
        url = value.get(key)
        if not url:
            continue
        parts = urlsplit(str(url))
        if parts.scheme != "https" or not parts.netloc:
            raise SettingsError(
                f"TOWN_SOCIAL[{key!r}] = {url!r} is not a full https:// address: copy the "
                "profile's address from the browser's address bar into pelicanconf.py."
            )
        profiles.append({"network": key, "label": label, "url": str(url)})
    return profiles


def check_contact(value: object) -> dict:
    dictionary("TOWN_CONTACT", value, CONTACT_KEYS,
               shape=" with organisation, address, phone, email and opening_hours")
    contact = dict(value)
    for key in ("address", "opening_hours"):
        lines = contact.get(key) or []
        if isinstance(lines, str):
            lines = [lines]
        contact[key] = [str(line) for line in lines]
    email = contact.get("email")
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", str(email)):
        raise fail("TOWN_CONTACT['email']", email, "is not an e-mail address: write one such "
                   "as 'communicatie@yourtown.be'")
    phone = contact.get("phone")
    if phone:
        digits = re.sub(r"[^\d+]", "", str(phone))
        if len(digits.lstrip("+")) < 6:
            raise fail("TOWN_CONTACT['phone']", phone, "has too few digits: write the number "
                       "as people dial it, such as '09 123 45 67',")
        contact["phone_uri"] = "tel:" + digits
    return contact


def _name(name: str, value, settings: dict) -> str:
    if not str(value).strip():
        raise SettingsError(
            "TOWN_NAME is empty: write your town's name, such as 'Lindeveld', in pelicanconf.py."
        )
    return value


def _logo(name: str, logo, settings: dict) -> str:
    if not logo:
        return logo
    if not (Path(settings["PATH"]) / logo).is_file():
        raise SettingsError(
            f"TOWN_LOGO = {logo!r} does not exist under {settings['PATH']}/: put the logo "
            "file there or set TOWN_LOGO = '' in pelicanconf.py."
        )
    static_dirs = [p.rstrip("/") + "/" for p in settings.get("STATIC_PATHS", [])]
    if not any(logo.startswith(d) for d in static_dirs):
        raise SettingsError(
            f"TOWN_LOGO = {logo!r} is not in a folder listed in STATIC_PATHS "
            f"({', '.join(settings.get('STATIC_PATHS', []))}): move it to content/images/."
        )
    return logo


def _colour(name: str, value, settings: dict):
    check_colour(value)
    return value


SETTINGS = (
    Setting("TOWN_NAME", TOWN_DEFAULTS["TOWN_NAME"], _name),
    Setting("TOWN_LOGO", TOWN_DEFAULTS["TOWN_LOGO"], _logo),
    Setting("TOWN_BRAND_COLOUR", TOWN_DEFAULTS["TOWN_BRAND_COLOUR"], _colour),
    # TOWN_SOCIAL stays as written; town_identity derives TOWN_SOCIAL_PROFILES.
    Setting("TOWN_SOCIAL", TOWN_DEFAULTS["TOWN_SOCIAL"],
            lambda name, value, settings: (check_social(value), value)[1]),
    Setting("TOWN_CONTACT", TOWN_DEFAULTS["TOWN_CONTACT"],
            lambda name, value, settings: check_contact(value)),
)
