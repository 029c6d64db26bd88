"""Defaults and checks for the town's identity settings (TOWN_*)."""

from __future__ import annotations

import colorsys
import re
from urllib.parse import urlsplit

DEFAULTS = {
    "TOWN_NAME": "",
    "TOWN_LOGO": "",
    "TOWN_BRAND_COLOUR": "#1d5c3a",
    "TOWN_CONTACT": {},
    "TOWN_SOCIAL": {},
}

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

# WCAG 2.1 AA: normal text needs 4.5:1 against its background.
MIN_CONTRAST = 4.5

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


class TownSettingsError(ValueError):
    """A TOWN_* setting is wrong; the message is one sentence naming it."""


def parse_hex(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def to_hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0, min(255, c))):02x}" for c in rgb)


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour given as 0-255 channels."""

    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


WHITE = (255, 255, 255)


def darker_shade(rgb: tuple[int, int, int], target: float = MIN_CONTRAST) -> str:
    """The lightest shade of the same hue that reaches ``target`` on white."""
    h, lightness, s = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    while lightness > 0:
        candidate = tuple(c * 255 for c in colorsys.hls_to_rgb(h, lightness, s))
        hex_value = to_hex(candidate)
        if contrast_ratio(parse_hex(hex_value), WHITE) >= target:
            return hex_value
        lightness -= 0.005
    return "#000000"


def mix(rgb: tuple[int, int, int], other: tuple[int, int, int], amount: float) -> str:
    """``amount`` of ``other`` mixed into ``rgb`` (0 = rgb, 1 = other)."""
    return to_hex(tuple(a + (b - a) * amount for a, b in zip(rgb, other, strict=True)))


def check_colour(value: object) -> dict:
    """Validate TOWN_BRAND_COLOUR and derive the palette the theme uses."""
    if not isinstance(value, str) or not _HEX.match(value.strip()):
        raise TownSettingsError(
            f"TOWN_BRAND_COLOUR = {value!r} is not a colour: write a hex code such as "
            "'#1d5c3a' in pelicanconf.py."
        )
    rgb = parse_hex(value.strip())
    ratio = contrast_ratio(rgb, WHITE)
    if ratio < MIN_CONTRAST:
        raise TownSettingsError(
            f"TOWN_BRAND_COLOUR = {value!r} has a contrast of {ratio:.2f}:1 against white, "
            f"but text needs at least {MIN_CONTRAST}:1 (WCAG 2.1 AA): use a darker shade "
            f"such as '{darker_shade(rgb)}' in pelicanconf.py."
        )
    brand = to_hex(rgb)
    return {
        "brand": brand,
        # Hover and pressed states: a little darker.
        "brand_dark": mix(rgb, (0, 0, 0), 0.25),
        # Tinted backgrounds (header band, tags): mostly white.
        "brand_tint": mix(rgb, WHITE, 0.9),
        # In dark mode the brand colour is used on a near-black background,
        # so it is lightened until it reads at 4.5:1 on the dark surfaces.
        "brand_on_dark": _lighter_for_dark(rgb),
        "contrast": round(ratio, 2),
    }


# The lightest dark-mode background text sits on (cards, footer: --surface).
DARK_BACKGROUND = (28, 30, 32)


def _lighter_for_dark(rgb: tuple[int, int, int]) -> str:
    amount = 0.0
    while amount <= 1:
        candidate = mix(rgb, WHITE, amount)
        if contrast_ratio(parse_hex(candidate), DARK_BACKGROUND) >= MIN_CONTRAST + 0.3:
            return candidate
        amount += 0.02
    return "#ffffff"


def check_social(value: object) -> list[dict]:
    """Validate TOWN_SOCIAL and return the profiles in footer order."""
    if not isinstance(value, dict):
        raise TownSettingsError(
            "TOWN_SOCIAL must be a dictionary such as "
            "{'facebook': 'https://www.facebook.com/yourtown'} in pelicanconf.py."
        )
    unknown = sorted(set(value) - set(SOCIAL_NETWORKS))
    if unknown:
        raise TownSettingsError(
            f"TOWN_SOCIAL has an unknown network {unknown[0]!r}: use one of "
            f"{', '.join(SOCIAL_NETWORKS)} in pelicanconf.py."
        )
    profiles = []
    for key, label in SOCIAL_NETWORKS.items():
        url = value.get(key)
        if not url:
            continue
        parts = urlsplit(str(url))
        if parts.scheme != "https" or not parts.netloc:
            raise TownSettingsError(
                f"TOWN_SOCIAL[{key!r}] = {url!r} is not a full https:// address: copy the "
                "profile's address from the browser's address bar into pelicanconf.py."
            )
        profiles.append({"network": key, "label": label, "url": str(url)})
    return profiles


def check_contact(value: object) -> dict:
    if not isinstance(value, dict):
        raise TownSettingsError(
            "TOWN_CONTACT must be a dictionary with organisation, address, phone, email "
            "and opening_hours in pelicanconf.py."
        )
    unknown = sorted(set(value) - CONTACT_KEYS)
    if unknown:
        raise TownSettingsError(
            f"TOWN_CONTACT has an unknown key {unknown[0]!r}: use "
            f"{', '.join(sorted(CONTACT_KEYS))} in pelicanconf.py."
        )
    contact = dict(value)
    for key in ("address", "opening_hours"):
        lines = contact.get(key) or []
        if isinstance(lines, str):
            lines = [lines]
        contact[key] = [str(line) for line in lines]
    email = contact.get("email")
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", str(email)):
        raise TownSettingsError(
            f"TOWN_CONTACT['email'] = {email!r} is not an e-mail address: write one such as "
            "'communicatie@yourtown.be' in pelicanconf.py."
        )
    phone = contact.get("phone")
    if phone:
        digits = re.sub(r"[^\d+]", "", str(phone))
        if len(digits.lstrip("+")) < 6:
            raise TownSettingsError(
                f"TOWN_CONTACT['phone'] = {phone!r} has too few digits: write the number as "
                "people dial it, such as '09 123 45 67', in pelicanconf.py."
            )
        contact["phone_uri"] = "tel:" + digits
    return contact
