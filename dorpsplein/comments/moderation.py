"""Moderation auth: the admin and login routes are guarded by this app itself.

Whatever the proxy in front does (or fails to do), after Isso has routed the
request:

- ``admin`` without a valid moderator session gets our own login page (401),
  never Isso's admin page;
- ``login`` checks the password here first: the submitted password is hashed
  with scrypt and compared in constant time with the hash of
  ``ISSO_ADMIN_PASSWORD``; after 5 failures in a minute from one address
  every attempt gets a 429 until the minute has passed (kept in a small
  SQLite file beside the database, so both workers count together). Only a
  right password reaches Isso, which then sets its session cookie;
- e-mailed moderation links (``/id/N/activate/KEY`` and ``.../delete/KEY``)
  get our confirmation page with a plain form (Isso's own page needs inline
  script, which the shipped CSP blocks); the form's POST goes to Isso and
  our result page says what happened.

Our pages carry no script and a CSP that allows nothing but the form.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from contextlib import closing
from html import escape
from pathlib import Path
from string import Template

from itsdangerous import BadSignature, SignatureExpired
from werkzeug.wrappers import Response

from ..passwords import hash_password, password_matches  # noqa: F401 - re-exported
from .input_check import MAX_ID

TEMPLATES = Path(__file__).parent / "templates"
FAILURES_PER_MINUTE = 5
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # These pages' addresses carry a key (and, to unsubscribe, the commenter's
    # address): a link on them must not send it on as a Referer, into the
    # site's access log. Only the origin, so a POST's Origin still says it.
    "Referrer-Policy": "strict-origin",
    "Cache-Control": "no-store",
}
ACTIONS = {"activate": ("Reactie goedkeuren", "Goedkeuren", "De reactie is goedgekeurd."),
           "delete": ("Reactie verwijderen", "Verwijderen", "De reactie is verwijderd.")}


def page(title: str, body: str, status: int = 200, **headers) -> Response:
    html = Template((TEMPLATES / "page.html").read_text(encoding="utf-8")).substitute(
        title=escape(title), body=body)
    response = Response(html, status, content_type="text/html; charset=utf-8")
    for name, value in {**PAGE_HEADERS, **headers}.items():
        response.headers[name] = value
    return response


def login_page(message: str = "", status: int = 401, **headers) -> Response:
    notice = f'<p role="alert"><strong>{escape(message)}</strong></p>' if message else ""
    body = Template((TEMPLATES / "login.html").read_text(encoding="utf-8")).substitute(
        notice=notice)
    return page("Moderatie – aanmelden", body, status, **headers)


class ModeratorAuth:
    def __init__(self, password_hash: str, state_dir: Path, unsign):
        self.password_hash = password_hash
        self.failures_db = Path(state_dir) / "moderation.db"
        self.unsign = unsign
        with closing(sqlite3.connect(self.failures_db, timeout=30)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS login_failures (address TEXT, at REAL)")

    # -- the admin page and the login form --------------------------------------

    def logged_in(self, request) -> bool:
        try:
            data = self.unsign(request.cookies.get("admin-session", ""), max_age=60 * 60 * 24)
        except (BadSignature, SignatureExpired):
            return False
        return isinstance(data, dict) and data.get("logged") is True

    def admin(self, request) -> Response | None:
        """None lets Isso show its admin page; otherwise our login page."""
        return None if self.logged_in(request) else login_page()

    def login(self, request, address: str) -> Response | None:
        """None lets Isso log the moderator in; otherwise our refusal page."""
        key = hashlib.sha256(address.encode("utf-8")).hexdigest()
        now = time.time()
        with closing(sqlite3.connect(self.failures_db, timeout=30)) as db, db:
            db.execute("DELETE FROM login_failures WHERE at < ?", (now - 60,))
            recent = [row[0] for row in db.execute(
                "SELECT at FROM login_failures WHERE address = ? ORDER BY at", (key,))]
        if len(recent) >= FAILURES_PER_MINUTE:
            wait = max(1, int(recent[0] + 60 - now) + 1)
            return login_page(f"Te veel mislukte pogingen. Probeer het over {wait} seconden "
                              "opnieuw.", 429, **{"Retry-After": str(wait)})
        password = request.form.get("password", "")
        if len(password) <= 1024 and password_matches(password, self.password_hash):
            return None
        with closing(sqlite3.connect(self.failures_db, timeout=30)) as db, db:
            db.execute("INSERT INTO login_failures VALUES (?, ?)", (key, now))
        return login_page("Dat wachtwoord klopt niet.", 403)

    # -- e-mailed moderation links -------------------------------------------------

    def comment_of_key(self, key: str) -> int | None:
        """The comment id a moderation key was signed for, or None."""
        try:
            value = self.unsign(key, max_age=2**32)
        except (BadSignature, SignatureExpired):
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
            return None
        return value

    def confirm_page(self, action: str) -> Response:
        title, button, _done = ACTIONS.get(action, ("Reactie bewerken", "Bewerken", ""))
        body = Template((TEMPLATES / "confirm.html").read_text(encoding="utf-8")).substitute(
            title=escape(title), button=escape(button))
        return page(title, body)

    def result_page(self, action: str, ok: bool, link: str | None) -> Response:
        title = ACTIONS.get(action, ("Moderatie",))[0]
        done = ACTIONS.get(action, ("", "", "Gedaan."))[2] if ok else \
            "Dit lukte niet: de reactie bestaat niet meer of de link is verlopen."
        body = f'<p role="status">{escape(done)}</p>'
        if link:
            body += f'<p><a href="{escape(link)}">Naar de reactie op de website</a></p>'
        return page(title, body, 200 if ok else 404)


def invalid_key_page() -> Response:
    return page("Moderatie", '<p role="alert">Deze moderatielink is ongeldig of '
                             "verlopen.</p>", 403)
