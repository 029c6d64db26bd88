""""Besproken op": where an article was posted or discussed.

Editors list the posts in the front matter::

    Discussed: https://mastodon.social/@lindeveld/113456789012345678,
        https://bsky.app/profile/lindeveld.bsky.social/post/3lbq5x2kqzs2a

(commas, spaces or continuation lines between them). After all content is
read (``all_generators_finalized``: in the first process, before a parallel
build forks its workers; again for the edited article in the live preview),
every article and page gets ``content.discussed_on``::

    [{"network": "mastodon", "label": "Mastodon",
      "url": "https://mastodon.social/@lindeveld/113456789012345678",
      "account": "@lindeveld@mastodon.social",
      "counts": {"replies": 12, "reposts": 5, "likes": 30}},   # or None
     ...]                                    # in the front matter's order; [] without

Mastodon and Bluesky posts get their public counts (counts.py: asked at
once, one short timeout for all, kept in ``CACHE_PATH/discussed_on/``; a
network that does not answer costs one line on stderr, never a log warning);
LinkedIn, Facebook and X posts are links only. An address that is not a post
on one of those five networks is an editor error, ``content/articles/x.md:
LINE: problem — fix`` (logged as an error: the strict build fails and names
it; the other addresses are still shown), said in ``EDITOR_LANGUAGE``;
``./go check`` finds the same through the contract's ``check``.

Templates only display this (``components/discussed_on.html``): plain
links, nothing loaded from another host in the reader's browser.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import sys
from pathlib import Path

from dorpsplein_kit import Contract, FeedLink, merge, said
from pelican import signals

from .counts import Counts
from .posts import NOT_HTTPS, NOT_WEB, addresses, recognise, written
from .settings import SETTINGS

logger = logging.getLogger(__name__)

# The editor-facing messages (English msgids; Dutch in locale/nl/...).
LOCALE = Path(__file__).resolve().parent / "locale"
KEY = "discussed"
EXAMPLE = "https://mastodon.social/@lindeveld/113456789012345678"
MARKDOWN = (".md", ".markdown", ".mdown", ".mkd")
# Where Pelican's generators keep every article and page, drafts and hidden ones.
ARTICLE_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations",
                 "drafts", "drafts_translations")
PAGE_LISTS = ("pages", "translations", "hidden_pages", "hidden_translations", "draft_pages",
              "draft_translations")


def configure(pelican) -> None:
    merge(pelican.settings, SETTINGS)


def shown_path(path: str | os.PathLike) -> str:
    """The path as editors see it: relative to the project when inside it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def problem(settings: dict, reason: str, url: str) -> str:
    """What is wrong with ``url`` and what to write instead, in the editor's language."""
    _ = said(LOCALE, settings).gettext
    shown = url if len(url) <= 100 else url[:99] + "…"
    if reason == NOT_WEB:
        message = _("'{url}' is not a web address — write the address of the post as the "
                    "browser shows it, starting with https://.")
    elif reason == NOT_HTTPS:
        message = _("'{url}' starts with http:// — write it with https://, as the browser "
                    "shows it.")
    else:
        message = _("'{url}' is not a post on Mastodon, Bluesky, LinkedIn, Facebook or X — "
                    "write the address of the post itself, such as {example}.")
    return message.format(url=shown, example=EXAMPLE)


def _read(path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ""


def _line(path, url: str) -> int:
    """The line of ``url`` in the file's front matter (1 when not found)."""
    for number, address in written(_read(path), KEY):
        if address == url:
            return number
    return 1


def contents(generators):
    """Every article and page of the generators, drafts and hidden ones too."""
    for generator in generators:
        if hasattr(generator, "drafts"):
            names = ARTICLE_LISTS
        elif hasattr(generator, "hidden_pages"):
            names = PAGE_LISTS
        else:
            continue
        for name in names:
            yield from getattr(generator, name, None) or ()


def attach(generators) -> None:
    settings = None
    found = []
    for content in contents(generators):
        settings = content.settings
        posts = []
        for url in addresses(content.metadata.get(KEY)):
            post = recognise(url)
            if isinstance(post, str):
                where = f"{shown_path(content.source_path)}:{_line(content.source_path, url)}"
                logger.error("%s: %s", where, problem(settings, post, url))
            else:
                posts.append(post)
        found.append((content, posts))
    counts: dict = {}
    everything = [post for _content, posts in found for post in posts]
    if settings is not None and settings["DISCUSSED_ON_FETCH"] and \
            any(post.counted for post in everything):
        asking = Counts(settings)
        counts = asking.of(everything)
        language = said(LOCALE, settings)
        line = asking.note(language.gettext, language.ngettext)
        if line:
            print(line, file=sys.stderr)
    for content, posts in found:
        content.discussed_on = [
            {"network": post.network, "label": post.label, "url": post.url,
             "account": post.account, "counts": counts.get(post.url)}
            for post in posts]


def check_files(settings) -> list[tuple[str, int | None, str]]:
    """``./go check``: every wrong address under ``Discussed:`` in the articles
    and pages, in the build's words (the build logs the same as it reads them)."""
    content = Path(settings["PATH"])
    ignored = settings.get("IGNORE_FILES") or []
    found = []
    for setting in ("ARTICLE_PATHS", "PAGE_PATHS"):
        for folder in settings.get(setting) or []:
            root = content / folder
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                if path.suffix.lower() not in MARKDOWN or not path.is_file() or any(
                        fnmatch.fnmatch(path.name, pattern) for pattern in ignored):
                    continue
                for line, url in written(_read(path), KEY):
                    post = recognise(url)
                    if isinstance(post, str):
                        found.append((str(path), line, problem(settings, post, url)))
    return found


# `Discussed:` takes any addresses (no list of values: the editor checks accept
# the key, this plugin checks each address, in the build and in ./go check).
# Only the article's own page shows the list: nothing is `listed`, no other
# article changes with it, so the live preview's one-article update (which
# sends all_generators_finalized again for the article) is all an edit needs.
def feed_links(content, context) -> list[FeedLink]:
    """The feeds link each entry to where its article was posted (``related``,
    with the network's name); nothing for the feed as a whole."""
    posts = getattr(content, "discussed_on", None) if content is not None else None
    return [FeedLink(rel="related", href=post["url"], kind="discussed", name=post["label"])
            for post in posts or ()]


# The feeds name the same posts under each entry (feed_links).
CONTRACT = Contract(front_matter={KEY: ()}, check=check_files, feed_links=feed_links)


def register() -> None:
    signals.initialized.connect(configure)
    signals.all_generators_finalized.connect(attach)
