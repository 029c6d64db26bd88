"""Related articles at the end of an article, computed at build time.

After all content is read (``all_generators_finalized``), every article
(published, hidden or draft, in any language) gets ``article.related_reading``::

    [
      {"title": "X of Mastodon?", "url": "2026/x-of-mastodon/",
       "date": datetime(...), "shared_tags": ["fediverse"], "same_category": True},
      ...                                   # at most RELATED_READING_MAX (3)
    ]

Candidates are the site's published articles in the same language, never the
article itself, never a draft or hidden article. A candidate must share at
least one tag or the category; an article with neither in common with any
other gets an empty list (the template then shows nothing: we do not pad with
unrelated news). Ranking, fully deterministic:

1. more shared tags first;
2. then same category first;
3. then newest first;
4. then by address (two articles of the same minute).

Templates only display this (``components/related_reading.html``).
"""

from __future__ import annotations

from dorpsplein_kit import Contract, merge
from pelican import signals

from .settings import SETTINGS


def configure(pelican) -> None:
    merge(pelican.settings, SETTINGS)


def _tags(article) -> set[str]:
    return {tag.slug for tag in getattr(article, "tags", None) or []}


def _category(article) -> str | None:
    category = getattr(article, "category", None)
    return category.slug if category else None


def rank(article, candidates, limit: int) -> list[dict]:
    """The up to ``limit`` candidates most related to ``article``, as dicts."""
    tags, category = _tags(article), _category(article)
    scored = []
    for other in candidates:
        if other is article or other.source_path == article.source_path:
            continue
        if getattr(other, "lang", None) != getattr(article, "lang", None):
            continue
        shared = tags & _tags(other)
        same_category = category is not None and _category(other) == category
        if shared or same_category:
            scored.append((other, shared, same_category))
    # Stable sorts, least important key first: address, date, then the score.
    scored.sort(key=lambda item: item[0].url)
    scored.sort(key=lambda item: item[0].date, reverse=True)
    scored.sort(key=lambda item: (len(item[1]), item[2]), reverse=True)
    return [
        {
            "title": other.title,
            "url": other.url,
            "date": other.date,
            "shared_tags": [t.name for t in getattr(other, "tags", None) or []
                            if t.slug in shared],
            "same_category": same_category,
        }
        for other, shared, same_category in scored[:limit]
    ]


def attach(generators) -> None:
    for generator in generators:
        if not hasattr(generator, "drafts"):  # only the articles generator
            continue
        limit = generator.settings["RELATED_READING_MAX"]
        # The pool is the site's published articles: the context's list, which
        # the live preview leaves whole while it narrows ``generator.articles``
        # to the one article it recomputes.
        pool = [a for a in list(generator.context.get("articles", generator.articles))
                + list(getattr(generator, "translations", []))
                if getattr(a, "status", "published") == "published"]
        targets = (list(generator.articles) + list(getattr(generator, "translations", []))
                   + list(getattr(generator, "hidden_articles", []))
                   + list(getattr(generator, "hidden_translations", []))
                   + list(generator.drafts) + list(getattr(generator, "drafts_translations", [])))
        for article in targets:
            article.related_reading = rank(article, pool, limit) if limit else []


# Other articles list this one by its tags, category, date, title, address and
# status: a change of one of those redoes every page (the live preview's full
# build). Only article pages show the list, so nothing is `listed`.
CONTRACT = Contract(
    shown_elsewhere=("category", "date", "lang", "slug", "status", "tags", "title"),
)


def register() -> None:
    signals.initialized.connect(configure)
    signals.all_generators_finalized.connect(attach)
