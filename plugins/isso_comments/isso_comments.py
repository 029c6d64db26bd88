"""Comments through the town's own Isso server: the build side.

At ``initialized`` the ISSO_COMMENTS_* settings are merged with their
defaults and checked. After all content is read, every article gets
``article.isso_comments``::

    {"state": "open" | "closed" | "off", "thread_id": "/2026/slug/", "title": "..."}

from its front matter (``Comments: open | closed | off``), the site default
(``ISSO_COMMENTS_DEFAULT``) and the age rule (``ISSO_COMMENTS_CLOSE_AFTER_DAYS``:
an article without its own ``Comments:`` closes that many days after its
date). Pages have comments only with ``Comments: open`` or ``closed``.

The build also writes ``isso-threads.json`` into the output: every thread and
its state. The comment service (``dorpsplein/comments``) reads it and refuses writes on
threads that are not open, so a hand-made POST cannot reopen a closed one. It
is written atomically (the server may read it during a build) and only when
it changed. It is for the comment server, not the web: deploy/ denies it under
every suffix, and publishconf.py keeps pelican-precompress from making .gz/.br
copies of it.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta

from dorpsplein_kit import (
    Contract,
    FeedLink,
    OutputGenerator,
    SettingsError,
    absolute_url,
    offered,
    privacy_page,
    town,
)
from pelican import signals

from . import privacy
from .settings import STATES, merged, thread_id

THREADS_FILE = "isso-threads.json"


def configure(pelican) -> None:
    merged(pelican.settings)


def _line_of(path: str, key: str) -> int | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if line.lower().startswith(key + ":"):
                    return number
                if not line.strip():
                    break
    except OSError:
        return None
    return None


def _where(content) -> str:
    path = content.source_path
    shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    line = _line_of(path, "comments")
    return f"{shown}:{line}" if line else shown


def state_of(content, settings, now: datetime, is_page: bool = False) -> str:
    raw = content.metadata.get("comments")
    if raw is not None:
        state = str(raw).strip().lower()
        if state not in STATES:
            raise SettingsError(
                f"{_where(content)}: Comments: {raw!r} is not a comment setting — write "
                "'Comments: open', 'Comments: closed' or 'Comments: off'."
            )
        return state
    if is_page:
        return "off"
    state = settings["ISSO_COMMENTS_DEFAULT"]
    days = settings["ISSO_COMMENTS_CLOSE_AFTER_DAYS"]
    if state == "open" and days and content.date + timedelta(days=days) < now:
        return "closed"
    return state


def _now(settings) -> datetime:
    fixed = settings.get("ISSO_COMMENTS_NOW")
    if fixed is not None:
        return fixed
    from pelican.utils import set_date_tzinfo

    return set_date_tzinfo(datetime.now(), settings.get("TIMEZONE"))


def attach(generators) -> None:
    pages = [p for g in generators if hasattr(g, "hidden_pages")
             for p in list(g.pages) + list(g.hidden_pages)]
    privacy = privacy_page({"pages": pages})
    privacy_url = privacy.url if privacy else ""
    for generator in generators:
        settings = generator.settings
        rules_url = _rules_url(settings, pages)
        if hasattr(generator, "context"):
            generator.context["ISSO_COMMENTS_RULES_URL"] = rules_url
        # What components/isso_comments.html needs besides the thread itself,
        # the same for every article: worked out here once.
        client = settings["ISSO_COMMENTS_CLIENT"]
        shared = {
            "endpoint": settings["ISSO_COMMENTS_URL"],
            "client": client,
            "client_options": client_options(client),
            "rules_url": rules_url,
            "contact_email": town(settings).email,
            # The privacy statement, linked from the line in each comment
            # form ("" when the site has none).
            "privacy_url": privacy_url,
        }
        now = _now(settings)
        contents = [(a, False) for a in getattr(generator, "articles", [])]
        contents += [(a, False) for a in getattr(generator, "drafts", [])]
        if hasattr(generator, "hidden_pages"):
            contents += [(p, True) for p in generator.pages]
        for content, is_page in contents:
            content.isso_comments = {
                "state": state_of(content, settings, now, is_page=is_page),
                "thread_id": thread_id(content.url),
                "title": content.title,
                **shared,
            }
        # Pages other plugins write and offer (a consultation's ideas): their
        # state is theirs to say (dorpsplein_kit.own_pages).
        for page in offered(getattr(generator, "context", {})):
            if page.comments != "off":
                page.isso_comments = {"state": page.comments,
                                      "thread_id": thread_id(page.url),
                                      "title": page.title, **shared}


def client_options(client: dict) -> list[tuple[str, object]]:
    """Isso's client options as its embed script reads them from data-isso-*
    attributes: booleans as "true" or "false", other values as they are;
    "lang" is left out (the template writes it apart)."""
    def value(option):
        if option is True:
            return "true"
        if option is False:
            return "false"
        return option

    return [(key, value(option)) for key, option in client.items() if key != "lang"]


def _rules_url(settings, pages) -> str:
    slug = settings["ISSO_COMMENTS_RULES_PAGE"]
    for page in pages:
        if page.slug == slug:
            return page.url
    raise SettingsError(
        f"ISSO_COMMENTS_RULES_PAGE = {slug!r}, but no page in content/pages/ has that slug: "
        "write the slug of your house rules page in pelicanconf.py."
    )


class ThreadsFileGenerator(OutputGenerator):
    """Writes isso-threads.json: the state of every published thread."""

    def generate_output(self, writer) -> None:
        threads = {}
        for content in list(self.context.get("articles", [])) + list(
            self.context.get("pages", [])
        ) + offered(self.context):
            comments = getattr(content, "isso_comments", None)
            if comments and comments["state"] != "off":
                threads[comments["thread_id"]] = {
                    "state": comments["state"],
                    "title": comments["title"],
                }
        data = {"threads": dict(sorted(threads.items()))}
        # Whole and only when changed: the comment server re-reads it when it
        # changes, maybe while a build runs; on disk before it appears.
        self.write(THREADS_FILE, json.dumps(data, ensure_ascii=False, indent=1) + "\n", sync=True)


def get_generators(pelican):
    return ThreadsFileGenerator


def update_preview(generators, article) -> None:
    """Live preview: an edited article's thread (its title, its state) in
    isso-threads.json; the file is made again only when that entry changed."""
    for generator in generators:
        if not isinstance(generator, ThreadsFileGenerator):
            continue
        comments = getattr(article, "isso_comments", None)
        published = any(a is article for a in generator.context.get("articles", []))
        wanted = ({"state": comments["state"], "title": comments["title"]}
                  if published and comments and comments["state"] != "off" else None)
        try:
            known = json.loads(generator.target(THREADS_FILE).read_text(encoding="utf-8"))
            if comments and known["threads"].get(comments["thread_id"]) == wanted:
                continue
        except (OSError, ValueError, KeyError, TypeError):
            pass
        ThreadsFileGenerator.generate_output(generator, None)


# The comment section's id on the article's page (components/isso_comments.html).
THREAD_ANCHOR = "reacties"


def feed_links(content, context) -> list[FeedLink]:
    """The feeds' link to an article's comments (RFC 4685 ``replies``) while
    its thread is open or readable; nothing for the feed as a whole."""
    comments = getattr(content, "isso_comments", None) if content is not None else None
    if not comments or comments["state"] == "off":
        return []
    href = f"{absolute_url(content.settings, content.url)}#{THREAD_ANCHOR}"
    kind = "replies" if comments["state"] == "open" else "replies-closed"
    return [FeedLink(rel="replies", href=href, kind=kind)]


# The editor checks accept `Comments: open | closed | off`; list pages show
# each article's comment count (so a change of state renders them again); the
# live preview rewrites isso-threads.json; the feeds link each entry to its
# thread; the privacy statement says what a comment keeps (privacy.processing).
CONTRACT = Contract(front_matter={"comments": STATES}, listed=("isso_comments",),
                    preview=update_preview, feed_links=feed_links,
                    processing=privacy.processing)


def register() -> None:
    signals.initialized.connect(configure)
    signals.all_generators_finalized.connect(attach)
    signals.get_generators.connect(get_generators)
