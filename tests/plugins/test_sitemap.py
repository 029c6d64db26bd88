"""sitemap.xml and robots.txt (plugins/site_sitemap), at a host's root and
under a sub-path, and the comment address that follows the site's path.

What the sitemap must list is worked out here from the content files
themselves (front matter, the URL settings), not from the plugin's code."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from conftest import CONTENT, FROM_PELICANCONF, Site, front_matter
from pelican.urlwrappers import Category, Tag
from stop_lines import stop_line

from dorpsplein.build import ROOT, BuildFailed, build
from dorpsplein.incremental import WarmSite

pytestmark = pytest.mark.slow

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
W3C = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")
SUB_PATH = "https://www.lindeveld.be/blog"
AT_ROOT = "https://blog.lindeveld.example"
PREVIEW = "http://127.0.0.1:8000"  # PREVIEW_URL in pelicanconf.py


def extra_content(target: Path) -> Path:
    """The sample content plus what a sitemap must handle: a corrected article,
    a page with a date, a draft, a scheduled article and a hidden page."""
    shutil.copytree(CONTENT, target)
    article = ("Title: {title}\nDate: {date}\n{extra}Category: Moderatie\nSlug: {slug}\n"
               "Summary: Een test.\n\nGewone tekst van een testartikel.\n")
    (target / "articles" / "bijgewerkt.md").write_text(article.format(
        title="Bijgewerkt", date="2026-06-01 10:00", slug="bijgewerkt",
        extra="Modified: 2026-11-21 16:45\n"), encoding="utf-8")
    (target / "articles" / "concept.md").write_text(article.format(
        title="Concept", date="2026-06-02 10:00", slug="een-concept",
        extra="Status: draft\n"), encoding="utf-8")
    (target / "articles" / "later.md").write_text(article.format(
        title="Later", date="2099-01-01 10:00", slug="later", extra=""), encoding="utf-8")
    (target / "pages" / "stemlokalen.md").write_text(
        "Title: Stemlokalen\nSlug: stemlokalen\nDate: 2026-05-04 09:00\n"
        "Modified: 2026-10-30 12:00\nSummary: Waar je stemt.\n\nTekst.\n", encoding="utf-8")
    (target / "pages" / "verborgen.md").write_text(
        "Title: Verborgen\nSlug: verborgen\nStatus: hidden\nSummary: Niet in de lijst.\n\n"
        "Tekst.\n", encoding="utf-8")
    return target


def moment(text: str | None, zone: str) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(zone))


def expected(site: Site, base: str, content: Path) -> dict[str, datetime | None]:
    """{absolute URL: lastmod} of every published article and page, from the
    files: Modified, else Date; no drafts, nothing dated in the future, nothing
    hidden."""
    settings, zone = site.settings, site.settings["TIMEZONE"]
    now = datetime.now(ZoneInfo(zone))
    found = {}
    for path in sorted((content / "articles").glob("*.md")):
        meta = front_matter(path)
        date = moment(meta["date"], zone)
        if meta.get("status", "published") != "published" or date > now:
            continue
        url = settings["ARTICLE_URL"].format(date=date, slug=meta["slug"])
        found[f"{base}/{url}"] = moment(meta.get("modified"), zone) or date
    for path in sorted((content / "pages").glob("*.md")):
        meta = front_matter(path)
        if meta.get("status", "published") != "published":
            continue
        url = settings["PAGE_URL"].format(slug=meta["slug"])
        found[f"{base}/{url}"] = moment(meta.get("modified") or meta.get("date"), zone)
    return found


def read_sitemap(output: Path) -> list[tuple[str, str | None]]:
    """(loc, lastmod or None) of every <url>, read with an XML parser."""
    root = ET.fromstring((output / "sitemap.xml").read_bytes())
    assert root.tag == f"{{{NS}}}urlset"
    entries = []
    for url in root:
        assert url.tag == f"{{{NS}}}url"
        assert {child.tag for child in url} <= {f"{{{NS}}}loc", f"{{{NS}}}lastmod"}
        lastmod = url.find(f"{{{NS}}}lastmod")
        entries.append((url.find(f"{{{NS}}}loc").text, None if lastmod is None else lastmod.text))
    return entries


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The extended sample site, built three ways: published under a sub-path,
    published at a host's root, and as the local preview (drafts written)."""
    root = tmp_path_factory.mktemp("sitemap")
    content = extra_content(root / "content")
    built = {}
    for name, settings_file, base in (("sub-path", "publishconf.py", SUB_PATH),
                                      ("root", "publishconf.py", AT_ROOT),
                                      ("preview", "pelicanconf.py", PREVIEW)):
        overrides = {"PATH": str(content), "OUTPUT_PATH": str(root / name),
                     "CACHE_PATH": str(root / f"cache-{name}"), "CACHE_CONTENT": False,
                     "LOAD_CONTENT_CACHE": False}
        if name != "preview":
            overrides["SITEURL"] = base
        try:
            built[name] = (Site(build(settings_file, overrides=overrides)), base, content)
        except BuildFailed as failed:
            pytest.fail(f"{name}: the site does not build:\n" + "\n".join(failed.problems))
    return built


KINDS = ["sub-path", "root", "preview"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_published_article_and_page_is_listed_once_with_its_lastmod(sites, kind):
    site, base, content = sites[kind]
    entries = read_sitemap(site.output)
    locs = [loc for loc, _ in entries]
    assert len(locs) == len(set(locs)), "an address is listed twice"
    listed = dict(entries)
    wanted = expected(site, base, content)
    assert len(wanted) >= 15  # 9 articles and 7 pages: the oracle found them
    for url, when in wanted.items():
        assert url in listed, f"{url} is not in the sitemap"
        if when is None:
            assert listed[url] is None, f"{url}: a lastmod without a date to give"
        else:
            assert W3C.fullmatch(listed[url]), listed[url]
            assert datetime.fromisoformat(listed[url]) == when, url
            assert listed[url] == when.isoformat(timespec="seconds")
    # The corrected article gives its Modified, the dated page its own.
    assert listed[f"{base}/2026/bijgewerkt/"] == "2026-11-21T16:45:00+01:00"
    assert listed[f"{base}/stemlokalen/"] == "2026-10-30T12:00:00+01:00"


@pytest.mark.parametrize("kind", KINDS)
def test_no_draft_hidden_search_or_error_page_is_listed(sites, kind):
    site, base, _content = sites[kind]
    paths = [urlsplit(loc).path for loc, _ in read_sitemap(site.output)]
    prefix = urlsplit(base).path
    for path in paths:
        assert path.startswith(prefix + "/"), path
        local = path[len(prefix):]
        assert not local.startswith(("/concepten/", "/zoeken/")), path
        assert "404" not in local and "/pagina/" not in local, path
        assert local not in ("/2026/een-concept/", "/2099/later/", "/verborgen/"), path
    if kind == "preview":  # the drafts are there, and still not listed
        assert site.path("/concepten/een-concept/").exists()
        assert site.path("/concepten/later/").exists()
    assert site.path("/verborgen/").exists()  # hidden: written, but not listed


@pytest.mark.parametrize("kind", KINDS)
def test_every_address_in_the_sitemap_is_a_built_page(sites, kind):
    site, base, _content = sites[kind]
    for loc, lastmod in read_sitemap(site.output):
        assert loc.startswith(base + "/"), loc
        assert site.path(loc[len(base):]).is_file(), f"{loc} has no file"
        assert lastmod is None or W3C.fullmatch(lastmod), lastmod


@pytest.mark.parametrize("kind", KINDS)
def test_list_pages_are_listed_with_their_newest_article(sites, kind):
    site, base, content = sites[kind]
    listed = dict(read_sitemap(site.output))
    articles = {url: when for url, when in expected(site, base, content).items()
                if re.search(r"/\d{4}/", url)}
    newest = max(articles.values()).isoformat(timespec="seconds")
    settings = site.settings
    for url in ("", settings["ARCHIVES_URL"], settings["CATEGORIES_URL"],
                settings["TAGS_URL"], settings["AUTHORS_URL"]):
        assert listed.get(f"{base}/{url}") == newest, url or "the home page"
    zone = settings["TIMEZONE"]
    by_category, by_tag = {}, {}
    for path in sorted((content / "articles").glob("*.md")):
        meta = front_matter(path)
        date = moment(meta["date"], zone)
        url = f"{base}/" + settings["ARTICLE_URL"].format(date=date, slug=meta["slug"])
        if url not in articles:
            continue
        by_category.setdefault(Category(meta["category"], settings).url, []).append(url)
        for tag in filter(None, (t.strip() for t in meta.get("tags", "").split(","))):
            by_tag.setdefault(Tag(tag, settings).url, []).append(url)
    assert len(by_category) == 4 and len(by_tag) > 10
    for url, members in {**by_category, **by_tag}.items():
        want = max(articles[m] for m in members).isoformat(timespec="seconds")
        assert listed.get(f"{base}/{url}") == want, url
    # Every theme, tag and author page the build wrote is listed (first pages).
    for folder in ("thema", "tag", "auteur"):
        for page in (site.output / folder).glob("*/index.html"):
            assert f"{base}{site.url_of(page)}" in listed, page


@pytest.mark.parametrize("kind", KINDS)
def test_robots_txt_names_the_sitemap_at_its_absolute_address(sites, kind):
    site, base, _content = sites[kind]
    lines = (site.output / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    assert [line for line in lines if line.lower().startswith("sitemap:")] == [
        f"Sitemap: {base}/sitemap.xml"]
    assert lines[-1] == f"Sitemap: {base}/sitemap.xml"


@pytest.mark.parametrize(("kind", "endpoint"), [("sub-path", "/blog/comments"),
                                                ("root", "/comments")])
def test_the_comment_address_follows_the_site_path_by_default(sites, kind, endpoint):
    site, _base, _content = sites[kind]
    assert site.settings["ISSO_COMMENTS_URL"] == endpoint
    doc = site.html("/2026/x-of-mastodon/")
    loader = doc.select_one('script[src*="/theme/js/isso_comments."]')
    assert loader["data-isso"] == endpoint
    counter = site.html("/").select_one('script[src*="/theme/js/isso_comments_count."]')
    assert counter["data-endpoint"] == endpoint


def test_a_sub_path_site_keeps_its_links_under_the_path(sites):
    """The sitemap is not the only thing: a page's own links stay under /blog."""
    site, base, _content = sites["sub-path"]
    doc = site.html("/2026/x-of-mastodon/")
    assert doc.select_one('link[rel="canonical"]')["href"] == f"{base}/2026/x-of-mastodon/"
    rules = doc.select_one("#reacties .comments__intro a")
    assert rules["href"] == f"{base}/reageerregels/"


def test_a_new_modified_line_reaches_the_sitemap_in_the_live_preview(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    output = tmp_path / "warm"
    conf = tmp_path / "conf.py"
    conf.write_text(
        FROM_PELICANCONF + f"PATH = {str(content)!r}\nOUTPUT_PATH = {str(output)!r}\n"
        f"CACHE_PATH = {str(tmp_path / 'cache')!r}\nTHEME = {str(ROOT / 'theme')!r}\n"
        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n", encoding="utf-8")
    site = WarmSite(str(conf))
    site.full()
    loc = f"{PREVIEW}/2026/x-of-mastodon/"
    before = dict(read_sitemap(output))
    assert before[loc] == "2026-09-22T10:00:00+02:00"
    article = content / "articles" / "2026-09-x-of-mastodon.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n\n", "\nModified: 2026-11-25 08:00\n\n", 1),
                       encoding="utf-8")
    assert site.update(article) is True  # in place, without a full build
    after = dict(read_sitemap(output))
    assert after[loc] == "2026-11-25T08:00:00+01:00"


@pytest.mark.parametrize(
    ("overrides", "expected_start"),
    [
        ({"SITE_SITEMAP_ROBOTS": ["User-agent: *", "Sitemap: https://elders/sitemap.xml"]},
         "SITE_SITEMAP_ROBOTS has a line 'Sitemap: https://elders/sitemap.xml'"),
        ({"SITE_SITEMAP_ROBOTS": "User-agent: *"}, "SITE_SITEMAP_ROBOTS = 'User-agent: *' must"),
        ({"SITE_SITEMAP_LISTS": ["index", "search"]},
         "SITE_SITEMAP_LISTS has an unknown list page 'search'"),
        ({"EXTRA_PATH_METADATA": {"extra/robots.txt": {"path": "robots.txt"}}},
         "EXTRA_PATH_METADATA copies 'extra/robots.txt' to 'robots.txt'"),
    ],
)
def test_wrong_sitemap_settings_stop_the_build(build_site, overrides, expected_start):
    line = stop_line(build_site, **overrides)
    assert line.startswith(expected_start), line
