"""The town's identity, as every plugin reads it: one interface, one set of defaults.

The ``town_identity`` plugin checks the TOWN_* settings and gives templates
their display forms; any other plugin that needs the town (its name, logo,
colours, who publishes) asks ``town(settings)`` instead of reading those
settings or another plugin's results by name, so the answer is the same
whatever the order of PLUGINS, and whether or not ``town_identity`` runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from .colours import palette
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
