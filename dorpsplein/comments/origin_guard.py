"""Origin guard: writes come only from the town's own website.

A POST, PUT or DELETE must carry an Origin (or, failing that, a Referer) that
is one of Isso's hosts (the site), or the comment server's own address (its
moderation pages). Anything else -- another site, a script without headers --
is refused before Isso runs. Isso's CORS layer decides what browsers may
*read*; this decides what may *change*.

One routed endpoint is let through from anywhere: ``unsubscribe``, whose
POST comes from a mail provider's one click (RFC 8058: no Origin, no
Referer). It carries no cookie and acts only with the signed key in its
address, which is its authorisation (checked by Isso's own view).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .refusals import Refusal

WRITE_METHODS = {"POST", "PUT", "DELETE", "PATCH"}
# Isso's route names (after routing) whose writes need no Origin.
FROM_ANYWHERE = {"unsubscribe"}


def origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


class OriginGuard:
    def __init__(self, origins):
        self.origins = {o for o in (origin_of(x) for x in origins) if o}

    @staticmethod
    def own_origin(environ) -> str:
        # After werkzeug's ProxyFix: the scheme and host the browser used.
        return f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}".lower()

    def check(self, method: str, environ, endpoint: str | None = None) -> None:
        """``endpoint``: the name of Isso's route this request matched."""
        if method not in WRITE_METHODS or endpoint in FROM_ANYWHERE:
            return
        origin = environ.get("HTTP_ORIGIN") or environ.get("HTTP_REFERER") or ""
        origin = origin_of(origin)
        if origin is None or (origin not in self.origins and origin != self.own_origin(environ)):
            raise Refusal("origin-not-allowed")
