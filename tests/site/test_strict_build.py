"""An editor's mistake fails the build with file, line and fix — never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import FROM_PELICANCONF

from dorpsplein.build import ROOT, BuildFailed

pytestmark = pytest.mark.slow


HEAD = "Category: Moderatie\nSummary: Kort.\n"


def write(content, name, text, encoding="utf-8"):
    path = content / "articles" / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def failure(build_site, content) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        build_site(content=content)
    for line in failed.value.problems:
        assert "Traceback" not in line and "\n" not in line
    return failed.value.problems


def test_bad_date_names_file_line_and_fix(build_site, content_copy):
    write(content_copy, "kapot.md", "Title: Kapot\nDate: gisteren\n" + HEAD + "\nTekst.\n")
    [line] = failure(build_site, content_copy)
    assert line.endswith(
        "articles/kapot.md:2: 'gisteren' is geen geldige datum — schrijf de datum als "
        "2026-11-26 of 2026-11-26 14:30."
    )


def test_missing_title_names_the_file(build_site, content_copy):
    write(content_copy, "zonder-titel.md", "Date: 2026-01-01\n" + HEAD + "\nTekst.\n")
    [line] = failure(build_site, content_copy)
    assert "articles/zonder-titel.md:1: 'Title:' ontbreekt — voeg bovenaan een regel toe" in line


def test_invalid_utf8_names_file_and_line(build_site, content_copy):
    write(content_copy, "latin1.md",
          "Title: Café\nDate: 2026-01-01\n" + HEAD + "\nEen café.\n", "latin-1")
    [line] = failure(build_site, content_copy)
    assert "articles/latin1.md:1: het bestand is niet als UTF-8 bewaard (byte 0xe9)" in line
    assert "bewaar het als UTF-8" in line


def test_broken_internal_link_names_file_and_line(build_site, content_copy):
    write(content_copy, "link.md", "Title: Link\nDate: 2026-01-02\n" + HEAD + "\n"
          "Tekst.\n\nZie [dit]({filename}/articles/bestaat-niet.md).\n")
    [line] = failure(build_site, content_copy)
    assert "articles/link.md:8: de link naar '{filename}/articles/bestaat-niet.md'" in line


def test_command_line_build_prints_lines_and_exits_non_zero(tmp_path, content_copy):
    write(content_copy, "kapot.md", "Title: Kapot\nDate: 31-02-2026\n" + HEAD + "\nx\n")
    settings = tmp_path / "settings.py"
    settings.write_text(
        FROM_PELICANCONF + f"PATH = {str(content_copy)!r}\n"
        f"OUTPUT_PATH = {str(tmp_path / 'out')!r}\nCACHE_CONTENT = False\n"
        "LOAD_CONTENT_CACHE = False\n"
        f"THEME = {str(ROOT / 'theme')!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "dorpsplein.build", str(settings)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr + run.stdout
    assert "kapot.md:2: '31-02-2026' is geen geldige datum" in run.stderr
    assert "Bouwen mislukt: 1 probleem om op te lossen." in run.stderr


def test_sample_site_builds_with_zero_warnings(build_site):
    site = build_site()
    assert site.result.problems == []


def test_publish_settings_build_absolute_addresses(build_site):
    site = build_site(settings_file="publishconf.py")
    doc = site.html("/2026/x-of-mastodon/")
    css = doc.select_one('link[rel="stylesheet"]')["href"]
    assert css.startswith("https://blog.lindeveld.example/theme/css/")
