"""A warm site for the live preview: rebuild only what one edit affects.

Pelican rebuilds and rewrites every page on every change (4.12 removed
WRITE_SELECTED; its content cache only saves Markdown parsing). While an
editor works on one article, that costs seconds per save on a large site.

``WarmSite`` runs a full build and keeps its generators, their context and
the writer (``build_with(..., keep=True)``). When one article file changed,
``update()`` re-reads that file and brings the kept site up to date the way
a full build would, for what that one article can change — its text, title,
summary, date, category, tags, authors or other front matter:

1. the article object is updated in place, so every list that holds it sees
   the change;
2. when the edit can change the lists (a new date, category, tags, ...), the
   articles generator's lists are made again as Pelican makes them after
   reading (sorted articles, drafts, dates, tags, categories, authors, period
   archives, and their context entries: new list objects); in any case
   ``article_generator_pretaxonomy`` and ``article_generator_finalized`` are
   sent again, so the neighbours (next and previous article) follow;
3. ``all_generators_finalized`` is sent again with the articles generator
   narrowed to the article and the OTHER articles whose plugin data the edit
   can change: a plugin that shows an article on other articles' pages says
   which (``reach`` in its contract: the "Lees ook" lists);
4. each plugin's ``preview(generators, article)`` updates its own files and
   what it keeps in the context (feeds, sitemap, share image, comment threads);
5. then only the pages that can differ are rendered again, and only files
   whose bytes differ are written: the article's page; the pages of the
   articles whose neighbours or plugin data changed or that link to it; the
   pages of every list (home, archive, tags, categories, authors) whose slice
   of articles changed or shows the edited article (a date one day earlier
   moves it a place or two: one or two pages per list; a new tag puts it into
   that tag's list: every later page of it moves by one); the first page of a
   list whose template reads a site-wide value that changed (the home page's
   count of articles per theme; when that page changed, the next one is
   tried, and when that changed too, all pages); the single pages (archive,
   overviews, drafts, the site's own pages) whose templates read a value that
   changed. Pages of a list that no longer exist (a tag nobody uses any more,
   a list one page shorter) are removed.

What a template reads is found in its source (and in what it extends and
includes, and imports with context) with ``jinja2.meta``; Pelican's paging is
done as ``Writer.write_file`` does it, page by page.

A full build instead (``update()`` returns False) when the edit gives the
article a new address (its slug; its title when it has no ``Slug:`` line; a
date in another year), a new status (a draft published, a date in the
future: scheduled), language or translation, or a new ``Image:``; when a
plugin that shows articles elsewhere declares no ``reach``; when the article
template reads a site-wide value that changed (every article page would
differ); and when anything logs a problem (the full build reports it).

The search index (plugins/site_search) is made by full builds only: the
preview leaves it as the last full build made it.

The kept site costs less to update when its articles keep their address once
computed (``kept_class``: an edit that would change it is a full build) and
when Python's cyclic garbage collector leaves it alone (``gc.freeze``: it
lives until the next full build; a collection through it took 0.35 s at 5,000
articles, at whichever update it fell on).

Plugins are never named here: what they read from the front matter, what
they add to list pages, which other articles they show an article on and how
they update their files are their declared contracts
(``dorpsplein_kit.contracts``).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from pathlib import Path

from dorpsplein_kit import declared, write_if_changed

from .build import BuildFailed, build_with, collecting, kept_class

logger = logging.getLogger(__name__)

# An edit of one of these moves the article, or makes it another kind of
# content: a full build. (A new address, e.g. a date in another year, too.)
MOVES = ("slug", "url", "save_as", "status", "lang", "translation", "image")

# Metadata that orders or groups the articles (with ARTICLE_ORDER_BY's).
REORDER = ("date", "tags", "category", "author", "authors")
# Where the articles generator keeps its articles, in the order Pelican writes them.
LISTS = ("translations", "articles", "hidden_translations", "hidden_articles",
         "drafts_translations", "drafts")
# The kinds of content Pelican's articles generator sorts after reading.
SORTED = ("articles", "hidden_articles", "drafts")
# A list page's own lists (Pelican paginates these) and their paginator names.
OWN_LISTS = ("articles", "dates")
PAGINATION_NAMES = {f"{key}_{part}" for key in OWN_LISTS
                    for part in ("page", "paginator", "previous_page", "next_page")}
# Keyword arguments Pelican gives a page that are a context entry under another name.
ALIASES = {"all_articles": "articles"}
# What Pelican's articles generator puts into the shared context.
CONTEXT_KEYS = ("articles", "drafts", "hidden_articles", "dates", "tags", "categories",
                "authors", "related_posts")


class _Compared:
    """A file Pelican's writer writes: kept, and written only when its bytes differ."""

    def __init__(self, path: str, encoding: str, rendered: list, written: list):
        self.path, self.encoding, self.rendered, self.written = path, encoding, rendered, written
        self.parts: list[str] = []

    def __enter__(self):
        return self

    def write(self, text: str) -> None:
        self.parts.append(text)

    def __exit__(self, kind, *_exc) -> bool:
        if kind is None:
            self.rendered.append(self.path)
            if write_if_changed(self.path, "".join(self.parts).encode(self.encoding)):
                self.written.append(self.path)
        return False


_comparing_classes: dict[type, type] = {}


def comparing_writer(kept):
    """A fresh writer of the kept writer's class (Pelican's refuses to write a
    file twice) that writes a file only when its bytes differ; ``rendered``
    lists the files it rendered, ``written`` those it wrote."""
    cls = type(kept)
    if cls not in _comparing_classes:
        def _open_w(self, filename, encoding, override=False):
            return _Compared(filename, encoding, self.rendered, self.written)

        _comparing_classes[cls] = type(f"Comparing{cls.__name__}", (cls,), {"_open_w": _open_w})
    writer = _comparing_classes[cls](kept.output_path, settings=kept.settings)
    writer.rendered, writer.written = [], []
    return writer


def plain(value):
    """A front-matter value as it shows: tags, categories and authors by name."""
    if isinstance(value, list | tuple):
        return tuple(plain(v) for v in value)
    if hasattr(value, "slug") and hasattr(value, "name"):
        return (type(value).__name__, value.name)
    return value


def holds(value, content, depth: int = 3) -> bool:
    """Whether ``value`` (a context entry) holds ``content``, a few levels down."""
    if value is content:
        return True
    if depth == 0 or isinstance(value, str | bytes):
        return False
    if isinstance(value, dict):
        value = list(value.values())
    elif isinstance(value, set | frozenset):
        value = list(value)
    elif not isinstance(value, list | tuple):
        return False
    with contextlib.suppress(Exception):  # (Content objects compare by identity)
        if content in value:
            return True
    return any(holds(item, content, depth - 1) for item in value
               if isinstance(item, list | tuple | dict | set | frozenset))


def differs(before, after) -> bool:
    if before is after:
        return False
    try:
        return bool(before != after)
    except Exception:  # noqa: BLE001 - values that cannot be compared differ
        return True


@dataclass
class Unit:
    """One list of articles Pelican writes as one or more pages (a direct
    template, a tag, a category, an author, a period archive)."""

    template: str
    name: str  # save_as of its first page
    articles: list
    dates: list
    kwargs: dict
    context: dict | None = None

    def paginator(self, settings, items=None):
        """Pelican's paginator of its articles (or ``items``); None when it is one page."""
        from pelican.paginator import Paginator

        template_name = self.kwargs.get("template_name")
        if template_name not in settings["PAGINATED_TEMPLATES"]:
            return None
        per_page = settings["PAGINATED_TEMPLATES"][template_name] or \
            settings["DEFAULT_PAGINATION"]
        return Paginator(self.name, self.kwargs.get("url"),
                         self.articles if items is None else items, settings, per_page)

    def count(self, settings) -> int:
        paginator = self.paginator(settings)
        return paginator.num_pages if paginator is not None else 1

    def names(self, settings, numbers) -> list[str]:
        """The files of its pages ``numbers`` (1 is the first)."""
        paginator = self.paginator(settings)
        if paginator is None:
            return [self.name] if 1 in numbers else []
        return [paginator.page(n).save_as for n in sorted(numbers)]

    def changed_pages(self, before: Unit, settings, changed: set) -> set | None:
        """The numbers of its pages whose articles differ from ``before``'s or
        hold an article in ``changed`` (ids); None when the number of pages changed."""
        paginator = self.paginator(settings)
        if paginator is None:
            lists = chain(self.articles, self.dates)
            if self.articles != before.articles or self.dates != before.dates or \
                    changed and any(id(a) in changed for a in lists):
                return {1}
            return set()
        last = paginator.num_pages
        if before.count(settings) != last:
            return None
        per_page = paginator.per_page

        def page(position: int) -> int:  # the last page takes the orphans
            return min(position // per_page + 1, last)

        numbers = set()
        for old, new in ((before.articles, self.articles), (before.dates, self.dates)):
            pairs = zip(old, new, strict=False)
            low = next((i for i, (a, b) in enumerate(pairs) if a is not b), None)
            if low is None and len(old) == len(new):
                continue
            if low is None:
                low = min(len(old), len(new))
            if len(old) == len(new):
                high = len(new) - 1 - next(i for i, (a, b) in enumerate(
                    zip(reversed(old), reversed(new), strict=True)) if a is not b)
                numbers.update(range(page(low), page(high) + 1))
            else:  # everything after the first difference moved
                numbers.update(range(page(low), last + 1))
        if changed:
            for items in (self.articles, self.dates):
                numbers.update(page(i) for i, a in enumerate(items) if id(a) in changed)
        return numbers


@dataclass
class Change:
    """What one edit changed, found while the site is brought up to date."""

    article: object
    shown: bool  # what other pages show of it changed (title, date, summary, ...)
    changed: set = field(default_factory=set)  # ids of articles whose listing changed
    names: set = field(default_factory=set)  # context entries that changed
    rerender: list = field(default_factory=list)  # articles whose page may differ


class WarmSite:
    """One full build kept in memory, updated file by file."""

    def __init__(self, settings_file: str):
        self.settings_file = settings_file
        self.state = None
        # What the last update did: seconds per step, files rendered and written.
        self.timings: dict[str, float] = {}
        self.rendered: list[str] = []
        self.written: list[str] = []

    def full(self):
        """A full build; keeps its generators for later updates."""
        result, self.state = build_with(self.settings_file, keep=True)
        return result

    @property
    def state(self):
        """What a full build kept (``build_with(..., keep=True)``): its
        generators, their shared context and the writer; None before the
        first build and after an update that could not finish."""
        return self._state

    @state.setter
    def state(self, state) -> None:
        gc.unfreeze()  # the last build's objects may go (see below)
        self._state = state
        self._reads: dict = {}
        self._by_source: dict | None = None
        self._references: tuple | None = None
        if state is None:
            return
        generator = self._articles_generator()
        for article in (a for name in LISTS for a in getattr(generator, name)):
            article.__class__ = kept_class(type(article))
            article.url, article.save_as  # noqa: B018 - computed once, here
        self._find(generator, None)
        self._neighbours(generator)
        # The kept build lives until the next one: Python's cyclic garbage
        # collector need not go through it again and again (a full collection
        # took 0.35 s at 5,000 articles, at whichever update it fell on).
        gc.collect()
        gc.freeze()

    def _articles_generator(self):
        from pelican.generators import ArticlesGenerator

        return next(g for g in self.state["generators"] if isinstance(g, ArticlesGenerator))

    def _pages_generator(self):
        from pelican.generators import PagesGenerator

        return next((g for g in self.state["generators"] if isinstance(g, PagesGenerator)), None)

    def update(self, path: Path) -> bool:
        """Update one changed article in place; False when a full build is needed
        (including when the update logged any problem: the full build reports it)."""
        if self.state is None:
            return False
        content = Path(self.state["context"]["PATH"])
        self._touched = False
        with collecting(content) as collector:
            try:
                done = self._update(path)
            except Exception:  # noqa: BLE001 - the full build that follows reports it
                logger.debug("incremental update failed", exc_info=True)
                done = False
        if collector.problems:
            done = False
        if not done and self._touched:
            self.state = None  # half updated: only a full build may follow
        return done

    # -- reading the edited file ------------------------------------------
    def _find(self, generator, path: Path):
        if self._by_source is None:
            self._by_source = {os.path.abspath(a.source_path): a
                               for name in LISTS for a in getattr(generator, name, ())}
        if path is None:
            return None
        found = self._by_source.get(os.path.abspath(path))
        if found is None:
            resolved = Path(path).resolve()
            found = next((a for a in self._by_source.values()
                          if Path(a.source_path).resolve() == resolved), None)
        return found

    def _reread(self, generator, path: Path):
        """(the article object of ``path``, the same file read again), or None."""
        from pelican.contents import Article
        from pelican.plugins import signals

        old = self._find(generator, path)
        if old is None:
            return None
        relative = os.path.relpath(Path(path).resolve(), generator.path)
        try:
            new = generator.readers.read_file(
                base_path=generator.path, path=relative, content_class=Article,
                context=generator.context,
                preread_signal=signals.article_generator_preread, preread_sender=generator,
                context_signal=signals.article_generator_context, context_sender=generator)
        except Exception:  # noqa: BLE001 - a full build reports it properly
            return None
        return (old, new) if new.is_valid() else None

    def _moves(self, generator, old, new, contracts) -> bool:
        """Whether the edit needs a full build (it moves the article, ...)."""
        if any(old in getattr(generator, name) for name in LISTS if "translations" in name) \
                or old.translations or "translation" in new.metadata:
            return True
        if any(plain(old.metadata.get(k)) != plain(new.metadata.get(k)) for k in MOVES):
            return True
        if old.status != new.status or old.url != new.url or old.save_as != new.save_as:
            return True
        for keys, reach in contracts.reaches:
            if reach is None and any(plain(old.metadata.get(k)) != plain(new.metadata.get(k))
                                     for k in keys):
                return True  # the plugin cannot say which other pages change
        return False

    # -- the update -------------------------------------------------------
    def _lap(self, name: str) -> None:
        """How long each step of the last update took (``timings``, seconds)."""
        now = time.perf_counter()
        self.timings[name] = now - self._last
        self._last = now

    def _update(self, path: Path) -> bool:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()
        generator = self._articles_generator()
        pair = self._reread(generator, path)
        self._lap("read")
        if pair is None:
            return False
        old, new = pair
        # What the plugins declare: the front-matter keys they read, the data
        # they attach that list pages show, who shows an article elsewhere,
        # their one-article updates.
        contracts = declared(self.state["context"])
        if self._moves(generator, old, new, contracts):
            return False
        context = self.state["context"]
        listed_before = {key: getattr(old, key, None) for key in contracts.listed}
        change = Change(old, shown=(plain(old.metadata) != plain(new.metadata)
                                    or old.summary != new.summary))
        reached = [reach for keys, reach in contracts.reaches
                   if any(plain(old.metadata.get(k)) != plain(new.metadata.get(k)) for k in keys)]
        context_before = dict(context)
        terms = self._terms(old) | self._terms(new)
        units_before = self._units(generator, terms)
        # Neighbours change only when the lists are made again (step 2).
        references_before = self._neighbours(generator) if change.shown else {}
        self._lap("before")

        reorders = self._reorders(generator.settings, old, new)
        self._touched = True
        self._apply(old, new, generator)
        if change.shown:
            self._relist(generator, reorders)
        self._lap("lists")
        targets = self._recompute(generator, old, reached, contracts, change)
        self._lap("plugins")
        if any(getattr(old, key, None) != value for key, value in listed_before.items()):
            change.changed.add(id(old))
            change.shown = True
        if change.shown:
            change.changed.add(id(old))
        for preview in contracts.previews:
            preview(self.state["generators"], old)
            self._lap(f"preview {preview.__module__.rsplit('.', 1)[-1]}")
        change.names = self._changed_names(context_before, context, change)
        change.rerender.append(old)
        for other, refs in (self._neighbours(generator) if change.shown else {}).items():
            was = references_before.get(other, refs)
            # (Content objects compare by identity.)
            if other is not old and (was != refs or old in was or old in refs):
                change.rerender.append(other)
        change.rerender += [a for a in targets if a not in change.rerender]
        if self._article_template_reads(generator, change.names):
            return False  # every article page would differ
        self._lap("after")
        writer = comparing_writer(self.state["writer"])
        self._write_articles(writer, generator, change.rerender)
        self._lap("article pages")
        if change.shown or change.names:
            self._write_lists(writer, generator, units_before, terms, change)
            self._lap("list pages")
            self._write_pages(writer, change)
            self._lap("pages")
        self.rendered = writer.rendered
        self.written = writer.written
        logger.debug("preview update of %s wrote %d files", path, len(writer.written))
        return True

    def _apply(self, old, new, generator) -> None:
        """The new reading of the file, in the article object every list holds."""
        # Pelican memoises get_content/get_summary per object: forget both texts.
        for name in ("get_content", "get_summary"):
            cache = getattr(type(old), name).cache
            for key in [k for k in cache if k and (k[0] is old or k[0] is new)]:
                del cache[key]
        old.__dict__.update(new.__dict__)
        generator.add_static_links(old)

    @staticmethod
    def _reorders(settings, old, new) -> bool:
        """Whether the edit can change the order or the lists of articles."""
        order = settings["ARTICLE_ORDER_BY"]
        if callable(order):
            return True
        keys = {*REORDER, str(order).removeprefix("reversed-")}
        translation_id = settings["ARTICLE_TRANSLATION_ID"] or ()
        keys.update([translation_id] if isinstance(translation_id, str) else translation_id)
        return any(plain(old.metadata.get(k)) != plain(new.metadata.get(k)) for k in keys)

    def _relist(self, generator, rebuild: bool) -> None:
        """The articles generator's lists and context, as Pelican's
        ``ArticlesGenerator.generate_context`` makes them after reading (when
        the edit cannot change them, the same lists: only the signals are sent
        again)."""
        from pelican.plugins import signals
        from pelican.utils import order_content

        if not rebuild:
            signals.article_generator_pretaxonomy.send(generator)
            signals.article_generator_finalized.send(generator)
            return
        settings = generator.settings
        translation_id = settings["ARTICLE_TRANSLATION_ID"]
        if isinstance(translation_id, str):
            translation_id = [translation_id]
        for name in SORTED:
            items = list(getattr(generator, name))
            if translation_id:  # process_translations sorts by it first
                items.sort(key=attrgetter(*translation_id))
            setattr(generator, name, order_content(items, settings["ARTICLE_ORDER_BY"]))
        signals.article_generator_pretaxonomy.send(generator)
        tags, categories, authors = defaultdict(list), defaultdict(list), defaultdict(list)
        for article in generator.articles:
            if hasattr(article, "category"):
                categories[article.category].append(article)
            if hasattr(article, "tags"):
                for tag in article.tags:
                    tags[tag].append(article)
            for author in getattr(article, "authors", []):
                authors[author].append(article)
        generator.tags = tags
        generator.dates = sorted(generator.articles, key=attrgetter("date"),
                                 reverse=generator.context["NEWEST_FIRST_ARCHIVES"])
        generator.period_archives = generator._build_period_archives(
            generator.dates, generator.articles, settings)
        generator.categories = list(categories.items())
        generator.categories.sort(reverse=settings["REVERSE_CATEGORY_ORDER"])
        generator.authors = list(authors.items())
        generator.authors.sort()
        generator._update_context(CONTEXT_KEYS)
        generator.context["period_archives"] = generator.period_archives
        signals.article_generator_finalized.send(generator)

    def _recompute(self, generator, article, reached, contracts, change) -> list:
        """Plugins recompute what they attach for the article and for the other
        articles their contracts say the edit reaches; returns those whose
        data changed."""
        from pelican.plugins import signals

        others = {id(a): a for reach in reached for a in reach(self.state["generators"], article)}
        others.pop(id(article), None)
        before = {key: dict(vars(other)) for key, other in others.items()}
        listed = contracts.listed
        wanted = {id(article), *others}
        saved = {name: getattr(generator, name) for name in SORTED}
        for name, items in saved.items():
            setattr(generator, name, [a for a in items if id(a) in wanted])
        try:
            signals.all_generators_finalized.send(self.state["generators"])
        finally:
            for name, items in saved.items():
                setattr(generator, name, items)
        article.refresh_metadata_intersite_links()
        changed = []
        for key, other in others.items():
            now = vars(other)
            keys = set(now) | set(before[key])
            if any(differs(before[key].get(k), now.get(k)) for k in keys):
                changed.append(other)
                if any(differs(before[key].get(k), now.get(k)) for k in listed):
                    change.changed.add(key)
        return changed

    # -- what changed -----------------------------------------------------
    def _neighbours(self, generator) -> dict:
        """{article: the content objects it refers to (next, previous, ...)}."""
        from pelican.contents import Content

        everyone = [a for name in LISTS for a in getattr(generator, name)]
        if self._references is None:
            names = set()
            for article in everyone:
                names.update(k for k, v in vars(article).items() if isinstance(v, Content))
            self._references = tuple(sorted(names))
        names = self._references
        return {article: tuple(map(vars(article).get, names)) for article in everyone}

    def _changed_names(self, before: dict, context: dict, change: Change) -> set:
        names = {key for key in set(before) | set(context)
                 if key not in before or key not in context or differs(before[key], context[key])}
        if change.shown:
            names |= {key for key, value in context.items() if holds(value, change.article)}
        logger.debug("context entries changed: %s", sorted(names))
        return names

    def reads(self, template) -> frozenset:
        """The names a template reads from its context (with what it extends
        and includes, and imports with context; a template imported without
        context sees none of it); ``"*"`` when that cannot be known."""
        from jinja2 import meta, nodes

        env = template.environment
        name = template.name
        key = (id(env), name)
        if key in self._reads:
            return self._reads[key]
        self._reads[key] = frozenset()  # while reading: templates that refer in a circle
        try:
            source = env.loader.get_source(env, name)[0]
            tree = env.parse(source)
            found = set(meta.find_undeclared_variables(tree))
            for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import,
                                       nodes.FromImport)):
                if isinstance(node, nodes.Import | nodes.FromImport) and not node.with_context:
                    continue
                if not isinstance(node.template, nodes.Const) or \
                        not isinstance(node.template.value, str):
                    found.add("*")
                else:
                    found |= self.reads(env.get_template(node.template.value))
        except Exception:  # noqa: BLE001 - then it may read anything
            found = {"*"}
        self._reads[key] = frozenset(found)
        return self._reads[key]

    def _globals_read(self, template, kwargs) -> set:
        """The context entries a page reads (its own keyword arguments excepted,
        but those that are a context entry under another name)."""
        read = set(self.reads(template))
        return (read - set(kwargs) - PAGINATION_NAMES) | {
            ALIASES[k] for k in read & set(kwargs) if k in ALIASES}

    def _touches(self, template, kwargs, names: set) -> bool:
        read = self._globals_read(template, kwargs)
        return "*" in read or bool(read & names)

    def _article_template_reads(self, generator, names: set) -> bool:
        kwargs = {"article", "category", "url", "blog", "override_output", "all_articles"}
        templates = {a.template for name in LISTS for a in getattr(generator, name)}
        return any(self._touches(generator.get_template(t), kwargs, names) for t in templates)

    # -- the lists ----------------------------------------------------------
    @staticmethod
    def _terms(article) -> set:
        terms = {("tag", tag.save_as) for tag in getattr(article, "tags", None) or []}
        terms |= {("author", a.save_as) for a in getattr(article, "authors", None) or []}
        if getattr(article, "category", None) is not None:
            terms.add(("category", article.category.save_as))
        return terms

    def _units(self, generator, terms, every: set = frozenset()) -> dict:
        """The lists Pelican writes as pages: its direct templates, the tags,
        categories and authors in ``terms`` (all of a kind in ``every``), the
        period archives; by (kind, save_as)."""
        settings = generator.settings
        units = {}
        for template in settings["DIRECT_TEMPLATES"]:
            name = settings.get(f"{template.upper()}_SAVE_AS", f"{template}.html")
            if not name:
                continue
            units[("direct", name)] = Unit(template, name, generator.articles, generator.dates, {
                "blog": True, "template_name": template,
                "page_name": os.path.splitext(name)[0],
                "url": settings.get(f"{template.upper()}_URL", f"{template}.html")})
        kinds = (("tag", generator.tags.items()), ("category", generator.categories),
                 ("author", generator.authors))
        order = {}
        for kind, pairs in kinds:
            for term, articles in pairs:
                key = (kind, term.save_as)
                if key not in terms and kind not in every:
                    continue
                if not order:
                    order = {id(a): n for n, a in enumerate(generator.dates)}
                # = [a for a in generator.dates if a in articles], as Pelican makes them
                dates = sorted(articles, key=lambda a: order[id(a)])
                units[key] = Unit(kind, term.save_as, articles, dates, {
                                      kind: term, "url": term.url, "template_name": kind,
                                      "blog": True, "page_name": term.page_name,
                                      "all_articles": generator.articles})
        for periods in generator.period_archives.values():
            for period in periods:
                context = generator.context.copy()
                context["period"] = period["period"]
                context["period_num"] = period["period_num"]
                units[("period", period["save_as"])] = Unit(
                    "period_archives", period["save_as"], period["articles"], period["dates"],
                    {"template_name": "period_archives", "blog": True, "url": period["url"],
                     "all_articles": generator.articles}, context)
        return units

    def _template(self, generator, unit):
        from pelican.generators import PelicanTemplateNotFound

        try:
            return generator.get_template(unit.template)
        except PelicanTemplateNotFound:
            if unit.template != "period_archives":
                raise
            return generator.get_template("archives")

    def _write_lists(self, writer, generator, units_before: dict, terms: set,
                     change: Change) -> None:
        """The pages of the lists that may differ; ``units_before`` are the lists
        before the edit of the article's terms before and after it (``terms``)."""
        settings = generator.settings
        every = set()
        for kind in ("tag", "category", "author"):
            kwargs = {kind, "url", "template_name", "blog", "page_name", "all_articles",
                      *OWN_LISTS}
            if self._touches(generator.get_template(kind), kwargs, change.names):
                every.add(kind)
        units = self._units(generator, terms, every)
        for key in set(units_before) - set(units):  # a tag, ... nobody uses any more
            gone = units_before[key]
            self._remove(gone.names(settings, range(1, gone.count(settings) + 1)))
        for key, unit in units.items():
            if key in units_before:
                before = units_before[key]
            elif key[0] in ("tag", "category", "author") and key not in terms:
                before = unit  # a list the edit did not touch
            else:
                before = None  # a new one: every page
            self._write_unit(writer, generator, unit, before, change)

    def _write_unit(self, writer, generator, unit, before, change: Change) -> None:
        """Render the pages of one list whose articles changed or show a changed
        article (all of them when their number changed); its first page when
        its template reads a site-wide value that changed (the next pages too
        when that changed them)."""
        settings = generator.settings
        template = self._template(generator, unit)
        shows_lists = bool(self.reads(template) & ({"*", "all_articles"} | set(OWN_LISTS)
                                                   | PAGINATION_NAMES))
        count = unit.count(settings)
        every = set(range(1, count + 1))
        numbers = None if before is None else \
            unit.changed_pages(before, settings, change.changed) if shows_lists else set()
        if numbers is None or before.count(settings) != count:
            numbers = set(every)
        site_wide = self._touches(template, {*unit.kwargs, *OWN_LISTS}, change.names)
        if site_wide:
            numbers.add(1)
        self._render(writer, generator, unit, template, numbers)
        output = writer.output_path
        if site_wide and count > 1 and 2 not in numbers and \
                os.path.join(output, unit.names(settings, {1})[0]) in writer.written:
            # The first page changed with a site-wide value: does the next one?
            self._render(writer, generator, unit, template, {2})
            if os.path.join(output, unit.names(settings, {2})[0]) in writer.written:
                self._render(writer, generator, unit, template, every - numbers - {2})
        if before is not None and before.count(settings) > count:
            self._remove(before.names(settings, range(count + 1, before.count(settings) + 1)))

    def _render(self, writer, generator, unit, template, numbers) -> None:
        """Pelican's ``Writer.write_file`` of a list, for its pages ``numbers``
        only (it renders every page of a list: hundreds for the home page)."""
        if not numbers:
            return
        settings = generator.settings
        kwargs = dict(unit.kwargs, articles=unit.articles, dates=unit.dates)
        template_name, url = kwargs.pop("template_name"), kwargs.pop("url")
        context = unit.context or generator.context
        common = {"relative_urls": settings["RELATIVE_URLS"], "template_name": template_name}
        if unit.paginator(settings) is None:
            writer.write_file(unit.name, template, context, url=url, **common, **kwargs)
            return
        # As Writer.write_file's paginated branch makes each page's arguments
        # (Pelican 4.12); the page is then written by write_file itself.
        paginators = {key: unit.paginator(settings, kwargs[key]) for key in OWN_LISTS}
        for number in sorted(numbers):
            page_kwargs = kwargs.copy()
            for key, paginator in paginators.items():
                page_kwargs.update({
                    f"{key}_paginator": paginator,
                    f"{key}_page": paginator.page(number),
                    f"{key}_previous_page": paginator.page(number - 1) if number > 1 else None,
                    f"{key}_next_page": paginator.page(number + 1)
                    if number < paginator.num_pages else None})
            writer.write_file(page_kwargs["articles_page"].save_as, template, context,
                              paginated={}, **common, **page_kwargs)

    def _remove(self, names) -> None:
        output = Path(self.state["writer"].output_path)
        for name in names:
            path = output / name
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            folder = path.parent
            while folder != output and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent

    # -- the pages of articles and the site's own pages ---------------------
    def _write_articles(self, writer, generator, articles) -> None:
        from pelican.plugins import signals

        drafts = {id(a) for a in chain(generator.drafts, generator.drafts_translations)}
        write = writer.write_file
        for article in articles:
            template = generator.get_template(article.template)
            common = {"relative_urls": generator.settings["RELATIVE_URLS"],
                      "override_output": hasattr(article, "override_save_as")}
            if id(article) in drafts:
                write(article.save_as, template, generator.context, article=article,
                      category=article.category, blog=True, all_articles=generator.articles,
                      url=article.url, **common)
                continue
            signals.article_generator_write_article.send(generator, content=article)
            write(article.save_as, template, generator.context, article=article,
                  category=getattr(article, "category", None), url=article.url, blog=True,
                  **common)

    def _write_pages(self, writer, change: Change) -> None:
        """The site's own pages (content/pages) whose templates read a value that changed."""
        from pelican.plugins import signals

        generator = self._pages_generator()
        if generator is None:
            return
        for page in chain(generator.translations, generator.pages,
                          generator.hidden_translations, generator.hidden_pages,
                          generator.draft_translations, generator.draft_pages):
            template = generator.get_template(page.template)
            if not self._touches(template, {"page", "url"}, change.names):
                continue
            signals.page_generator_write_page.send(generator, content=page)
            writer.write_file(page.save_as, template, generator.context, page=page,
                              relative_urls=generator.settings["RELATIVE_URLS"],
                              override_output=hasattr(page, "override_save_as"), url=page.url)


__all__ = ["WarmSite", "BuildFailed", "comparing_writer"]
