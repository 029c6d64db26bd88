"""invoke bench works (a quick run on 100 posts). Times are reported, never asserted."""

from __future__ import annotations

import json

import pytest

from dorpsplein.devtools.bench import main, make_corpus

pytestmark = pytest.mark.slow


def test_corpus_is_deterministic(tmp_path):
    first = make_corpus(tmp_path / "a", 5)
    second = make_corpus(tmp_path / "b", 5)
    names = sorted(p.name for p in (first / "articles").iterdir())
    assert names == [f"bericht-{n}.md" for n in range(5)]
    for name in names:
        assert (first / "articles" / name).read_text() == (second / "articles" / name).read_text()
    text = (first / "articles" / "bericht-3.md").read_text()
    assert "## Deel 1" in text and "\n- " in text and "{static}/images/logo.svg" in text
    assert "{filename}/articles/bericht-2.md" in text and "Tags: " in text


def test_quick_bench_measures_every_build_and_the_preview(tmp_path, capsys):
    from dorpsplein.devtools.bench import kit_settings

    report, work = tmp_path / "bench.json", tmp_path / "work"
    summary = main(posts=100, runs=1, edits=1, report=report, workdir=work)
    saved = json.loads(report.read_text())
    assert saved["posts"] == 100 and saved["runs"] == 1
    # Hugo is in the test extra, so it is built here.
    assert saved["hugo_status"] == "built" and saved["machine"]["hugo"]
    for side in ("plain", "ours", "hugo", "no_change_rebuild"):
        measured = saved[side]
        assert measured["wall_s"] > 0 and measured["cpu_s"] > 0
        assert measured["peak_mb"] > 10 and measured["peak_rss_top_mb"] > 10
        assert measured["files"] > 100
    assert summary["ratio_wall"] > 0 and summary["ratio_cpu"] > 0
    assert len(saved["targets"]) == 4
    assert all(isinstance(row["met"], bool) for row in saved["targets"])

    # The baseline is bare Pelican: no plugins, the kit's pagination.
    pagination = kit_settings()["DEFAULT_PAGINATION"]
    config = saved["baseline_config"]
    assert "\nPLUGINS = []\n" in config
    assert f"\nDEFAULT_PAGINATION = {pagination}\n" in config
    plain = work / "plain-out"
    assert (plain / "index2.html").is_file()  # Pelican's default name for page 2
    # No namespace plugin ran (pelican-precompress would write these).
    assert not [p for p in plain.rglob("*") if p.suffix in (".gz", ".br")]
    assert saved["plain"]["precompressed_files"] == 0

    # Hugo built the same corpus with our small theme, paginated alike.
    hugo = work / "hugo-out"
    assert f"pagerSize = {pagination}" in saved["hugo_config"]
    article = (hugo / "2020" / "bericht-5" / "index.html").read_text()
    assert "<h2 id=\"deel-1\">Deel 1</h2>" in article
    assert 'href="/2020/bericht-4/"' in article and 'src="/images/logo.svg"' in article
    assert (hugo / "page" / "2" / "index.html").is_file()
    assert (hugo / "tags" / "markt" / "index.html").is_file()
    assert (hugo / "categories" / "moderatie" / "index.html").is_file()
    assert (hugo / "images" / "logo.svg").is_file()

    edits = saved["edit_to_preview"]
    assert set(edits["kinds"]) == {"body", "title", "tags", "date"}
    for kind in edits["kinds"].values():
        assert kind["edits"] + kind["timeouts"] == 1
    assert edits["edits"] + edits["timeouts"] == 4
    # Each edit was restored.
    assert (work / "content" / "articles" / "bericht-5.md").read_text() == \
        (make_corpus(tmp_path / "fresh", 6) / "articles" / "bericht-5.md").read_text()

    out = capsys.readouterr().out
    assert "PLUGINS = []" in out and "bare Pelican" in out and "Hugo" in out
    assert "No-change rebuild" in out and "Edit-to-preview" in out and "Target" in out


def test_comment_bench_writes_and_reads_a_crowded_thread(tmp_path):
    from dorpsplein.devtools.bench_comments import main as bench_comments

    summary = bench_comments(seconds=2, report=tmp_path / "c.json")
    writes, reads = summary["writes"], summary["reads"]
    assert writes["acknowledged"] == writes["posted"] == writes["in_database"] == 1000
    assert reads["comments_in_thread"] == 1000 and reads["non_2xx"] == 0
    assert reads["requests_per_s"] > 0


def test_inspraak_bench_counts_every_support_once(tmp_path):
    """A small crowd (20 citizens x 3 supports) against a real participation
    service: correctness counts only, never times."""
    from dorpsplein.devtools.bench_participation import main as bench_inspraak

    report = tmp_path / "inspraak.json"
    summary = bench_inspraak(citizens=20, supports=3, seconds=1, think=0.2, report=report)
    crowd, database = summary["supports"], summary["database"]
    assert crowd["expected"] == crowd["posted"] == crowd["acknowledged"] == 60
    assert database["in_database"] == 60
    assert database["lost"] == database["counted_twice"] == database["unacknowledged"] == 0
    assert database["per_idea_match"] and database["board_matches_database"]
    assert database["board_total"] == 60
    # One person per citizen (the cookie kept), each with exactly its supports ...
    assert crowd["citizens_with_cookie"] == database["people"] == 20
    assert database["most_by_one_person"] == 3
    # ... and not one more: the consultation's Supports holds under the crowd.
    assert crowd["one_too_many"] == {"409 no_supports_left": 20}
    assert crowd["refusals"] == {}
    assert sum(crowd["per_idea_acknowledged"].values()) == 60
    reads = summary["reads"]
    assert reads["non_2xx"] == 0 and reads["requests_per_s"] > 0 and reads["ideas_on_board"] == 12
    saved = json.loads(report.read_text())
    assert saved["database"] == database and len(saved["targets"]) == 3
    assert all(isinstance(row["met"], bool) for row in saved["targets"])
