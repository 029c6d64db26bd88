"""The town's identity, as every plugin reads it: one interface, one set of defaults.

The ``town_identity`` plugin checks the TOWN_* settings and gives templates
their display forms; any other plugin that needs the town (its name, logo,
colours, who publishes) asks ``town(settings)`` instead of reading those
settings or another plugin's results by name, so the answer is the same
whatever the order of PLUGINS, and whether or not ``town_identity`` runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .colours import palette
from .privacy import PROCESSING_MARKER
from .settings import fail

# The one place the TOWN_* defaults live (town_identity merges these).
TOWN_DEFAULTS = {
    "TOWN_NAME": "",
    "TOWN_LOGO": "",
    "TOWN_BRAND_COLOUR": "#1d5c3a",
    "TOWN_CONTACT": {},
    "TOWN_SOCIAL": {},
}


@dataclass(frozen=True)
class Town:
    name: str
    logo: str  # a file under content/ (in a STATIC_PATHS folder), or ""
    colour: str  # TOWN_BRAND_COLOUR as written
    organisation: str  # who publishes: TOWN_CONTACT's organisation, else "Gemeente <name>"
    email: str  # TOWN_CONTACT's e-mail address, or ""

    @property
    def palette(self) -> dict:
        """The brand colour and its shades (see colours.palette)."""
        try:
            return palette(self.colour)
        except ValueError:
            raise fail("TOWN_BRAND_COLOUR", self.colour,
                       "is not a colour: write a hex code such as '#1d5c3a'") from None


def town(settings) -> Town:
    """The town described by ``settings`` (defaults for what it leaves out)."""

    def get(key):
        value = settings.get(key)
        return TOWN_DEFAULTS[key] if value is None else value

    name = str(get("TOWN_NAME")).strip()
    contact = get("TOWN_CONTACT") if isinstance(get("TOWN_CONTACT"), dict) else {}
    return Town(
        name=name,
        logo=str(get("TOWN_LOGO") or ""),
        colour=str(get("TOWN_BRAND_COLOUR")),
        organisation=contact.get("organisation") or f"Gemeente {name}".strip(),
        email=str(contact.get("email") or ""),
    )


# Placeholders editors may write in articles and pages: {{ town.name }}.
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")


def facts(settings) -> dict[str, str]:
    """The town's facts by placeholder name, as text (the town profile's values).

    ``{{ contact.address }}`` is the address on one line;
    ``{{ contact.address_lines }}`` the same as Markdown lines (a hard line
    break after each); ``opening_hours`` and ``opening_hours_lines`` likewise.
    ``{{ privacy.processing }}`` marks where the privacy statement's
    generated tables go (``privacy.PROCESSING_MARKER``). Every name is
    always there ("" when not filled in), so a page never shows
    a raw placeholder.
    """
    contact = settings.get("TOWN_CONTACT") if isinstance(settings.get("TOWN_CONTACT"),
                                                          dict) else {}
    privacy = settings.get("TOWN_PRIVACY") if isinstance(settings.get("TOWN_PRIVACY"),
                                                          dict) else {}
    identity = town(settings)
    address = [str(line) for line in contact.get("address") or []]
    hours = [str(line) for line in contact.get("opening_hours") or []]
    return {
        "town.name": identity.name,
        "town.organisation": identity.organisation,
        "site.name": str(settings.get("SITENAME") or ""),
        "site.url": str(settings.get("SITEURL") or settings.get("TOWN_PUBLIC_URL") or ""),
        "contact.address": ", ".join(address),
        "contact.address_lines": "  \n".join(address),
        "contact.phone": str(contact.get("phone") or ""),
        "contact.email": identity.email,
        "contact.opening_hours": "; ".join(hours),
        "contact.opening_hours_lines": "  \n".join(hours),
        "privacy.officer": str(privacy.get("officer") or ""),
        "privacy.officer_email": str(privacy.get("officer_email") or ""),
        # Where the privacy statement's generated tables go (kit privacy.py).
        "privacy.processing": "\n\n" + PROCESSING_MARKER + "\n\n",
    }


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with every known placeholder replaced (unknown ones stay)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
