"""HTML pages in the site's own shell, in the citizen's language.

The build's participation.json carries ``shell``: the site's page (header,
footer, stylesheet, no script) with two markers. ``Pages.render`` fills
``<!--participation:title-->`` with the escaped title and
``<!--participation:main-->`` with a Jinja template (autoescape on: what a
citizen typed is always text), and adds this service's small stylesheet
(the honeypot off-screen, the error summary) before ``</head>``.

Every page has the same headers: a CSP without script, nosniff, no
framing, ``Referrer-Policy: same-origin`` and ``Cache-Control: no-store``.
"""

from __future__ import annotations

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

    def html(self, template: str, title: str, root: str, **context) -> str:
        main = self.env.get_template(template).render(root=root, title=title,
                                                      language=i18n.current.code, **context)
        shell = self.consultations.current().shell
        stylesheet = f'<link rel="stylesheet" href="{escape(root)}/static/participation.css">'
        if "</head>" in shell:
            shell = shell.replace("</head>", stylesheet + "</head>", 1)
        else:
            main = stylesheet + main
        # In the site's own column (.wrap), as the site's pages are.
        main = f'<div class="wrap participation-service">{main}</div>'
        return shell.replace(TITLE, str(escape(title))).replace(MAIN, main, 1)

    def render(self, template: str, title: str, root: str, status: int = 200,
               **context) -> Response:
        response = Response(self.html(template, title, root, **context), status,
                            content_type="text/html; charset=utf-8")
        response.headers.extend(self.headers())
        return response
