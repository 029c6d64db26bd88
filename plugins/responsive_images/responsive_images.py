"""Responsive images: editors drop a large photo, readers get the right size.

When an article or page is read, every ``<img>`` in its HTML
that points at a picture under ``content/`` gets:

- ``width`` and ``height`` (from the file), so the page does not jump while
  it loads;
- for JPEG, PNG and WebP: a ``srcset`` of smaller copies
  (``RESPONSIVE_IMAGES_WIDTHS``) and ``sizes``, so a phone downloads a
  480 px copy, not the 4000 px original;
- ``loading="lazy"`` on every picture but the first (which may be in view
  when the page opens) and ``decoding="async"``.

An article's own picture (front matter ``Image:``) also becomes
``article.card_image``: ``{"src", "srcset", "sizes", "width", "height"}``
for the thumbnail on list pages (``components/article_card.html``), with
copies small enough for a card (``RESPONSIVE_IMAGES_CARD_WIDTHS``).

A photo wider than ``RESPONSIVE_IMAGES_MAX_WIDTH`` or heavier than
``RESPONSIVE_IMAGES_MAX_BYTES`` is published resized and recompressed at its
own address instead of as it was dropped. Copies are made with Pillow and
kept in ``CACHE_PATH/responsive_images/``, so a rebuild only resizes new or
changed pictures. The HTML is changed before Pelican writes it (nothing is
rewritten after writing).
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from dorpsplein_kit import (
    Contract,
    OutputGenerator,
    Setting,
    fail,
    image_size,
    merge,
    whole_number,
)
from dorpsplein_kit.parallel import mine
from pelican import signals


def _widths(name: str, widths, settings: dict) -> list:
    if not widths or not all(isinstance(w, int) and w > 0 for w in widths):
        raise fail(name, widths, "must list widths in pixels, such as [480, 800, 1200],")
    return sorted(set(widths))


SETTINGS = (
    Setting("RESPONSIVE_IMAGES_WIDTHS", [480, 800, 1200], _widths),
    Setting("RESPONSIVE_IMAGES_MAX_WIDTH", 1600, whole_number(1, "must be a whole number above 0")),
    Setting("RESPONSIVE_IMAGES_MAX_BYTES", 600_000,
            whole_number(1, "must be a whole number above 0")),
    Setting("RESPONSIVE_IMAGES_QUALITY", 82),
    Setting("RESPONSIVE_IMAGES_SIZES", "(min-width: 44rem) 42rem, calc(100vw - 2rem)"),
    # The article's picture as a card thumbnail on list pages: the widths of
    # its copies and how wide the card shows it (theme/static/css/main.css).
    Setting("RESPONSIVE_IMAGES_CARD_WIDTHS", [240, 480], _widths),
    Setting("RESPONSIVE_IMAGES_CARD_SIZES", "(min-width: 48rem) 9rem, 6rem"),
)
# List pages show the article's picture (card_image); the live preview
# refreshes it when the front matter changes.
CONTRACT = Contract(listed=("card_image",))
RASTER = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
IMG = re.compile(r"<img\b[^>]*>", re.I)
ATTR = re.compile(r"""([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")


def configure(pelican) -> None:
    settings = merge(pelican.settings, SETTINGS)
    _images.pop(id(settings), None)  # a fresh list for this build


def parse_attrs(tag: str) -> dict:
    inner = tag[4:].rstrip(">").rstrip("/")
    attrs = {}
    for name, value in ATTR.findall(inner):
        if value[:1] in "\"'":
            value = value[1:-1]
        attrs[name.lower()] = html.unescape(value)
    return attrs


def render_tag(attrs: dict) -> str:
    parts = [f'{k}="{html.escape(str(v), quote=True)}"' for k, v in attrs.items()]
    return "<img " + " ".join(parts) + ">"


class Images:
    """Facts about pictures under content/, cached by path and mtime."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.content = Path(settings["PATH"])
        self._root: Path | None = None
        self._info: dict = {}
        self.needed: dict[str, tuple[Path, int | None]] = {}  # output path -> (source, width)

    @property
    def root(self) -> Path:
        """The content folder, resolved once (every picture is checked against it)."""
        if self._root is None:
            self._root = self.content.resolve()
        return self._root

    def source(self, src: str, content_obj) -> Path | None:
        path = re.sub(r"^\{(static|attach|filename)\}", "", src).split("?")[0].split("#")[0]
        if path.startswith(("http://", "https://", "//", "data:")):
            return None
        site = self.settings.get("SITEURL") or ""
        if site and path.startswith(site):
            path = path[len(site):]
        # "/blog/images/x.jpg" once site_links put the sub-path in front.
        base = urlsplit(site).path.rstrip("/")
        if base and path.startswith(base + "/"):
            path = path[len(base):]
        if path.startswith("/"):
            candidate = self.content / path.lstrip("/")
        else:
            candidate = Path(content_obj.source_path).parent / path
        candidate = candidate.resolve()
        if not candidate.is_file() or not candidate.is_relative_to(self.root):
            return None
        return candidate

    def info(self, path: Path) -> tuple[int, int] | None:
        key = (path, path.stat().st_mtime_ns)
        if key not in self._info:
            size = image_size(path)
            self._info[key] = (round(size[0]), round(size[1])) if size else None
        return self._info[key]

    def url_for(self, source: Path) -> str:
        relative = source.relative_to(self.root).as_posix()
        return relative

    def oversized(self, source: Path) -> bool:
        size = self.info(source)
        return bool(size) and (size[0] > self.settings["RESPONSIVE_IMAGES_MAX_WIDTH"]
                               or source.stat().st_size > self.settings[
                                   "RESPONSIVE_IMAGES_MAX_BYTES"])


def variant_path(relative: str, width: int) -> str:
    posix = PurePosixPath(relative)
    return str(posix.with_name(f"{posix.stem}-{width}w{posix.suffix.lower()}"))


def rewrite(html_text: str, content_obj, images: Images) -> str:
    settings = images.settings
    site = (settings.get("SITEURL") or "").rstrip("/")
    count = 0

    def replace(match):
        nonlocal count
        attrs = parse_attrs(match.group(0))
        src = attrs.get("src", "")
        source = images.source(src, content_obj)
        count += 1
        if count > 1:
            attrs.setdefault("loading", "lazy")
        attrs.setdefault("decoding", "async")
        if source is None:
            return render_tag(attrs)
        size = images.info(source)
        if not size:
            return render_tag(attrs)
        width, height = size
        suffix = source.suffix.lower()
        max_width = settings["RESPONSIVE_IMAGES_MAX_WIDTH"]
        relative = images.url_for(source)
        if suffix in RASTER:
            shown = min(width, max_width)
            if images.oversized(source):
                images.needed[relative] = (source, shown)
            candidates = [w for w in settings["RESPONSIVE_IMAGES_WIDTHS"] if w < shown]
            srcset = []
            for candidate in candidates:
                target = variant_path(relative, candidate)
                images.needed[target] = (source, candidate)
                srcset.append(f"{site}/{target} {candidate}w")
            if srcset:
                srcset.append(f"{site}/{relative} {shown}w")
                attrs["srcset"] = ", ".join(srcset)
                attrs["sizes"] = settings["RESPONSIVE_IMAGES_SIZES"]
            height, width = round(height * shown / width), shown
        attrs.setdefault("width", str(width))
        attrs.setdefault("height", str(height))
        return render_tag(attrs)

    return IMG.sub(replace, html_text)


_images: dict[int, Images] = {}


def images_for(settings: dict) -> Images:
    """One Images per build (the static generator needs it before the pages)."""
    if id(settings) not in _images:
        _images[id(settings)] = Images(settings)
    return _images[id(settings)]


def attach(content) -> None:
    """Rewrite a content object's pictures as soon as it exists, before anything
    (reading time, feeds, templates) reads and memoises its HTML."""
    from pelican.contents import Static

    if isinstance(content, Static):
        return
    images = images_for(content.settings)
    content.card_image = card_image(content, images)
    if not content._content or "<img" not in content._content:
        return
    content._content = rewrite(content._content, content, images)


def card_image(content, images: Images) -> dict | None:
    """The article's own picture (``Image:``) as a card thumbnail, or None."""
    image = content.metadata.get("image")
    if not image:
        return None
    source = images.source("/" + str(image).lstrip("/"), content)
    size = images.info(source) if source else None
    if not size:
        return None
    settings = images.settings
    site = (settings.get("SITEURL") or "").rstrip("/")
    relative = images.url_for(source)
    width, height = size
    picture = {"src": f"{site}/{relative}", "width": width, "height": height}
    if source.suffix.lower() in RASTER:
        candidates = [w for w in settings["RESPONSIVE_IMAGES_CARD_WIDTHS"] if w < width]
        for candidate in candidates:
            images.needed[variant_path(relative, candidate)] = (source, candidate)
        if candidates:
            smallest = candidates[0]
            picture["src"] = f"{site}/{variant_path(relative, smallest)}"
            picture["srcset"] = ", ".join(
                f"{site}/{variant_path(relative, w)} {w}w" for w in candidates)
            picture["sizes"] = settings["RESPONSIVE_IMAGES_CARD_SIZES"]
            picture["width"], picture["height"] = smallest, round(height * smallest / width)
    return picture


def keep_oversized_out(generator) -> None:
    """Oversized originals are not copied as they are; our resized copy takes their place."""
    images = images_for(generator.settings)
    content = Path(generator.settings["PATH"]).resolve()
    keep = []
    for static in generator.staticfiles:
        source = Path(static.source_path).resolve()
        if source.suffix.lower() in RASTER and source.is_relative_to(content) and \
                images.oversized(source):
            relative = source.relative_to(content).as_posix()
            images.needed.setdefault(relative, (source, min(
                images.info(source)[0], generator.settings["RESPONSIVE_IMAGES_MAX_WIDTH"])))
            continue
        keep.append(static)
    generator.staticfiles[:] = keep


def resize(source: Path, width: int, target: Path, quality: int) -> None:
    from PIL import Image, ImageOps

    with Image.open(source) as image:
        image = ImageOps.exif_transpose(image)
        if image.width > width:
            height = round(image.height * width / image.width)
            image = image.resize((width, height), Image.Resampling.LANCZOS)
        fmt = RASTER[source.suffix.lower()]
        options = {"optimize": True}
        if fmt in ("JPEG", "WEBP"):
            options["quality"] = quality
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
        if fmt == "JPEG":
            options["progressive"] = True
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(target, fmt, **options)


class ResponsiveImagesGenerator(OutputGenerator):
    """Writes the resized copies the pages ask for, from the build cache."""

    # In a build that renders in several processes, each resizes its own
    # pictures (dorpsplein_kit.parallel), decided by the cached file's name:
    # one process writes each cache file.
    shares_work = True

    def generate_output(self, writer) -> None:
        images = _images.get(id(self.settings))
        if images is None:
            return
        cache = Path(self.settings.get("CACHE_PATH") or "cache") / "responsive_images"
        quality = self.settings["RESPONSIVE_IMAGES_QUALITY"]
        for relative, (source, width) in sorted(images.needed.items()):
            stamp = f"{source}|{source.stat().st_mtime_ns}|{width}|{quality}"
            name = hashlib.sha1(stamp.encode()).hexdigest()[:16] + source.suffix.lower()
            cached = cache / name
            if not mine(name):
                continue
            if not cached.exists():
                resize(source, width, cached, quality)
            self.copy(cached, relative)
        _images.pop(id(self.settings), None)


def get_generators(pelican):
    return ResponsiveImagesGenerator


def register() -> None:
    signals.initialized.connect(configure)
    signals.content_object_init.connect(attach)
    signals.static_generator_finalized.connect(keep_oversized_out)
    signals.get_generators.connect(get_generators)
