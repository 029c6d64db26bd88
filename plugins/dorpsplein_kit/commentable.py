"""Pages of a plugin's own that may carry a comment thread.

Pelican's articles and pages get their thread from the comment plugin
(isso_comments). A plugin that writes other pages (a consultation's ideas)
offers them here during ``generate_context``::

    offer(self.context, Commentable(url="inspraak/x/idee-4/", title="...",
                                    state="open"))

At ``all_generators_finalized`` the comment plugin, when it is on, attaches
its thread data to each (``page.isso_comments``, the same shape as an
article's) and lists every open or closed one for the comment server. The
template shows the thread when ``page.isso_comments`` is set. Neither plugin
knows the other; with the comment plugin off, nothing happens.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The context key: a list of Commentable.
COMMENTABLE = "DORPSPLEIN_COMMENTABLE"
STATES = ("open", "closed", "off")


@dataclass(eq=False)
class Commentable:
    url: str  # relative to the site, as Pelican's content.url ("inspraak/x/idee-4/")
    title: str
    state: str = "off"  # "open", "closed" or "off"
    isso_comments: dict | None = field(default=None)  # set by the comment plugin


def offer(context: dict, page: Commentable) -> Commentable:
    """List ``page`` as one that may carry a comment thread."""
    if page.state not in STATES:
        raise ValueError(f"a comment state is one of {STATES}, not {page.state!r}")
    context.setdefault(COMMENTABLE, []).append(page)
    return page


def offered(context: dict) -> list[Commentable]:
    return list(context.get(COMMENTABLE, []))
