"""Image sizes, read from the file: one SVG parser, Pillow for the rest."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

_LENGTH = re.compile(r"^\s*([\d.]+)\s*(px)?\s*$")


def svg_size(path: Path) -> tuple[float, float] | None:
    """An SVG's natural size: its ``width``/``height`` in px (or unitless),
    else its ``viewBox``; None when it has neither or cannot be parsed."""
    try:
        root = ElementTree.parse(path).getroot()
    except (ElementTree.ParseError, OSError):
        return None

    def length(value):
        match = _LENGTH.match(value or "")
        return float(match.group(1)) if match else None

    width, height = length(root.get("width")), length(root.get("height"))
    if width and height:
        return width, height
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            return float(box[2]), float(box[3])
        except ValueError:
            return None
    return None


def image_size(path: Path) -> tuple[float, float] | None:
    """Width and height of a picture (SVG or anything Pillow reads), or None."""
    path = Path(path)
    if path.suffix.lower() == ".svg":
        return svg_size(path)
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.size
    except OSError:
        return None
