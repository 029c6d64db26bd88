"""The live preview's warm site: one edited article updates in place, and the
result is byte for byte what a full build gives."""

from __future__ import annotations

import pytest
from conftest import FROM_PELICANCONF

from dorpsplein.build import ROOT, BuildFailed, build
from dorpsplein.incremental import WarmSite

pytestmark = pytest.mark.slow

ARTICLE = "2026-09-x-of-mastodon.md"


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


@pytest.fixture
def warm(tmp_path, content_copy):
    site = WarmSite(str(settings_for(tmp_path, content_copy, tmp_path / "warm")))
    site.full()
    return site, content_copy, tmp_path


def full_build(tmp_path, content):
    output = tmp_path / "fresh"
    build(str(settings_for(tmp_path, content, output)))
    return output


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
    if site.update(article):
        assert untouched.stat().st_mtime_ns == stamp, "an unaffected page was rewritten"
    else:
        site.full()  # what the preview does when the edit reaches other pages
    page = (output / "2026" / "x-of-mastodon" / "index.html").read_text(encoding="utf-8")
    assert extra[:40] in page
    assert tree(output) == tree(full_build(tmp_path, content))


def test_a_short_edit_is_handled_in_place(warm):
    site, content, tmp_path = warm
    article = content / "articles" / ARTICLE
    article.write_text(article.read_text(encoding="utf-8") + "\n\nKort.\n", encoding="utf-8")
    assert site.update(article) is True
    feed = (tmp_path / "warm" / "feeds" / "atom.xml").read_text(encoding="utf-8")
    assert "Kort." in feed  # the article is among the newest: its feeds follow


@pytest.mark.parametrize("change", [
    ("Title: X of Mastodon", "Title: Mastodon of X"),
    ("Category: Sociale media", "Category: Moderatie"),
    ("Slug: x-of-mastodon", "Slug: mastodon-of-x"),
    # Other articles' "Lees ook" lists rank by tags (related_reading's contract).
    ("Tags: x, mastodon, fediverse, kanaalkeuze", "Tags: x, mastodon, fediverse"),
])
def test_an_edit_that_moves_the_article_needs_a_full_build(warm, change):
    site, content, _tmp = warm
    article = content / "articles" / ARTICLE
    text = article.read_text(encoding="utf-8")
    assert change[0] in text
    article.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    assert site.update(article) is False


def test_a_broken_edit_falls_back_to_the_full_build_that_names_it(warm):
    site, content, _tmp = warm
    article = content / "articles" / ARTICLE
    article.write_text(article.read_text(encoding="utf-8") +
                       "\n\n[kapot]({filename}/articles/bestaat-niet.md)\n", encoding="utf-8")
    assert site.update(article) is False
    with pytest.raises(BuildFailed) as failed:
        site.full()
    assert any("bestaat-niet.md" in line for line in failed.value.problems)
