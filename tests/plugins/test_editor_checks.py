"""The editors' safety net: every malformed file gives its one line (file, line, fix),
never a traceback; the build runs the same checks; good articles still build. The
lines are Dutch by default (expected.json) and English with EDITOR_LANGUAGE = "en"
(expected.en.json)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONTENT, FROM_PELICANCONF

from dorpsplein.build import ROOT, BuildFailed

pytestmark = pytest.mark.slow

CORPUS = ROOT / "tests" / "data" / "malformed"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
EXPECTED_EN = json.loads((CORPUS / "expected.en.json").read_text(encoding="utf-8"))
NOT_CORPUS = {"expected.json", "expected.en.json"}
# Files that are odd but fine: they must build and say nothing.
BENIGN = {"bom.md", "crlf.md", "tabs.md"}


def checker_for(content: Path, **settings):
    from editor_checks.checks import Checker
    from pelican.settings import read_settings

    # The Checker asks the plugins in PLUGINS which values their keys accept.
    settings = read_settings(str(ROOT / "pelicanconf.py"),
                             override={"PATH": str(content), **settings})
    return Checker(settings, root=content.parent)


def test_the_corpus_is_large_and_every_line_names_place_and_fix():
    files = [p for p in CORPUS.iterdir() if p.name not in NOT_CORPUS]
    assert len(files) >= 30
    assert set(EXPECTED) == set(EXPECTED_EN) == {p.name for p in files}
    for expected in (EXPECTED, EXPECTED_EN):
        for name, lines in expected.items():
            assert (not lines) == (name in BENIGN), name
            for _severity, line in lines:
                assert line.startswith(name), line
                assert " — " in line and "\n" not in line and "Traceback" not in line
    # The same findings in both languages: place and severity, each line said twice.
    for name in EXPECTED:
        assert [(sev, line.split(": ", 1)[0]) for sev, line in EXPECTED[name]] == \
            [(sev, line.split(": ", 1)[0]) for sev, line in EXPECTED_EN[name]], name
        for (_, dutch), (_, english) in zip(EXPECTED[name], EXPECTED_EN[name], strict=True):
            assert dutch != english, dutch


def findings_of(tmp_path, name, **settings):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    shutil.copy(CORPUS / name, content / "articles" / name)
    return [[f.severity, f.path.split("content/articles/", 1)[-1] + str(f)[len(f.path):]]
            for f in checker_for(content, **settings).run()]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_malformed_file_gives_its_expected_line(tmp_path, name):
    assert findings_of(tmp_path, name) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_EN))
def test_editor_language_en_gives_the_english_lines(tmp_path, name):
    assert findings_of(tmp_path, name, EDITOR_LANGUAGE="en") == EXPECTED_EN[name]


def test_a_five_megabyte_file_is_refused_in_one_line(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "articles" / "groot.md").write_text(
        "Title: Groot\nDate: 2026-11-20 10:00\nCategory: Moderatie\nSummary: Kort.\n\n"
        + "Heel veel tekst. " * 320_000, encoding="utf-8")
    [finding] = checker_for(content).run()
    assert str(finding).startswith("content/articles/groot.md: het bestand is 5,4 MB, meer dan "
                                   "1 MB — houd een artikel kort")
    [finding] = checker_for(content, EDITOR_LANGUAGE="en").run()
    assert str(finding).startswith("content/articles/groot.md: the file is 5.4 MB, more than 1 MB")


def test_whole_corpus_in_one_build_good_articles_still_built(build_site, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    for path in CORPUS.iterdir():
        if path.name not in NOT_CORPUS:
            shutil.copy(path, content / "articles" / path.name)
    with pytest.raises(BuildFailed) as failed:
        build_site(content=content)
    problems = failed.value.problems
    expected_errors = [line for lines in EXPECTED.values() for sev, line in lines
                       if sev == "error"]
    shown = [p.replace(f"{tmp_path}/", "").split("content/articles/", 1)[-1] for p in problems]
    assert sorted(shown) == sorted(expected_errors)
    assert all("Traceback" not in p and "\n" not in p for p in problems)
    advice = [a.split("content/articles/", 1)[-1] for a in failed.value.advice]
    assert sorted(advice) == sorted(line for lines in EXPECTED.values() for sev, line in lines
                                    if sev == "warning")
    output = tmp_path / "output"
    # The sample articles and the odd-but-fine files are built; broken ones are not.
    assert (output / "2026" / "x-of-mastodon" / "index.html").is_file()
    for slug in ("met-bom", "windows", "tabs"):
        assert (output / "2026" / slug / "index.html").is_file(), slug
    assert not (output / "2026" / "geen-datum-goed").exists()


def run_task(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_invoke_check_passes_strictly_on_the_sample_content():
    run = run_task("check", "--strict")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "Alle teksten zijn in orde (0 waarschuwing(en))."


def test_invoke_check_fails_on_errors_and_on_warnings_only_when_strict(tmp_path, capsys):
    from dorpsplein.editor import check

    project = tmp_path / "site"
    shutil.copytree(CONTENT, project / "content")
    settings = project / "conf.py"
    settings.write_text(FROM_PELICANCONF + f"PATH = {str(project / 'content')!r}\n",
                        encoding="utf-8")
    shutil.copy(CORPUS / "long-summary.md", project / "content" / "articles")
    assert check(str(settings), strict=False) == 0
    assert capsys.readouterr().out == "Alle teksten zijn in orde (1 waarschuwing(en)).\n"
    assert check(str(settings), strict=True) == 1
    [warning, summary] = capsys.readouterr().err.splitlines()
    assert warning.startswith("let op: ") and warning.endswith(EXPECTED["long-summary.md"][0][1])
    assert summary == ("Controle mislukt: 0 fout(en), 1 waarschuwing(en) in 1 bestand(en) (met "
                       "--strict tellen waarschuwingen mee).")
    shutil.copy(CORPUS / "bad-date.md", project / "content" / "articles")
    assert check(str(settings), strict=False) == 1
    [error, _warning, summary] = capsys.readouterr().err.splitlines()
    assert error.endswith(EXPECTED["bad-date.md"][0][1])
    assert summary == "Controle mislukt: 1 fout(en), 1 waarschuwing(en) in 2 bestand(en)."
