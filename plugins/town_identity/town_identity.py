"""The town's identity: name, logo, brand colour, contact and social profiles.

Checks the TOWN_* settings once, when Pelican starts, and stops the build
with one sentence naming the setting when a value is wrong. Puts what the
theme displays into the settings (and so into every template's context):

- ``TOWN_PALETTE``: the brand colour and the shades derived from it;
- ``TOWN_SOCIAL_PROFILES``: ``[{"network", "label", "url"}]`` in footer order;
- ``TOWN_CONTACT``: the contact details, lists normalised, plus ``phone_uri``;
- ``TOWN_LOGO_SIZE``: (width, height) to draw the logo 48 px high;
- ``TOWN_LOGO_SVG`` / ``TOWN_LOGO_ICON``: an SVG logo as inline markup and as
  a data: URI for the favicon, so neither costs a request (None for PNG).

The look built on the brand colour (the ``color.brand.*`` design tokens and
the stylesheet) is the ``design_tokens`` plugin's.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

from dorpsplein_kit import facts, image_size, merge, town
from markupsafe import Markup
from pelican import signals

from .settings import SETTINGS, check_social


def configure(pelican) -> None:
    settings = merge(pelican.settings, SETTINGS)
    logo = settings["TOWN_LOGO"]
    settings["TOWN_LOGO_SIZE"] = logo_size(Path(settings["PATH"]) / logo) if logo else (0, 0)
    inline = inline_svg(Path(settings["PATH"]) / logo) if logo.lower().endswith(".svg") else None
    settings["TOWN_LOGO_SVG"] = inline
    settings["TOWN_LOGO_ICON"] = (
        "data:image/svg+xml," + quote(inline, safe="") if inline else None
    )
    settings["TOWN_PALETTE"] = town(settings).palette
    settings["TOWN_SOCIAL_PROFILES"] = check_social(settings["TOWN_SOCIAL"])
    use_placeholders(settings)


def use_placeholders(settings) -> None:
    """Let articles and pages say {{ town.name }} (placeholders.py).

    Pelican's content cache does not know the facts went into the HTML, so
    the cache lives in a folder named after them: a changed phone number in
    town.toml reads every page again instead of showing the old one.
    """
    values = facts(settings)
    markdown = settings.setdefault("MARKDOWN", {})
    configs = markdown.setdefault("extension_configs", {})
    configs["town_identity.placeholders:TownFacts"] = {"values": values}
    if settings.get("CACHE_CONTENT") or settings.get("LOAD_CONTENT_CACHE"):
        digest = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:10]
        base = str(settings.get("CACHE_PATH") or "cache").rstrip("/")
        if not base.rsplit("/", 1)[-1].startswith("facts-"):
            settings["CACHE_PATH"] = f"{base}/facts-{digest}"


def logo_size(path: Path, height: int = 48) -> tuple[int, int]:
    """Width and height to draw the logo at ``height`` px, from the file itself.

    Given to the <img> so the header does not jump when the logo arrives.
    """
    width, natural_height = image_size(path) or (1.0, 1.0)
    return round(width * height / natural_height), height


SVG_NS = "http://www.w3.org/2000/svg"


def inline_svg(path: Path) -> str:
    """The logo as inline SVG markup: no extra request, no layout shift.

    The logo sits next to the site name inside the home link, so it is
    decorative: aria-hidden, without its own title. Comments, the XML
    declaration and scripts or event handlers (which a logo never needs)
    are dropped.
    """
    ElementTree.register_namespace("", SVG_NS)
    root = ElementTree.parse(path).getroot()
    for parent in list(root.iter()):
        for child in list(parent):
            name = child.tag.rsplit("}", 1)[-1]
            if name in ("script", "foreignObject", "title", "desc"):
                parent.remove(child)
    for element in root.iter():
        for attr in list(element.attrib):
            if attr.lower().startswith("on"):
                del element.attrib[attr]
    root.attrib.pop("role", None)
    root.set("aria-hidden", "true")
    root.set("focusable", "false")
    root.set("class", "site-header__logo")
    width, height = logo_size(path)
    root.set("width", str(width))
    root.set("height", str(height))
    # Trusted markup (cleaned above): templates print it as it is.
    return Markup(ElementTree.tostring(root, encoding="unicode", short_empty_elements=True))


def register() -> None:
    signals.initialized.connect(configure)
