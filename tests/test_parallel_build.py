"""A full build renders in several processes (dorpsplein/parallel.py): the
output is byte for byte what one process writes, and a problem or a failure
in a worker is reported as one process reports it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from dorpsplein_kit import parallel as share

from dorpsplein.build import BuildFailed, build_with
from dorpsplein.devtools.bench import make_corpus

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parallel")
    content = make_corpus(folder, 40)
    # The sample site's own articles too: placeholders, pictures, every feature.
    for article in (ROOT / "content" / "articles").glob("*.md"):
        shutil.copy(article, content / "articles" / article.name)
    # ... and its consultation, with the test fixtures' ideas (idea pages too),
    # and its self-test (result pages), which the consultation links to.
    for folder in ("inspraak", "zelftest"):
        shutil.copytree(ROOT / "content" / folder, content / folder)
    return content


def build_in(corpus: Path, folder: Path, processes: int, **overrides):
    overrides = {"PATH": str(corpus), "OUTPUT_PATH": str(folder / "out"),
                 "CACHE_PATH": str(folder / "cache"), "CACHE_CONTENT": False,
                 "LOAD_CONTENT_CACHE": False, "BUILD_PROCESSES": processes,
                 "PARTICIPATION_DATA": str(ROOT / "tests" / "data" / "participation"),
                 "PARTICIPATION_NOW": "2026-11-27 12:00"} | overrides
    return build_with(ROOT / "pelicanconf.py", overrides=overrides)[0]


def test_parallel_output_is_byte_identical_to_one_process(corpus, tmp_path):
    one = build_in(corpus, tmp_path / "one", 1)
    two = build_in(corpus, tmp_path / "two", 2)
    three = build_in(corpus, tmp_path / "three", 3)
    expected = tree(one.output_path)
    assert len(expected) > 300
    # Pages, feeds and share images were indeed dealt out to the workers.
    theirs = [name for name in expected if share.owner(name, 2) == 1]
    assert any(n.endswith(".png") for n in theirs) and any(n.endswith(".xml") for n in theirs)
    assert any(n.endswith("index.html") for n in theirs)
    for result in (two, three):
        got = tree(result.output_path)
        assert sorted(got) == sorted(expected)
        different = [name for name in expected if got[name] != expected[name]]
        assert different == []


def _fail_where_worker_1_draws(monkeypatch):
    """Drawing a share image that worker 1 of 2 draws fails (the first of them
    fails first in one process too: the same error either way)."""
    import share_links.share_links as share_links

    draw = share_links.draw_share_image

    def failing(title, site_name, colour, font_path, target):
        name = f"images/share/{Path(target).name}"
        if share.owner(name, 2) == 1:
            raise RuntimeError(f"the font is gone while drawing {name}")
        return draw(title, site_name, colour, font_path, target)

    monkeypatch.setattr(share_links, "draw_share_image", failing)


def test_a_failure_in_a_worker_is_the_same_one_line_error(corpus, tmp_path, monkeypatch):
    _fail_where_worker_1_draws(monkeypatch)
    with pytest.raises(BuildFailed) as one:
        build_in(corpus, tmp_path / "one", 1)
    with pytest.raises(BuildFailed) as two:
        build_in(corpus, tmp_path / "two", 2)
    assert one.value.problems == two.value.problems
    assert one.value.problems[-1].startswith("RuntimeError: the font is gone while drawing")


def test_a_content_problem_read_by_a_worker_reads_the_same(corpus, tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(corpus, broken)
    # Every other file is converted by the worker: break two neighbours.
    for number in (7, 8):
        path = broken / "articles" / f"bericht-{number}.md"
        path.write_bytes(path.read_bytes().replace(b"## Deel 2", b"## Deel \xff 2"))
    (broken / "articles" / "bericht-9.md").write_text(
        "Title: Zonder datum\nCategory: Moderatie\n\nTekst.\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as one:
        build_in(broken, tmp_path / "one", 1)
    with pytest.raises(BuildFailed) as two:
        build_in(broken, tmp_path / "two", 2)
    assert one.value.problems == two.value.problems
    said = "\n".join(one.value.problems)
    assert "bericht-7.md:23:" in said and "bericht-8.md:23:" in said and "UTF-8" in said
    assert "bericht-9.md:1:" in said


def test_a_worker_that_dies_is_reported_not_hidden(corpus, tmp_path, monkeypatch):
    import share_links.share_links as share_links

    parent = os.getpid()
    draw = share_links.draw_share_image

    def dying(*args, **kwargs):
        if os.getpid() != parent:
            os.kill(os.getpid(), 9)
        return draw(*args, **kwargs)

    monkeypatch.setattr(share_links, "draw_share_image", dying)
    with pytest.raises(BuildFailed) as failed:
        build_in(corpus, tmp_path / "two", 2)
    assert failed.value.problems[-1] == "a build process stopped unexpectedly (signal 9)"


@pytest.mark.parametrize("value", [0, -1, "2", 2.0, True, 65])
def test_a_wrong_number_of_processes_stops_the_build_naming_it(corpus, tmp_path, value):
    with pytest.raises(BuildFailed) as failed:
        build_in(corpus, tmp_path / "x", value)
    assert failed.value.problems == [
        f"BUILD_PROCESSES = {value!r} is not a number of processes: write a whole number "
        "from 1 to 64 in pelicanconf.py (1 renders in one process), or leave it out."]
