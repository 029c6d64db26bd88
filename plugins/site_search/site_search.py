"""site_search: a Pagefind index of the built site's articles and pages.

At ``finalized`` (every page is written) Pagefind reads the output's HTML.
Only the regions the theme marks with ``data-pagefind-body`` are indexed (an
article's or a page's own text; navigation, share bar, comments and list pages
are not), in the language of ``<html lang>`` (Dutch stemming for "nl"). The
bundle is made in a scratch folder and then copied into
``output/<SITE_SEARCH_BUNDLE>/`` file by file, only what changed; files of an
older index are removed.

The live preview rebuilds one article without this step: its index stays as
the last full build left it (see docs/redactie.md).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
from pathlib import Path

from dorpsplein_kit import merge, offered, write_if_changed
from pelican import signals

from .settings import SETTINGS


async def _index(output: Path, scratch: Path, glob: str) -> int:
    from pagefind.index import PagefindIndex

    # Leaving the context writes the bundle to output_path (absolute: else
    # Pagefind writes relative to the working directory).
    async with PagefindIndex(config={"output_path": str(scratch)}) as index:
        result = await index.add_directory(str(output), glob=glob)
    return int(result.get("page_count", 0))


def _run(coroutine_function, *args):
    """Run the indexer to completion, also when an event loop already runs in
    this thread (the live preview's server): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine_function(*args))
    outcome = {}

    def target():
        try:
            outcome["value"] = asyncio.run(coroutine_function(*args))
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    worker = threading.Thread(target=target)
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# Pagefind's ready-made interfaces: the theme has its own markup
# (templates/search.html, js/site_search.js), so these are not published.
# wasm.unknown.pagefind is the word-splitter for pages without a language: every
# page of ours has one (<html lang>), so the search page never loads it (71 KB);
# it was also the one file that differed between a parallel and a single-process
# build in one CI run (2026-11-27; the cause is not found): unpublished, it
# cannot differ.
UNUSED = ("wasm.unknown.pagefind", "pagefind-ui.*", "pagefind-modular-ui.*",
          "pagefind-component-ui.*",
          "pagefind-highlight.js")


def sync_folder(source: Path, target: Path) -> None:
    """Make ``target`` hold exactly the files of ``source`` (less UNUSED),
    writing only what changed."""
    wanted = {p.relative_to(source) for p in source.rglob("*")
              if p.is_file() and not any(p.match(pattern) for pattern in UNUSED)}
    for relative in sorted(wanted):
        write_if_changed(target / relative, (source / relative).read_bytes())
    if target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):
            if path.is_file() and path.relative_to(target) not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


GLOB_SPECIAL = set("{}[]*?,\\!")


def _glob(files: list[str]) -> str:
    """A Pagefind glob matching exactly ``files``, or its default when one has a
    character that globs give a meaning to (then Pagefind reads every page)."""
    if not files or any(GLOB_SPECIAL & set(name) for name in files):
        return "**/*.html"
    return "{" + ",".join(name.replace(os.sep, "/") for name in files) + "}"


def build_index(output_path: str | Path, bundle: str, files: list[str] | None = None) -> int:
    """Index ``output_path`` into ``output_path/bundle``; returns the pages indexed.

    ``files`` (relative to the output) are the pages that carry an indexed
    region: Pagefind reads only those. Every other page has none, and parsing
    them cost two thirds of the indexing time and 170 MB at 5,000 articles.
    """
    output = Path(output_path)
    glob = "**/*.html" if files is None else _glob(files)
    with tempfile.TemporaryDirectory(prefix="site-search-") as scratch:
        pages = _run(_index, output, Path(scratch), glob)
        sync_folder(Path(scratch), output / bundle)
    return pages


# The pages of the build in progress that carry an indexed region, by settings.
_indexed: dict[int, list[str]] = {}


def collect(generators) -> None:
    """Articles (not drafts: the theme leaves them unmarked), pages, and the
    searchable pages other plugins offer (dorpsplein_kit.own_pages), as written."""
    files = []
    for generator in generators:
        for name in ("articles", "translations", "hidden_articles", "hidden_translations",
                     "pages", "hidden_pages"):
            files += [c.save_as for c in getattr(generator, name, None) or []
                      if getattr(c, "save_as", None)]
    if generators:
        files += [page.save_as for page in offered(getattr(generators[0], "context", {}))
                  if page.searchable]
    if generators:
        _indexed[id(generators[0].settings)] = sorted(set(files))


def configure(pelican) -> None:
    merge(pelican.settings, SETTINGS)


def finalized(pelican) -> None:
    build_index(pelican.output_path, pelican.settings["SITE_SEARCH_BUNDLE"],
                _indexed.pop(id(pelican.settings), None))


def register() -> None:
    # Named functions: blinker keeps only weak references to receivers, so a
    # lambda connected here would be collected and never run.
    signals.initialized.connect(configure)
    signals.all_generators_finalized.connect(collect)
    signals.finalized.connect(finalized)
