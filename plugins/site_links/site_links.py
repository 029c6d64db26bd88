"""Links written as addresses on this site keep working under a sub-path.

An editor may link to another page by its address, ``[wie we zijn](/over-deze-blog/)``
(the editor checks make sure that page exists). On a site hosted at a host's
root that works as it is; under a sub-path (SITEURL
``https://www.beekdorp.be/blog``) the link must become ``/blog/over-deze-blog/``.
When an article or page is read, every ``href`` and ``src`` in its HTML (and
summary) that starts with a single ``/`` gets SITEURL's path in front. With
SITEURL at a root, or empty (the preview), nothing changes.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from dorpsplein_kit import Contract
from pelican import signals

# href="/x" or src='/x', not protocol-relative //host.
SITE_PATH = re.compile(r"""(\s(?:href|src)\s*=\s*["'])/(?!/)""", re.I)

# Changes no front matter and nothing list pages show on their own.
CONTRACT = Contract()


def prefix_for(settings) -> str:
    return urlsplit(settings.get("SITEURL") or "").path.rstrip("/")


def rewrite(html: str, prefix: str) -> str:
    return SITE_PATH.sub(lambda m: f"{m.group(1)}{prefix}/", html)


def attach(content) -> None:
    from pelican.contents import Static

    if isinstance(content, Static):
        return
    prefix = prefix_for(content.settings)
    if not prefix:
        return
    if content._content:
        content._content = rewrite(content._content, prefix)
    summary = content.metadata.get("summary")
    if isinstance(summary, str) and "/" in summary:
        content.metadata["summary"] = rewrite(summary, prefix)
        if hasattr(content, "_summary"):
            content._summary = content.metadata["summary"]


def register() -> None:
    signals.content_object_init.connect(attach)
