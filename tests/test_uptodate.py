"""A build with nothing changed since the last one does nothing (caches on),
and any change of what a build reads makes it build (dorpsplein/uptodate.py)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from dorpsplein.build import BuildFailed, build_with, main

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def site(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    overrides = {"PATH": str(content), "OUTPUT_PATH": str(tmp_path / "out"),
                 "CACHE_PATH": str(tmp_path / "cache"), "CACHE_CONTENT": True,
                 "LOAD_CONTENT_CACHE": True}

    def build(**more):
        return build_with(ROOT / "pelicanconf.py", overrides=overrides | more)[0]

    build.content, build.output = content, tmp_path / "out"
    return build


def snapshot(folder: Path) -> dict:
    return {str(p): (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*")
            if p.is_file()}


def test_nothing_changed_means_nothing_is_written(site):
    first = site()
    assert not first.unchanged
    before = snapshot(site.output)
    second = site()
    assert second.unchanged
    assert snapshot(site.output) == before  # not one file touched


def test_a_changed_article_builds_again(site):
    site()
    article = next((site.content / "articles").glob("*.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\nEen nieuwe zin.\n",
                       encoding="utf-8")
    result = site()
    assert not result.unchanged
    assert site().unchanged


def test_a_new_file_or_a_touched_template_builds_again(site):
    site()
    (site.content / "images" / "nieuw.txt").write_text("x", encoding="utf-8")
    assert not site().unchanged
    assert site().unchanged


def test_another_setting_builds_again(site):
    site()
    assert not site(SITESUBTITLE="Een andere ondertitel").unchanged
    assert site(SITESUBTITLE="Een andere ondertitel").unchanged
    assert not site().unchanged


def test_an_output_file_removed_or_edited_by_hand_builds_again(site):
    site()
    page = site.output / "404.html"
    page.unlink()
    assert not site().unchanged
    assert page.is_file()
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("<body", "<body data-x"), encoding="utf-8")
    assert not site().unchanged
    assert page.read_text(encoding="utf-8") == text


def test_a_failed_build_is_never_skipped_next_time(site):
    site()
    article = next((site.content / "articles").glob("*.md"))
    good = article.read_text(encoding="utf-8")
    article.write_text(good.replace("Date:", "Datum-fout:", 1), encoding="utf-8")
    with pytest.raises(BuildFailed):
        site()
    with pytest.raises(BuildFailed):  # not "nothing changed": it fails again
        site()
    article.write_text(good, encoding="utf-8")
    assert not site().unchanged


def test_caches_off_always_builds(site):
    site(CACHE_CONTENT=False, LOAD_CONTENT_CACHE=False)
    assert not site(CACHE_CONTENT=False, LOAD_CONTENT_CACHE=False).unchanged


def test_the_live_preview_always_builds(site):
    site()
    result, state = build_with(ROOT / "pelicanconf.py", keep=True, overrides={
        "PATH": str(site.content), "OUTPUT_PATH": str(site.output),
        "CACHE_PATH": str(site.output.parent / "cache")})
    assert not result.unchanged and state["generators"]


def test_the_command_says_nothing_changed(tmp_path, capsys):
    settings = tmp_path / "site.py"
    shutil.copytree(ROOT / "content", tmp_path / "content")
    settings.write_text(
        "import runpy\n"
        f"globals().update((k, v) for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r})"
        ".items() if k.isupper())\n"
        f"PATH = {str(tmp_path / 'content')!r}\nOUTPUT_PATH = {str(tmp_path / 'out')!r}\n"
        f"CACHE_PATH = {str(tmp_path / 'cache')!r}\n"
        f"THEME = {str(ROOT / 'theme')!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n",
        encoding="utf-8")
    assert main([str(settings)]) == 0
    assert main([str(settings)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{tmp_path / 'out'} gebouwd in ")
    assert out[1].startswith(
        f"Niets veranderd sinds de vorige build: {tmp_path / 'out'} is bijgewerkt (")
    # Editing the settings file itself builds again.
    settings.write_text(settings.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    os.utime(settings, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert main([str(settings)]) == 0
    assert " gebouwd in " in capsys.readouterr().out


def test_a_change_in_the_participation_service_builds_again(site, tmp_path):
    """What the pages show from the participation service (boards, a
    self-test's counts) is an input too: a citizen's counted result after a
    build means the next build builds (plugins/participation: its contract's
    ``outside``)."""
    from participation_service import SITE, free_port, start

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    assert not site(PARTICIPATION_DATA=url).unchanged  # no service yet: built without it
    assert site(PARTICIPATION_DATA=url).unchanged
    service = start(tmp_path / "service", "--origin", SITE, port=port, time_trap_seconds=0,
                    site=site.output / "participation.json")
    try:
        assert not site(PARTICIPATION_DATA=url).unchanged  # it answers now
        assert site(PARTICIPATION_DATA=url).unchanged
        token = service.get("/api/zelftest/lindeveld-2040/form").json["token"]
        answers = {f"v{n}": "1" for n in range(1, 7)}
        counted = service.post("/api/zelftest/lindeveld-2040/resultaat",
                               {**answers, "token": token, "website": ""})
        assert counted.status == 200, counted.body
        assert not site(PARTICIPATION_DATA=url).unchanged
        assert site(PARTICIPATION_DATA=url).unchanged
    finally:
        service.stop()
