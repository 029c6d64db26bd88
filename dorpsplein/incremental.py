"""A warm site for the live preview: rebuild only what one edit affects.

Pelican rebuilds and rewrites every page on every change (4.12 removed
WRITE_SELECTED; its content cache only saves Markdown parsing). While an
editor works on one article, that costs seconds per save on a large site.

``WarmSite`` runs the same steps as ``Pelican.run()`` but keeps the
generators, their context and the writer. When exactly one article file
changed and the change touches only its body (not its title, date, slug,
category, tags, authors, status, summary or other metadata that places it on
other pages), ``update()`` re-reads that one file, updates the article object
in place (so every list and context that holds it sees the change), lets the
plugins recompute their data, and rewrites the article's page, then lets
each plugin redo its own files that show the article (the feeds) — nothing
else. Anything else falls back to a full build.

Plugins are never named here: what they read from the front matter, what
they add to list pages and how they update one article are their declared
contracts (``dorpsplein_kit.contracts``).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from dorpsplein_kit import declared

from .build import BuildFailed, build_with, collecting

logger = logging.getLogger(__name__)

# Metadata that decides where else an article appears, or how it is listed;
# every front-matter key a plugin declares (front_matter, shown_elsewhere) counts too.
PLACEMENT = ("title", "date", "category", "tags", "slug", "status", "authors", "summary",
             "url", "save_as", "image", "image_alt", "lang", "template")


class WarmSite:
    """One full build kept in memory, updated file by file."""

    def __init__(self, settings_file: str):
        self.settings_file = settings_file
        self.state = None

    def full(self):
        """A full build; keeps its generators for later updates."""
        result, state = build_with(self.settings_file, keep=True)
        self.state = state
        return result

    def _articles_generator(self):
        from pelican.generators import ArticlesGenerator

        return next(g for g in self.state["generators"] if isinstance(g, ArticlesGenerator))

    def update(self, path: Path) -> bool:
        """Update one changed article in place; False when a full build is needed
        (including when the update logged any problem: the full build reports it)."""
        if self.state is None:
            return False
        content = Path(self.state["context"]["PATH"])
        with collecting(content) as collector:
            try:
                done = self._update(path)
            except Exception:  # noqa: BLE001 - the full build that follows reports it
                logger.debug("incremental update failed", exc_info=True)
                return False
        if collector.problems:
            return False
        return done

    def _reread(self, generator, path: Path):
        """(the article object of ``path``, the same file read again), or None."""
        from pelican.contents import Article
        from pelican.plugins import signals

        path = Path(path).resolve()
        candidates = list(generator.articles) + list(generator.drafts)
        old = next((a for a in candidates if Path(a.source_path).resolve() == path), None)
        if old is None:
            return None
        relative = os.path.relpath(path, generator.path)
        try:
            new = generator.readers.read_file(
                base_path=generator.path, path=relative, content_class=Article,
                context=generator.context,
                preread_signal=signals.article_generator_preread, preread_sender=generator,
                context_signal=signals.article_generator_context, context_sender=generator)
        except Exception:  # noqa: BLE001 - a full build reports it properly
            return None
        return (old, new) if new.is_valid() else None

    def _update(self, path: Path) -> bool:
        from pelican.plugins import signals

        generator = self._articles_generator()
        pair = self._reread(generator, path)
        if pair is None:
            return False
        old, new = pair
        # What the plugins declare: the front-matter keys they read, the data
        # they attach that list pages show, their one-article updates.
        contracts = declared(self.state["context"])
        for key in PLACEMENT + tuple(contracts.front_matter) + contracts.shown_elsewhere:
            if old.metadata.get(key) != new.metadata.get(key):
                return False
        if getattr(old, "status", None) != getattr(new, "status", None):
            return False
        # Pelican memoises get_content/get_summary per object: forget the old text.
        for name in ("get_content", "get_summary"):
            cache = getattr(type(old), name).cache
            for key in [k for k in cache if k and k[0] is old]:
                del cache[key]
        before = {key: getattr(old, key, None) for key in contracts.listed}
        preserved = {k: v for k, v in old.__dict__.items() if k not in new.__dict__}
        old.__dict__.update(new.__dict__)
        old.__dict__.update({k: v for k, v in preserved.items()
                             if k in ("next_article", "prev_article",
                                      "next_article_in_category", "prev_article_in_category")})
        # Plugins recompute what they attach (reading time, share links, ...) —
        # for this article only: the articles generator shows them just it.
        saved = generator.articles, generator.drafts
        generator.articles = [old] if old in saved[0] else []
        generator.drafts = [old] if old in saved[1] else []
        try:
            signals.all_generators_finalized.send(self.state["generators"])
        finally:
            generator.articles, generator.drafts = saved
        if any(getattr(old, key, None) != value for key, value in before.items()):
            return False  # e.g. the reading time on list pages changed: full build
        for generator_ in self.state["generators"]:
            if hasattr(generator_, "refresh_metadata_intersite_links"):
                generator_.refresh_metadata_intersite_links()
        self._write_article(generator, old)
        for preview in contracts.previews:
            preview(self.state["generators"], old)
        return True

    def _write_article(self, generator, article) -> None:
        # Pelican's writer refuses to write a file twice: a fresh one per update.
        old = self.state["writer"]
        writer = type(old)(old.output_path, settings=old.settings)
        writer.write_file(
            article.save_as, generator.get_template(article.template), generator.context,
            article=article, category=getattr(article, "category", None),
            override_output=hasattr(article, "override_save_as"), url=article.url, blog=True)


__all__ = ["WarmSite", "BuildFailed"]
