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

from collections import Counter, defaultdict
from operator import itemgetter

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


class Pool:
    """The candidates, indexed once so that ranking one article costs what its
    tags share, not the size of the site (the former pairwise ranking, with
    Pelican's ``url`` property as a sort key, took 60 % of a 1,000-post build).

    Candidates are numbered in the final tie-break order (newest first, then by
    address), so within one score the lowest number wins.
    """

    def __init__(self, candidates) -> None:
        by_address = sorted(((a.url, a) for a in candidates), key=itemgetter(0))
        ordered = sorted(by_address, key=lambda pair: pair[1].date, reverse=True)
        self.urls = [url for url, _ in ordered]
        self.articles = [article for _, article in ordered]
        self.tags = [_tags(a) for a in self.articles]
        self.categories = [_category(a) for a in self.articles]
        self.by_tag: dict[str, list[int]] = defaultdict(list)
        self.by_category: dict[str, list[int]] = defaultdict(list)
        for number in range(len(self.articles)):
            for slug in self.tags[number]:
                self.by_tag[slug].append(number)
            if self.categories[number] is not None:
                self.by_category[self.categories[number]].append(number)

    def _eligible(self, number: int, article) -> bool:
        other = self.articles[number]
        return (other is not article and other.source_path != article.source_path
                and getattr(other, "lang", None) == getattr(article, "lang", None))

    def rank(self, article, limit: int) -> list[dict]:
        """The up to ``limit`` candidates most related to ``article``, as dicts."""
        tags, category = _tags(article), _category(article)
        shared_counts: Counter[int] = Counter()
        for slug in tags:
            shared_counts.update(self.by_tag.get(slug, ()))
        levels: dict[int, list[int]] = defaultdict(list)
        for number, count in shared_counts.items():
            levels[count].append(number)
        chosen: list[int] = []
        for count in sorted(levels, reverse=True):
            group = sorted(levels[count])
            # Same category first, each part in tie-break order.
            for number in [n for n in group if category is not None
                           and self.categories[n] == category] + \
                    [n for n in group if category is None or self.categories[n] != category]:
                if len(chosen) < limit and self._eligible(number, article):
                    chosen.append(number)
            if len(chosen) >= limit:
                break
        if len(chosen) < limit and category is not None:  # the category alone
            for number in self.by_category.get(category, ()):
                if len(chosen) >= limit:
                    break
                if number not in shared_counts and self._eligible(number, article):
                    chosen.append(number)
        return [self._entry(number, tags, category) for number in chosen]

    def _entry(self, number: int, tags: set[str], category: str | None) -> dict:
        other = self.articles[number]
        shared = tags & self.tags[number]
        return {
            "title": other.title,
            "url": self.urls[number],
            "date": other.date,
            "shared_tags": [t.name for t in getattr(other, "tags", None) or []
                            if t.slug in shared],
            "same_category": category is not None and self.categories[number] == category,
        }


def rank(article, candidates, limit: int) -> list[dict]:
    """The up to ``limit`` candidates most related to ``article``, as dicts."""
    return Pool(candidates).rank(article, limit)


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
        ranking = Pool(pool)
        for article in targets:
            article.related_reading = ranking.rank(article, limit) if limit else []


# Other articles list this one by its tags, category, date, title, address and
# status: after a change of one of those the live preview recomputes the lists
# that show the article or that it can enter (more shared tags rank first).
# Only article pages show the list, so nothing is `listed`.
CONTRACT = Contract(
    shown_elsewhere=("category", "date", "lang", "slug", "status", "tags", "title"),
    reach=Contract.ranked_lists("related_reading", key="tags", shared="shared_tags",
                                limit="RELATED_READING_MAX"),
)


def register() -> None:
    signals.initialized.connect(configure)
    signals.all_generators_finalized.connect(attach)
