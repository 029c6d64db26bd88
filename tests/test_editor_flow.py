"""An editor's day: invoke new, see the draft in the live preview, publish; scheduled posts."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import FROM_PELICANCONF, fetch, fetch_when_ready, free_port

from dorpsplein.build import ROOT
from dorpsplein.editor import created, new_article, slug_of

pytestmark = pytest.mark.slow


def test_slugs_transliterate_dutch():
    assert slug_of("Één week café") == "een-week-cafe"
    assert slug_of("Reünie in de Kerkstraat: 't is feest!") == "reunie-in-de-kerkstraat-t-is-feest"


def settings_for(tmp_path, content):
    settings = tmp_path / "conf.py"
    settings.write_text(
        FROM_PELICANCONF +
        f"PATH = {str(content)!r}\nOUTPUT_PATH = {str(tmp_path / 'out')!r}\n"
        f"CACHE_PATH = {str(tmp_path / 'cache')!r}\n"
        f"THEME = {str(ROOT / 'theme')!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n",
        encoding="utf-8")
    return settings


def test_new_writes_a_draft_and_refuses_a_second_with_the_same_slug(tmp_path, content_copy):
    settings = settings_for(tmp_path, content_copy)
    now = datetime(2026, 11, 26, 14, 5, tzinfo=ZoneInfo("Europe/Brussels"))
    path = new_article("Één week café op het plein", "Burgerparticipatie", str(settings), now=now)
    assert path == content_copy / "articles" / "2026-11-een-week-cafe-op-het-plein.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("Title: Één week café op het plein\nDate: 2026-11-26 14:05\n"
                           "Category: Burgerparticipatie\n")
    assert "Status: draft\n" in text and "Slug: een-week-cafe-op-het-plein\n" in text
    with pytest.raises(ValueError, match="^Er is al een artikel met het adres "
                       "'een-week-cafe-op-het-plein': .* — kies een andere titel.$"):
        new_article("Één week café op het plein", "Burgerparticipatie", str(settings), now=now)
    with pytest.raises(ValueError, match="^'Sport' staat niet bij de categorieën — kies een "
                       "van deze: Sociale media, "):
        new_article("Iets anders", "Sport", str(settings), now=now)
    assert created(path, "127.0.0.1", 8000, str(settings)) == [
        f"Aangemaakt: {path}",
        "Voorbeeld (na ./go serve): http://127.0.0.1:8000/concepten/een-week-cafe-op-het-plein/"]
    # Asked for interactively, a category can be given by its number.
    prompts = []
    asked = new_article("Een vraag aan de lezers", None, str(settings), now=now,
                        ask=lambda prompt: prompts.append(prompt) or "4")
    assert "Category: Moderatie\n" in asked.read_text(encoding="utf-8")
    assert prompts == ["Categorie (nummer of naam): "]
    # In English when the settings say so.
    english = tmp_path / "english.py"
    english.write_text(settings.read_text(encoding="utf-8") + "EDITOR_LANGUAGE = 'en'\n",
                       encoding="utf-8")
    with pytest.raises(ValueError, match="^'Sport' is not one of the categories — choose one "
                       "of: Sociale media, "):
        new_article("Iets anders", "Sport", str(english), now=now)


def test_invoke_new_asks_for_a_category_or_says_how(tmp_path):
    run = subprocess.run([sys.executable, "-m", "invoke", "new", "Een titel"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert run.returncode == 1
    assert 'Kies een categorie: ./go new "…" --category "Sociale media".' in run.stderr
    assert not list((ROOT / "content" / "articles").glob("*een-titel*"))



def test_a_new_draft_shows_in_the_live_preview_but_never_in_the_published_site(
        tmp_path, content_copy, build_site):
    settings = settings_for(tmp_path, content_copy)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "dorpsplein.preview", str(settings), str(port), "--no-comments"],
        cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        assert fetch_when_ready(base + "/") is not None, "the preview did not start"
        path = new_article("Nieuw speelplein in de Molenstraat", "Burgerparticipatie",
                           str(settings))
        draft_url = base + "/concepten/nieuw-speelplein-in-de-molenstraat/"
        page = fetch_when_ready(draft_url, seconds=30)
        assert page is not None, "the draft did not appear in the preview"
        assert "Concept: dit artikel is nog niet gepubliceerd" in page
        drafts = fetch(base + "/concepten/")
        assert "Nieuw speelplein in de Molenstraat" in drafts and "concept" in drafts
        assert "Bekijk de concepten" in fetch(base + "/")
    finally:
        server.terminate()
        server.wait(timeout=10)
    published = build_site(content=content_copy, settings_file="publishconf.py")
    out = published.output
    assert not (out / "concepten").exists()
    marker = "nieuw-speelplein-in-de-molenstraat"
    for feed in (out / "feeds").rglob("*.xml"):
        text = feed.read_text(encoding="utf-8")
        assert marker not in text and "Nieuw speelplein in de Molenstraat" not in text, feed
    assert marker not in (out / "isso-threads.json").read_text(encoding="utf-8")
    assert not list(out.rglob(f"*{marker}*"))
    assert path.exists()


def test_a_scheduled_article_waits_for_its_date(build_site, content_copy):
    (content_copy / "articles" / "later.md").write_text(
        "Title: Kerstmarkt 2099\nDate: 2099-12-01 09:00\nCategory: Burgerparticipatie\n"
        "Slug: kerstmarkt-2099\nSummary: Nog even geduld.\n\nTekst.\n", encoding="utf-8")
    preview = build_site(content=content_copy)
    assert (preview.output / "concepten" / "kerstmarkt-2099" / "index.html").is_file()
    assert "gepland" in (preview.output / "concepten" / "index.html").read_text()
    assert not (preview.output / "2099").exists()
    published = build_site(content=content_copy, settings_file="publishconf.py")
    assert not list(published.output.rglob("*kerstmarkt-2099*"))
