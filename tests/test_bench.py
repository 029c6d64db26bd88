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


def test_quick_bench_measures_both_builds_and_the_preview(tmp_path, capsys):
    report = tmp_path / "bench.json"
    summary = main(posts=100, runs=1, edits=1, report=report)
    saved = json.loads(report.read_text())
    assert saved["posts"] == 100
    for side in ("plain", "ours"):
        assert saved[side]["wall_s"] > 0 and saved[side]["peak_mb"] > 10
        assert saved[side]["files"] > 100
    assert summary["ratio_wall"] > 0
    assert saved["edit_to_preview"]["edits"] == 1 and saved["edit_to_preview"]["median_s"] > 0
    out = capsys.readouterr().out
    assert "full build, wall (s)" in out and "edit-to-preview: median" in out


def test_comment_bench_writes_and_reads_a_crowded_thread(tmp_path):
    from dorpsplein.devtools.bench_comments import main as bench_comments

    summary = bench_comments(seconds=2, report=tmp_path / "c.json")
    writes, reads = summary["writes"], summary["reads"]
    assert writes["acknowledged"] == writes["posted"] == writes["in_database"] == 1000
    assert reads["comments_in_thread"] == 1000 and reads["non_2xx"] == 0
    assert reads["requests_per_s"] > 0
