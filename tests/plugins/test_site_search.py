"""site_search: Pagefind's index of the built site, read back from its files."""

from __future__ import annotations

import gzip
import json

import pytest
from site_search.site_search import sync_folder
from stop_lines import stop_line

pytestmark = pytest.mark.slow


def fragments(output, bundle="pagefind"):
    """Every indexed page as Pagefind stored it: {"url", "content", "meta", ...}."""
    found = []
    for path in sorted((output / bundle / "fragment").iterdir()):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        found.append(json.loads(data[len(b"pagefind_dcd"):]))
    return found


def test_only_articles_and_pages_are_indexed_in_dutch(sample_site):
    entry = json.loads((sample_site.output / "pagefind" / "pagefind-entry.json").read_text())
    [(language, details)] = entry["languages"].items()
    assert language.startswith("nl")
    marked = [p for p in sample_site.pages() if "data-pagefind-body" in p.read_text("utf-8")]
    indexed = {f["url"] for f in fragments(sample_site.output)}
    assert details["page_count"] == len(marked) == len(indexed)
    assert "/2026/debat-modereren/" in indexed and "/over-deze-blog/" in indexed
    assert not {"/", "/archief/", "/zoeken/", "/themas/", "/404.html"} & indexed
    assert not any(url.startswith("/concepten/") for url in indexed)


def test_navigation_share_bar_comments_and_footer_are_not_indexed(sample_site):
    page = sample_site.html("/2026/debat-modereren/")
    [article] = [f for f in fragments(sample_site.output) if f["url"] == "/2026/debat-modereren/"]
    content = article["content"]
    assert article["meta"]["title"] == page.select_one("h1").get_text(strip=True)
    assert "vergadering" in content
    left_out = {
        "menu": " ".join(a.get_text(strip=True) for a in page.select(".site-nav a")),
        "site name": page.select_one(".site-header__name").get_text(strip=True),
        "share bar": page.select_one(".share__title").get_text(strip=True),
        "comments": page.select_one("[data-comments-load]").get_text(strip=True),
        "footer": page.select_one(".site-footer").get_text(" ", strip=True)[:60],
        "tags": page.select_one(".article__footer").get_text(" ", strip=True)[:40],
        "date line": page.select_one(".article__header time").get_text(" ", strip=True),
    }
    for part, text in left_out.items():
        assert text and text not in content, f"{part} is indexed: {text!r}"


def test_the_bundle_holds_only_what_the_search_page_uses(sample_site):
    bundle = sample_site.output / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    assert list(bundle.glob("wasm.nl*.pagefind"))
    assert not list(bundle.glob("pagefind-*ui*"))
    assert not (bundle / "pagefind-highlight.js").exists()


def test_sync_folder_writes_changes_and_removes_files_of_an_older_index(tmp_path):
    new, old = tmp_path / "new", tmp_path / "old"
    (new / "fragment").mkdir(parents=True)
    (new / "fragment" / "b.pf_fragment").write_bytes(b"b")
    (new / "pagefind.js").write_text("js")
    (new / "pagefind-ui.js").write_text("unused")
    (old / "fragment").mkdir(parents=True)
    (old / "fragment" / "a.pf_fragment").write_bytes(b"a")
    (old / "stale").mkdir()
    (old / "stale" / "x").write_text("x")
    sync_folder(new, old)
    assert sorted(p.relative_to(old).as_posix() for p in old.rglob("*")) == [
        "fragment", "fragment/b.pf_fragment", "pagefind.js"]


def test_a_wrong_bundle_folder_stops_the_build_with_one_line(build_site):
    line = stop_line(build_site, SITE_SEARCH_BUNDLE="../elders")
    assert "SITE_SEARCH_BUNDLE = '../elders' must be one folder name" in line


def test_pagefind_reads_only_the_pages_it_is_given(sample_site, tmp_path):
    """The build hands Pagefind the articles and pages (list pages carry no
    indexed region; parsing them was two thirds of the indexing time)."""
    import shutil

    from site_search.site_search import build_index

    output = tmp_path / "site"
    shutil.copytree(sample_site.output, output)
    marked = sorted(str(p.relative_to(sample_site.output)) for p in sample_site.pages()
                    if "data-pagefind-body" in p.read_text("utf-8"))
    assert build_index(output, "pagefind", marked) == len(marked)
    assert build_index(output, "pagefind", marked[:1]) == 1
    assert {f["url"] for f in fragments(output)} == {
        "/" + marked[0].removesuffix("index.html")}
    # A name with a glob character: Pagefind reads every page (still only
    # the marked ones are indexed).
    odd = output / "over-deze-blog" / "a,b.html"
    odd.write_bytes((output / marked[0]).read_bytes())
    assert build_index(output, "pagefind", marked + ["over-deze-blog/a,b.html"]) \
        > len(marked) + 1  # every page read ...
    assert len(fragments(output)) == len(marked) + 1  # ... the marked ones indexed
