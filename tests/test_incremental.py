"""The live preview's warm site: one edited article updates in place, and the
result is byte for byte what a full build gives — also when the edit moves the
article on other pages (a new title, tags, date, category or summary)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from conftest import FROM_PELICANCONF

from dorpsplein.build import ROOT, BuildFailed, build
from dorpsplein.incremental import WarmSite

ARTICLE = "2026-09-x-of-mastodon.md"
PAGE = "2026/x-of-mastodon/index.html"


def settings_for(tmp_path, content, output):
    path = tmp_path / f"conf-{output.name}.py"
    path.write_text(
        FROM_PELICANCONF +
        f"PATH = {str(content)!r}\nOUTPUT_PATH = {str(output)!r}\n"
        f"CACHE_PATH = {str(tmp_path / 'cache')!r}\n"
        f"THEME = {str(ROOT / 'theme')!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n",
        encoding="utf-8")
    return path


def tree(folder):
    # The search index (plugins/site_search) is made by full builds only: the
    # preview leaves it stale until the next one (its README says so).
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).as_posix().startswith("pagefind/")}


def stamps(folder):
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
            for p in folder.rglob("*") if p.is_file()}


def differences(one: dict, other: dict) -> list[str]:
    """The files that differ, or that only one of the two trees has."""
    return sorted(k for k in one.keys() | other.keys() if one.get(k) != other.get(k))


@pytest.fixture
def warm(tmp_path, content_copy):
    site = WarmSite(str(settings_for(tmp_path, content_copy, tmp_path / "warm")))
    site.full()
    return site, content_copy, tmp_path


def full_build(tmp_path, content):
    output = tmp_path / "fresh"
    build(str(settings_for(tmp_path, content, output)))
    return output


def edit(path, *changes) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("extra", [
    "Een zin erbij.",
    " ".join(["Nog veel meer woorden over Mastodon en de gemeente."] * 60),  # reading time
])
def test_body_edit_updates_in_place_and_matches_a_full_build(warm, extra):
    site, content, tmp_path = warm
    article = content / "articles" / ARTICLE
    output = tmp_path / "warm"
    untouched = output / "2026" / "linkedin-lokaal-bestuur" / "index.html"
    stamp = untouched.stat().st_mtime_ns
    article.write_text(article.read_text(encoding="utf-8") + f"\n\n{extra}\n", encoding="utf-8")
    assert site.update(article) is True
    assert untouched.stat().st_mtime_ns == stamp, "an unaffected page was rewritten"
    page = (output / PAGE).read_text(encoding="utf-8")
    assert extra[:40] in page
    assert differences(tree(output), tree(full_build(tmp_path, content))) == []


@pytest.mark.slow
def test_a_short_edit_is_handled_in_place(warm):
    site, content, tmp_path = warm
    article = content / "articles" / ARTICLE
    article.write_text(article.read_text(encoding="utf-8") + "\n\nKort.\n", encoding="utf-8")
    assert site.update(article) is True
    feed = (tmp_path / "warm" / "feeds" / "atom.xml").read_text(encoding="utf-8")
    assert "Kort." in feed  # the article is among the newest: its feeds follow


TITLE = ("Title: X of Mastodon: welk kanaal past bij onze gemeente?",
         "Title: Mastodon of X: wat past bij de gemeente?")
# Two tags only this article has go (their pages and feeds too), one that two
# other articles have and one nobody had come.
TAGS = ("Tags: x, mastodon, fediverse, kanaalkeuze", "Tags: x, mastodon, website, gemeentekanalen")
# From the home page's second page to its first, a few places up the archive.
DATE = ("Date: 2026-09-22 10:00", "Date: 2026-11-04 10:00")
CATEGORY = ("Category: Sociale media", "Category: Moderatie")
# From one author's list to another's, and a new author's.
AUTHORS = ("Authors: Jeroen De Smet", "Authors: Lotte Verbeke, Nieuwe Schrijver")
SUMMARY = ("Summary: X heeft nog altijd bereik",
           "Summary: Mastodon heeft geen algoritme; X heeft bereik")

# Each edit and files besides the article's own page that a full build
# changes, adds or removes for it: the update must find them. (The test
# asserts they really differ, so the comparison with a full build proves
# something; other articles' "Lees ook" and neighbour links are among them.)
EDITS = {
    "title": ([TITLE], {"archief/index.html", "tag/mastodon/index.html", "pagina/2/index.html",
                        "thema/sociale-media/index.html", "feeds/atom.xml",
                        "feeds/tag/mastodon.rss.xml", "isso-threads.json",
                        "2026/facebookpagina-starten/index.html"}),
    "tags": ([TAGS], {"tag/gemeentekanalen/index.html", "tag/kanaalkeuze/index.html",
                      "tag/website/index.html", "tags/index.html",
                      "feeds/tag/kanaalkeuze.atom.xml", "feeds/tag/gemeentekanalen.rss.xml",
                      "volg-ons/index.html", "sitemap.xml",
                      "2026/schrijven-voor-het-web/index.html"}),
    "date": ([DATE], {"index.html", "pagina/2/index.html", "archief/index.html", "sitemap.xml",
                      "feeds/atom.xml", "2026/debat-modereren/index.html"}),
    "category": ([CATEGORY], {"themas/index.html", "thema/moderatie/index.html",
                              "thema/sociale-media/index.html", "index.html",
                              "feeds/thema/moderatie.atom.xml"}),
    "summary": ([SUMMARY], {"pagina/2/index.html", "tag/x/index.html", "feeds/atom.xml"}),
    "authors": ([AUTHORS], {"auteur/jeroen-de-smet/index.html", "auteur/lotte-verbeke/index.html",
                            "auteur/nieuwe-schrijver/index.html", "auteurs/index.html"}),
    "all at once": ([TITLE, TAGS, DATE, CATEGORY], {"index.html", "tag/kanaalkeuze/index.html",
                                                    "thema/moderatie/index.html"}),
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(EDITS))
def test_an_edit_that_changes_other_pages_is_done_in_place_and_matches_a_full_build(warm, kind):
    site, content, tmp_path = warm
    output = tmp_path / "warm"
    changes, elsewhere = EDITS[kind]
    before, written_before = tree(output), stamps(output)
    edit(content / "articles" / ARTICLE, *changes)
    assert site.update(content / "articles" / ARTICLE) is True
    after = tree(output)
    fresh = tree(full_build(tmp_path, content))
    assert differences(after, fresh) == [], "the update and a full build differ"
    changed = set(differences(before, fresh))
    assert elsewhere <= changed, f"not changed by this edit: {sorted(elsewhere - changed)}"
    # Only what changed was written: every other file is the one written before.
    written_after = stamps(output)
    rewritten = {k for k in before.keys() & fresh.keys()
                 if before[k] == fresh[k] and written_after[k] != written_before[k]}
    assert rewritten == set(), "files that did not change were written again"


@pytest.mark.slow
def test_period_archives_follow_a_new_date(tmp_path, content_copy):
    months = ('YEAR_ARCHIVE_SAVE_AS = "archief/{date:%Y}/index.html"\n'
              'MONTH_ARCHIVE_SAVE_AS = "archief/{date:%Y}/{date:%m}/index.html"\n')
    for output in ("warm", "fresh"):
        conf = settings_for(tmp_path, content_copy, tmp_path / output)
        conf.write_text(conf.read_text(encoding="utf-8") + months, encoding="utf-8")
    site = WarmSite(str(tmp_path / "conf-warm.py"))
    site.full()
    assert (tmp_path / "warm" / "archief" / "2026" / "09" / "index.html").is_file()
    edit(content_copy / "articles" / ARTICLE, DATE, TITLE)
    assert site.update(content_copy / "articles" / ARTICLE) is True
    build(str(tmp_path / "conf-fresh.py"))
    assert differences(tree(tmp_path / "warm"), tree(tmp_path / "fresh")) == []


@pytest.mark.slow
def test_a_draft_edited_in_place_matches_a_full_build(tmp_path, content_copy):
    draft = content_copy / "articles" / "2026-11-concept.md"
    # (With a Slug: line: without one, a new title is a new address.)
    draft.write_text("Title: Een concept over Mastodon\nDate: 2026-11-20 09:00\n"
                     "Category: Sociale media\nTags: mastodon, website\nSlug: concept\n"
                     "Status: draft\nSummary: Nog niet klaar.\n\nDe tekst.\n", encoding="utf-8")
    site = WarmSite(str(settings_for(tmp_path, content_copy, tmp_path / "warm")))
    site.full()
    edit(draft, ("Title: Een concept over Mastodon", "Title: Een concept over X"),
         ("Tags: mastodon, website", "Tags: x, b1"), ("2026-11-20", "2026-11-21"))
    assert site.update(draft) is True
    after = tree(tmp_path / "warm")
    assert "Een concept over X" in after["concepten/index.html"].decode()
    assert differences(after, tree(full_build(tmp_path, content_copy))) == []


@pytest.mark.slow
def test_a_series_of_edits_on_a_larger_site_matches_a_full_build_after_each(tmp_path):
    """Sixty articles (pagination in every tag, full "Lees ook" lists): one
    article edited again and again, compared with a full build after each."""
    from dorpsplein.devtools.bench import make_corpus

    content = make_corpus(tmp_path / "site", 60)
    site = WarmSite(str(settings_for(tmp_path, content, tmp_path / "warm")))
    site.full()
    article = content / "articles" / "bericht-40.md"
    text = article.read_text(encoding="utf-8")
    lines = {line.split(":")[0]: line for line in text.splitlines() if ": " in line[:12]}
    tags = lines["Tags"].removeprefix("Tags: ").split(", ")
    other = next(t for t in ("markt", "raad", "groen", "fiets") if t not in tags)
    date = datetime.strptime(lines["Date"].removeprefix("Date: "), "%Y-%m-%d %H:%M")
    next_day = f"Date: {date + timedelta(days=1):%Y-%m-%d %H:%M}"  # a place or two
    series = [
        (lines["Title"], "Title: Een nieuwe titel voor bericht veertig"),
        (lines["Tags"], "Tags: " + ", ".join([*tags[:2], other])),
        (lines["Date"], next_day),
        (next_day, f"Date: {date - timedelta(days=20):%Y-%m-%d %H:%M}"),  # pages further
        (lines["Category"], "Category: Moderatie" if "Moderatie" not in lines["Category"]
         else "Category: Burgerparticipatie"),
        (lines["Summary"], "Summary: Korter."),
        ("\n## Deel 2", "\nEen nieuwe alinea.\n\n## Deel 2"),
    ]
    for old, new in series:
        edit(article, (old, new))
        assert site.update(article) is True, new
        fresh = full_build(tmp_path, content)
        assert differences(tree(tmp_path / "warm"), tree(fresh)) == [], new


@pytest.mark.slow
def test_an_edit_that_moves_the_article_needs_a_full_build(warm):
    site, content, _tmp = warm
    # A new address: the old page would stay behind.
    edit(content / "articles" / ARTICLE, ("Slug: x-of-mastodon", "Slug: mastodon-of-x"))
    assert site.update(content / "articles" / ARTICLE) is False


@pytest.mark.slow
def test_a_plugin_that_shows_articles_elsewhere_without_saying_where_means_a_full_build(
        warm, monkeypatch):
    import related_reading
    from dorpsplein_kit import Contract

    site, content, _tmp = warm
    monkeypatch.setattr(related_reading, "CONTRACT", Contract(
        shown_elsewhere=related_reading.CONTRACT.shown_elsewhere))
    edit(content / "articles" / ARTICLE, TITLE)
    assert site.update(content / "articles" / ARTICLE) is False


@pytest.mark.slow
def test_a_broken_edit_falls_back_to_the_full_build_that_names_it(warm):
    site, content, _tmp = warm
    article = content / "articles" / ARTICLE
    article.write_text(article.read_text(encoding="utf-8") +
                       "\n\n[kapot]({filename}/articles/bestaat-niet.md)\n", encoding="utf-8")
    assert site.update(article) is False
    with pytest.raises(BuildFailed) as failed:
        site.full()
    assert any("bestaat-niet.md" in line for line in failed.value.problems)


def test_ranked_lists_reach_every_article_whose_list_an_edit_changes():
    """related_reading's contract: after any edit of one article, every other
    article whose "Lees ook" list changes is among those its ``reach`` names."""
    from related_reading import CONTRACT
    from related_reading.related_reading import attach

    rng = random.Random(16)
    settings = {"RELATED_READING_MAX": 3}
    start = datetime(2026, 1, 1)

    def tags():
        return [SimpleNamespace(slug=t, name=t.upper()) for t in rng.sample("abcdefg", 3)]

    def category():
        return SimpleNamespace(slug=rng.choice("xyz"))

    pool = [SimpleNamespace(title=f"a{n}", url=f"2026/a{n}/", source_path=f"a{n}.md",
                            status="published", lang="nl", settings=settings, tags=tags(),
                            category=category(), date=start + timedelta(hours=rng.randint(0, 99)))
            for n in range(40)]
    drafts = [SimpleNamespace(**{**vars(pool[0]), "url": "concepten/d/", "source_path": "d.md",
                                 "status": "draft", "tags": tags()})]
    generator = SimpleNamespace(articles=pool, drafts=drafts, settings=settings,
                                context={"articles": pool})
    attach([generator])
    reached_sizes = []
    for _ in range(300):
        article = rng.choice(pool)
        before = {id(a): a.related_reading for a in pool + drafts}
        change = rng.choice(["tags", "date", "category", "title"])
        if change == "tags":
            article.tags = tags()[:rng.randint(0, 3)]
        elif change == "date":
            article.date = start + timedelta(hours=rng.randint(0, 99))
        elif change == "category":
            article.category = category()
        else:
            article.title += "!"
        reached = {id(a) for a in CONTRACT.reach([generator], article)} | {id(article)}
        attach([generator])
        changed = {id(a) for a in pool + drafts if a.related_reading != before[id(a)]}
        assert changed <= reached, change
        reached_sizes.append(len(reached))
    # And it names far fewer than all: the preview recomputes only those.
    assert sum(reached_sizes) / len(reached_sizes) < len(pool) / 2
