"""Share links: exact URLs per network, previews (Open Graph, X card, JSON-LD), images."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from PIL import Image
from stop_lines import stop_line

pytestmark = pytest.mark.slow

TITLE = 'Café "De Linde" & co: 5 < 10 > 2 + #1 — 🎉'
NETWORKS = ["facebook", "x", "linkedin", "whatsapp", "mastodon", "bluesky", "email"]


@pytest.fixture(scope="module")
def special_site(tmp_path_factory):
    """The sample site plus an article whose title is full of special characters."""
    import shutil

    from conftest import CONTENT, Site

    from dorpsplein.build import build

    root = tmp_path_factory.mktemp("share")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    (content / "articles" / "speciaal.md").write_text(
        f"Title: {TITLE}\nDate: 2026-11-21 10:00\nCategory: Moderatie\nSlug: speciaal\n"
        "Summary: Tekens als é, & en < horen heel te blijven.\n\nTekst van het artikel.\n",
        encoding="utf-8")
    (content / "articles" / "stil.md").write_text(
        "Title: Niet te delen\nDate: 2026-11-21 11:00\nCategory: Moderatie\nSlug: stil\n"
        "Share: off\nSummary: Geen deelknoppen.\n\nTekst.\n", encoding="utf-8")
    result = build("publishconf.py", overrides={
        "PATH": str(content), "OUTPUT_PATH": str(root / "output"),
        "CACHE_PATH": str(root / "cache"), "SITEURL": "https://blog.lindeveld.example",
    })
    return Site(result)


def links(site, url):
    doc = site.html(url)
    return {a["class"][1].split("--")[1]: a for a in doc.select(".share a.share__link")}


def test_every_network_gets_the_exact_url_and_title(special_site):
    url = "https://blog.lindeveld.example/2026/speciaal/"
    found = links(special_site, "/2026/speciaal/")
    assert list(found) == NETWORKS

    def query(network):
        return parse_qs(urlsplit(found[network]["href"]).query, strict_parsing=True)

    assert urlsplit(found["facebook"]["href"]).netloc == "www.facebook.com"
    assert query("facebook") == {"u": [url]}
    assert query("x") == {"text": [TITLE], "url": [url], "hashtags": ["Lindeveld"],
                          "via": ["lindeveld"]}
    assert query("linkedin") == {"url": [url]}
    assert query("whatsapp") == {"text": [f"{TITLE} {url}"]}
    assert query("bluesky") == {"text": [f"{TITLE} {url} #Lindeveld"]}
    assert query("mastodon") == {"text": [f"{TITLE} {url} #Lindeveld"]}
    assert found["mastodon"]["data-share-mastodon"] == f"{TITLE} {url} #Lindeveld"
    mail = urlsplit(found["email"]["href"])
    assert mail.scheme == "mailto"
    mail_query = parse_qs(mail.query)
    assert mail_query["subject"] == [TITLE]
    assert mail_query["body"] == [f"Tekens als é, & en < horen heel te blijven.\n\n{url}"]
    assert "+" not in found["email"]["href"], "mailto needs %20, not +, for spaces"


def test_links_have_dutch_accessible_names_and_no_third_party_loads(special_site):
    doc = special_site.html("/2026/speciaal/")
    names = []  # each link's accessible name: its text without aria-hidden parts
    for link in doc.select(".share a.share__link"):
        for hidden in link.select("[aria-hidden=true]"):
            hidden.decompose()
        names.append(link.get_text(" ", strip=True))
    assert names == ["Deel op Facebook", "Deel op X", "Deel op LinkedIn", "Deel op WhatsApp",
                     "Deel op Mastodon", "Deel op Bluesky", "Deel via e-mail"]
    for svg in doc.select(".share svg"):
        assert svg["aria-hidden"] == "true" and not svg.find("image") and not svg.find("use")
    script = doc.select_one(".share script")
    assert re.fullmatch(r"https://blog\.lindeveld\.example/theme/js/share_links\.[0-9a-f]{10}\.js",
                        script["src"])
    assert doc.select_one(".share [data-share-copy]").find_parent("li").has_attr("hidden")


def test_share_off_hides_the_bar(special_site):
    doc = special_site.html("/2026/stil/")
    assert doc.select_one(".share") is None
    assert doc.select_one('meta[property="og:title"]') is None


def test_order_and_choice_follow_the_setting(build_site):
    site = build_site(SHARE_LINKS_NETWORKS=["email", "mastodon"])
    assert list(links(site, "/2026/x-of-mastodon/")) == ["email", "mastodon"]


def meta(doc, key):
    element = doc.select_one(f'meta[property="{key}"]') or doc.select_one(f'meta[name="{key}"]')
    return element["content"] if element else None


def test_open_graph_and_card_metadata(special_site):
    doc = special_site.html("/2026/speciaal/")
    url = "https://blog.lindeveld.example/2026/speciaal/"
    assert doc.select_one('link[rel="canonical"]')["href"] == url
    assert meta(doc, "og:url") == url
    assert meta(doc, "og:type") == "article"
    assert meta(doc, "og:title") == TITLE
    assert meta(doc, "og:description") == "Tekens als é, & en < horen heel te blijven."
    assert meta(doc, "og:locale") == "nl_BE"
    assert meta(doc, "og:site_name") == "Lindeveld in gesprek"
    assert meta(doc, "article:published_time") == "2026-11-21T10:00:00+01:00"
    assert meta(doc, "article:modified_time") == "2026-11-21T10:00:00+01:00"
    assert meta(doc, "twitter:card") == "summary_large_image"
    image = meta(doc, "og:image")
    assert image.startswith("https://blog.lindeveld.example/images/share/speciaal-")
    assert (meta(doc, "og:image:width"), meta(doc, "og:image:height")) == ("1200", "630")
    assert meta(doc, "og:image:alt")
    with Image.open(special_site.path(urlsplit(image).path)) as png:
        assert png.format == "PNG" and png.size == (1200, 630)


def test_modified_time_follows_the_front_matter(special_site):
    doc = special_site.html("/2026/facebookpagina-starten/")
    assert meta(doc, "article:modified_time") == "2026-10-14T16:00:00+02:00"


def test_every_article_has_a_share_image(special_site):
    for page in special_site.output.glob("2026/*/index.html"):
        doc = special_site.html(special_site.url_of(page))
        if doc.select_one(".share") is None:
            continue
        image = urlsplit(meta(doc, "og:image")).path
        assert special_site.path(image).is_file(), page


def test_json_ld_blogposting_with_government_publisher(special_site):
    doc = special_site.html("/2026/speciaal/")
    [block] = doc.select('script[type="application/ld+json"]')
    raw = block.string
    assert "</script" not in raw.lower() and "<" not in raw
    data = json.loads(raw)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == TITLE
    assert data["url"] == "https://blog.lindeveld.example/2026/speciaal/"
    assert data["datePublished"] == "2026-11-21T10:00:00+01:00"
    assert data["author"] == [{"@type": "Person", "name": "Communicatiedienst Lindeveld"}]
    publisher = data["publisher"]
    assert publisher["@type"] == "GovernmentOrganization"
    assert publisher["name"] == "Gemeente Lindeveld — Communicatiedienst"
    assert publisher["logo"]["url"] == "https://blog.lindeveld.example/images/logo.svg"
    assert data["image"]["url"].startswith("https://blog.lindeveld.example/images/share/")


def test_share_images_are_reused_from_the_cache(build_site, tmp_path):
    cache = tmp_path / "cache"
    build_site(CACHE_PATH=str(cache))
    drawn = {p.name: p.stat().st_mtime_ns for p in (cache / "share_links").iterdir()}
    assert len(drawn) >= 8
    build_site(CACHE_PATH=str(cache))
    again = {p.name: p.stat().st_mtime_ns for p in (cache / "share_links").iterdir()}
    assert again == drawn


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"SHARE_LINKS_NETWORKS": ["facebook", "myspace"]},
         "SHARE_LINKS_NETWORKS has an unknown network 'myspace'"),
        ({"SHARE_LINKS_HASHTAGS": ["#Lindeveld"]}, "SHARE_LINKS_HASHTAGS = ['#Lindeveld']"),
        ({"SHARE_LINKS_VIA": "lindeveld town"}, "SHARE_LINKS_VIA = 'lindeveld town'"),
        ({"SHARE_LINKS_FONT": "/nope.ttf"}, "SHARE_LINKS_FONT = '/nope.ttf': no font"),
        ({"SHARE_LINKS_MASTODON_CHOOSER": "http://x.example/"},
         "SHARE_LINKS_MASTODON_CHOOSER = 'http://x.example/' must be an https:// address"),
    ],
)
def test_bad_share_settings_stop_the_build(build_site, overrides, expected):
    line = stop_line(build_site, **overrides)
    assert line.startswith(expected), line


def test_unquoted_title_survives_in_the_page_title(special_site):
    doc = special_site.html("/2026/speciaal/")
    assert doc.h1.get_text() == TITLE
    assert unquote("%F0%9F%8E%89") in meta(doc, "og:title")
