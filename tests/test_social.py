"""`./go social ARTICLE`: a post for each channel, as an editor runs it.

Every draft is counted again here with the network's own rules, through the
`regex` package (grapheme clusters, Unicode's emoji property) rather than
the command's own counter: Bluesky counts grapheme clusters with the whole
address, Mastodon grapheme clusters with every address as 23, X a weighted
count (twitter-text v3: an address 23, an emoji 2, a Latin letter 1).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import regex
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from conftest import front_matter

from dorpsplein.build import ROOT
from dorpsplein.messages import translations
from dorpsplein.social import NETWORKS, graphemes, load_settings, main, posts

ARTICLES = sorted((ROOT / "content" / "articles").glob("*.md"))
LIMITS = {"mastodon": 500, "bluesky": 300, "x": 280}
MOST_HASHTAGS = {"mastodon": 5, "bluesky": 2, "x": 2, "linkedin": 3, "facebook": 0}
HASHTAG = regex.compile(r"(?<![\w#/])#(\w+)")
ADDRESS = regex.compile(r"https?://\S+")
X_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def clusters(text: str) -> list[str]:
    return regex.findall(r"\X", text)


def bluesky_count(text: str) -> int:
    return len(clusters(text))


def mastodon_count(text: str) -> int:
    return len(clusters(ADDRESS.sub("x" * 23, text)))


def x_count(text: str) -> int:
    total = 0
    for part in regex.split(r"(https?://\S+)", unicodedata.normalize("NFC", text)):
        if ADDRESS.fullmatch(part):
            total += 23
            continue
        for cluster in clusters(part):
            # An emoji (a pictograph, a flag, a keycap) counts 2 as a whole.
            if regex.search(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\uFE0F\u20E3]",
                            cluster):
                total += 2
            else:
                total += sum(1 if any(lo <= ord(c) <= hi for lo, hi in X_LIGHT) else 2
                             for c in cluster)
    return total


COUNT = {"mastodon": mastodon_count, "bluesky": bluesky_count, "x": x_count,
         "linkedin": bluesky_count, "facebook": bluesky_count}


def public_url(path: Path) -> str:
    """The article's public address, from town.toml and its front matter."""
    town = tomllib.loads((ROOT / "town.toml").read_text(encoding="utf-8"))
    base = os.environ.get("DORPSPLEIN_SITEURL") or town["web"]["url"]
    meta = front_matter(path)
    return f"{base.rstrip('/')}/{meta['date'][:4]}/{meta['slug']}/"


def go_social(*args: str) -> subprocess.CompletedProcess:
    """`./go social …` as the editor types it (the venv's invoke, in the repository)."""
    return subprocess.run([sys.executable, "-m", "invoke", "social", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def settings_for(tmp_path: Path, content: Path) -> Path:
    """publishconf.py's settings with another content folder."""
    path = tmp_path / "conf.py"
    path.write_text(
        "import runpy\n"
        f"globals().update((k, v) for k, v in runpy.run_path({str(ROOT / 'publishconf.py')!r})"
        ".items() if k.isupper())\n"
        f"PATH = {str(content)!r}\nOUTPUT_PATH = {str(tmp_path / 'public')!r}\n",
        encoding="utf-8")
    return path


def assert_fits(result) -> None:
    """Each draft within its network's limit, counted as the network counts,
    with the link whole and the hashtags each network takes."""
    for draft in result.drafts:
        counted = COUNT[draft.network](draft.text)
        assert draft.length == counted, (draft.network, draft.text)
        if draft.network in LIMITS:
            assert draft.limit == LIMITS[draft.network]
            assert counted <= draft.limit, (draft.network, counted, draft.text)
        assert result.url in draft.text.split(), draft.text
        assert len(HASHTAG.findall(draft.text)) <= MOST_HASHTAGS[draft.network], draft.text


@pytest.fixture(scope="module")
def public_settings():
    return load_settings("publishconf.py")


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_every_sample_article_gets_a_post_for_each_network(path, public_settings):
    result = posts(str(path.relative_to(ROOT)), public_settings)
    assert [d.network for d in result.drafts] == ["mastodon", "bluesky", "x", "linkedin",
                                                  "facebook"]
    assert_fits(result)
    # The public address, never the preview's; no tracking, no query at all.
    assert result.url == public_url(path)
    parts = urlsplit(result.url)
    assert parts.scheme == "https" and not parts.query and not parts.fragment
    assert "127.0.0.1" not in result.url and "utm_" not in result.url
    tags = [t for t in front_matter(path).get("tags", "").split(",") if t.strip()]
    for draft in result.drafts:
        found = HASHTAG.findall(draft.text)
        if draft.network == "facebook":
            assert found == []
        elif tags:
            assert found, (draft.network, draft.text)
        assert "?" not in "".join(ADDRESS.findall(draft.text))
    # In Dutch, the site's language.
    assert "Lees het hier:" in result.drafts[0].text
    assert result.drafts[3].text.count("?") >= 1 and result.drafts[4].text.count("?") >= 1


def test_the_command_prints_every_draft_with_its_count_the_image_and_the_checklist():
    run = go_social("content/articles/2026-11-debat-modereren.md")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    heading = re.compile(r"^(Mastodon|Bluesky|X|LinkedIn|Facebook) \((\d+) (?:van ([\d.]+) )?"
                         r"tekens\)$")
    starts = [i for i, line in enumerate(lines) if heading.match(line)]
    assert [heading.match(lines[i]).group(1) for i in starts] == [
        "Mastodon", "Bluesky", "X", "LinkedIn", "Facebook"]
    image = next(i for i, line in enumerate(lines) if line.startswith("Beeld: "))
    for index, start in enumerate(starts):
        name, count, limit = heading.match(lines[start]).groups()
        assert set(lines[start + 1]) == {"-"}
        end = starts[index + 1] if index + 1 < len(starts) else image
        text = "\n".join(lines[start + 2:end]).strip()
        network = name.lower()
        assert int(count) == COUNT[network](text)
        if network in LIMITS:
            assert int(limit) == LIMITS[network] and int(count) <= LIMITS[network]
        assert "https://blog.lindeveld.example/2026/debat-modereren/" in text.split()
    assert re.fullmatch(r"Beeld: output/public/images/share/debat-modereren-[0-9a-f]{10}\.png"
                        r"( \(\./go publish-build maakt het\))?", lines[image])
    assert lines[image + 1] == ("Alt-tekst: Lindeveld in gesprek: Een verhit debat modereren "
                                "zonder het te smoren")
    after = "\n".join(lines[image:])
    assert "Na het posten:" in after
    assert "Discussed: https://mastodon.social/@lindeveld/" in after
    assert "content/articles/2026-11-debat-modereren.md" in after
    assert "./go publish" in after and "Besproken op" in after


def test_a_slug_an_address_and_one_network(public_settings):
    whole = posts("content/articles/2026-09-x-of-mastodon.md", public_settings)
    mastodon = whole.drafts[0].text
    for given in ("x-of-mastodon", "https://blog.lindeveld.example/2026/x-of-mastodon/"):
        run = go_social(given, "--network", "mastodon")
        assert run.returncode == 0, run.stderr
        assert run.stdout == mastodon + "\n"
    run = go_social("x-of-mastodon", "--json")
    data = json.loads(run.stdout)
    assert data["url"] == whole.url and len(data["drafts"]) == 5
    assert data["image"]["alt"] and data["checklist"]


@pytest.mark.slow
def test_the_share_image_is_the_one_the_build_writes(build_site, public_settings):
    site = build_site()
    for path in ARTICLES:
        result = posts(str(path), public_settings)
        name = Path(result.image.path).name
        assert result.image.path == f"output/public/images/share/{name}"
        assert (site.output / "images" / "share" / name).is_file(), name
        page = site.html(urlsplit(result.url).path)
        assert page.find("meta", property="og:image")["content"].endswith(
            f"/images/share/{name}")
        assert page.find("meta", property="og:image:alt")["content"] == result.image.alt


MANY_TAGS = {
    "sociale media": "SocialeMedia", "geïntegreerde aanpak": "GeintegreerdeAanpak",
    "e-mail": "EMail", "b1": "B1", "online debat": "OnlineDebat", "café": "Cafe",
    "één loket": "EenLoket", "lokale economie": "LokaleEconomie", "inspraak": "Inspraak",
    "windturbine": "Windturbine", "dorpsplein": "Dorpsplein", "markt": "Markt",
    "mobiliteit": "Mobiliteit", "fiets": "Fiets", "jeugd": "Jeugd", "senioren": "Senioren",
    "cultuur": "Cultuur", "sport": "Sport", "klimaat": "Klimaat", "groen": "Groen",
}
LONG_TITLE = 'Café "De Linde" & het 🎉 dorpsfeest: \'alles\' mag, ook 👨‍👩‍👧 en 🇧🇪'


def write_article(content: Path, name: str, **front: str) -> Path:
    path = content / "articles" / name
    lines = [f"{key.capitalize()}: {value}" for key, value in front.items()]
    path.write_text("\n".join(lines) + "\n\nDe tekst van het artikel.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("title", [LONG_TITLE, "Lang " * 90 + "einde"], ids=["symbols", "long"])
def test_a_long_summary_many_tags_and_an_odd_title_still_fit(tmp_path, content_copy, title):
    summary = 12 * ("Dit is een zin over het dorpsplein, met een & en \"aanhalingstekens\". "
                    "En hier volgt een langere zin die uitlegt wat de gemeente doet en waarom. ")
    path = write_article(content_copy, "2026-11-lang.md", title=title,
                         date="2026-11-20 10:00", category="Sociale media",
                         tags=", ".join(MANY_TAGS), slug="lang-artikel", summary=summary)
    result = posts(str(path), load_settings(str(settings_for(tmp_path, content_copy))))
    assert_fits(result)
    allowed = set(MANY_TAGS.values()) | {"Lindeveld"}
    for draft in result.drafts:
        found = HASHTAG.findall(draft.text)
        assert set(found) <= allowed, found  # never a cut hashtag
        assert bool(found) == (draft.network != "facebook"), draft.text
        assert "&amp;" not in draft.text
        if draft.network not in LIMITS:
            continue
        if title == LONG_TITLE or draft.network == "bluesky":  # (its post has no title)
            assert "Dit is een zin" in draft.text and summary.strip() not in draft.text
        else:  # a title this long leaves no room: cut, without the summary
            assert "Dit is een zin" not in draft.text and "Lang…" in draft.text
    if title == LONG_TITLE:
        # Quotes, ampersand and emoji arrive as written (X counts an emoji as 2).
        for draft in result.drafts[:1] + result.drafts[2:]:
            assert title in draft.text
        assert result.drafts[2].length == x_count(result.drafts[2].text)


def test_a_summary_with_markdown_is_plain_text_and_scheduled_or_unshared_says_so(
        tmp_path, content_copy):
    path = write_article(content_copy, "2099-01-later.md", title="Later",
                         date="2099-01-05 09:00", category="Moderatie", tags="moderatie",
                         slug="later", share="off",
                         summary="Kort &amp; **krachtig**, met [een link](https://example.org).")
    result = posts(str(path), load_settings(str(settings_for(tmp_path, content_copy))))
    assert "Kort & krachtig, met een link." in result.drafts[0].text
    assert result.image is None
    assert any("gepland voor 2099-01-05 09:00" in note for note in result.notes)
    assert any("geen deelbeeld" in note for note in result.notes)


def test_an_own_photo_is_the_share_image(tmp_path, content_copy):
    from PIL import Image as Picture

    Picture.new("RGB", (1200, 630), "#1d5c3a").save(content_copy / "images" / "markt.png")
    path = write_article(content_copy, "2026-11-markt.md", title="De markt", slug="markt",
                         date="2026-11-21 10:00", category="Burgerparticipatie",
                         summary="De markt verhuist.", image="images/markt.png",
                         image_alt="De markt op zaterdag")
    result = posts(str(path), load_settings(str(settings_for(tmp_path, content_copy))))
    assert result.image.path == str(content_copy / "images" / "markt.png")
    assert result.image.alt == "De markt op zaterdag" and result.image.exists


def one_dutch_sentence(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_an_unknown_article_is_one_dutch_sentence():
    run = go_social("debat-modereer")
    assert run.returncode == 1 and run.stdout == ""
    assert one_dutch_sentence(run.stderr) == (
        "Er is geen artikel 'debat-modereer' — bedoel je ./go social debat-modereren?")
    run = go_social("content/articles/bestaat-niet.md")
    assert run.returncode == 1
    assert one_dutch_sentence(run.stderr).startswith(
        "Het bestand content/articles/bestaat-niet.md bestaat niet — kijk de naam na")
    run = go_social("niets-dat-erop-lijkt-zzzz")
    assert run.returncode == 1
    assert "Er is geen artikel 'niets-dat-erop-lijkt-zzzz' — geef het bestand" in run.stderr
    run = go_social("content/pages/contact.md")
    assert run.returncode == 1
    assert one_dutch_sentence(run.stderr).startswith("content/pages/contact.md is geen artikel")
    run = go_social("debat-modereren", "--network", "myspace")
    assert run.returncode == 1
    assert one_dutch_sentence(run.stderr).startswith("'myspace' is geen van de netwerken")


def test_a_draft_or_broken_front_matter_is_one_dutch_sentence(tmp_path, content_copy, capsys):
    settings = str(settings_for(tmp_path, content_copy))
    draft = write_article(content_copy, "2026-11-concept.md", title="Een concept",
                          date="2026-11-20 10:00", category="Moderatie",
                          summary="Nog niet klaar.", status="draft")
    assert main(str(draft), settings) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert one_dutch_sentence(err).endswith(
        "2026-11-concept.md is een concept (Status: draft) — haal die regel weg en publiceer "
        "het artikel (./go publish) voor je erover post.")
    broken = write_article(content_copy, "2026-11-kapot.md", title="Kapot",
                           date="31-02-2026", category="Moderatie", summary="Kort.")
    assert main("kapot", settings) == 1
    assert one_dutch_sentence(capsys.readouterr().err).endswith(
        "2026-11-kapot.md:2: '31-02-2026' is geen geldige datum — schrijf de datum als "
        "2026-11-26 of 2026-11-26 14:30.")
    assert broken.exists()


@pytest.mark.parametrize("text", [
    "gewone tekst", "e\u0301e\u0301n", "👨‍👩‍👧 familie", "🇧🇪🇳🇱🇫🇷", "👍🏽 duim", "1️⃣ keycap",
    "한국어 낱말", "a\r\nb", "🏳️‍🌈 vlag", "Ça va? Ελληνικά, кириллица", "\u200bzero\ufeff",
    "สำหรับ", "\u0600١٢", "‼️ ▶️ 〰️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿 Schotland",
])
def test_the_grapheme_count_agrees_with_unicode_segmentation(text):
    assert graphemes(text) == len(clusters(text))


def test_every_message_of_the_application_has_its_dutch_line():
    catalogue_path = ROOT / "dorpsplein" / "locale" / "nl" / "LC_MESSAGES" / "messages.po"
    with catalogue_path.open("rb") as handle:
        catalogue = {m.id: m for m in read_po(handle, locale="nl") if m.id}
    placeholder = re.compile(r"\{(\w*)\}")
    for source in sorted((ROOT / "dorpsplein").glob("*.py")):
        for _line, msgid, _comments, _context in extract_from_file("python", source):
            assert msgid in catalogue, f"{source.name}: add {msgid!r} to the catalogue"
            entry = catalogue[msgid]
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            ids = msgid if isinstance(msgid, tuple) else (msgid,)
            assert all(strings) and not entry.fuzzy, f"untranslated: {msgid!r}"
            for string in strings:
                assert set(placeholder.findall(string)) <= set(placeholder.findall(ids[-1]))
    # Every post renders in Dutch with the fields the command gives.
    dutch = translations("nl").gettext
    for network in NETWORKS:
        text = dutch(network.text)
        assert text != network.text or network.name == "x"
        text.format(title="t", summary="s", link="l", hashtags="#h", town="Lindeveld")
