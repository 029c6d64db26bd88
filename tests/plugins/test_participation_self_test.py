"""Self-tests, the build half (plugins/participation/self_test.py,
docs/participation.md "Self-tests"): the start page with its questions, one
page per result whose address names the result and never the answers, the
shares from the service's counts, participation.json's "self_tests", the
editor's lines for every broken rule (in the build and in ``invoke check``).

The plugin is not imported here (see test_participation.py): what it writes
is read back from the built site with a real HTML parser."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from dorpsplein.build import ROOT, BuildFailed

pytestmark = pytest.mark.slow

DATA = ROOT / "tests" / "data" / "participation"
COUNTS = json.loads((DATA / "zelftest-lindeveld-2040.json").read_text(encoding="utf-8"))
SLUG = "lindeveld-2040"
BASE = f"/zelftest/{SLUG}/"
SAMPLE = ROOT / "content" / "zelftest" / f"{SLUG}.md"
RESULTS = ["groen", "samen", "dorp", "digitaal"]

KNOWLEDGE = """Title: Hoe werkt inspraak in Lindeveld?
Slug: inspraak-quiz
Kind: knowledge

Drie vragen over hoe je meepraat.

## Question: Tot wanneer kan je een idee steunen?

- [ ] Een week na het posten
- [x] Tot de inspraakronde sluit
- [ ] Zolang het idee online staat

Je kan steunen zolang de inspraakronde open is.

## Question: Wie leest een idee voor het online komt?

Bij de meeste inspraakrondes.

- [x] Een moderator van de gemeente
- [ ] Niemand

Een moderator leest elk idee eerst, tenzij de ronde anders zegt.

## Question: Wat bewaart de zelftest van je antwoorden?

- [ ] Alles
- [x] Niets

Ze blijven in je browser: [privacyverklaring]({filename}/pages/privacyverklaring.md).

## Result 0-1: Je kan nog wat bijleren

Lees [hoe een bevraging werkt]({filename}/articles/2026-10-online-burgerbevraging.md).

## Result 2: Goed bezig

## Result 3: Jij kent de inspraak door en door
"""


def counts_share(result: str) -> int:
    return round(100 * COUNTS["results"][result] / sum(COUNTS["results"].values()))


# -- the sample (a profile test, counts on, counts from tests/data) -----------

def test_the_start_page_has_the_intro_facts_and_a_link_to_the_first_question(sample_site):
    doc = sample_site.html(BASE)
    service = sample_site.settings["PARTICIPATION_URL"]
    start = doc.select_one("[data-self-test-start]")
    assert start.select_one("h1").get_text() == "Hoe wil jij in 2040 in Lindeveld wonen?"
    assert "Lindeveld verandert" in start.select_one(".prose").get_text()
    facts = [li.get_text(" ", strip=True) for li in start.select(".self-test__facts li")]
    assert facts[:2] == ["6 vragen", "ongeveer 2 minuten"]
    assert "We bewaren je antwoorden niet" in facts[2]
    begin = start.select_one("a[data-self-test-begin]")
    assert begin.get_text() == "Begin de test"
    assert begin["href"] == f"{service}/zelftest/{SLUG}/vraag/1"
    assert doc.title.get_text().startswith("Hoe wil jij in 2040 in Lindeveld wonen? · Zelftest")


def test_every_question_is_a_fieldset_with_its_legend_as_h1_and_radios(sample_site):
    doc = sample_site.html(BASE)
    form = doc.select_one("form[data-self-test-form]")
    assert form.has_attr("hidden") and form.has_attr("novalidate")
    fieldsets = form.select("fieldset[data-question]")
    assert len(fieldsets) == 6
    source = SAMPLE.read_text(encoding="utf-8")
    asked = re.findall(r"^## Question: (.*)$", source, re.MULTILINE)
    for number, fieldset in enumerate(fieldsets, start=1):
        assert fieldset.has_attr("hidden")
        legend = fieldset.select_one("legend")
        assert legend.select_one(".self-test__caption").get_text() == f"Vraag {number} van 6"
        # A span until the script shows it as the page's one h1.
        assert legend.select_one("[data-self-test-heading]").get_text() == asked[number - 1]
        assert legend.select_one("h1") is None
        radios = fieldset.select("input[type=radio]")
        assert len(radios) == 4
        for index, radio in enumerate(radios, start=1):
            assert radio["name"] == f"v{number}" and radio["value"] == str(index)
            label = fieldset.select_one(f"label[for='{radio['id']}']")
            assert label and "->" not in label.get_text()
    # The hint of question 2, tied to its fieldset for screen readers.
    second = fieldsets[1]
    assert second["aria-describedby"] == "v2-hint"
    assert second.select_one("#v2-hint").get_text(strip=True) == "Denk aan een gewone zaterdag."
    buttons = [(b["value"], b.get_text()) for b in form.select("button[type=submit]")]
    assert buttons == [("volgende", "Volgende"), ("vorige", "Vorige")]  # Enter means "Volgende"


def test_the_script_gets_the_scoring_and_no_text(sample_site):
    doc = sample_site.html(BASE)
    data = json.loads(doc.select_one("script#self-test-data").string)
    assert data["kind"] == "profile"
    assert data["questions"][0]["points"] == [{"groen": 2}, {"samen": 2}, {"dorp": 1},
                                              {"digitaal": 2}]
    assert [r["id"] for r in data["results"]] == RESULTS
    assert data["results"][0]["url"] == f"zelftest/{SLUG}/resultaat/groen/"
    service = sample_site.settings["PARTICIPATION_URL"]
    assert data["result_api"] == f"{service}/api/zelftest/{SLUG}/resultaat"
    script = doc.select_one("script[src*='self_test']")
    assert script.has_attr("defer")
    assert script["data-title"].startswith("Vraag {n} van 6 – {question} – ")


def test_each_result_has_its_page_named_by_the_result_never_the_answers(sample_site):
    for result in RESULTS:
        url = f"{BASE}resultaat/{result}/"
        assert "?" not in url and "v1" not in url
        doc = sample_site.html(url)
        article = doc.select_one("[data-self-test-result]")
        assert article["data-self-test-result"] == result
        title = article.select_one("h1").get_text()
        assert doc.title.get_text().startswith(f"{title} · Hoe wil jij in 2040")
        # Its own preview: the result's address and title, the test's summary.
        meta = {m.get("property") or m.get("name"): m["content"] for m in doc.select("meta")
                if m.get("content")}
        assert meta["og:url"].endswith(url) and meta["og:title"].startswith(title)
        assert meta["og:description"].startswith("Zes vragen, twee minuten")
        assert doc.select_one("link[rel=canonical]")["href"].endswith(url)
        # Onwards: the test again, the consultations, the feeds.
        onwards = [a["href"] for a in article.select(".self-test__onwards li a")]
        others = [a["href"] for a in article.select(".self-test__onwards p a")]
        assert others == [f"{BASE}resultaat/{r}/" for r in RESULTS if r != result]
        assert onwards == [BASE, "/inspraak/", "/volg-ons/"]
        shared = article.select_one(".share")
        assert shared.select_one("h2").get_text() == "Deel dit resultaat"
    # The editor's {filename} links are resolved.
    groen = sample_site.html(f"{BASE}resultaat/groen/")
    assert groen.select_one(".prose a")["href"] == "/inspraak/dorpsplein-groener/"


def test_the_result_pages_show_the_shares_the_service_counted(sample_site):
    total = sum(COUNTS["results"].values())
    doc = sample_site.html(f"{BASE}resultaat/groen/")
    shares = doc.select_one(".self-test__shares")
    sentence = shares.select_one("p").get_text()
    assert sentence == (f"{counts_share('groen')} % van de {total} deelnemers kwam uit op "
                        "“Jij bent een tuinier”.")
    listed = [li.get_text() for li in shares.select("li")]
    assert listed[1] == f"Jij bent een buurtbouwer: {counts_share('samen')} %"
    assert len(listed) == 4


def test_participation_json_carries_the_test_for_the_service(sample_site):
    data = json.loads((sample_site.output / "participation.json").read_text(encoding="utf-8"))
    test = data["self_tests"][SLUG]
    site = sample_site.settings["PREVIEW_URL"] if not sample_site.settings.get("SITEURL") \
        else sample_site.settings["SITEURL"]
    assert test["kind"] == "profile" and test["counts"] is True
    assert test["url"] == f"{site}{BASE}"
    assert len(test["questions"]) == 6
    first = test["questions"][0]
    assert first["options"][0] == "Te voet of met de fiets, langs een pad met bomen"
    assert first["points"][0] == {"groen": 2}
    assert test["questions"][1]["hint"] == "<p>Denk aan een gewone zaterdag.</p>"
    assert [r["url"] for r in test["results"]] == [f"{site}{BASE}resultaat/{r}/"
                                                   for r in RESULTS]


def test_the_consultation_links_to_the_self_test_and_both_are_in_the_sitemap(sample_site):
    doc = sample_site.html("/inspraak/dorpsplein-groener/")
    assert doc.select_one(f".prose a[href='{BASE}']") is not None
    sitemap = (sample_site.output / "sitemap.xml").read_text(encoding="utf-8")
    assert f"{BASE}</loc>" in sitemap
    assert f"{BASE}resultaat/samen/</loc>" in sitemap


def test_self_tests_are_not_articles_or_pages(sample_site):
    assert not (sample_site.output / "2026" / SLUG).exists()
    for feed in (sample_site.output / "feeds").glob("*.xml"):
        assert SLUG not in feed.read_text(encoding="utf-8")


# -- a knowledge test, counts off ---------------------------------------------

@pytest.fixture(scope="module")
def knowledge_site(tmp_path_factory):
    from dorpsplein.build import build

    tmp = tmp_path_factory.mktemp("knowledge")
    content = tmp / "content"
    import shutil

    shutil.copytree(ROOT / "content", content)
    (content / "zelftest" / "inspraak-quiz.md").write_text(KNOWLEDGE, encoding="utf-8")
    result = build("pelicanconf.py", overrides={
        "PATH": str(content), "OUTPUT_PATH": str(tmp / "output"),
        "CACHE_PATH": str(tmp / "cache"), "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False,
        "PARTICIPATION_DATA": str(tmp / "no-data"), "PARTICIPATION_NOW": "2026-11-27 12:00"})
    return result.output_path


def html(output: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((output / url.lstrip("/") / "index.html").read_text(encoding="utf-8"),
                         "lxml")


def test_a_knowledge_test_has_a_page_per_band_with_the_right_answers(knowledge_site):
    data = json.loads(html(knowledge_site, "/zelftest/inspraak-quiz/").select_one(
        "script#self-test-data").string)
    assert data["kind"] == "knowledge"
    assert [q["correct"] for q in data["questions"]] == [2, 1, 2]
    assert [(r["id"], r["min"], r["max"]) for r in data["results"]] == [
        ("0-1", 0, 1), ("2", 2, 2), ("3", 3, 3)]
    assert "result_api" not in data and "form_api" not in data  # counts off: nothing is sent
    doc = html(knowledge_site, "/zelftest/inspraak-quiz/resultaat/0-1/")
    assert doc.select_one(".self-test__score").get_text(strip=True) == \
        "Tussen 0 en 1 van de 3 vragen juist beantwoord."
    answers = doc.select(".self-test__answer")
    assert [a.select_one("h3").get_text() for a in answers][0] == \
        "Tot wanneer kan je een idee steunen?"
    assert answers[0].select_one("strong").get_text() == "Tot de inspraakronde sluit"
    assert answers[2].select_one(".prose a")["href"] == "/privacyverklaring/"
    assert doc.select_one(".self-test__shares") is None  # counts off
    three = html(knowledge_site, "/zelftest/inspraak-quiz/resultaat/3/")
    assert three.select_one(".self-test__score").get_text(strip=True) == \
        "3 van de 3 vragen juist beantwoord."
    facts = html(knowledge_site, "/zelftest/inspraak-quiz/").select(".self-test__facts li")
    assert facts[2].get_text() == "We bewaren je antwoorden niet."
    entry = json.loads((knowledge_site / "participation.json").read_text(encoding="utf-8"))[
        "self_tests"]["inspraak-quiz"]
    assert entry["counts"] is False and entry["questions"][0]["correct"] == 2
    assert entry["results"][0]["min"] == 0 and entry["results"][0]["max"] == 1


def test_counts_under_ten_participants_show_no_shares(build_site, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "zelftest-lindeveld-2040.json").write_text(json.dumps(
        {"self_test": SLUG, "total": 9, "results": {"groen": 9, "samen": 0, "dorp": 0,
                                                     "digitaal": 0}}), encoding="utf-8")
    site = build_site(PARTICIPATION_DATA=str(data), PARTICIPATION_NOW="2026-11-27 12:00")
    assert site.html(f"{BASE}resultaat/groen/").select_one(".self-test__shares") is None


# -- the editor's lines ---------------------------------------------------------

HEAD = "Title: Een test\nKind: profile\n\nIntro.\n\n"
TWO_RESULTS = "## Result groen: Groen\n\nTekst.\n\n## Result samen: Samen\n"
BAD = {
    # name: (text, line, words in the Dutch line)
    "sleutel.md": ("Title: Een test\nKind: profile\nKleur: rood\n\n## Question: Ja?\n\n"
                   "- Ja -> groen\n- Nee -> samen\n\n" + TWO_RESULTS, 3,
                   "'Kleur' is geen sleutel van een zelftest"),
    "soort.md": ("Title: Een test\nKind: quiz\n\n## Question: Ja?\n\n- Ja -> a\n- Nee -> b\n", 2,
                 "'quiz' is geen soort zelftest — schrijf Kind: en een van profile of knowledge."),
    "geen-soort.md": ("Title: Een test\n\n## Question: Ja?\n\n- Ja\n- Nee\n", 1,
                      "de zelftest heeft geen Kind"),
    "geen-vragen.md": (HEAD + TWO_RESULTS, 4, "de zelftest heeft geen vragen"),
    "geen-antwoorden.md": (HEAD + "## Question: Ja?\n\nAlleen tekst.\n\n" + TWO_RESULTS, 6,
                           "de vraag heeft geen antwoorden"),
    "een-antwoord.md": (HEAD + "## Question: Ja?\n\n- Ja -> groen\n\n" + TWO_RESULTS, 6,
                        "de vraag heeft 2 tot 8 antwoorden nodig en heeft er 1"),
    "geen-pijl.md": (HEAD + "## Question: Ja?\n\n- Ja -> groen\n- Nee\n\n" + TWO_RESULTS, 9,
                     "'Nee' zegt niet voor welk resultaat het telt"),
    "onbekend.md": (HEAD + "## Question: Ja?\n\n- Ja -> groen\n- Nee -> rood +2\n\n"
                    + TWO_RESULTS, 9, "'rood' is geen resultaat van deze test"),
    "punten.md": (HEAD + "## Question: Ja?\n\n- Ja -> groen +12\n- Nee -> samen\n\n"
                  + TWO_RESULTS, 8, "'groen +12' is geen resultaat met punten"),
    "kop.md": (HEAD + "## Vraag: Ja?\n\n- Ja -> groen\n- Nee -> samen\n\n" + TWO_RESULTS, 6,
               "'## Vraag: Ja?' is geen vraag en geen resultaat"),
    "een-resultaat.md": (HEAD + "## Question: Ja?\n\n- Ja -> groen\n- Nee -> groen\n\n"
                         "## Result groen: Groen\n", 4,
                         "een profieltest heeft 2 tot 8 resultaten nodig, deze heeft er 1"),
    "uitleg-profiel.md": (HEAD + "## Question: Ja?\n\n- Ja -> groen\n- Nee -> samen\n\nUitleg."
                          "\n\n" + TWO_RESULTS, 11, "tekst na de antwoorden is alleen voor "
                          "kennistests"),
    "twee-juist.md": ("Title: Een quiz\nKind: knowledge\n\n## Question: Ja?\n\n- [x] Ja\n"
                      "- [x] Nee\n\nUitleg.\n\n## Result 0-1: Tja\n", 4,
                      "de vraag heeft 2 antwoorden met [x]"),
    "geen-uitleg.md": ("Title: Een quiz\nKind: knowledge\n\n## Question: Ja?\n\n- [x] Ja\n"
                       "- [ ] Nee\n\n## Result 0-1: Tja\n", 4, "de vraag heeft geen uitleg"),
    "geen-vakje.md": ("Title: Een quiz\nKind: knowledge\n\n## Question: Ja?\n\n- [x] Ja\n"
                      "- Nee\n\nUitleg.\n\n## Result 0-1: Tja\n", 7, "'Nee' heeft geen vakje"),
    "gat.md": ("Title: Een quiz\nKind: knowledge\n\nIntro.\n\n## Question: Ja?\n\n- [x] Ja\n"
               "- [ ] Nee\n\nUitleg.\n\n## Result 0: Tja\n", 4,
               "geen resultaat dekt de score 1"),
    "overlap.md": ("Title: Een quiz\nKind: knowledge\n\n## Question: Ja?\n\n- [x] Ja\n"
                   "- [ ] Nee\n\nUitleg.\n\n## Result 0-1: Tja\n## Result 1: Goed\n", 12,
                   "de score 1 zit in twee banden ('0-1' en '1')"),
    "over-moderatie.md": ("Title: Een test\nKind: profile\n\n## Question: Ja?\n\n- Ja -> groen\n"
                          "- Nee -> samen\n\n" + TWO_RESULTS, 1,
                          "'over-moderatie' eindigt op 'moderatie'"),
    "te-ver.md": ("Title: Een quiz\nKind: knowledge\n\n## Question: Ja?\n\n- [x] Ja\n"
                  "- [ ] Nee\n\nUitleg.\n\n## Result 0-3: Tja\n", 11,
                  "de band '0-3' gaat verder dan 1"),
}


def write_bad(content: Path) -> None:
    for name, (text, _line, _words) in BAD.items():
        (content / "zelftest" / name).write_text(text, encoding="utf-8")


def assert_lines(problems: list[str]) -> None:
    assert all("\n" not in p and "Traceback" not in p for p in problems)
    for name, (_text, line, words) in BAD.items():
        found = [p for p in problems if re.search(rf"zelftest/{re.escape(name)}:\d+: ", p)]
        assert found, (name, problems)
        said = [p for p in found if words in p]
        assert said, (words, found)
        assert said[0].split(f"{name}:")[1].startswith(f"{line}: "), said
        assert " — " in said[0]


def test_every_broken_rule_is_one_line_with_file_and_line(build_site, content_copy):
    write_bad(content_copy)
    with pytest.raises(BuildFailed) as failed:
        build_site(content=content_copy, PARTICIPATION_DATA=str(DATA),
                   PARTICIPATION_NOW="2026-11-27 12:00")
    assert_lines(failed.value.problems)
    # The sample test is still fine: only the broken files are named.
    assert not [p for p in failed.value.problems if SLUG in p]


def test_invoke_check_names_the_same_lines(tmp_path):
    """``invoke check`` on a town's project folder: the contract's check runs
    the build's own reader over the self-tests (and consultations)."""
    project = tmp_path / "town"
    project.mkdir()
    import shutil

    shutil.copytree(ROOT / "content", project / "content")
    write_bad(project / "content")
    (project / "pelicanconf.py").write_text(
        "import runpy\n"
        f"globals().update((k, v) for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r})"
        ".items() if k.isupper())\n"
        f"PATH = {str(project / 'content')!r}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from dorpsplein.editor import check; "
         f"sys.exit(check({str(project / 'pelicanconf.py')!r}))"],
        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if "zelftest/" in line]
    assert_lines(lines)
    assert len(lines) >= len(BAD)
