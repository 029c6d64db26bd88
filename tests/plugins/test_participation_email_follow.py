"""Following by e-mail, the site half (plugins/participation/email_follow.py,
docs/participation.md "Following by e-mail"): participation.json's
"email_follow", the short form under every article, the full one on the
"Volg ons" page, nowhere else, nothing at all when it is off, and the
setting's and the slug's refusals.

What the build writes is read back with a real HTML parser and json."""

from __future__ import annotations

import json
import re
import runpy
import shutil
from datetime import datetime

import pytest
from stop_lines import stop_line

from dorpsplein.build import ROOT, BuildFailed

pytestmark = pytest.mark.slow

PREVIEW = "http://127.0.0.1:8000"
DATA = ROOT / "tests" / "data" / "participation"
NOW = "2026-11-27 12:00"
ARTICLE = "/2026/debat-modereren/"
KEYS = {"town", "site_name", "site_url", "follow_url", "privacy_url", "postal_address",
        "themes", "articles"}
ARTICLE_KEYS = {"url", "title", "date", "summary", "theme", "theme_name"}


def service_data(site) -> dict:
    return json.loads((site.output / "participation.json").read_text(encoding="utf-8"))


def archive(site) -> list[str]:
    """Published articles' addresses, newest first (the archive's order)."""
    return [a["href"] for a in site.html("/archief/").select(".archive-list a")]


def themes_on_home(site) -> list[tuple[str, str]]:
    """(slug, name) of every theme, in the order the home page lists them."""
    found = []
    for link in site.html("/").select('a.tag[href^="/thema/"]'):
        count = link.select_one(".tag__count")
        if count:
            count.extract()
        found.append((link["href"].strip("/").split("/")[-1], link.get_text(strip=True)))
    return found


def follow_forms(doc):
    return [form for form in doc.find_all("form") if form.get("action", "").endswith("/volgen")]


# -- participation.json ---------------------------------------------------------

def test_participation_json_tells_the_service_what_a_mail_needs(sample_site):
    follow = service_data(sample_site)["email_follow"]
    assert set(follow) == KEYS
    settings = sample_site.settings
    assert follow["town"] == "Lindeveld" == settings["TOWN_NAME"]
    assert follow["site_name"] == settings["SITENAME"]
    assert follow["site_url"] == PREVIEW
    assert follow["follow_url"] == f"{PREVIEW}/volg-ons/"
    assert follow["privacy_url"] == f"{PREVIEW}/privacyverklaring/"
    assert sample_site.path("/volg-ons/").is_file()
    assert sample_site.path("/privacyverklaring/").is_file()
    assert follow["postal_address"] == ", ".join(settings["TOWN_CONTACT"]["address"])
    assert follow["postal_address"]
    assert [(t["slug"], t["name"]) for t in follow["themes"]] == themes_on_home(sample_site)


def test_participation_json_lists_the_newest_articles_in_plain_text(sample_site):
    articles = service_data(sample_site)["email_follow"]["articles"]
    urls = archive(sample_site)
    assert [a["url"] for a in articles] == [PREVIEW + url for url in urls]
    for entry, url in zip(articles, urls, strict=True):
        assert set(entry) == ARTICLE_KEYS
        doc = sample_site.html(url)
        assert entry["title"] == doc.h1.get_text()
        moment = datetime.fromisoformat(entry["date"])
        assert moment.utcoffset() is not None
        assert moment == datetime.fromisoformat(doc.select_one(".article-meta time")["datetime"])
        summary = doc.select_one('meta[name="description"]')["content"]
        assert entry["summary"] == " ".join(summary.split()) and entry["summary"]
        assert "<" not in entry["summary"] and "&lt;" not in entry["summary"]
        crumb = doc.select_one(".breadcrumbs li:nth-of-type(2) a")
        assert entry["theme"] == crumb["href"].strip("/").split("/")[-1]
        assert entry["theme_name"] == crumb.get_text(strip=True)


def test_participation_json_holds_the_fifty_newest_articles(build_site, content_copy):
    for number in range(1, 56):
        day = f"2025-{(number - 1) // 28 + 1:02d}-{(number - 1) % 28 + 1:02d}"
        (content_copy / "articles" / f"bulk-{number:02d}.md").write_text(
            f"Title: Bericht {number}\nDate: {day} 10:00\nCategory: Moderatie\n"
            f"Slug: bericht-{number}\nSummary: Kort <em>bericht</em> nummer {number}.\n\n"
            "Tekst.\n", encoding="utf-8")
    site = build_site(content=content_copy, PARTICIPATION_DATA=str(DATA),
                      PARTICIPATION_NOW=NOW)
    articles = service_data(site)["email_follow"]["articles"]
    assert len(archive(site)) > 60
    assert [a["url"] for a in articles] == [PREVIEW + url for url in archive(site)[:50]]
    dates = [datetime.fromisoformat(a["date"]) for a in articles]
    assert dates == sorted(dates, reverse=True)
    bulk = [a for a in articles if a["title"].startswith("Bericht ")]
    assert bulk and all(re.fullmatch(r"Kort bericht nummer \d+\.", a["summary"]) for a in bulk)


def test_titles_and_summaries_reach_the_service_on_one_line(build_site, content_copy):
    """A mail's Subject refuses a line break: one an editor leaves in a title
    (an entity such as &#10;) or a summary becomes a space."""
    (content_copy / "articles" / "twee-regels.md").write_text(
        "Title: Raad&#10;vergadert &#13;vanavond\nDate: 2026-11-20 10:00\n"
        "Category: Moderatie\nSlug: twee-regels\n"
        "Summary: Eerst dit.&#10;&#10;Dan   <em>dat</em>.\n\nTekst.\n", encoding="utf-8")
    site = build_site(content=content_copy, PARTICIPATION_DATA=str(DATA),
                      PARTICIPATION_NOW=NOW)
    [entry] = [a for a in service_data(site)["email_follow"]["articles"]
               if a["url"].endswith("/twee-regels/")]
    assert entry["title"] == "Raad vergadert vanavond"
    assert entry["summary"] == "Eerst dit. Dan dat."


# -- the short form under an article ---------------------------------------------

def test_every_article_has_the_follow_form_with_its_theme(sample_site):
    action = sample_site.settings["PARTICIPATION_URL"] + "/volgen"
    for url in archive(sample_site):
        doc = sample_site.html(url)
        [form] = follow_forms(doc)
        assert form["action"] == action and form["method"] == "post"
        section = form.find_parent("section")
        heading = doc.find(id=section["aria-labelledby"])
        assert heading.name == "h2" and heading.get_text(strip=True) == "Volg ons per e-mail"
        crumb = doc.select_one(".breadcrumbs li:nth-of-type(2) a")
        radios = form.select('input[type="radio"]')
        assert [(r["name"], r["value"]) for r in radios] == [
            ("thema", "alles"), ("thema", crumb["href"].strip("/").split("/")[-1])]
        assert radios[0].has_attr("checked") and not radios[1].has_attr("checked")
        labels = [form.find("label", attrs={"for": r["id"]}).get_text(strip=True)
                  for r in radios]
        assert labels == ["Alle nieuwe artikels", f"Alleen over {crumb.get_text(strip=True)}"]
        assert all(r.find_parent("fieldset").legend.get_text(strip=True) for r in radios)


def test_the_article_form_is_accessible_and_works_without_script(sample_site):
    doc = sample_site.html(ARTICLE)
    [form] = follow_forms(doc)
    email = form.find("input", attrs={"name": "email"})
    assert email["type"] == "email" and email["autocomplete"] == "email"
    assert email.has_attr("required")
    label = form.find("label", attrs={"for": email["id"]})
    assert label.get_text(strip=True) == "Je e-mailadres"
    # The line on what is stored is read with the field and links the privacy page.
    note = doc.find(id=email["aria-describedby"])
    assert note.get_text(" ", strip=True) == (
        "We sturen je eerst een mail om te bevestigen. We bewaren alleen je adres en je "
        "keuze; uitschrijven kan met één klik. Privacyverklaring")
    assert note.a["href"] == "/privacyverklaring/" and note.a.get_text() == "Privacyverklaring"
    assert sample_site.path(note.a["href"]).is_file()
    button = form.find("button")
    assert button["type"] == "submit" and button.get_text(strip=True) == "Inschrijven"
    # Every id on the page is unique; every control has its label.
    ids = [el["id"] for el in doc.find_all(id=True)]
    assert len(ids) == len(set(ids))
    for control in form.find_all("input"):
        assert form.find("label", attrs={"for": control["id"]}), control
    assert not form.find_parent("section").find("script")
    assert form.find_parent("[data-pagefind-body]") is None


def test_the_honeypot_is_hidden_as_in_the_services_forms(sample_site):
    doc = sample_site.html(ARTICLE)
    [form] = follow_forms(doc)
    trap = form.find("input", attrs={"name": "website"})
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off" and trap["value"] == ""
    box = trap.find_parent(attrs={"aria-hidden": "true"})
    assert box is not None
    # Off-screen by the site's stylesheet (main.css), which this page loads.
    sheet = next(link["href"] for link in doc.select('head link[rel="stylesheet"]')
                 if "/main." in link["href"])
    css = sample_site.path(sheet).read_text(encoding="utf-8")
    [klass] = [c for c in box["class"] if "honeypot" in c]
    rule = re.search(rf"\.{re.escape(klass)}\s*\{{([^}}]*)\}}", css).group(1)
    assert "position: absolute" in rule and "left: -10000px" in rule
    service = (ROOT / "dorpsplein" / "participation" / "templates" / "_form.html").read_text()
    assert 'name="website" type="text" value="" tabindex="-1" autocomplete="off"' in service


def test_the_form_comes_after_the_share_bar_and_before_the_comments(sample_site):
    doc = sample_site.html(ARTICLE)
    order = [el for el in doc.find_all(True)
             if el.get("id") in ("share-title", "reacties") or el.name == "form"
             and el.get("action", "").endswith("/volgen")]
    assert [el.get("id") or "follow" for el in order] == ["share-title", "follow", "reacties"]


# -- the full form on "Volg ons" --------------------------------------------------

def test_the_follow_page_offers_email_first_with_every_theme(sample_site):
    doc = sample_site.html("/volg-ons/")
    [form] = follow_forms(doc)
    section = form.find_parent("section")
    assert section["id"] == "volg-per-e-mail"
    boxes = form.select('input[type="checkbox"]')
    themes = themes_on_home(sample_site)
    assert [(b["name"], b["value"]) for b in boxes] == [("thema", "alles")] + [
        ("thema", slug) for slug, _name in themes]
    assert not any(b.has_attr("checked") for b in boxes)
    labels = [form.find("label", attrs={"for": b["id"]}).get_text(strip=True) for b in boxes]
    assert labels == ["Alle nieuwe artikels"] + [name for _slug, name in themes]
    assert not form.select('input[type="radio"]')
    # E-mail first: the form comes before the page's text and every feed link.
    first_feed = doc.select_one(".feed-list a")
    assert section in first_feed.find_all_previous("section")
    assert section in doc.select_one(".prose").find_all_previous("section")


def test_no_other_page_has_the_form(sample_site):
    articles = set(archive(sample_site)) | {"/volg-ons/"}
    with_form = []
    for path in sample_site.pages():
        url = sample_site.url_of(path)
        doc = sample_site.html(url)
        if follow_forms(doc) or doc.select(".email-follow"):
            with_form.append(url)
        if url not in articles:
            assert not any("email_follow" in link["href"]
                           for link in doc.select('link[rel="stylesheet"]')), url
    assert set(with_form) == articles
    assert "/contact/" not in with_form and "/" not in with_form


# -- off, and the refusals ---------------------------------------------------------

def test_switched_off_there_is_no_form_and_no_data(build_site):
    site = build_site(PARTICIPATION_EMAIL_FOLLOW=False, PARTICIPATION_DATA=str(DATA),
                      PARTICIPATION_NOW=NOW)
    assert "email_follow" not in service_data(site)
    for path in site.pages():
        doc = site.html(site.url_of(path))
        assert not follow_forms(doc) and not doc.select(".email-follow"), path
        assert 'name="thema"' not in str(doc)
    assert site.html("/volg-ons/").select(".feed-list a")  # the feeds are still there


def test_without_the_participation_plugin_there_is_no_form(build_site, content_copy):
    plugins = [p for p in runpy.run_path(str(ROOT / "pelicanconf.py"))["PLUGINS"]
               if p != "participation"]
    # Without the plugin, consultations and self-tests are not content: no
    # links to them either.
    for folder in ("inspraak", "zelftest"):
        shutil.rmtree(content_copy / folder)
    for path in (content_copy / "articles").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("{filename}/inspraak/dorpsplein-groener.md",
                                     "{filename}/pages/contact.md"), encoding="utf-8")
    site = build_site(content=content_copy, PLUGINS=plugins)
    assert not (site.output / "participation.json").exists()
    for url in (ARTICLE, "/volg-ons/"):
        doc = site.html(url)
        assert not follow_forms(doc) and not doc.select(".email-follow"), url
    assert site.html("/volg-ons/").select(".feed-list a")


@pytest.mark.parametrize("value", ["ja", 1, None])
def test_a_wrong_value_stops_the_build_naming_the_setting(build_site, value):
    line = stop_line(build_site, PARTICIPATION_EMAIL_FOLLOW=value)
    assert line.startswith(f"PARTICIPATION_EMAIL_FOLLOW = {value!r} must be True"), line
    assert line.endswith("in pelicanconf.py.")


def test_volgen_is_refused_as_a_consultation_slug(build_site, content_copy):
    (content_copy / "inspraak" / "volgen.md").write_text(
        "Title: Hoe volgen we de werken op?\nSlug: volgen\nOpens: 2026-11-16 09:00\n"
        "Closes: 2027-01-31 23:59\nPhase: ideas\n\nTekst.\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_site(content=content_copy, PARTICIPATION_DATA=str(DATA), PARTICIPATION_NOW=NOW)
    [line] = [p for p in failed.value.problems if "inspraak/volgen.md" in p]
    assert re.search(r"inspraak/volgen\.md:2: 'volgen' is al in gebruik door de "
                     r"inspraakdienst zelf .* — ", line), line
