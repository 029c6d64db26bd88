"""./go town: the Dutch questions (or flags) that write town.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib

import pytest

from dorpsplein import town, town_setup
from dorpsplein.build import ROOT


@pytest.fixture
def kit(tmp_path):
    """A copy of the files ./go town touches: town.toml and content/."""
    shutil.copy(ROOT / "town.toml", tmp_path / "town.toml")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path


def test_questions_re_ask_after_a_wrong_answer_and_keep_the_comments(kit, capsys):
    answers = iter([
        "Beekdorp", "", "", "#7fbf7f", "#0b4f8a",  # a too light colour, then a good one
        "", "Kerkplein 3 | 8888 Beekdorp", "", "info(at)beekdorp", "info@beekdorp.example", "",
        "blog.beekdorp.be", "https://blog.beekdorp.example", "", "ja",
    ])
    asked = []

    def ask(prompt):
        asked.append(prompt)
        return next(answers)

    town_setup.setup(kit, {}, interactive=True, samples="ask", ask=ask)
    out = capsys.readouterr().out
    assert "Tekst in #7fbf7f is te licht op wit (2.17:1, minstens 4.5:1 nodig): neem een " \
           "donkerder tint, zoals #" in out
    assert "Dat is geen e-mailadres: schrijf het als naam@gemeente.be." in out
    assert "Geef het volledige adres, zoals https://blog.jouwgemeente.be" in out
    assert asked[0].startswith("Hoe heet je gemeente? [Lindeveld]")
    text = (kit / "town.toml").read_text(encoding="utf-8")
    assert "# The town's name as citizens say it." in text  # comments kept
    profile = town.load(kit / "town.toml")
    assert profile["town"]["name"] == "Beekdorp"
    assert profile["town"]["site_name"] == "Lindeveld in gesprek"  # kept: answered empty
    assert profile["town"]["brand_colour"] == "#0b4f8a"
    assert profile["contact"]["address"] == ["Kerkplein 3", "8888 Beekdorp"]
    assert profile["web"]["url"] == "https://blog.beekdorp.example"
    # A new town gets its own feed identifiers and none of Lindeveld's profiles.
    assert profile["web"]["feed_id_namespace"] != town_setup.SAMPLE_FEED_NAMESPACE
    assert not any(profile["social"].get(n) for n in town.NETWORKS)
    assert not list((kit / "content" / "articles").glob("2026-*.md"))
    assert not (kit / "content" / "images" / "logo.svg").exists()
    assert profile["town"]["logo"] == ""


def test_flags_write_the_profile_without_questions(kit):
    town_setup.setup(kit, {"name": "Beekdorp", "site-name": "Beekdorp spreekt",
                           "url": "https://www.beekdorp.example/blog/"},
                     interactive=False, samples="keep",
                     ask=lambda prompt: pytest.fail(f"asked {prompt!r}"))
    data = tomllib.loads((kit / "town.toml").read_text(encoding="utf-8"))
    assert data["town"]["site_name"] == "Beekdorp spreekt"
    assert data["web"]["url"] == "https://www.beekdorp.example/blog"
    assert data["contact"]["phone"] == "09 123 45 67"  # not given: kept
    assert (kit / "content" / "articles" / "2026-11-debat-modereren.md").exists()


@pytest.mark.parametrize(("flag", "value", "sentence"), [
    ("colour", "#ffff00", "--colour: Tekst in #ffff00 is te licht op wit"),
    ("email", "info", "--email: Dat is geen e-mailadres"),
    ("url", "beekdorp.be", "--url: Geef het volledige adres"),
])
def test_a_wrong_flag_is_one_sentence_and_changes_nothing(kit, flag, value, sentence):
    before = (kit / "town.toml").read_bytes()
    with pytest.raises(town_setup.SetupError) as error:
        town_setup.setup(kit, {flag: value}, interactive=False, samples="keep")
    assert str(error.value).startswith(sentence)
    assert (kit / "town.toml").read_bytes() == before


@pytest.mark.slow
def test_go_town_runs_as_a_command_and_prints_the_next_steps(tmp_path):
    kit = tmp_path / "kit"
    shutil.copytree(ROOT, kit, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "output", "var", "cache", "artifacts", "__pycache__"))
    done = subprocess.run(
        [sys.executable, "-m", "invoke", "town", "--yes", "--remove-samples",
         "--name", "Beekdorp", "--url", "https://blog.beekdorp.example"],
        cwd=kit, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Volgende stappen:" in done.stdout and "./go serve" in done.stdout
    assert town.load(kit / "town.toml")["town"]["name"] == "Beekdorp"
    wrong = subprocess.run(
        [sys.executable, "-m", "invoke", "town", "--yes", "--colour", "geel"],
        cwd=kit, capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == "--colour: Schrijf de kleur als hexcode, bijvoorbeeld #1d5c3a."
