"""site_sitemap: sitemap.xml and robots.txt, written from SITEURL.

``sitemap.xml`` follows the sitemaps.org protocol (0.9): one ``<url>`` for
every published article and page (and their published translations), and for
the list pages named in ``SITE_SITEMAP_LISTS`` (the home page, the archive,
the overviews and pages of themes, tags and authors), each at its absolute
address (``dorpsplein_kit.absolute_url``: SITEURL with its path, else the
preview's address). ``lastmod`` is the W3C datetime of an article's or page's
``Modified:``, else its ``Date:``; a page with neither has none (the protocol
makes it optional, and a guess would be wrong). A list page's ``lastmod`` is
that of the newest article it lists. Drafts, hidden content, later pages of a
list (``/pagina/2/``), the search page, the drafts list and the 404 page are
never named: the sitemap lists what it knows to be published, not what it
finds in the output.

``robots.txt`` is ``SITE_SITEMAP_ROBOTS`` and then the line
``Sitemap: <absolute URL of sitemap.xml>``. Both files are written only when
they changed (``OutputGenerator.write``); the live preview rewrites
sitemap.xml after one article changed (its ``Date:`` or ``Modified:``, its
tags or category: the list pages' dates), recomputing that article's entry
only (``update_preview``).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

from dorpsplein_kit import Contract, OutputGenerator, SettingsError, absolute_url, merge, offered
from pelican import signals

from .settings import SETTINGS

SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Characters left as they are in an address; everything else is %-escaped
# (RFC 3986, as the protocol asks). "%" stays: an address may be escaped already.
SAFE = "/:@!$&'()*+,;=-._~%"


def configure(pelican) -> None:
    merge(pelican.settings, SETTINGS)
    for source, metadata in (pelican.settings.get("EXTRA_PATH_METADATA") or {}).items():
        target = str((metadata or {}).get("path", "")).lstrip("/")
        if target in (SITEMAP, ROBOTS):
            raise SettingsError(
                f"EXTRA_PATH_METADATA copies {source!r} to {target!r}, which the build writes "
                "itself (plugins/site_sitemap): remove that entry in pelicanconf.py (put the "
                "rules of robots.txt in SITE_SITEMAP_ROBOTS)."
            )


def lastmod(content) -> datetime | None:
    """When an article or page last changed: its Modified, else its Date."""
    return getattr(content, "modified", None) or getattr(content, "date", None)


def w3c(moment: datetime) -> str:
    """A W3C datetime (sitemaps.org ``lastmod``): with its UTC offset, or the
    date alone when the moment has no time zone."""
    if moment.utcoffset() is None:
        return moment.strftime("%Y-%m-%d")
    return moment.isoformat(timespec="seconds")


def _newest(contents) -> datetime | None:
    return max((m for m in map(lastmod, contents) if m is not None), default=None)


class _Found(dict):
    """{absolute URL: lastmod}; an address named twice keeps its newest moment."""

    def __init__(self, settings):
        super().__init__()
        self.settings = settings

    def add(self, url, save_as, moment) -> None:
        if not save_as:  # not written (a *_SAVE_AS of "")
            return
        loc = absolute_url(self.settings, quote(str(url), safe=SAFE))
        known = self.get(loc)
        self[loc] = moment if known is None or (moment and moment > known) else known

    def merge(self, other: dict) -> None:
        for loc, moment in other.items():
            known = self.get(loc)
            self[loc] = moment if known is None or (moment and moment > known) else known


def content_entries(contents, settings) -> dict[str, datetime | None]:
    """{absolute URL: lastmod} of the published ones of ``contents`` (articles,
    pages) and of their published translations."""
    found = _Found(settings)
    for content in contents:
        for one in [content, *getattr(content, "translations", [])]:
            if getattr(one, "status", "published") == "published":
                found.add(one.url, one.save_as, lastmod(one))
    return found


def list_entries(context, settings) -> dict[str, datetime | None]:
    """{absolute URL: lastmod} of the list pages of SITE_SITEMAP_LISTS."""
    found = _Found(settings)
    lists = settings["SITE_SITEMAP_LISTS"]
    newest = _newest(list(context.get("articles", [])))
    for name in lists:
        if name in settings.get("DIRECT_TEMPLATES", ()):
            found.add(settings.get(f"{name.upper()}_URL", f"{name}.html"),
                      settings.get(f"{name.upper()}_SAVE_AS", f"{name}.html"), newest)
    for name in ("categories", "tags", "authors"):
        if name in lists:
            for taxonomy, listed in context.get(name, []):
                found.add(taxonomy.url, taxonomy.save_as, _newest(listed))
    return found


def entries(context, settings, contents: dict | None = None) -> dict[str, datetime | None]:
    """{absolute URL: lastmod} of everything the sitemap names (``contents``:
    the articles' and pages' part, when already known)."""
    if contents is None:
        contents = content_entries(list(context.get("articles", []))
                                   + list(context.get("pages", [])), settings)
    found = _Found(settings)
    found.merge(contents)
    found.merge(list_entries(context, settings))
    # Pages other plugins write and offer (dorpsplein_kit.own_pages): a
    # consultation, its ideas, its results.
    for page in offered(context):
        found.add(page.url, page.save_as, page.modified)
    return dict(found)


def sitemap_xml(context, settings, contents: dict | None = None) -> str:
    return _xml(entries(context, settings, contents))


def _xml(found: dict) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{NAMESPACE}">']
    for loc, moment in sorted(found.items()):
        lines.append(f"  <url><loc>{escape(loc)}</loc>"
                     + (f"<lastmod>{w3c(moment)}</lastmod>" if moment else "") + "</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(settings) -> str:
    rules = settings["SITE_SITEMAP_ROBOTS"]
    return "".join(f"{line}\n" for line in rules) + (
        "\n" if rules else "") + f"Sitemap: {absolute_url(settings, SITEMAP)}\n"


class SitemapGenerator(OutputGenerator):
    """Writes sitemap.xml and robots.txt (only when they changed)."""

    def generate_output(self, writer) -> None:
        self.write(SITEMAP, sitemap_xml(self.context, self.settings))
        self.write(ROBOTS, robots_txt(self.settings))


def get_generators(pelican):
    return SitemapGenerator


def update_preview(generators, article) -> None:
    """The live preview changed one article (its date, its Modified, its tags,
    ...): its own entry, and every list page's. The other articles' and
    pages' entries are kept from the first time (their addresses cost most)."""
    for generator in generators:
        if not isinstance(generator, SitemapGenerator):
            continue
        context, settings = generator.context, generator.settings
        contents = getattr(generator, "preview_contents", None)
        if contents is None:
            contents = content_entries(list(context.get("articles", []))
                                       + list(context.get("pages", [])), settings)
        else:
            contents.update(content_entries([article], settings))
        generator.preview_contents = contents
        found = entries(context, settings, contents)
        if found != getattr(generator, "preview_entries", None):  # else the file is as it was
            generator.write(SITEMAP, _xml(found))
            generator.preview_entries = found


# No front matter of its own; the live preview calls update_preview.
CONTRACT = Contract(preview=update_preview)


def register() -> None:
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)
