"""Pages a plugin writes itself, offered to the plugins that serve every page.

Pelican's articles and pages reach the comment plugin, the sitemap and the
search index by themselves. A plugin that writes other pages (a
consultation, its ideas, its results) offers them here during
``generate_context``::

    offer(self.context, OwnPage(url="inspraak/x/idee-4/",
                                save_as="inspraak/x/idee-4/index.html",
                                title="...", comments="open", modified=moment))

Then, each when it is on and without knowing who offered them:

- the comment plugin (isso_comments) attaches its thread data to each page
  whose ``comments`` is not "off" (``page.isso_comments``, the shape of an
  article's) and lists the thread for the comment server;
- the sitemap (site_sitemap) lists each page, ``modified`` as its lastmod;
- the search index (site_search) reads each ``searchable`` page (its
  template marks the region to index with ``data-pagefind-body``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# The context key: a list of OwnPage.
OWN_PAGES = "DORPSPLEIN_OWN_PAGES"
STATES = ("open", "closed", "off")


@dataclass(eq=False)
class OwnPage:
    url: str  # relative to the site, as Pelican's content.url ("inspraak/x/idee-4/")
    save_as: str  # the file in the output ("inspraak/x/idee-4/index.html")
    title: str
    comments: str = "off"  # its comment thread: "open", "closed" or "off"
    modified: datetime | None = None  # the sitemap's lastmod
    searchable: bool = True  # in the search index (a list page is not)
    isso_comments: dict | None = field(default=None)  # set by the comment plugin


def offer(context: dict, page: OwnPage) -> OwnPage:
    """Offer ``page`` to the comment plugin, the sitemap and the search index."""
    if page.comments not in STATES:
        raise ValueError(f"a comment state is one of {STATES}, not {page.comments!r}")
    context.setdefault(OWN_PAGES, []).append(page)
    return page


def offered(context: dict) -> list[OwnPage]:
    return list(context.get(OWN_PAGES, []))
