"""The site_sitemap plugin's settings, their defaults and checks."""

from __future__ import annotations

from dorpsplein_kit import Setting, SettingsError, fail, reject_unknown

# The list pages a sitemap may name besides articles and pages, by Pelican's
# DIRECT_TEMPLATES names: the home page, the archive, and the overviews of
# themes, tags and authors (each with the pages of its themes, tags, authors).
LISTS = ("index", "archives", "categories", "tags", "authors")


def robots_lines(name, value, settings):
    if not isinstance(value, list | tuple) or not all(isinstance(line, str) for line in value):
        raise fail(name, value, "must be a list of robots.txt lines, such as "
                                "[\"User-agent: *\", \"Allow: /\"],")
    for line in value:
        if "\n" in line or "\r" in line:
            raise fail(name, value, "must have one robots.txt line per entry (no line breaks),")
        if line.strip().lower().startswith("sitemap:"):
            raise SettingsError(f"{name} has a line {line!r}: the build writes the Sitemap line "
                                "itself (from SITEURL); remove it from pelicanconf.py.")
    return list(value)


def list_pages(name, value, settings):
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise fail(name, value, "must be a list of list pages, such as "
                                "[\"index\", \"archives\"],")
    reject_unknown(name, value, LISTS, "list page", ", ".join(LISTS))
    return list(value)


SETTINGS = (
    # robots.txt: these lines, then "Sitemap: <the sitemap's absolute URL>".
    Setting("SITE_SITEMAP_ROBOTS", ["User-agent: *", "Allow: /"], robots_lines),
    # The list pages sitemap.xml names besides every article and page.
    Setting("SITE_SITEMAP_LISTS", list(LISTS), list_pages),
)
