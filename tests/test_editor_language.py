"""What the tools say to the editor is Dutch by default and English with
EDITOR_LANGUAGE = "en": every message in the code has its Dutch line in a
catalogue, a wrong value of the setting stops everything with one sentence
naming it, and the build's own lines follow the setting."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from conftest import FROM_PELICANCONF

from dorpsplein.build import ROOT, BuildFailed, main

# Each catalogue and the files whose messages it holds.
CATALOGUES = {
    ROOT / "dorpsplein" / "locale" / "nl" / "LC_MESSAGES" / "messages.po": [
        ROOT / "dorpsplein" / name for name in ("build.py", "editor.py", "preview.py",
                                                  "social.py")],
    ROOT / "plugins" / "editor_checks" / "locale" / "nl" / "LC_MESSAGES" / "messages.po": [
        ROOT / "plugins" / "editor_checks" / "checks.py"],
}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def messages_in(sources: list[Path]) -> set[str | tuple]:
    found = set()
    for source in sources:
        for _line, message, _comments, _context in extract_from_file("python", source):
            found.add(message)
    return found


@pytest.mark.parametrize("catalogue", sorted(CATALOGUES), ids=lambda p: p.parts[-5])
def test_every_message_has_its_dutch_line_with_the_same_placeholders(catalogue):
    with catalogue.open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    wanted = messages_in(CATALOGUES[catalogue])
    assert len(wanted) >= 10
    entries = {message.id: message for message in catalog if message.id}
    missing = [m for m in wanted if m not in entries]
    assert not missing, f"add these to {catalogue.relative_to(ROOT)}: {missing}"
    unused = [m for m in entries if m not in wanted]
    assert not unused, f"{catalogue.relative_to(ROOT)} has entries no code says: {unused}"
    for msgid, message in entries.items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not message.fuzzy and all(strings), f"untranslated: {msgid!r}"
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= set(PLACEHOLDER.findall(ids[-1])), string
            assert set(PLACEHOLDER.findall(ids[0])) <= set(PLACEHOLDER.findall(string)) | {
                "count"}, string
        # The place, what is wrong, then " — " and the fix: kept in Dutch.
        if " — " in ids[0]:
            assert all(" — " in string for string in strings), string


def test_the_setting_is_in_pelicanconf_with_its_comment():
    text = (ROOT / "pelicanconf.py").read_text(encoding="utf-8")
    match = re.search(r"((?:^#.*\n)+)EDITOR_LANGUAGE = \"nl\"\n", text, re.M)
    assert match, "EDITOR_LANGUAGE = \"nl\" with a comment above it"
    assert '"en" for English' in match.group(1)


def settings_file(tmp_path, content, **settings) -> Path:
    path = tmp_path / "conf.py"
    lines = [FROM_PELICANCONF + f"PATH = {str(content)!r}",
             f"OUTPUT_PATH = {str(tmp_path / 'out')!r}", "CACHE_CONTENT = False",
             "LOAD_CONTENT_CACHE = False"]
    lines += [f"{name} = {value!r}" for name, value in settings.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


BROKEN = ("Title: Kapot\nDate: 31-02-2026\nCategory: Moderatie\nSummary: Kort.\n\nTekst.\n")


@pytest.mark.slow
@pytest.mark.parametrize(("language", "line", "summary"), [
    (None, "kapot.md:2: '31-02-2026' is geen geldige datum — schrijf de datum als 2026-11-26 "
           "of 2026-11-26 14:30.", "Bouwen mislukt: 1 probleem om op te lossen."),
    ("en", "kapot.md:2: '31-02-2026' is not a valid date — write the date as 2026-11-26 or "
           "2026-11-26 14:30.", "Build failed: 1 problem to fix."),
])
def test_the_build_speaks_the_editors_language(tmp_path, content_copy, capsys, language, line,
                                               summary):
    (content_copy / "articles" / "kapot.md").write_text(BROKEN, encoding="utf-8")
    settings = settings_file(tmp_path, content_copy,
                             **({"EDITOR_LANGUAGE": language} if language else {}))
    assert main([str(settings)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].endswith("articles/" + line), err
    assert err[-1] == summary


@pytest.mark.slow
def test_a_good_build_says_so_in_dutch(tmp_path, content_copy, capsys):
    assert main([str(settings_file(tmp_path, content_copy))]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(r".*/out gebouwd in \d+,\d s, zonder fouten\.\n", out), out


@pytest.mark.slow
def test_a_wrong_editor_language_stops_build_check_and_new_naming_it(tmp_path, content_copy,
                                                                    build_site, capsys):
    from dorpsplein.editor import check, new_article

    sentence = ("EDITOR_LANGUAGE = 'fr' must be 'nl' (Dutch messages) or 'en' (English "
                "messages), in pelicanconf.py.")
    with pytest.raises(BuildFailed) as failed:
        build_site(content=content_copy, EDITOR_LANGUAGE="fr")
    assert failed.value.problems == [sentence]
    settings = settings_file(tmp_path, content_copy, EDITOR_LANGUAGE="fr")
    assert check(str(settings)) == 1
    assert capsys.readouterr().err == sentence + "\n"
    with pytest.raises(ValueError) as refused:
        new_article("Een titel", "Moderatie", str(settings))
    assert str(refused.value) == sentence


def test_invoke_check_speaks_dutch_by_default():
    run = subprocess.run([sys.executable, "-m", "invoke", "check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "Alle teksten zijn in orde (0 waarschuwing(en)).\n"
