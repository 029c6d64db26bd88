"""Colours: the one hex parser, WCAG contrast, and the palette a brand colour gives.

The palette is what the design tokens (``color.brand.*``), the feed stylesheet and the
share images use::

    {"brand": "#1d5c3a", "brand_dark": …, "brand_tint": …, "brand_on_dark": …,
     "brand_deep": …, "brand_night": …, "contrast": 7.94}
"""

from __future__ import annotations

import colorsys
import re
from functools import lru_cache

RGB = tuple[float, float, float]

HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
WHITE = (255, 255, 255)
# WCAG 2.1 AA: normal text needs 4.5:1 against its background.
MIN_CONTRAST = 4.5
# The lightest dark-mode background text sits on (cards, footer: --surface).
DARK_BACKGROUND = (28, 30, 32)
# Links in dark mode aim higher than the minimum, so they read as the town's
# colour and not as a muddy shade of it.
DARK_LINK_CONTRAST = 6.0


def parse_hex(value: str) -> tuple[int, int, int]:
    """``'#1d5c3a'`` or ``'#abc'`` → (r, g, b); ValueError for anything else."""
    value = str(value).strip()
    if not HEX.match(value):
        raise ValueError(f"{value!r} is not a hex colour such as '#1d5c3a'")
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def to_hex(rgb: RGB) -> str:
    return "#" + "".join(f"{round(max(0, min(255, c))):02x}" for c in rgb)


def mix(rgb: RGB, other: RGB, amount: float) -> str:
    """``amount`` of ``other`` mixed into ``rgb`` (0 = rgb, 1 = other)."""
    return to_hex(tuple(a + (b - a) * amount for a, b in zip(rgb, other, strict=True)))


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour given as 0-255 channels."""

    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _lighter_for_dark(rgb: RGB) -> str:
    """The brand's hue, lightened (in HLS, so it keeps its saturation instead of
    going grey) until it reads clearly on the dark surfaces."""
    h, lightness, s = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    if s > 0.05:  # a dull brand colour still reads as a colour (a grey stays grey)
        s = max(s, 0.35)
    while lightness <= 1:
        candidate = to_hex(tuple(c * 255 for c in colorsys.hls_to_rgb(h, lightness, s)))
        if contrast_ratio(parse_hex(candidate), DARK_BACKGROUND) >= DARK_LINK_CONTRAST:
            return candidate
        lightness += 0.01
    return "#ffffff"


def shade_for(colour: str, background: str, minimum: float) -> str:
    """The nearest shade of ``colour``'s hue (HLS lightness in 0.005 steps) that
    reaches ``minimum`` contrast on ``background``: darker on a light
    background, lighter on a dark one. What a failing colour check suggests."""
    back = parse_hex(background)
    h, lightness, s = colorsys.rgb_to_hls(*(c / 255 for c in parse_hex(colour)))
    step = -0.005 if contrast_ratio(back, (0, 0, 0)) > contrast_ratio(back, WHITE) else 0.005
    while 0 <= lightness <= 1:
        candidate = to_hex(tuple(c * 255 for c in colorsys.hls_to_rgb(h, lightness, s)))
        if contrast_ratio(parse_hex(candidate), back) >= minimum:
            return candidate
        lightness += step
    return "#000000" if step < 0 else "#ffffff"


def palette(colour: str) -> dict:
    """The brand colour and the shades the theme derives from it."""
    return dict(_palette(str(colour).strip().lower()))


@lru_cache(maxsize=32)
def _palette(colour: str) -> dict:
    rgb = parse_hex(colour)
    return {
        "brand": to_hex(rgb),
        # Hover and pressed states: a little darker.
        "brand_dark": mix(rgb, (0, 0, 0), 0.25),
        # Tinted backgrounds (header band, tags): mostly white.
        "brand_tint": mix(rgb, WHITE, 0.9),
        # In dark mode the brand colour is used on a near-black background,
        # so it is lightened until it reads at 4.5:1 on the dark surfaces.
        "brand_on_dark": _lighter_for_dark(rgb),
        # Dark mode keeps the town's colour: a deeper shade for the header band
        # (white text on it) and a near-black tint for tinted bands.
        "brand_deep": mix(rgb, (0, 0, 0), 0.35),
        "brand_night": mix(rgb, (18, 19, 20), 0.8),
        "contrast": round(contrast_ratio(rgb, WHITE), 2),
    }
