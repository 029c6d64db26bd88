"""Every feed of the site, written with feedgen (Pelican's own feeds stay off).

For all articles, each category and each tag, an Atom and an RSS 2.0 feed
(``FEEDGEN_FEEDS_TYPES``) with the newest ``FEEDGEN_FEEDS_MAX_ITEMS`` articles:

- entry ids are ``urn:uuid:`` values derived from the article's path, so they
  stay the same when SITEURL changes (RSS: ``guid isPermaLink="false"``);
- published and updated times carry the site's time-zone offset;
- content (``FEEDGEN_FEEDS_CONTENT``: full or summary) has every link and
  image made absolute; the article image is an enclosure;
- each feed names its own address (``rel="self"``), the site, language,
  icon and logo, and links a CSS stylesheet so that a feed opened in a
  browser reads as a Dutch page (``feeds/style.css``, rendered from the
  theme's ``feeds/style.css`` template with our gettext catalogue).

Context for templates (addresses relative to the site root)::

    FEEDGEN_FEEDS_SITE = [{"type": "atom", "mime": "application/atom+xml",
                           "url": "feeds/atom.xml", "title": "..."}, ...]
    FEEDGEN_FEEDS_CATEGORY = {category_slug: [same shape]}
    FEEDGEN_FEEDS_TAG = {tag_slug: [same shape]}
    FEEDGEN_FEEDS_ALL = [{"kind": "site" | "category" | "tag", "name", "feeds": [...]}]
"""

from __future__ import annotations

import mimetypes
import os
import posixpath

import lxml.html
from dorpsplein_kit import Contract, absolute_url, site_url, town, write_if_changed
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree
from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator

from .settings import entry_id as make_entry_id
from .settings import merged

MIME = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
STYLESHEET = "feeds/style.css"


def site_path(kind: str, slug: str, feed_type: str) -> str:
    if kind == "site":
        return f"feeds/{feed_type}.xml"
    folder = "thema" if kind == "category" else "tag"
    return f"feeds/{folder}/{slug}.{feed_type}.xml"


class AtomLinksExtension(BaseEntryExtension):
    """Writes an Atom entry's links with their rel, type and length.

    feedgen 1.0.0 drops every attribute but href from entry links (a loop
    variable shadows the link data in FeedEntry.atom_entry), which would turn
    an enclosure into a second rel="alternate" link — invalid Atom. This
    extension, registered through feedgen's own extension API, rewrites them.
    """

    def __init__(self):
        self.links: list[dict] = []

    def extend_atom(self, entry):
        old = [child for child in entry if etree.QName(child).localname == "link"]
        if not old:
            return entry
        tag, position = old[0].tag, list(entry).index(old[0])
        for child in old:
            entry.remove(child)
        for offset, link in enumerate(self.links):
            element = etree.Element(tag, {k: str(v) for k, v in link.items() if v})
            entry.insert(position + offset, element)
        return entry

    def extend_rss(self, item):
        return item


def striptags(html: str) -> str:
    """Plain text of an HTML fragment, entities decoded (for titles, summaries)."""
    return Markup(html or "").striptags()


def configure(pelican) -> None:
    merged(pelican.settings)


def absolute_html(html: str, base_url: str) -> str:
    """The article HTML with every relative href and src made absolute."""
    if not html or not html.strip():
        return html
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    fragment.make_links_absolute(base_url, resolve_base_href=False)
    inner = (fragment.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in fragment
    )
    return inner


class FeedsGenerator(Generator):
    """Writes the feeds and their stylesheet after the pages are known."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups: list[dict] = []

    # -- addresses: feeds need absolute ones, also in the preview ---------
    def absolute(self, path: str) -> str:
        return absolute_url(self.settings, path)

    # -- titles come from the theme, through gettext ----------------------
    def titles(self):
        return self.env.get_template("feeds/titles.html").module

    def generate_context(self) -> None:
        articles = sorted(self.context.get("articles", []), key=lambda a: a.date, reverse=True)
        settings = self.settings
        titles = self.titles()
        site = settings["SITENAME"]
        groups = [{"kind": "site", "slug": "", "name": site,
                   "title": str(titles.site(site)).strip(), "articles": articles}]
        if settings["FEEDGEN_FEEDS_CATEGORIES"]:
            by_category: dict = {}
            for article in articles:
                by_category.setdefault(article.category, []).append(article)
            for category, items in sorted(by_category.items(), key=lambda kv: kv[0].name):
                groups.append({"kind": "category", "slug": category.slug,
                               "name": category.name, "articles": items,
                               "title": str(titles.category(site, category.name)).strip()})
        if settings["FEEDGEN_FEEDS_TAGS"]:
            by_tag: dict = {}
            for article in articles:
                for tag in getattr(article, "tags", []) or []:
                    by_tag.setdefault(tag, []).append(article)
            for tag, items in sorted(by_tag.items(), key=lambda kv: kv[0].name):
                groups.append({"kind": "tag", "slug": tag.slug, "name": tag.name,
                               "articles": items,
                               "title": str(titles.tag(site, tag.name)).strip()})
        for group in groups:
            group["feeds"] = [
                {"type": kind, "mime": MIME[kind], "title": group["title"],
                 "url": site_path(group["kind"], group["slug"], kind)}
                for kind in settings["FEEDGEN_FEEDS_TYPES"]
            ]
        self.groups = groups
        self.context["FEEDGEN_FEEDS_SITE"] = groups[0]["feeds"]
        self.context["FEEDGEN_FEEDS_CATEGORY"] = {
            g["slug"]: g["feeds"] for g in groups if g["kind"] == "category"
        }
        self.context["FEEDGEN_FEEDS_TAG"] = {
            g["slug"]: g["feeds"] for g in groups if g["kind"] == "tag"
        }
        self.context["FEEDGEN_FEEDS_ALL"] = [
            {"kind": g["kind"], "name": g["name"], "feeds": g["feeds"]} for g in groups
        ]

    # -- writing ---------------------------------------------------------
    def build_feed(self, group: dict, feed_type: str) -> bytes:
        settings = self.settings
        items = group["articles"][: settings["FEEDGEN_FEEDS_MAX_ITEMS"]]
        path = site_path(group["kind"], group["slug"], feed_type)
        fg = FeedGenerator()
        fg.load_extension("dc", atom=False, rss=True)
        fg.register_extension("atomlinks", BaseExtension, AtomLinksExtension, rss=False)
        fg.id(make_entry_id(settings["FEEDGEN_FEEDS_ID_NAMESPACE"], "feeds/" + group["kind"]
                            + "/" + group["slug"]))
        fg.title(group["title"])
        fg.subtitle(settings.get("SITESUBTITLE") or settings["SITENAME"])
        fg.link(href=self.absolute(path), rel="self", type=MIME[feed_type])
        home = self.absolute(self._html_url(group))
        fg.link(href=home, rel="alternate", type="text/html")
        fg.language(settings.get("SITE_LOCALE", "nl_BE").replace("_", "-"))
        fg.author({"name": settings.get("AUTHOR") or settings["SITENAME"]})
        logo = town(settings).logo
        if logo:
            fg.icon(self.absolute(logo))
            # RSS 2.0 allows only GIF, JPEG or PNG as the channel image.
            if os.path.splitext(logo)[1].lower() in (".png", ".jpg", ".jpeg", ".gif"):
                fg.logo(self.absolute(logo))
        fg.generator("Dorpsplein", uri="https://pypi.org/project/feedgen/")
        updated = max((getattr(a, "modified", None) or a.date for a in items), default=None)
        if updated is not None:
            fg.updated(updated)
            fg.lastBuildDate(updated)
        for article in items:
            self.add_entry(fg, article)
        xml = fg.atom_str(pretty=True) if feed_type == "atom" else fg.rss_str(pretty=True)
        href = posixpath.relpath(STYLESHEET, posixpath.dirname(path))
        declaration, _, rest = xml.partition(b"?>")
        return (declaration + b"?>\n" + f'<?xml-stylesheet type="text/css" href="{href}"?>'
                .encode() + rest)

    def _html_url(self, group) -> str:
        if group["kind"] == "site":
            return ""
        article = group["articles"][0]
        if group["kind"] == "category":
            return article.category.url
        return next(t.url for t in article.tags if t.slug == group["slug"])

    def add_entry(self, fg, article) -> None:
        settings = self.settings
        url = self.absolute(article.url)
        entry = fg.add_entry(order="append")
        identifier = make_entry_id(settings["FEEDGEN_FEEDS_ID_NAMESPACE"], article.url)
        entry.id(identifier)
        entry.guid(identifier, permalink=False)
        entry.title(article.title)
        entry.link(href=url, rel="alternate", type="text/html")
        entry.published(article.date)
        entry.updated(getattr(article, "modified", None) or article.date)
        for author in article.authors:
            entry.author({"name": author.name})
        entry.dc.dc_creator([a.name for a in article.authors])
        terms = [(article.category.slug, article.category.name)] + [
            (tag.slug, tag.name) for tag in getattr(article, "tags", []) or []
        ]
        entry.category([{"term": name, "label": name} for _slug, name in terms])
        summary = striptags(getattr(article, "summary", "") or "").strip()
        if summary:
            entry.summary(summary)
        if settings["FEEDGEN_FEEDS_CONTENT"] == "full":
            entry.content(absolute_html(article.content, url), type="html")
        links = [{"href": url, "rel": "alternate", "type": "text/html"}]
        image = getattr(article, "image", None)
        if image:
            source = os.path.join(settings["PATH"], image)
            if os.path.isfile(source):
                kind = mimetypes.guess_type(source)[0] or "application/octet-stream"
                size = str(os.path.getsize(source))
                entry.enclosure(self.absolute(image), size, kind)
                links.append({"href": self.absolute(image), "rel": "enclosure", "type": kind,
                              "length": size})
        entry.atomlinks.links = links

    def generate_output(self, writer) -> None:
        for group in self.groups:
            self.write_group(group)
        # The town's palette, so a feed opened in a browser wears its colours.
        css = self.env.get_template("feeds/style.css").render(
            SITENAME=self.settings["SITENAME"], SITEURL=site_url(self.settings),
            TOWN_PALETTE=town(self.settings).palette,
        )
        self.write(STYLESHEET, css)

    def write_group(self, group: dict) -> None:
        for feed_type in self.settings["FEEDGEN_FEEDS_TYPES"]:
            self.write(site_path(group["kind"], group["slug"], feed_type),
                       self.build_feed(group, feed_type))

    def write(self, relative: str, data: bytes | str) -> None:
        write_if_changed(os.path.join(self.output_path, relative), data)


def update_preview(generators, article) -> None:
    """Live preview: rewrite the feeds that hold ``article`` (its body changed)."""
    for generator in generators:
        if not isinstance(generator, FeedsGenerator):
            continue
        limit = generator.settings["FEEDGEN_FEEDS_MAX_ITEMS"]
        for group in generator.groups:
            if article in group["articles"][:limit]:
                generator.write_group(group)


def get_generators(pelican):
    return FeedsGenerator


# The live preview rewrites the feeds an edited article is in.
CONTRACT = Contract(preview=update_preview)


def register() -> None:
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)
