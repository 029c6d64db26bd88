"""What a plugin offers the rest of the house, declared instead of implied.

A plugin package that other parts must know about exposes ``CONTRACT``::

    CONTRACT = Contract(
        front_matter={"comments": ("open", "closed", "off")},  # values it accepts
        listed=("isso_comments",),        # what it puts on articles that list pages show
        preview=update_one_article,       # live preview: redo its files for one article
        shown_elsewhere=("tags",),        # keys whose change alters other articles' pages
        reach=other_articles,             # ...and which other articles that can be
    )

The editor checks (at build time and in ``invoke check``) and the live preview
(``dorpsplein/incremental.py``) ask ``declared(settings)`` — the contracts of
the plugins in ``PLUGINS`` — and never name a plugin. Contracts are read after
every plugin is loaded, so the order of ``PLUGINS`` does not matter.

``preview(generators, article)`` is called by the live preview after it
re-read one edited article and brought the site's data up to date (the
article's new values in place, the lists, tags, categories and neighbours
recomputed, every plugin's ``all_generators_finalized`` data recomputed for
the articles it concerns), before it renders the pages that changed. The
plugin rewrites its own files that show the article or changed with it (the
feeds the article is or was in, the sitemap, a share image), removes the ones
a full build would no longer write, and updates what it keeps in the
templates' context (a template rendered afterwards sees it). The article may
have a new title, date, category, tags or summary; its address is the same
(an edit that moves the article is a full build). The context's lists
(``articles``, ``dates``, ``tags``, ...) are new list objects when the edit
may have changed them (a new date, category, tags, authors) and the same
objects otherwise, so a plugin may keep what it derived from them.

``check(settings)`` gives the problems the plugin finds in content files, as
``(path, line, message)`` with the same words the build uses: the files it
reads itself (consultations, self-tests), or what it reads in articles that
the editor checks cannot judge (a ``Discussed:`` address). ``./go check``
reports them beside the articles' own.

A ``front_matter`` key declared with no values (``{"discussed": ()}``) takes any
value: the editor checks know the key, the plugin checks the value.

``outside(settings)`` gives, as text, what the plugin's pages are made of that
is not in any file the build reads (a service's answers): the no-change build
(``dorpsplein/uptodate.py``) builds again when it differs from last time.

``listed`` names the article attributes list pages show (the reading time):
when one of them changes, the live preview renders the list pages that show
the article again.

``feed_links(content, context)`` gives the links a plugin adds to the feeds
(``FeedLink``: rel, href, kind, name, type): for the feed as a whole when
``content`` is None, for one article's entry otherwise. ``context`` is the
build's shared context (the settings and what the generators found); the
plugin reads its own data there or on the article (computed by then: the
feeds are written after ``all_generators_finalized``). The feeds plugin asks
every declared function and writes the links (Atom ``<link>``, RSS
``<comments>`` and ``<atom:link>``) and a line of them at the end of each
entry's content, with the words the theme gives each ``kind``
(``feeds/links.html``); it never knows who gave them.

``processing(context)`` gives what the plugin keeps or sends about citizens,
as ``dorpsplein_kit.privacy.Processing`` records built from its settings; the
privacy statement's tables and the register of processing activities are
made from them (privacy.py).

``shown_elsewhere`` names front-matter keys (``tags``, ``category``, ...) of an
article whose change alters what the plugin shows on OTHER articles' pages
(related articles, for example). When one of them changes, the live preview
asks ``reach(generators, article)`` — with the article's new values in place
and every other article's data still as the plugin last computed it — for the
other articles whose data may change; the plugin's ``all_generators_finalized``
handler then recomputes those (and the article itself) only, and their pages
are rendered again when their data changed. Without ``reach``, such a change
is a full build. ``Contract.ranked_lists(...)`` makes the ``reach`` of the
common kind: a list of at most N other articles ranked first by how many tag
(or other) values they share.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from .settings import SettingsError

Preview = Callable[[list, Any], None]
# reach(generators, article) -> the other articles whose data may change.
Reach = Callable[[list, Any], Iterable]
# check(settings) -> the problems of the plugin's own content files.
Check = Callable[[Any], Iterable[tuple[Any, int | None, str]]]
# outside(settings) -> the data from outside the files, as text.
Outside = Callable[[Any], str]


@dataclass(frozen=True)
class FeedLink:
    """A link a plugin adds to a feed (the channel) or to one article's entry.

    ``rel``: the Atom link relation: "related", or "replies" (RFC 4685) for
    the article's comment thread. ``href``: absolute. ``kind``: what it is,
    so the theme can say it in the site's language (``feeds/links.html``):
    "replies" (comments open), "replies-closed" (readable, closed),
    "discussed" (where the article was posted; ``name`` is the network's),
    "email-follow" (following by e-mail); another kind is shown by its
    ``name``. ``name``: a proper name shown as written ("Mastodon"), or "".
    ``type``: the linked resource's media type."""

    rel: str
    href: str
    kind: str
    name: str = ""
    type: str = "text/html"


# feed_links(content or None, context) -> the links for that entry (None: the feed).
FeedLinks = Callable[[Any, Any], Iterable[FeedLink]]
# processing(context) -> what the plugin keeps or sends about citizens (privacy.py).
ProcessingOf = Callable[[Any], Iterable[Any]]

# Where Pelican's articles generator keeps every article, draft and hidden one.
_ARTICLE_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations",
                  "drafts", "drafts_translations")


def _every_article(generators) -> Iterable:
    for generator in generators:
        if hasattr(generator, "drafts"):  # the articles generator
            for name in _ARTICLE_LISTS:
                yield from getattr(generator, name, None) or ()


def _values(article, key: str) -> frozenset:
    """The values of ``article.<key>`` (tags: their slugs), kept on the article
    while that attribute is the same object."""
    values = getattr(article, key, None)
    kept = vars(article).get(f"_contract_{key}")
    if kept is not None and kept[0] is values:
        return kept[1]
    found = frozenset() if values is None else frozenset(
        getattr(value, "slug", value)
        for value in (values if isinstance(values, list | tuple | set) else [values]))
    vars(article)[f"_contract_{key}"] = (values, found)
    return found


@dataclass(frozen=True)
class Contract:
    front_matter: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    listed: tuple[str, ...] = ()
    preview: Preview | None = None
    shown_elsewhere: tuple[str, ...] = ()
    reach: Reach | None = None
    check: Check | None = None
    outside: Outside | None = None
    feed_links: FeedLinks | None = None
    processing: ProcessingOf | None = None

    @staticmethod
    def ranked_lists(attribute: str, key: str, shared: str, limit: str) -> Reach:
        """The ``reach`` of a plugin that gives every article ``article.<attribute>``:
        a list of at most ``settings[limit]`` OTHER articles, as dicts with their
        ``url`` and, under ``shared``, the values of ``key`` (``tags``) the two
        have in common, ranked FIRST by how many they share (ties broken any way
        the plugin likes), and listing every candidate when there are fewer.

        When ``article`` changed, another article's list can change only if it
        shows the article now, or the article can enter it: the list is not
        full, or the article shares at least as many values with it as the
        list's last entry does. Those are returned (a few more than change,
        never fewer)."""

        def reach(generators, article) -> list:
            found = []
            url = article.url
            mine = _values(article, key)
            size = article.settings.get(limit) or 0
            for other in _every_article(generators):
                entries = vars(other).get(attribute) or ()
                if other is article or not (size or entries):
                    continue
                if any(entry.get("url") == url for entry in entries) or len(entries) < size:
                    found.append(other)
                    continue
                least = len(entries[-1].get(shared) or ())
                # It cannot share more than it has.
                if least <= len(mine) and len(mine & _values(other, key)) >= least:
                    found.append(other)
            return found

        return reach


@dataclass(frozen=True)
class Declared:
    """Every enabled plugin's contract, together."""

    front_matter: dict[str, tuple[str, ...]]
    listed: tuple[str, ...]
    previews: tuple[Preview, ...]
    shown_elsewhere: tuple[str, ...] = ()
    # (shown_elsewhere keys, reach or None) of each plugin that declares keys.
    reaches: tuple[tuple[tuple[str, ...], Reach | None], ...] = ()
    checks: tuple[Check, ...] = ()
    outside: tuple[Outside, ...] = ()
    feed_links: tuple[FeedLinks, ...] = ()
    processing: tuple[ProcessingOf, ...] = ()

    def processing_of(self, context) -> list:
        """Every declared plugin's ``Processing`` records for this site, in an
        order that never follows PLUGINS (by kind)."""
        found = [record for give in self.processing for record in give(context) or ()]
        return sorted(found, key=lambda record: record.kind)

    def links_for_feeds(self, content, context) -> list[FeedLink]:
        """Every declared plugin's feed links for ``content`` (None: the feed),
        each address once per rel. The order never follows PLUGINS (the site
        must be the same in any order): the comment threads (``replies``)
        first, then the plugins' links by the name of the function that gives
        them, each plugin's in its own order."""
        found, seen = [], set()
        for links in sorted(self.feed_links, key=_name_of):
            for link in links(content, context) or ():
                if (link.rel, link.href) not in seen:
                    seen.add((link.rel, link.href))
                    found.append(link)
        return sorted(found, key=lambda link: link.rel != "replies")


def _name_of(function) -> str:
    return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', '')}"


def _module(plugin) -> ModuleType | None:
    """The module of a PLUGINS entry: the one Pelican loaded, else imported."""
    if isinstance(plugin, ModuleType):
        return plugin
    for name in (str(plugin), f"pelican.plugins.{plugin}"):
        if name in sys.modules:
            return sys.modules[name]
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


def contracts(settings) -> list[Contract]:
    """The contracts of the plugins in ``settings["PLUGINS"]``, in that order."""
    found = []
    for plugin in settings.get("PLUGINS") or []:
        contract = getattr(_module(plugin), "CONTRACT", None)
        if isinstance(contract, Contract):
            found.append(contract)
    return found


def declared(settings) -> Declared:
    """What the enabled plugins declare; two plugins may not claim one key."""
    front_matter: dict[str, tuple[str, ...]] = {}
    listed: set[str] = set()
    previews = []
    shown_elsewhere: set[str] = set()
    reaches = []
    checks = []
    outside = []
    feed_links = []
    processing = []
    for contract in contracts(settings):
        for key, values in contract.front_matter.items():
            if key in front_matter and front_matter[key] != tuple(values):
                raise SettingsError(
                    f"Two plugins in PLUGINS accept different values for '{key.capitalize()}:'"
                    " — keep one of them in pelicanconf.py."
                )
            front_matter[key] = tuple(values)
        listed.update(contract.listed)
        if contract.preview is not None:
            previews.append(contract.preview)
        shown_elsewhere.update(contract.shown_elsewhere)
        if contract.shown_elsewhere:
            reaches.append((tuple(contract.shown_elsewhere), contract.reach))
        if contract.check is not None:
            checks.append(contract.check)
        if contract.outside is not None:
            outside.append(contract.outside)
        if contract.feed_links is not None:
            feed_links.append(contract.feed_links)
        if contract.processing is not None:
            processing.append(contract.processing)
    return Declared(dict(sorted(front_matter.items())), tuple(sorted(listed)), tuple(previews),
                    tuple(sorted(shown_elsewhere)), tuple(reaches), tuple(checks),
                    tuple(outside), tuple(feed_links), tuple(processing))
