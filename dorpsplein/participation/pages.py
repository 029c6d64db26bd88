"""HTML pages in the site's own shell, in the citizen's language (and the
JSON answers' headers: ``json_response``).

The build's participation.json carries ``shell``: the site's page (header,
footer, stylesheet, no script) with two markers. ``Pages.render`` fills
``<!--participation:title-->`` with the escaped title and
``<!--participation:main-->`` with a Jinja template (autoescape on: what a
citizen typed is always text), and adds this service's small stylesheet
(the honeypot off-screen, the error summary) before ``</head>``.

Every page has the same headers: a CSP without script, nosniff, no
framing, ``Referrer-Policy: same-origin`` and ``Cache-Control: no-store``.
A ``private`` page (a self-test's question: its address carries the
answers) sends only its origin as referrer (``PRIVATE_REFERRER``), in the
header and in a ``<meta>`` first in the head -- a web server in front may add
its own Referrer-Policy header after ours, and the meta wins over both -- so
neither the site's stylesheet nor the result page it leads to gets the
answers in a Referer (and in the web server's access log).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import escape
from werkzeug.wrappers import Response

from . import i18n
from .origin_guard import origin_of

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
TITLE = "<!--participation:title-->"
MAIN = "<!--participation:main-->"
# The head's start tag, and its <meta charset> when that comes first (it stays first).
HEAD = re.compile(r"<head(?:\s[^>]*)?>(?:\s*<meta\s+charset\s*=[^>]*>)?", re.IGNORECASE)
# A self-test's question page (its address carries the answers) tells the
# browser to send only the origin as Referer: never the path and query, so
# the answers reach no log with the stylesheet's or the result's request. Not
# "no-referrer": with it Chromium sends "Origin: null" with the form's POST,
# which the origin guard rightly refuses.
PRIVATE_REFERRER = "strict-origin"
REFERRER_META = f'<meta name="referrer" content="{PRIVATE_REFERRER}">'


def security_headers(site_origin: str | None) -> dict:
    site = f" {site_origin}" if site_origin else ""
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'self'{site}; img-src 'self'{site} data:; "
            f"form-action 'self'{site}; frame-ancestors 'none'; base-uri 'none'"),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


class Pages:
    def __init__(self, consultations, fallback_site_url: str = ""):
        self.consultations = consultations
        self.fallback_site_url = fallback_site_url
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                               extensions=["jinja2.ext.i18n"], undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)
        self.env.install_gettext_callables(
            lambda message: i18n.current.translations.gettext(message),
            lambda singular, plural, n: i18n.current.translations.ngettext(singular, plural, n),
            newstyle=True)
        self.env.globals["moment"] = lambda value: i18n.current.moment(value)

    def site_origin(self) -> str | None:
        return origin_of(self.consultations.current().site_url or self.fallback_site_url)

    def headers(self) -> dict:
        return security_headers(self.site_origin())

    def html(self, template: str, title: str, root: str, private: bool = False,
             **context) -> str:
        main = self.env.get_template(template).render(root=root, title=title,
                                                      language=i18n.current.code, **context)
        shell = self.consultations.current().shell
        stylesheet = f'<link rel="stylesheet" href="{escape(root)}/static/participation.css">'
        if "</head>" in shell:
            shell = shell.replace("</head>", stylesheet + "</head>", 1)
        else:
            main = stylesheet + main
        if private:  # before anything in the head can fetch
            head = HEAD.search(shell)
            if head:
                shell = shell[:head.end()] + REFERRER_META + shell[head.end():]
            else:
                main = REFERRER_META + main
        # In the site's own column (.wrap), as the site's pages are.
        main = f'<div class="wrap participation-service">{main}</div>'
        return shell.replace(TITLE, str(escape(title))).replace(MAIN, main, 1)

    def render(self, template: str, title: str, root: str, status: int = 200,
               private: bool = False, **context) -> Response:
        response = Response(self.html(template, title, root, private, **context), status,
                            content_type="text/html; charset=utf-8")
        response.headers.extend(self.headers())
        if private:
            response.headers["Referrer-Policy"] = PRIVATE_REFERRER
        return response


def json_response(data: dict, status: int = 200, **headers) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False), status,
                        content_type="application/json; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response
