"""Absolute addresses: feeds, share links and previews need them.

``SITEURL`` when the site has one; in the local preview (SITEURL empty) the
site-wide ``PREVIEW_URL``, else the address ``invoke serve`` listens on.
"""

from __future__ import annotations

# Where the local preview serves the site when pelicanconf.py says nothing.
PREVIEW_URL = "http://127.0.0.1:8000"


def site_url(settings) -> str:
    """The site's absolute address, without a trailing slash."""
    base = settings.get("SITEURL") or settings.get("PREVIEW_URL") or PREVIEW_URL
    return str(base).rstrip("/")


def absolute_url(settings, path: str = "") -> str:
    """``path`` (relative to the site root) as an absolute address."""
    return f"{site_url(settings)}/{str(path).lstrip('/')}"
