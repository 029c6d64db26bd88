"""The privacy statement's tables and the register of processing activities
(plugins/privacy_statement, dorpsplein_kit/privacy.py): made from what the
enabled features declare and the settings they run with, so the page changes
when a feature is switched off or a retention period changes.

Built sites are read back with a real HTML parser."""

from __future__ import annotations

import runpy

import pytest
from bs4 import BeautifulSoup
from stop_lines import stop_line

from dorpsplein.build import ROOT

pytestmark = pytest.mark.slow

STATEMENT = "/privacyverklaring/"
REGISTER = "/privacyverklaring/verwerkingsregister/"
DATA = str(ROOT / "tests" / "data" / "participation")
NOW = "2026-11-27 12:00"
EVERY_SECTION = ["verwerking-reacties", "verwerking-ideeen", "verwerking-steun",
                 "verwerking-volgen", "verwerking-zelftests", "back-ups"]
EVERY_ENTRY = ["register-reacties", "register-ideeen", "register-steun", "register-volgen",
               "register-zelftests"]


def built(build_site, **overrides):
    overrides.setdefault("PARTICIPATION_DATA", DATA)
    overrides.setdefault("PARTICIPATION_NOW", NOW)
    return build_site(**overrides)


def sections(doc: BeautifulSoup) -> list[str]:
    """The ids of the generated sections' headings, in page order."""
    return [h2["id"] for h2 in doc.select(".privacy-processing h2[id]")]


def entries(doc: BeautifulSoup) -> list[str]:
    return [h2["id"] for h2 in doc.select("main h2[id^=register-]")]


def rows(doc: BeautifulSoup, caption_id: str) -> dict[str, list[str]]:
    """A statement table as {what: [why, how long, who sees it]}."""
    table = doc.find(id=caption_id).find_parent("table")
    found = {}
    for tr in table.select("tbody tr"):
        found[tr.th.get_text(" ", strip=True)] = [td.get_text(" ", strip=True)
                                                  for td in tr.find_all("td")]
    return found


def headings(doc: BeautifulSoup) -> list[str]:
    return [h2.get_text(" ", strip=True) for h2 in doc.select("main h2")]


@pytest.fixture
def default_site(sample_site):
    """The sample site as it ships (built once for the session)."""
    return sample_site


def test_every_feature_of_the_sample_site_has_its_section_between_the_editors_text(
        default_site):
    doc = default_site.html(STATEMENT)
    assert sections(doc) == EVERY_SECTION
    # Where the page says {{ privacy.processing }}: after "Deelknoppen", before
    # the citizen's rights, and the marker itself is gone.
    titles = headings(doc)
    assert titles.index("Deelknoppen") < titles.index("Reacties")
    assert titles.index("Back-ups") < titles.index("Welke rechten heb je?")
    assert "data-dorpsplein-processing" not in default_site.path(STATEMENT).read_text()
    assert "{{" not in doc.main.get_text()
    # Each table has the four questions as column headers and a caption.
    for table in doc.select(".privacy-processing table"):
        assert [th.get_text(strip=True) for th in table.select("thead th")] == [
            "Wat", "Waarom", "Hoe lang", "Wie ziet het"]
        assert table["aria-labelledby"] == table.caption["id"]
        assert [td["data-label"] for td in table.select("tbody tr")[0].find_all("td")] == [
            "Waarom", "Hoe lang", "Wie ziet het"]


def test_the_numbers_are_the_settings_the_services_run_with(default_site, build_site):
    comments = rows(default_site.html(STATEMENT), "privacy-reacties")
    assert comments["Je e-mailadres (niet verplicht)"][1].startswith("1 jaar na je reactie")
    assert comments["Een cookie in je browser"][1] == "15 minuten"
    # The preview does not moderate (pelicanconf.py): no row for unapproved comments.
    assert not any("niet goedkeurt" in what for what in comments)

    site = built(build_site,
                 ISSO_COMMENTS_SERVER={"moderation": True, "keep_email_days": 200,
                                       "purge_after": "2w", "max_age": "1h"},
                 PARTICIPATION_SERVER={"keep_deliveries_days": 45, "keep_backups_days": 14})
    doc = site.html(STATEMENT)
    comments = rows(doc, "privacy-reacties")
    assert comments["Je e-mailadres (niet verplicht)"][1].startswith("200 dagen na je reactie")
    assert comments["Een cookie in je browser"][1] == "60 minuten"
    assert comments["De tekst van je reactie"][2] == "Iedereen, zodra een moderator ze goedkeurde"
    unapproved = comments["Een reactie die een moderator niet goedkeurt"]
    assert "14 dagen" in unapproved[1]
    assert rows(doc, "privacy-volgen")["Welke artikels we je mailden en of de mail vertrok"][
        1] == "45 dagen"
    # Backups: the longest of the two services' periods (comments keep 30 days).
    backups = doc.find(id="back-ups").find_next("p").get_text(" ", strip=True)
    assert "30 dagen" in backups
    register = site.html(REGISTER)
    assert "200 dagen" in register.find(id="register-reacties").find_next("table").get_text()


def test_switching_a_feature_off_takes_its_section_and_register_entry_away(
        default_site, build_site):
    before = default_site.html(STATEMENT)
    assert "verwerking-volgen" in sections(before)
    assert "register-volgen" in entries(default_site.html(REGISTER))

    site = built(build_site, PARTICIPATION_EMAIL_FOLLOW=False)
    after = site.html(STATEMENT)
    assert sections(after) == [s for s in EVERY_SECTION if s != "verwerking-volgen"]
    assert "per e-mail" not in after.select_one(".privacy-processing").get_text()
    assert entries(site.html(REGISTER)) == [e for e in EVERY_ENTRY if e != "register-volgen"]


def test_without_comments_the_statement_says_nothing_about_comments(build_site):
    plugins = [p for p in runpy.run_path(str(ROOT / "pelicanconf.py"))["PLUGINS"]
               if p != "isso_comments"]
    site = built(build_site, PLUGINS=plugins)
    doc = site.html(STATEMENT)
    assert sections(doc) == [s for s in EVERY_SECTION if s != "verwerking-reacties"]
    assert entries(site.html(REGISTER)) == [e for e in EVERY_ENTRY if e != "register-reacties"]


def test_comments_off_everywhere_still_declare_what_the_database_keeps(build_site):
    # The comment database keeps what was posted while threads were open: the
    # statement speaks of comments as long as the comment plugin is on.
    site = built(build_site, ISSO_COMMENTS_DEFAULT="off")
    assert "verwerking-reacties" in sections(site.html(STATEMENT))


def without_consultation_links(content):
    """Without consultations, links to one cannot be resolved: the archive instead."""
    for page in content.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        if "{filename}/inspraak/" in text:
            page.write_text(text.replace("{filename}/inspraak/dorpsplein-groener.md",
                                         "/archief/"), encoding="utf-8")
    return content


def test_consultations_switched_off_take_ideas_and_supports_away(build_site, content_copy):
    site = built(build_site, content=without_consultation_links(content_copy),
                 PARTICIPATION_PATHS=[])
    doc = site.html(STATEMENT)
    assert sections(doc) == [s for s in EVERY_SECTION
                             if s not in ("verwerking-ideeen", "verwerking-steun")]
    assert entries(site.html(REGISTER)) == [e for e in EVERY_ENTRY
                                            if e not in ("register-ideeen", "register-steun")]


def test_votes_are_declared_only_when_comments_can_be_voted_on(default_site, build_site):
    voters = "Als je op een reactie stemt: je ingekorte IP-adres, verwerkt in de lijst van " \
             "stemmers van de reactie"
    assert rows(default_site.html(STATEMENT), "privacy-reacties")[voters][1].startswith(
        "1 jaar na de reactie")
    client = runpy.run_path(str(ROOT / "pelicanconf.py"))["ISSO_COMMENTS_CLIENT"]
    site = built(build_site, ISSO_COMMENTS_CLIENT={**client, "vote": False})
    assert voters not in rows(site.html(STATEMENT), "privacy-reacties")


def test_with_no_feature_that_keeps_data_the_register_says_so(build_site, content_copy):
    plugins = [p for p in runpy.run_path(str(ROOT / "pelicanconf.py"))["PLUGINS"]
               if p not in ("isso_comments", "participation")]
    site = built(build_site, content=without_consultation_links(content_copy), PLUGINS=plugins)
    assert sections(site.html(STATEMENT)) == []
    register = site.html(REGISTER)
    assert entries(register) == []
    assert "Geen enkele functie van deze blog die persoonsgegevens bewaart, staat aan." in \
        register.main.get_text(" ", strip=True)


def test_no_register_when_its_address_is_empty(build_site):
    site = built(build_site, PRIVACY_REGISTER_URL="")
    assert not site.path(REGISTER).exists()
    doc = site.html(STATEMENT)
    assert not doc.select(f'a[href$="{REGISTER}"]')
    assert sections(doc) == EVERY_SECTION


def test_the_statement_links_the_register_which_names_controller_and_officer(default_site):
    doc = default_site.html(STATEMENT)
    assert doc.select(f'.privacy-processing a[href$="{REGISTER}"]')
    register = default_site.html(REGISTER)
    assert entries(register) == EVERY_ENTRY
    assert register.h1.get_text(strip=True) == "Verwerkingsregister"
    text = register.select_one(".privacy-controller").get_text(" ", strip=True)
    assert "communicatie@lindeveld.example" in text and "dpo@lindeveld.example" in text
    for entry in EVERY_ENTRY:
        table = register.find(id=entry).find_next("table")
        labels = [th.get_text(strip=True) for th in table.select("th")]
        assert labels[0] == "Doel" and "Bewaartermijn" in labels, labels
        assert all(td.get_text(strip=True) for td in table.select("td"))
    # A breadcrumb back to the statement.
    assert register.select_one(f'.breadcrumbs a[href$="{STATEMENT}"]')


def test_a_wrong_register_address_stops_the_build_naming_the_setting(build_site):
    line = stop_line(build_site, PRIVACY_REGISTER_URL="/verwerkingsregister")
    assert "PRIVACY_REGISTER_URL" in line


def test_a_feature_the_theme_has_no_words_for_stops_the_build(build_site, tmp_path):
    plugin = tmp_path / "plugins" / "fingerprints"
    plugin.mkdir(parents=True)
    (plugin / "__init__.py").write_text(
        "from dorpsplein_kit import Contract, Processing\n\n\n"
        "def register():\n    pass\n\n\n"
        "CONTRACT = Contract(processing=lambda context: [Processing('fingerprints')])\n",
        encoding="utf-8")
    settings = runpy.run_path(str(ROOT / "pelicanconf.py"))
    line = stop_line(build_site, PLUGINS=[*settings["PLUGINS"], "fingerprints"],
                     PLUGIN_PATHS=[str(ROOT / "plugins"), str(tmp_path / "plugins")],
                     PARTICIPATION_DATA=DATA, PARTICIPATION_NOW=NOW)
    assert "'fingerprints'" in line and "privacy_processing.html" in line


def test_a_statement_without_the_placeholder_gets_the_tables_after_its_text(
        build_site, content_copy):
    page = content_copy / "pages" / "privacyverklaring.md"
    page.write_text(page.read_text(encoding="utf-8").replace("{{ privacy.processing }}", ""),
                    encoding="utf-8")
    site = built(build_site, content=content_copy)
    doc = site.html(STATEMENT)
    titles = headings(doc)
    assert sections(doc) == EVERY_SECTION
    assert titles.index("Wijzigingen") < titles.index("Reacties")


def test_the_register_names_the_towns_processors_and_what_that_means_for_transfers(
        default_site, build_site):
    register = default_site.html(REGISTER)
    controller = register.select_one(".privacy-controller").get_text(" ", strip=True)
    assert "Verwerkers Geen: de eigen IT-dienst van de gemeente" in controller
    transfers = {tr.th.get_text(strip=True): tr.td.get_text(strip=True)
                 for tr in register.find(id="register-reacties").find_next("table").select("tr")}
    assert transfers["Doorgifte buiten de EER"] == "Geen"

    privacy = dict(default_site.settings["TOWN_PRIVACY"],
                   processors=["Combell NV (België): hosting", "Mailjet SAS (Frankrijk): mail"])
    site = built(build_site, TOWN_PRIVACY=privacy)
    register = site.html(REGISTER)
    controller = register.select_one(".privacy-controller").get_text(" ", strip=True)
    assert "Combell NV (België): hosting; Mailjet SAS (Frankrijk): mail" in controller
    for entry in EVERY_ENTRY:
        rows_ = {tr.th.get_text(strip=True): tr.td.get_text(strip=True)
                 for tr in register.find(id=entry).find_next("table").select("tr")}
        assert rows_["Doorgifte buiten de EER"].startswith("Alleen als een verwerker")
