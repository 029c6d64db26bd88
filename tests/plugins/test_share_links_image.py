"""The drawn share image: the same picture as drawn plainly, stored small."""

from __future__ import annotations

import os
import textwrap
import unicodedata

import pytest
from dorpsplein_kit import parse_hex
from PIL import Image, ImageDraw, ImageFont
from share_links.settings import FONT_CANDIDATES
from share_links.share_links import draw_share_image

FONT = next((path for path in FONT_CANDIDATES if os.path.isfile(path)), None)
pytestmark = pytest.mark.skipif(FONT is None, reason="no font to draw with")

TITLES = [
    "Kort",
    'Café "De Linde" & co: 5 < 10 > 2 + #1 — 🎉',
    "Overleg participatie participatie informatie bevraging school werken 0",
    "De gemeenteraad keurt het nieuwe mobiliteitsplan voor de dorpskern, de wijken en "
    "de deelgemeenten goed na een lange avond van vragen, antwoorden en nog meer vragen "
    "over fietspaden, parkeerplaatsen en de schoolstraat",
    "Eenheelzeerlangwoordzonderspatiesdatnergenspast" * 3,
]


def drawn_plainly(title: str, site_name: str, colour: str) -> Image.Image:
    """The picture as it was first drawn: each font loaded per image, the
    title, rule and site name on one fresh mask, 16 levels, a palette."""
    clean = "".join(c for c in title if unicodedata.category(c) not in ("So", "Cs", "Co"))
    clean = " ".join(clean.split())
    width, height = 1200, 630
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    margin = 80
    for size in (76, 68, 60, 52, 46):
        font = ImageFont.truetype(FONT, size)
        average = font.getlength("abcdefghijklmnopqrstuvwxyz") / 26
        lines = textwrap.wrap(clean, width=max(10, int((width - 2 * margin) / average)))
        if len(lines) <= 4 and all(font.getlength(line) <= width - 2 * margin for line in lines):
            break
    lines = lines[:5]
    line_height = int(size * 1.25)
    top = (height - 110 - line_height * len(lines)) // 2
    for number, line in enumerate(lines):
        draw.text((margin, top + number * line_height), line, font=font, fill=255)
    draw.rectangle((margin, height - 120, margin + 120, height - 114), fill=255)
    draw.text((margin, height - 96), site_name, font=ImageFont.truetype(FONT, 34), fill=255)
    image = mask.point(lambda value: value * 16 // 256).convert("P")
    palette = []
    for level in range(16):
        share = level / 15
        palette += [round(c + (255 - c) * share) for c in parse_hex(colour)]
    image.putpalette(palette)
    return image


@pytest.mark.parametrize("title", TITLES)
def test_the_same_pixels_as_drawn_plainly(tmp_path, title):
    for site_name, colour in (("Lindeveld in gesprek", "#1d5e8c"), ("Dorp", "#7a2e12")):
        target = tmp_path / f"{site_name}.png"
        draw_share_image(title, site_name, colour, FONT, target)
        expected = drawn_plainly(title, site_name, colour)
        with Image.open(target) as png:
            assert png.format == "PNG" and png.size == (1200, 630) and png.mode == "P"
            assert png.tobytes() == expected.tobytes()
            assert png.getpalette()[:48] == expected.getpalette()[:48]


def test_a_4_bit_palette_png_of_a_few_kilobytes(tmp_path):
    target = tmp_path / "deep" / "folder" / "image.png"
    draw_share_image(TITLES[2], "Lindeveld in gesprek", "#1d5e8c", FONT, target)
    data = target.read_bytes()
    assert data[24] == 4 and data[25] == 3  # IHDR: bit depth 4, colour type 3 (palette)
    assert len(data) < 40_000
    again = tmp_path / "again.png"
    draw_share_image(TITLES[2], "Lindeveld in gesprek", "#1d5e8c", FONT, again)
    assert again.read_bytes() == data
