"""Origin guard: writes come only from the town's website or this service.

A POST (or any other write method) must carry an Origin -- or, failing that,
a Referer -- whose origin is the site's (SITEURL, the build's ``site_url``),
a preview origin (not in production), one given with ``--origin``, or the
service's own (its pages post to themselves). Anything else is refused
before a form is read. One routed endpoint, the e-mail unsubscribe, also
takes a write with neither header (``check(..., originless=True)``).
``cors_origin`` says which origins may *read* JSON answers with
credentials: the same list, never ``*``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .refusals import Refusal

WRITE_METHODS = {"POST", "PUT", "DELETE", "PATCH"}


def origin_of(url: str) -> str | None:
    """scheme://host[:port] in lower case, or None for anything else."""
    try:
        parts = urlsplit(str(url).strip())
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}".lower()


class OriginGuard:
    def __init__(self, origins, service_url: str = ""):
        self.origins = {o for o in (origin_of(x) for x in origins) if o}
        own = origin_of(service_url)
        if own:
            self.origins.add(own)

    @staticmethod
    def own_origin(environ) -> str:
        # After the trusted proxy fix: the scheme and host the browser used.
        return f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}".lower()

    def allowed(self, origin: str | None, environ) -> bool:
        return origin is not None and (origin in self.origins
                                       or origin == self.own_origin(environ))

    def check(self, method: str, environ, originless: bool = False) -> None:
        """``originless``: the routed endpoint takes a write that carries neither
        Origin nor Referer (RFC 8058's one-click unsubscribe, sent by a mail
        provider's server); one that carries either is still checked."""
        if method not in WRITE_METHODS:
            return
        sent = environ.get("HTTP_ORIGIN") or environ.get("HTTP_REFERER") or ""
        if originless and not sent:
            return
        origin = origin_of(sent)
        if not self.allowed(origin, environ):
            raise Refusal("origin")

    def cors_origin(self, environ) -> str | None:
        """The request's Origin when it may read answers with credentials."""
        origin = origin_of(environ.get("HTTP_ORIGIN") or "")
        return origin if origin in self.origins else None
