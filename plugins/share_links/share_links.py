"""Share links that never track, and previews that look right when shared.

For every article (and page, with ``SHARE_LINKS_PAGES``), after all content
is read, ``article.share_links`` holds::

    {
      "url": "https://site/2026/slug/",          # absolute canonical URL
      "title": "...",
      "links": [{"network": "facebook", "label": "Facebook",
                 "href": "https://www.facebook.com/sharer/sharer.php?u=..."}, ...],
      "mastodon_text": "title url #tags",          # for the reader's own server
      "preview": {...},                             # Open Graph / X card values
      "json_ld": "{...}",                           # BlogPosting, safe for <script>
    }

An article is left out with ``Share: off`` in its front matter. Templates only
display this (``components/share_links.html``). Nothing here loads anything
from another host: share links are plain links.

Articles without a raster image of their own get a share image drawn at build
time (1200x630 PNG: the title on the brand colour), kept in the build cache,
so a shared link never shows an empty preview.
"""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
import unicodedata
from functools import lru_cache
from pathlib import Path

from dorpsplein_kit import (
    Contract,
    OutputGenerator,
    absolute_url,
    image_size,
    merge,
    parse_hex,
    town,
)
from dorpsplein_kit.parallel import mine
from dorpsplein_kit.sharing import preview_meta, share_links
from markupsafe import Markup
from pelican import signals

from .settings import SETTINGS

RASTER = (".png", ".jpg", ".jpeg", ".gif", ".webp")
IMAGE_SIZE = (1200, 630)
IMAGE_DIR = "images/share"


def configure(pelican) -> None:
    merge(pelican.settings, SETTINGS)


def build_links(url: str, title: str, summary: str, settings: dict) -> tuple[list[dict], str]:
    """The share links of one page (dorpsplein_kit.sharing, shared with other plugins)."""
    return share_links(settings, url, title, summary)


def _plain(html: str) -> str:
    return " ".join(Markup(html or "").striptags().split())


def _iso(value) -> str:
    return value.isoformat() if value else ""


def image_name(content, settings: dict) -> str:
    """File name of the generated share image; changes when its inputs do."""
    key = "|".join([content.title, settings["SITENAME"], town(settings).palette["brand"], "v2"])
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
    return f"{IMAGE_DIR}/{content.slug}-{digest}.png"


def preview(content, settings: dict, url: str, summary: str, is_page: bool) -> dict:
    image = getattr(content, "image", None)
    alt = getattr(content, "image_alt", None) or ""
    raster = image and os.path.splitext(image)[1].lower() in RASTER
    size = raster and image_size(Path(settings["PATH"]) / image)
    if size:
        generated = None
    else:
        generated = image_name(content, settings)
        image, size = generated, IMAGE_SIZE
        alt = f"{settings['SITENAME']}: {content.title}"
    modified = getattr(content, "modified", None)
    return {
        "type": "website" if is_page else "article",
        "title": content.title,
        "description": summary,
        "url": url,
        "site_name": settings["SITENAME"],
        "locale": settings["SHARE_LINKS_LOCALE"],
        "image": absolute_url(settings, image),
        "image_path": image,
        "image_generated": generated,
        "image_width": size[0],
        "image_height": size[1],
        "image_alt": alt,
        "published": "" if is_page else _iso(content.date),
        "modified": "" if is_page else _iso(modified or content.date),
        "twitter_card": "summary_large_image",
    }


def _meta(preview: dict) -> list[dict]:
    """The Open Graph and X card <meta> tags, in the order the page has them."""
    return preview_meta(preview)


def _json_ld(content, settings: dict, preview: dict) -> Markup:
    identity = town(settings)
    publisher = {
        "@type": "GovernmentOrganization",
        "name": identity.organisation,
        "url": absolute_url(settings, ""),
    }
    if identity.logo:
        publisher["logo"] = {"@type": "ImageObject", "url": absolute_url(settings, identity.logo)}
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": content.title,
        "description": preview["description"],
        "url": preview["url"],
        "mainEntityOfPage": {"@type": "WebPage", "@id": preview["url"]},
        "datePublished": preview["published"],
        "dateModified": preview["modified"],
        "inLanguage": settings.get("SITE_LOCALE", "nl_BE").replace("_", "-"),
        "author": [{"@type": "Person", "name": a.name} for a in content.authors],
        "publisher": publisher,
        "image": {
            "@type": "ImageObject",
            "url": preview["image"],
            "width": preview["image_width"],
            "height": preview["image_height"],
        },
    }
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    # Safe inside <script>: no "</script>" or "<!--" can close or confuse it, so
    # templates print it as it is.
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def attach(generators) -> None:
    for generator in generators:
        settings = generator.settings
        # Drafts get no share links: nothing about them may leave the preview.
        items = [(a, False) for a in getattr(generator, "articles", [])]
        if hasattr(generator, "hidden_pages"):
            items += [(p, True) for p in generator.pages]
        for content, is_page in items:
            off = str(content.metadata.get("share", "")).strip().lower() == "off"
            if off or (is_page and not settings["SHARE_LINKS_PAGES"]):
                content.share_links = None
                continue
            url = absolute_url(settings, content.url)
            summary = _plain(getattr(content, "summary", ""))
            links, post = build_links(url, content.title, summary, settings)
            shown = preview(content, settings, url, summary, is_page)
            content.share_links = {
                "url": url,
                "title": content.title,
                "links": links,
                "mastodon_text": post,
                "preview": shown,
                "meta": _meta(shown),
                "json_ld": None if is_page else _json_ld(content, settings, shown),
            }


TITLE_SIZES = (76, 68, 60, 52, 46)
SITE_NAME_SIZE = 34
LEVELS = 16
# 256 grey values to the 16 palette entries, brand colour (0) to white (15).
QUANTIZE = [value * LEVELS // 256 for value in range(256)]


@lru_cache(maxsize=64)
def _font(font_path: str, size: int):
    """The font at ``size``, loaded once a build (each image used to load six)."""
    from PIL import ImageFont

    return ImageFont.truetype(font_path, size)


@lru_cache(maxsize=64)
def _average_width(font_path: str, size: int) -> float:
    return _font(font_path, size).getlength("abcdefghijklmnopqrstuvwxyz") / 26


@lru_cache(maxsize=64)
def _palette(colour: str) -> tuple[int, ...]:
    """LEVELS colours from the brand colour to white, as a flat RGB list."""
    brand = parse_hex(colour)
    palette: list[int] = []
    for level in range(LEVELS):
        share = level / (LEVELS - 1)
        palette += [round(c + (255 - c) * share) for c in brand]
    return tuple(palette)


MARGIN = 80


@lru_cache(maxsize=8)
def _footer(site_name: str, font_path: str):
    """The mask with what every image has below the title: a short rule and
    the site name (drawn once a build; each image starts from a copy). The
    title stays above it (its block is centred in the top 520 px), so
    drawing it first or last gives the same pixels."""
    from PIL import Image, ImageDraw

    width, height = IMAGE_SIZE
    mask = Image.new("L", IMAGE_SIZE, 0)
    draw = ImageDraw.Draw(mask)
    draw.rectangle((MARGIN, height - 120, MARGIN + 120, height - 114), fill=255)
    draw.text((MARGIN, height - 96), site_name, font=_font(font_path, SITE_NAME_SIZE), fill=255)
    return mask


def draw_share_image(title: str, site_name: str, colour: str, font_path: str, target: Path):
    """A 1200x630 PNG: the title in white on the brand colour, the site name below.

    Drawn as a grey-scale mask, then stored as a 16-colour (4-bit) palette PNG
    running from the brand colour to white. The fonts are loaded and the
    rule and site name drawn once a build, the mask becomes the palette image
    in place (no conversion), and zlib compresses it with its run-length
    strategy (Z_RLE): the picture is long runs of one colour, so that encodes
    in 1.8 ms instead of 4.2 ms (zlib's default, level 6) for 16 KB instead
    of 14 KB an image, smaller and faster than levels 1 to 3 (18 to 17 KB,
    2.1 to 2.7 ms). About 4 ms an image in all (was 9); an RGB PNG with
    optimize=True took 55 ms.
    """
    import zlib

    from PIL import ImageDraw

    # Emoji and other symbols are not in text fonts; leave them out of the image.
    clean = "".join(c for c in title if unicodedata.category(c) not in ("So", "Cs", "Co"))
    clean = " ".join(clean.split())
    width, height = IMAGE_SIZE
    mask = _footer(site_name, font_path).copy()
    draw = ImageDraw.Draw(mask)
    margin = MARGIN
    for size in TITLE_SIZES:
        font = _font(font_path, size)
        average = _average_width(font_path, size)
        lines = textwrap.wrap(clean, width=max(10, int((width - 2 * margin) / average)))
        if len(lines) <= 4 and all(font.getlength(line) <= width - 2 * margin for line in lines):
            break
    lines = lines[:5]
    line_height = int(size * 1.25)
    top = (height - 110 - line_height * len(lines)) // 2
    for number, line in enumerate(lines):
        draw.text((margin, top + number * line_height), line, font=font, fill=255)
    # The 16 levels; a palette on a grey-scale image makes it a palette image
    # with the same pixel values.
    image = mask.point(QUANTIZE)
    image.putpalette(_palette(colour))
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, "PNG", bits=4, compress_level=6, compress_type=zlib.Z_RLE)


class ShareImagesGenerator(OutputGenerator):
    """Draws the share images that articles need, reusing the build cache."""

    # Each process of a parallel build draws its own images (dorpsplein_kit.parallel).
    shares_work = True

    def generate_output(self, writer) -> None:
        settings = self.settings
        cache = Path(settings.get("CACHE_PATH") or "cache") / "share_links"
        colour = town(settings).palette["brand"]
        contents = list(self.context.get("articles", [])) + list(self.context.get("pages", []))
        for content in contents:
            share = getattr(content, "share_links", None)
            name = share and share["preview"]["image_generated"]
            if not name or not mine(name):
                continue
            cached = cache / Path(name).name
            if not cached.exists():
                draw_share_image(content.title, settings["SITENAME"], colour,
                                 settings["SHARE_LINKS_FONT"], cached)
            self.copy(cached, name)


def get_generators(pelican):
    return ShareImagesGenerator


def update_preview(generators, article) -> None:
    """Live preview: ``article`` changed. Its share image follows its title
    (drawn, or taken from the build cache); an older image of the article
    that no article or page uses any more is removed, as a full build would
    not write it."""
    import re

    for generator in generators:
        if not isinstance(generator, ShareImagesGenerator):
            continue
        settings = generator.settings
        share = getattr(article, "share_links", None)
        name = share and share["preview"]["image_generated"]
        if name:
            cache = Path(settings.get("CACHE_PATH") or "cache") / "share_links"
            cached = cache / Path(name).name
            if not cached.exists():
                draw_share_image(article.title, settings["SITENAME"],
                                 town(settings).palette["brand"], settings["SHARE_LINKS_FONT"],
                                 cached)
            generator.copy(cached, name)
        older = re.compile(re.escape(article.slug) + r"-[0-9a-f]{10}\.png")
        folder = Path(generator.output_path) / IMAGE_DIR
        stale = [path for path in (folder.iterdir() if folder.is_dir() else ())
                 if older.fullmatch(path.name) and f"{IMAGE_DIR}/{path.name}" != name]
        if stale:
            contents = list(generator.context.get("articles", [])) + list(
                generator.context.get("pages", []))
            used = {c.share_links["preview"]["image_generated"] for c in contents
                    if getattr(c, "share_links", None)}
            for path in stale:
                if f"{IMAGE_DIR}/{path.name}" not in used:
                    path.unlink()


# The editor checks accept `Share: on | off`; the live preview redraws an
# edited article's share image.
CONTRACT = Contract(front_matter={"share": ("on", "off")}, preview=update_preview)


def register() -> None:
    signals.initialized.connect(configure)
    signals.all_generators_finalized.connect(attach)
    signals.get_generators.connect(get_generators)
