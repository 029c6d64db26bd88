"""Every feed of the site, written with feedgen (Pelican's own feeds stay off).

For all articles, each category and each tag, an Atom and an RSS 2.0 feed
(``FEEDGEN_FEEDS_TYPES``) with the newest ``FEEDGEN_FEEDS_MAX_ITEMS`` articles:

- entry ids are ``urn:uuid:`` values derived from the article's path, so they
  stay the same when SITEURL changes (RSS: ``guid isPermaLink="false"``);
- published and updated times carry the site's time-zone offset;
- content (``FEEDGEN_FEEDS_CONTENT``: full or summary) has every link and
  image made absolute; the article image is an enclosure;
- each feed names its own address (``rel="self"``), the site, language,
  icon and logo.

Opened in a browser, a feed reads as a small Dutch web page. Besides the
Atom or RSS elements every feed carries a few elements in the XHTML
namespace (prefix ``h``), written through feedgen's extension API
(``BrowserPageExtension``, ``BrowserPageEntryExtension``): an ``h:title`` and
a viewport ``h:meta`` (so a phone lays the page out at its own width, not at
980 px), a header with the feed's title as ``h:h1``, the site's subtitle,
three sentences on what a feed is and a link back to the feed's page on the
site (the home page, or the theme or tag page), and in every entry an
``h:h2`` with an ``h:a`` to the article. Browsers make these real HTML
elements (a link is an HTMLAnchorElement: focusable, clickable), feed
readers skip them as foreign markup (RFC 4287 §6; namespaced elements in
RSS 2.0). The words come from the theme's ``feeds/browser.html`` through our
gettext catalogue; ``feeds/style.css``, rendered from the theme's template
with the town's palette and linked by an ``<?xml-stylesheet?>``
instruction, hides the raw elements and lays the page out. No XSLT:
Chromium shows a deprecation banner over XSLT pages and browsers are
removing it.

Links other plugins give (``dorpsplein_kit.FeedLink``, their contracts'
``feed_links``; this plugin never knows who gives them): the feed's own
(following by e-mail) are Atom ``<link>`` elements of the feed and
``<atom:link>`` elements of the RSS channel; an entry's (its comments as
RFC 4685 ``replies``, where it was posted as ``related``) are Atom links of
the entry, ``<atom:link>`` elements of the RSS item and, for the comments,
the item's ``<comments>``. Feed readers rarely show link elements, so the
same links also close each entry's content (full content only) as one
paragraph, "Reageer op dit artikel · Besproken op Mastodon · Volg ons per
e-mail", in the words of the theme's ``feeds/links.html``. Without any such
link a feed is byte for byte what it was before.

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
from dorpsplein_kit import (
    Contract,
    Declared,
    FeedLink,
    absolute_url,
    declared,
    site_url,
    town,
    write_if_changed,
)
from dorpsplein_kit.parallel import mine
from dorpsplein_kit.tokens import design_tokens
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
XHTML = "http://www.w3.org/1999/xhtml"
ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
VIEWPORT = "width=device-width, initial-scale=1"


def site_path(kind: str, slug: str, feed_type: str) -> str:
    if kind == "site":
        return f"feeds/{feed_type}.xml"
    folder = "thema" if kind == "category" else "tag"
    return f"feeds/{folder}/{slug}.{feed_type}.xml"


def atom_link(link: dict) -> etree._Element:
    """An ``atom:link`` for an RSS channel or item (RSS 2.0 allows namespaced
    elements; the W3C validator knows atom:link)."""
    return etree.Element(f"{{{ATOM}}}link", {k: str(v) for k, v in link.items() if v})


class AtomLinksExtension(BaseEntryExtension):
    """Writes an Atom entry's links with their rel, type, length and title.

    feedgen 1.0.0 drops every attribute but href from entry links (a loop
    variable shadows the link data in FeedEntry.atom_entry), which would turn
    an enclosure into a second rel="alternate" link — invalid Atom. This
    extension, registered through feedgen's own extension API, rewrites them.
    In RSS (which has one ``<link>`` and an ``<enclosure>``) it adds the
    other plugins' links (``related``, ``replies``) as ``atom:link``.
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
        extra = [link for link in self.links if link["rel"] not in ("alternate", "enclosure")]
        if extra:
            guid = item.find("guid")
            position = list(item).index(guid) + 1 if guid is not None else len(item)
            for offset, link in enumerate(extra):
                item.insert(position + offset, atom_link(link))
        return item


class ChannelLinksExtension(BaseExtension):
    """The RSS channel's share of the feed's links from other plugins: feedgen
    writes only ``rel="self"`` as ``atom:link`` there; these follow it. (Atom
    gets them through ``FeedGenerator.link``.)"""

    def __init__(self):
        self.links: list[dict] = []

    def extend_atom(self, feed):
        return feed

    def extend_rss(self, feed):
        channel = feed.find("channel")
        selfs = channel.findall(f"{{{ATOM}}}link")
        position = list(channel).index(selfs[-1]) + 1 if selfs else len(channel)
        for offset, link in enumerate(self.links):
            channel.insert(position + offset, atom_link(link))
        return feed


def xhtml(tag: str, text: str | None = None, /, **attributes: str) -> etree._Element:
    """An element in the XHTML namespace, written with the ``h`` prefix
    (``class_`` for class, ``lang`` for xml:lang)."""
    element = etree.Element(f"{{{XHTML}}}{tag}", nsmap={"h": XHTML})
    for key, value in attributes.items():
        element.set(XML_LANG if key == "lang" else key.rstrip("_"), value)
    element.text = text
    return element


class BrowserPageExtension(BaseExtension):
    """The feed-level XHTML elements a browser shows (feed readers skip them).

    First in ``<feed>`` / ``<channel>``: ``h:title`` (the tab's title) and the
    viewport ``h:meta``; after the feed's own elements, before the entries, an
    ``h:header``: the feed title (``h:h1``), the subtitle, the intro
    paragraphs and the link back to the feed's page on the site.
    """

    def __init__(self):
        # Set by FeedsGenerator.build_feed: title, subtitle, intro (a list of
        # sentences), home (absolute URL), home_text, lang.
        self.page: dict | None = None

    def extend_ns(self):
        return {"h": XHTML}

    def extend_atom(self, feed):
        self.add(feed)
        return feed

    def extend_rss(self, feed):
        self.add(feed.find("channel"))
        return feed

    def add(self, parent) -> None:
        page = self.page
        if not page:
            return
        parent.insert(0, xhtml("title", page["title"]))
        parent.insert(1, xhtml("meta", name="viewport", content=VIEWPORT))
        header = xhtml("header", lang=page["lang"])
        header.append(xhtml("h1", page["title"]))
        if page["subtitle"]:
            header.append(xhtml("p", page["subtitle"], class_="feed-subtitle"))
        intro = xhtml("div", class_="feed-intro")
        intro.extend(xhtml("p", sentence) for sentence in page["intro"])
        header.append(intro)
        home = xhtml("p", class_="feed-home")
        home.append(xhtml("a", page["home_text"], href=page["home"]))
        header.append(home)
        parent.append(header)


class BrowserPageEntryExtension(BaseEntryExtension):
    """The entry's title as a link to the article (``h:h2`` > ``h:a``), first in
    the entry, for a browser; the plain Atom/RSS title stays for feed readers."""

    def __init__(self):
        self.heading: dict | None = None  # href, title, lang

    def extend_atom(self, entry):
        self.add(entry)
        return entry

    def extend_rss(self, item):
        self.add(item)
        return item

    def add(self, entry) -> None:
        if not self.heading:
            return
        heading = xhtml("h2", lang=self.heading["lang"])
        heading.append(xhtml("a", self.heading["title"], href=self.heading["href"]))
        entry.insert(0, heading)


def plain(rendered) -> str:
    """Plain text for lxml, which escapes it: a macro's output (Markup, already
    escaped when autoescape is on) unescaped, whitespace collapsed."""
    text = rendered.unescape() if isinstance(rendered, Markup) else str(rendered)
    return " ".join(text.split())


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
        self._facts: dict = {}  # article -> entry_facts()
        self.contracts: Declared | None = None

    # -- addresses: feeds need absolute ones, also in the preview ---------
    def absolute(self, path: str) -> str:
        return absolute_url(self.settings, path)

    # -- titles come from the theme, through gettext ----------------------
    def titles(self):
        return self.env.get_template("feeds/titles.html").module

    def browser_words(self):
        return self.env.get_template("feeds/browser.html").module

    def link_words(self):
        return self.env.get_template("feeds/links.html").module

    # -- what other plugins link from the feeds (their contracts) ---------
    def links_of(self, content) -> list[FeedLink]:
        """The declared plugins' links for ``content`` (None: the feed itself)."""
        if self.contracts is None:
            self.contracts = declared(self.settings)
        return self.contracts.links_for_feeds(content, self.context)

    def link_data(self, links: list[FeedLink]) -> list[dict]:
        """The links as feedgen's link dicts, each with its title in words."""
        words = self.link_words()
        return [{"href": link.href, "rel": link.rel, "type": link.type,
                 "title": plain(words.title(link))} for link in links]

    def entry_footer(self, links: list[FeedLink]) -> str:
        """The paragraph that closes an entry's content: the same links in words."""
        return str(self.link_words().footer(links)).strip() if links else ""

    def generate_context(self) -> None:
        self._facts = {}
        self.contracts = None
        articles = sorted(self.context.get("articles", []), key=lambda a: a.date, reverse=True)
        settings = self.settings
        titles = self.titles()
        site = settings["SITENAME"]
        groups = [{"kind": "site", "slug": "", "name": site,
                   "title": plain(titles.site(site)), "articles": articles}]
        if settings["FEEDGEN_FEEDS_CATEGORIES"]:
            by_category: dict = {}
            for article in articles:
                by_category.setdefault(article.category, []).append(article)
            for category, items in sorted(by_category.items(), key=lambda kv: kv[0].name):
                groups.append({"kind": "category", "slug": category.slug,
                               "name": category.name, "articles": items,
                               "title": plain(titles.category(site, category.name))})
        if settings["FEEDGEN_FEEDS_TAGS"]:
            by_tag: dict = {}
            for article in articles:
                for tag in getattr(article, "tags", []) or []:
                    by_tag.setdefault(tag, []).append(article)
            for tag, items in sorted(by_tag.items(), key=lambda kv: kv[0].name):
                groups.append({"kind": "tag", "slug": tag.slug, "name": tag.name,
                               "articles": items,
                               "title": plain(titles.tag(site, tag.name))})
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
        fg.register_extension("atomlinks", BaseExtension, AtomLinksExtension)
        fg.register_extension("channellinks", ChannelLinksExtension, BaseEntryExtension,
                              atom=False)
        fg.register_extension("browserpage", BrowserPageExtension, BrowserPageEntryExtension)
        fg.id(make_entry_id(settings["FEEDGEN_FEEDS_ID_NAMESPACE"], "feeds/" + group["kind"]
                            + "/" + group["slug"]))
        fg.title(group["title"])
        fg.subtitle(settings.get("SITESUBTITLE") or settings["SITENAME"])
        fg.link(href=self.absolute(path), rel="self", type=MIME[feed_type])
        # Before the alternate link: RSS's channel <link> is the last one's href.
        channel_links = self.link_data(self.links_of(None))
        for link in channel_links:
            fg.link(**link)
        fg.channellinks.links = channel_links
        home = self.absolute(self._html_url(group))
        fg.link(href=home, rel="alternate", type="text/html")
        lang = settings.get("SITE_LOCALE", "nl_BE").replace("_", "-")
        fg.language(lang)
        words = self.browser_words()
        fg.browserpage.page = {
            "title": group["title"], "subtitle": plain(fg.subtitle()), "lang": lang,
            "intro": [plain(line) for line in str(words.intro()).splitlines() if line.strip()],
            "home": home, "home_text": plain(words.home_link(settings["SITENAME"])),
        }
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
            self.add_entry(fg, article, lang)
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

    def entry_facts(self, article) -> dict:
        """What every feed says of ``article`` in the same words: its address,
        id, summary and content with absolute links. An article is in up to a
        dozen feeds (the site's, its theme's, each tag's; Atom and RSS), and
        Pelican re-renders the content and re-formats the address at every
        use, so this is worked out once per article (again after
        generate_context, which the live preview calls when an article
        changed)."""
        facts = self._facts.get(article)
        if facts is None:
            settings = self.settings
            relative = article.url
            url = self.absolute(relative)
            links = self.links_of(article)
            content = None
            if settings["FEEDGEN_FEEDS_CONTENT"] == "full":
                footer = self.entry_footer(links)
                content = absolute_html(article.content, url)
                content = f"{content}\n{footer}" if footer else content
            facts = self._facts[article] = {
                "url": url,
                "id": make_entry_id(settings["FEEDGEN_FEEDS_ID_NAMESPACE"], relative),
                "summary": striptags(getattr(article, "summary", "") or "").strip(),
                "content": content,
                "links": self.link_data(links),
                "comments": next((link.href for link in links if link.rel == "replies"), None),
            }
        return facts

    def add_entry(self, fg, article, lang: str) -> None:
        settings = self.settings
        facts = self.entry_facts(article)
        url = facts["url"]
        entry = fg.add_entry(order="append")
        identifier = facts["id"]
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
        if facts["summary"]:
            entry.summary(facts["summary"])
        if facts["content"] is not None:
            entry.content(facts["content"], type="html")
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
        entry.atomlinks.links = links + facts["links"]
        if facts["comments"]:
            entry.comments(facts["comments"])
        entry.browserpage.heading = {"href": url, "title": article.title, "lang": lang}

    # Each process of a parallel build writes its own feeds (dorpsplein_kit.parallel).
    shares_work = True

    def generate_output(self, writer) -> None:
        for group in self.groups:
            self.write_group(group)
        # The design tokens, so a feed opened in a browser wears the site's look.
        if not mine(STYLESHEET):
            return
        css = self.env.get_template("feeds/style.css").render(
            SITENAME=self.settings["SITENAME"], SITEURL=site_url(self.settings),
            T=design_tokens(self.settings),
        )
        self.write(STYLESHEET, css)

    def write_group(self, group: dict) -> None:
        for feed_type in self.settings["FEEDGEN_FEEDS_TYPES"]:
            relative = site_path(group["kind"], group["slug"], feed_type)
            if mine(relative):
                self.write(relative, self.build_feed(group, feed_type))

    def write(self, relative: str, data: bytes | str) -> None:
        write_if_changed(os.path.join(self.output_path, relative), data)


def update_preview(generators, article) -> None:
    """Live preview: ``article`` changed (its text, title, date, category or
    tags). The feeds and their context are made again from the articles as
    they are now (when the site's list of articles is a new one: the preview
    makes one whenever an edit may move an article); a feed is rewritten when
    its newest items changed or hold the article, and the files of a feed
    that is gone (a tag nobody uses any more) are removed."""
    for generator in generators:
        if not isinstance(generator, FeedsGenerator):
            continue
        limit = generator.settings["FEEDGEN_FEEDS_MAX_ITEMS"]

        def shown(group, limit=limit):
            return group["title"], [id(a) for a in group["articles"][:limit]]

        before = {(g["kind"], g["slug"]): shown(g) for g in generator.groups}
        articles = generator.context.get("articles")
        if articles is not getattr(generator, "preview_articles", None):
            # The site's lists were made again (a new date, tags, ...): so are the feeds.
            generator.generate_context()
            generator.preview_articles = articles
        else:  # the same lists: only what the feeds say of the article is new
            generator._facts.pop(article, None)
        for group in generator.groups:
            key = (group["kind"], group["slug"])
            if before.pop(key, None) != shown(group) or any(
                    a is article for a in group["articles"][:limit]):
                generator.write_group(group)
        for kind, slug in before:  # gone
            for feed_type in generator.settings["FEEDGEN_FEEDS_TYPES"]:
                path = os.path.join(generator.output_path, site_path(kind, slug, feed_type))
                if os.path.exists(path):
                    os.remove(path)


def get_generators(pelican):
    return FeedsGenerator


# The live preview rewrites the feeds an edited article is (or was) in.
CONTRACT = Contract(preview=update_preview)


def register() -> None:
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)
