"""Responsive images: srcset, sizes, width/height, lazy loading, no 8 MB photos."""

from __future__ import annotations

import os

import pytest
from PIL import Image

pytestmark = pytest.mark.slow


def big_photo(path, size=(4000, 3000)):
    """A camera-sized photo that compresses badly (noise), several MB as JPEG."""
    noise = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    noise.save(path, "JPEG", quality=95)
    return path


def test_large_photo_gets_srcset_dimensions_and_is_not_published_as_dropped(build_site,
                                                                            content_copy):
    photo = big_photo(content_copy / "images" / "markt.jpg")
    assert photo.stat().st_size > 4_000_000
    (content_copy / "articles" / "foto.md").write_text(
        "Title: Markt met foto\nDate: 2026-11-22 10:00\nCategory: Moderatie\nSlug: foto\n"
        "Summary: Een grote foto.\n\nEerst een logo.\n\n"
        "![Het logo van Lindeveld]({static}/images/logo.svg)\n\n"
        "Dan de markt.\n\n![De vrijdagmarkt op het Dorpsplein]({static}/images/markt.jpg)\n",
        encoding="utf-8")
    site = build_site(content=content_copy)
    first, second = site.html("/2026/foto/").select(".prose img")
    assert (first["width"], first["height"]) == ("48", "48")
    assert "loading" not in first.attrs  # may be in view when the page opens
    assert second["loading"] == "lazy" and second["decoding"] == "async"
    assert (second["width"], second["height"]) == ("1600", "1200")
    assert second["src"] == "/images/markt.jpg"
    assert second["srcset"] == ("/images/markt-480w.jpg 480w, /images/markt-800w.jpg 800w, "
                                "/images/markt-1200w.jpg 1200w, /images/markt.jpg 1600w")
    assert second["sizes"]
    published = site.output / "images" / "markt.jpg"
    assert published.stat().st_size < 1_500_000
    with Image.open(published) as image:
        assert image.size == (1600, 1200)
    for width in (480, 800, 1200):
        with Image.open(site.output / "images" / f"markt-{width}w.jpg") as image:
            assert image.width == width


def test_small_photo_is_published_as_it_is(build_site, content_copy):
    small = content_copy / "images" / "klein.png"
    Image.new("RGB", (300, 200), "#1d5c3a").save(small)
    (content_copy / "articles" / "klein.md").write_text(
        "Title: Klein\nDate: 2026-11-22 10:00\nCategory: Moderatie\nSlug: klein\n"
        "Summary: Een kleine foto.\n\n![Een groen vlak]({static}/images/klein.png)\n",
        encoding="utf-8")
    site = build_site(content=content_copy)
    [img] = site.html("/2026/klein/").select(".prose img")
    assert (img["width"], img["height"]) == ("300", "200") and "srcset" not in img.attrs
    assert (site.output / "images" / "klein.png").read_bytes() == small.read_bytes()


def test_bad_widths_stop_the_build(build_site):
    from dorpsplein.build import BuildFailed

    with pytest.raises(BuildFailed) as failed:
        build_site(RESPONSIVE_IMAGES_WIDTHS=["groot"])
    assert failed.value.problems[0].startswith("RESPONSIVE_IMAGES_WIDTHS = ['groot']")
