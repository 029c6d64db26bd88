"""The participation service: one URL map, one decision per routed endpoint.

``create_app()`` is what gunicorn runs, once in every worker (no
``--preload``). Outermost first:

    TrustedProxyFix -> ParticipationApp.wsgi_app

``ParticipationApp`` routes each request with its werkzeug ``Map`` -- never
by looking at the raw path -- and, for the endpoint it matched:

1. ``OriginGuard``: a write comes from the site or this service;
2. ``input_check``: a bounded, well-formed urlencoded body;
3. ``Consultations``: the consultation exists (404) and its phase and dates
   allow the write (403/410);
4. ``guard``: honeypot, signed single-use token, time trap, rate limit;
5. the view, whose write is one ``Store.write`` transaction.

Following by e-mail ("volgen": ``email_follow.EmailFollowViews``, mixed in)
takes the follow form, mails a signed confirmation link, stores the follower
when it is confirmed and unsubscribes; its unsubscribe address is the one
write the origin guard takes without an Origin (RFC 8058's one-click POST),
decided on that routed endpoint.

Self-tests ("zelftest") answer a reader without JavaScript one question a
page (``self_test.SelfTestViews``, mixed in); the answers travel in the
address, and nothing is stored but a count per result when the test's
``counts`` is on.

A refusal (``Refusal``) is answered as JSON for the site's script
(``Accept: application/json``) or as a page in the site's shell; a form
with mistakes is shown again with what was typed (422). Any other exception
is a 500 answered the same way ("Er ging iets mis"), logged as one line with
the routed endpoint and the exception's type, and the traceback's frames --
never the request's path (a confirmation link's token carries an address),
nor the exception's message -- so gunicorn never logs the request line.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import time
import traceback
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import Map, RequestRedirect, Rule
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import get_path_info

from . import i18n, input_check
from .board import BoardCache
from .config import load, read_secret
from .email_follow import FIELD as FOLLOW_FIELD
from .email_follow import ONE_CLICK, PRIVATE_ENDPOINTS, EmailFollowViews
from .guard import HONEYPOT, FormTokens, network_of
from .i18n import N_, Language, _
from .input_check import MAX_ID, Fields, hidden
from .mail import Mailer
from .moderation import SESSION_COOKIE, SESSION_SECONDS, ModeratorAuth
from .origin_guard import WRITE_METHODS, OriginGuard
from .pages import PRIVATE_REFERRER, STATIC, Pages, json_response
from .people import People, set_person_cookie
from .policy import MAX_THEMES, Consultations, now
from .refusals import Refusal
from .self_test import SelfTestViews
from .store import Store, request_publish

SETTINGS_ENV = "PARTICIPATION_SETTINGS"
logger = logging.getLogger("dorpsplein.participation")

URLS = Map([
    Rule("/", endpoint="index", methods=["GET"]),
    Rule("/static/participation.css", endpoint="stylesheet", methods=["GET"]),
    Rule("/api/<slug>/ideas", endpoint="api_ideas", methods=["GET"]),
    Rule("/api/<slug>/form", endpoint="api_form", methods=["GET"]),
    Rule("/api/zelftest/<slug>/form", endpoint="api_self_test_form", methods=["GET"]),
    Rule("/api/zelftest/<slug>/resultaat", endpoint="api_self_test_result", methods=["POST"]),
    Rule("/api/zelftest/<slug>/counts", endpoint="api_self_test_counts", methods=["GET"]),
    Rule("/moderatie/", endpoint="moderation", methods=["GET"]),
    Rule("/moderatie/login", endpoint="login", methods=["GET", "POST"]),
    Rule("/moderatie/logout", endpoint="logout", methods=["POST"]),
    Rule("/moderatie/idee/<int:idea>", endpoint="moderate", methods=["POST"]),
    Rule("/zelftest/<slug>/vraag/<int(min=1):n>", endpoint="self_test_question",
         methods=["GET", "POST"]),
    # Following by e-mail: static parts, so they win over the /<slug>/ rules
    # ("volgen" is no consultation's slug: the build refuses it).
    Rule("/volgen", endpoint="email_follow", methods=["GET", "POST"]),
    Rule("/volgen/bedankt", endpoint="email_follow_thanks", methods=["GET"]),
    Rule("/volgen/bevestig/<token>", endpoint="email_follow_confirm", methods=["GET", "POST"]),
    Rule("/volgen/ingeschreven", endpoint="email_follow_confirmed", methods=["GET"]),
    Rule("/volgen/uitschrijven/<token>", endpoint="email_follow_unsubscribe",
         methods=["GET", "POST"]),
    Rule("/volgen/uitgeschreven", endpoint="email_follow_unsubscribed", methods=["GET"]),
    Rule("/<slug>/", endpoint="board", methods=["GET"]),
    Rule("/<slug>/idee", endpoint="idea", methods=["GET", "POST"]),
    Rule("/<slug>/steun/<int:idea>", endpoint="support", methods=["GET", "POST"]),
    Rule("/<slug>/bevestig/<key>", endpoint="confirm", methods=["GET", "POST"]),
    Rule("/<slug>/meld/<int:idea>", endpoint="report", methods=["GET", "POST"]),
    Rule("/<slug>/bedankt/idee", endpoint="thanks_idea", methods=["GET"]),
    Rule("/<slug>/bedankt/steun/<int:idea>", endpoint="thanks_support", methods=["GET"]),
    Rule("/<slug>/bedankt/mail", endpoint="thanks_mail", methods=["GET"]),
    Rule("/<slug>/bedankt/melding", endpoint="thanks_report", methods=["GET"]),
], strict_slashes=True, merge_slashes=True)
KEY = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
MODERATION_ACTIONS = ("approve", "reject", "title", "merge", "hide", "restore")
# The page heading of each refusal shown as a page.
HEADINGS = {"not_open": N_("Not open yet"), "closed": N_("This consultation is closed"),
            "no_new_ideas": N_("No new ideas"), "unknown": N_("Page not found"),
            "expired": N_("This link has expired"), "rate_limited": N_("Please wait a while"),
            "already_supported": N_("Already supported"),
            "no_supports_left": N_("No supports left")}
DEFAULT_HEADING = N_("That did not work")
SERVER_ERROR = N_("Something went wrong on our side. Please try again later.")
# The one routed endpoint that takes a write without Origin or Referer (RFC 8058).
ORIGINLESS = frozenset({"email_follow_unsubscribe"})
# Endpoints whose form has a group of checkboxes: (the field, how many more fields).
REPEATABLE = {"email_follow": ((FOLLOW_FIELD,), MAX_THEMES + 1)}
ENDPOINT = "dorpsplein.endpoint"  # the routed endpoint, in the WSGI environ


class TrustedProxyFix:
    """werkzeug's ProxyFix for requests from a trusted proxy only; anyone
    else's X-Forwarded-* headers are dropped before anything reads them."""

    def __init__(self, app, trusted):
        self.app = app
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_prefix=1)
        self.trusted = set(trusted)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.trusted:
            return self.fixed(environ, start_response)
        for key in [k for k in environ if k.startswith("HTTP_X_FORWARDED_")]:
            del environ[key]
        return self.app(environ, start_response)


def wants_json(request) -> bool:
    accept = request.accept_mimetypes
    return any(value == "application/json" and quality > 0 for value, quality in accept) and \
        accept["application/json"] >= accept["text/html"]


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


class ParticipationApp(SelfTestViews, EmailFollowViews):
    def __init__(self, config: dict):
        server = config["server"]
        self.config = config
        self.server = server
        self.production = bool(config.get("production"))
        self.guarded = bool(config.get("guard", True))
        i18n.use(Language(config.get("language", "nl"), config.get("timezone",
                                                                    "Europe/Brussels")))
        secret = read_secret(Path(config["secret"]))
        self.secret = secret
        self.store = Store(Path(config["database"]))
        self.publish_request = config.get("publish_request")
        self.consultations = Consultations(Path(config["site"]))
        self.origin_guard = OriginGuard(config.get("origins", []), config.get("service_url", ""))
        self.tokens = FormTokens(secret, int(server["form_max_age"]),
                                 int(server["time_trap_seconds"]) if self.guarded else 0)
        self.people = People(secret)
        self.auth = ModeratorAuth(config.get("password_hash") or "", secret, self.store)
        self.mailer = Mailer(server.get("smtp") or {})
        self.board_cache = BoardCache(self.store, self.consultations)
        self.pages = Pages(self.consultations, config.get("site_url", ""))
        self.service_url = str(config.get("service_url") or "").rstrip("/")
        self._match = lru_cache(maxsize=1024)(self._match_uncached)
        self.stylesheet = (STATIC / "participation.css").read_bytes()

    # -- WSGI, routing, the checks every request passes -------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            try:
                response = self.decide(request)
            except Refusal as refusal:
                response = self.refused(request, refusal)
        except Exception as exc:  # noqa: BLE001 - never gunicorn's log line with the path
            response = self.failed(request, exc)
        self.cors(request, response)
        if self.private(request):
            response.headers["Referrer-Policy"] = PRIVATE_REFERRER
        return response(environ, start_response)

    @staticmethod
    def private(request) -> bool:
        """A self-test's address (its query carries the answers), or a follow
        link's (its path carries a token): sent as no one's referrer."""
        return ("zelftest" in request.path
                or request.environ.get(ENDPOINT) in PRIVATE_ENDPOINTS)

    json_wanted = staticmethod(wants_json)

    def _match_uncached(self, method: str, path: str):
        endpoint, values = URLS.bind("localhost").match(path, method)
        return endpoint, tuple(sorted(values.items()))

    def route(self, request):
        """The endpoint this request is routed to, and its values."""
        method = request.method if request.method != "OPTIONS" else "GET"
        path = get_path_info(request.environ)
        try:
            try:
                endpoint, values = self._match(method, path)
            except MethodNotAllowed:
                if request.method != "OPTIONS":
                    raise
                endpoint, values = self._match("POST", path)
        except RequestRedirect:
            URLS.bind_to_environ(request.environ).match(method=method)  # with the real host
            raise
        except MethodNotAllowed:
            raise Refusal("method") from None
        except NotFound:
            raise Refusal("unknown") from None
        values = dict(values)
        if any(isinstance(v, int) and v > MAX_ID for v in values.values()):
            raise Refusal("unknown")
        return endpoint, values

    def decide(self, request):
        if len(request.environ.get("QUERY_STRING", "")) > input_check.MAX_QUERY:
            raise input_check.bad_request(N_("the address is too long"))
        try:
            endpoint, values = self.route(request)
        except RequestRedirect as moved:  # the canonical spelling; nothing is decided here
            response = Response(status=308)
            response.headers["Location"] = moved.new_url
            response.headers["Cache-Control"] = "no-store"
            return response
        request.environ[ENDPOINT] = endpoint
        if request.method == "OPTIONS":
            return self.preflight(request)
        if request.method == "HEAD":
            # werkzeug routes HEAD to every GET rule. For the views a HEAD *is* a
            # GET: the page is made (werkzeug and gunicorn send only its headers),
            # never a write branch. Only the Request object is changed; the WSGI
            # environ keeps HEAD, so no body goes out.
            request.method = "GET"
        self.origin_guard.check(request.method, request.environ,
                                originless=endpoint in ORIGINLESS)
        form = {}
        if request.method in WRITE_METHODS:
            body = input_check.read_body(request.environ)
            content_type = request.headers.get("Content-Type", "")
            if endpoint in ORIGINLESS:
                # The token in the address decides; the body only says whether a
                # mail provider's one-click POST (answered as text) sent it.
                one_click = input_check.one_click(content_type, body)
                form = dict([ONE_CLICK]) if one_click else {}
            else:
                repeatable, more = REPEATABLE.get(endpoint, ((), 0))
                form = input_check.parse_form(content_type, body, repeatable,
                                              input_check.MAX_FIELDS + more)
        return getattr(self, "view_" + endpoint)(request, form, **values)

    def preflight(self, request) -> Response:
        response = Response(status=204)
        if self.origin_guard.cors_origin(request.environ):
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
            response.headers["Access-Control-Max-Age"] = "600"
        return response

    def cors(self, request, response) -> None:
        origin = self.origin_guard.cors_origin(request.environ)
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
        response.vary.add("Origin")

    def refused(self, request, refusal: Refusal) -> Response:
        headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after else {}
        if wants_json(request) or request.path.startswith("/api/"):
            return json_response(refusal.body, refusal.status, **headers)
        slug = refusal.slug
        consultation = self.consultations.current().consultations.get(slug) if slug else None
        heading = _(HEADINGS.get(refusal.reason, DEFAULT_HEADING))
        response = self.page(request, "message.html", heading, refusal.status,
                             message=refusal.message, consultation=consultation,
                             link=getattr(refusal, "link", None))
        response.headers.extend(headers)
        return response

    def failed(self, request, exc: Exception) -> Response:
        """An unexpected exception: logged without the request's path or the
        exception's message; a 500 in the site's shell (JSON for the script)."""
        frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
        logger.error("%s failed: %s\n%s", request.environ.get(ENDPOINT) or "(not routed)",
                     type(exc).__name__, frames)
        message = _(SERVER_ERROR)
        if wants_json(request) or request.path.startswith("/api/"):
            return json_response({"reason": "server_error", "message": message}, 500)
        try:
            return self.page(request, "message.html", _("Something went wrong"), 500,
                             message=message, consultation=None, link=None)
        except Exception:  # noqa: BLE001 - the shell itself failed: plain text
            response = Response(message + "\n", 500, content_type="text/plain; charset=utf-8")
            response.headers["Cache-Control"] = "no-store"
            return response

    # -- helpers ------------------------------------------------------------------------

    def page(self, request, template: str, title: str, status: int = 200, **context):
        return self.pages.render(template, title, request.script_root, status,
                                 self.private(request), **context)

    def url(self, request, path: str) -> str:
        return f"{request.script_root}{path}"

    def see(self, request, path: str) -> Response:
        """303 to a page of this service (plain form POST -> redirect -> page)."""
        response = Response(status=303)
        response.headers["Location"] = self.url(request, path)
        response.headers["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def go(location: str) -> Response:
        """303 to an address on the site (a self-test's start or result page)."""
        response = Response(status=303)
        response.headers["Location"] = location
        response.headers["Cache-Control"] = "no-store"
        return response

    def client_network(self, request) -> str:
        return self.people.network(network_of(request.remote_addr or ""))

    def check_honeypot(self, form, slug) -> None:
        if form.get(HONEYPOT, ""):
            raise Refusal("honeypot", slug=slug)

    def write_guards(self, db, request, nonce: str, at: float, bucket: str = "") -> None:
        """Inside a write: the rate limit counts it (in ``bucket``, per network),
        the token is used up."""
        if self.guarded:
            self.store.count_write(db, bucket + self.client_network(request), at,
                                   int(self.server["writes_per_hour"]))
        self.store.use_token(db, nonce, at, int(self.server["form_max_age"]),
                             int(self.server["keep_unconfirmed_days"]))

    def form_error(self, refusal: Refusal, fields: Fields | None = None) -> list:
        """The error summary's lines: (field id, message)."""
        if refusal.reason == "invalid" and fields is not None:
            return list(fields.errors.items())
        # A refused form (too fast, expired) may have field mistakes too: the
        # summary names them all, as the fields show them.
        return [("", refusal.message)] + (list(fields.errors.items()) if fields else [])

    def fresh_token(self, slug: str, previous: str, refusal: Refusal) -> str:
        """The same token when it is still good (a form shown again), else a new one.
        ``slug``: the token's scope (a consultation's slug, or a self-test's scope)."""
        if refusal.reason == "form":
            return self.tokens.issue(slug)
        try:
            self.tokens.check(previous, slug, time.time())
        except Refusal as wrong:
            if wrong.reason != "too_fast":
                return self.tokens.issue(slug)
        return previous

    # -- the citizen's pages ------------------------------------------------------------

    def view_index(self, request, form):
        site = self.consultations.current()
        moment = now()
        items = sorted(site.consultations.values(), key=lambda c: (not c.is_open(moment),
                                                                   c.closes))
        return self.page(request, "index.html", _("Consultations"), consultations=items, at=moment)

    def view_stylesheet(self, request, form):
        response = Response(self.stylesheet, content_type="text/css; charset=utf-8")
        response.headers["Cache-Control"] = "public, max-age=3600"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def view_board(self, request, form, slug):
        consultation = self.consultations.get(slug)
        moment = now()
        return self.page(request, "board.html", consultation.title, consultation=consultation,
                         ideas=self.store.board(slug), open=consultation.is_open(moment),
                         at=moment)

    def view_api_ideas(self, request, form, slug):
        body, etag = self.board_cache.get(slug, now())
        if etag in request.if_none_match:
            response = Response(status=304)
        else:
            response = Response(body, content_type="application/json; charset=utf-8")
        response.headers["ETag"] = f'"{etag}"'
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def view_api_form(self, request, form, slug):
        """A token for the site's script; ``not_before``: seconds to wait before using it."""
        consultation = self.consultations.get(slug)
        return json_response({"ok": True, "token": self.tokens.issue(slug),
                              "not_before": self.tokens.time_trap,
                              "open": consultation.is_open(now())})

    # A new idea.

    def view_idea(self, request, form, slug):
        consultation = self.consultations.get(slug)
        consultation.check_new_idea(now())
        if request.method != "POST":
            return self.idea_form(request, consultation, {}, [], self.tokens.issue(slug))
        fields = Fields(form)
        values = {"title": fields.text("title"), "text": fields.text("text", multiline=True),
                  "name": fields.text("name", required=False),
                  "place": fields.text("place", required=False)}
        token = hidden(form, "token")
        try:
            self.check_honeypot(form, slug)
            at = time.time()
            nonce = self.tokens.check(token, slug, at)
            fields.check()
            status = "pending" if consultation.moderation == "before" else "approved"

            def add(db):
                self.write_guards(db, request, nonce, at)
                return self.store.add_idea(db, slug, values, status)

            idea_id = self.store.write(add)
        except Refusal as refusal:
            if wants_json(request) or refusal.reason not in ("form", "too_fast", "invalid"):
                raise
            return self.idea_form(request, consultation, fields.values,
                                  self.form_error(refusal, fields),
                                  self.fresh_token(slug, token, refusal), refusal.status,
                                  fields.errors)
        if wants_json(request):
            return json_response({"ok": True, "id": idea_id, "status": status,
                                  "token": self.tokens.issue(slug)}, 201)
        return self.see(request, f"/{slug}/bedankt/idee")

    def idea_form(self, request, consultation, values, summary, token, status=200, errors=None):
        return self.page(request, "idea_form.html", _("Post an idea"), status,
                         consultation=consultation, values=values, summary=summary,
                         errors=errors or {}, token=token)

    # Support.

    def view_support(self, request, form, slug, idea):
        consultation = self.consultations.get(slug)
        row = self.store.idea(idea)
        if row is None or row["consultation"] != slug or row["status"] != "approved":
            raise Refusal("unknown", slug=slug)
        consultation.check_open(now())
        if request.method != "POST":
            return self.support_form(request, consultation, row, {}, [], self.tokens.issue(slug))
        fields = Fields(form)
        address = ""
        if consultation.verification == "email":
            # Checked and keyed on its canonical form (People.email); the mail goes
            # where it was typed (NFKC: full-width letters as the ones they stand for).
            fields.email()
            address = input_check.sendable_email(form.get("email", ""))
        token = hidden(form, "token")
        try:
            self.check_honeypot(form, slug)
            at = time.time()
            nonce = self.tokens.check(token, slug, at)
            fields.check()
            if consultation.verification == "email":
                return self.support_by_mail(request, consultation, row, address, nonce, at)
            return self.support_by_cookie(request, consultation, row, nonce, at)
        except Refusal as refusal:
            if wants_json(request) or refusal.reason not in ("form", "too_fast", "invalid"):
                raise
            return self.support_form(request, consultation, row, fields.values,
                                     self.form_error(refusal, fields),
                                     self.fresh_token(slug, token, refusal), refusal.status,
                                     fields.errors)

    def support_form(self, request, consultation, idea, values, summary, token, status=200,
                     errors=None):
        return self.page(request, "support_form.html", _("Support an idea"), status,
                         consultation=consultation, idea=idea, values=values, summary=summary,
                         errors=errors or {}, token=token)

    def support_by_cookie(self, request, consultation, idea, nonce, at):
        slug = consultation.slug
        person = self.people.from_cookie(request.cookies)
        cookie = None
        if person is None:
            person, cookie = self.people.new_cookie()

        def add(db):
            self.write_guards(db, request, nonce, at)
            count = self.store.add_support(db, slug, idea["id"], person, consultation.supports)
            return count, self.store.supports_given(slug, person, db)

        count, given = self.store.write(add)
        if wants_json(request):
            response = json_response({"ok": True, "id": idea["id"], "supports": count,
                                      "supports_left": consultation.supports - given,
                                      "token": self.tokens.issue(slug)})
        else:
            response = self.see(request, f"/{slug}/bedankt/steun/{idea['id']}")
        if cookie:
            set_person_cookie(response, cookie, request.script_root + "/",
                              request.scheme == "https")
        return response

    def support_by_mail(self, request, consultation, idea, address, nonce, at):
        slug = consultation.slug
        person = self.people.email(address)
        key = secrets.token_urlsafe(24)
        hours = int(self.server["email_link_hours"])

        def add(db):
            self.write_guards(db, request, nonce, at)
            self.store.add_confirmation(db, slug, idea["id"], person, key_hash(key),
                                        consultation.supports, at, at + hours * 3600)

        self.store.write(add)
        base = self.service_url or (request.host_url.rstrip("/") + request.script_root)
        link = f"{base}/{slug}/bevestig/{key}"
        try:
            self.mailer.send(address, _("Confirm your support"), _(
                "Hello,\n\nSomeone (we hope you) wants to support this idea with this e-mail "
                "address:\n\n    {idea}\n\nin the consultation \"{consultation}\".\n\nConfirm "
                "your support within {hours} hours by opening this link and pressing the "
                "button:\n\n{link}\n\nDid you not ask for this? Then ignore this mail: nothing "
                "is counted.\n", idea=idea["title"], consultation=consultation.title,
                hours=hours, link=link))
        except Refusal:
            self.store.write(lambda db: db.execute(
                "DELETE FROM confirmations WHERE key_hash = ?", (key_hash(key),)))
            raise
        if wants_json(request):
            return json_response({"ok": True, "mail": True, "token": self.tokens.issue(slug)},
                                 202)
        return self.see(request, f"/{slug}/bedankt/mail")

    def view_confirm(self, request, form, slug, key):
        consultation = self.consultations.get(slug)
        if not KEY.match(key):
            raise Refusal("unknown", _("This confirmation link is not valid."), slug=slug)
        row = self.store.confirmation(self.store.db, key_hash(key))
        if row is None or row["consultation"] != slug:
            raise Refusal("unknown", _("This confirmation link is not valid."), slug=slug)
        if row["confirmed"] is not None:
            return self.see(request, f"/{slug}/bedankt/steun/{row['idea']}")
        if row["expires"] <= time.time():
            raise Refusal("expired", slug=slug)
        consultation.check_open(now())
        idea = self.store.idea(row["idea"])
        if idea is None or idea["status"] != "approved":
            # Hidden, rejected (or gone) since the mail was sent: it cannot be
            # supported any more, and its title is no longer public.
            raise Refusal("unknown", slug=slug)
        if request.method != "POST":
            return self.page(request, "confirm.html", _("Confirm your support"),
                             consultation=consultation, idea=idea)

        def confirm(db):
            current = self.store.confirmation(db, key_hash(key))
            at = time.time()
            if current["confirmed"] is not None:
                return current["idea"]
            if current["expires"] <= at:
                raise Refusal("expired", slug=slug)
            if self.guarded:
                self.store.count_write(db, self.client_network(request), at,
                                       int(self.server["writes_per_hour"]))
            self.store.add_support(db, slug, current["idea"], current["person"],
                                   consultation.supports)
            db.execute("UPDATE confirmations SET confirmed = ? WHERE key_hash = ?",
                       (at, key_hash(key)))
            return current["idea"]

        idea_id = self.store.write(confirm)
        if wants_json(request):
            count = self.store.idea(idea_id)["supports"]
            return json_response({"ok": True, "id": idea_id, "supports": count})
        return self.see(request, f"/{slug}/bedankt/steun/{idea_id}")

    # Reports.

    def view_report(self, request, form, slug, idea):
        consultation = self.consultations.get(slug)
        row = self.store.idea(idea)
        if row is None or row["consultation"] != slug or row["status"] not in ("approved",
                                                                                "hidden"):
            raise Refusal("unknown", slug=slug)
        if request.method != "POST":
            return self.report_form(request, consultation, row, [], self.tokens.issue(slug))
        token = hidden(form, "token")
        try:
            self.check_honeypot(form, slug)
            at = time.time()
            nonce = self.tokens.check(token, slug, at)
        except Refusal as refusal:
            if wants_json(request) or refusal.reason not in ("form", "too_fast"):
                raise
            return self.report_form(request, consultation, row, self.form_error(refusal),
                                    self.fresh_token(slug, token, refusal), refusal.status)
        network = self.client_network(request)
        person = self.people.from_cookie(request.cookies) or network

        def add(db):
            self.write_guards(db, request, nonce, at)
            return self.store.report(db, slug, idea, person, network,
                                     int(self.server["reports_to_hide"]))

        hidden_now = self.store.write(add)
        if hidden_now:  # off the board: its own page must go too
            self.request_publish()
        if wants_json(request):
            return json_response({"ok": True, "id": idea, "hidden": hidden_now,
                                  "token": self.tokens.issue(slug)})
        return self.see(request, f"/{slug}/bedankt/melding")

    def report_form(self, request, consultation, idea, summary, token, status=200):
        return self.page(request, "report_form.html", _("Report an idea"), status,
                         consultation=consultation, idea=idea, summary=summary, errors={},
                         token=token)

    # Thanks.

    def view_thanks_idea(self, request, form, slug):
        consultation = self.consultations.get(slug)
        return self.page(request, "thanks.html", _("Thank you for your idea"),
                         consultation=consultation, kind="idea")

    def view_thanks_support(self, request, form, slug, idea):
        consultation = self.consultations.get(slug)
        row = self.store.idea(idea)
        if row is None or row["consultation"] != slug:
            raise Refusal("unknown", slug=slug)
        person = self.people.from_cookie(request.cookies)
        left = None
        if person and consultation.verification == "indicative":
            left = max(0, consultation.supports - self.store.supports_given(slug, person))
        # Anyone can open this address for any id: only a public (approved)
        # idea's title is said; otherwise a sentence without it.
        public = row if row["status"] == "approved" else None
        return self.page(request, "thanks.html", _("Thank you for your support"),
                         consultation=consultation, kind="support", idea=public, left=left)

    def view_thanks_mail(self, request, form, slug):
        consultation = self.consultations.get(slug)
        return self.page(request, "thanks.html", _("Check your mailbox"),
                         consultation=consultation, kind="mail",
                         hours=int(self.server["email_link_hours"]))

    def view_thanks_report(self, request, form, slug):
        consultation = self.consultations.get(slug)
        return self.page(request, "thanks.html", _("Thank you for your report"),
                         consultation=consultation, kind="report")

    # -- moderation ---------------------------------------------------------------------

    def login_page(self, request, message: str = "", status: int = 401, **headers):
        response = self.page(request, "login.html", _("Moderation – log in"), status,
                             message=message)
        response.headers.extend(headers)
        return response

    def view_login(self, request, form):
        if request.method != "POST":
            return self.login_page(request, status=200)
        password = form.get("password", "")
        try:
            cookie = self.auth.login(password, request.remote_addr or "")
        except Refusal as refusal:
            headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after else {}
            return self.login_page(request, refusal.message, refusal.status, **headers)
        response = self.see(request, "/moderatie/")
        response.set_cookie(SESSION_COOKIE, cookie, max_age=SESSION_SECONDS,
                            path=request.script_root + "/moderatie/", httponly=True,
                            secure=request.scheme == "https", samesite="Strict")
        return response

    def view_logout(self, request, form):
        session = self.auth.session(request.cookies)
        if session is not None:
            self.auth.check_csrf(session, hidden(form, "csrf"))
        response = self.see(request, "/moderatie/login")
        response.delete_cookie(SESSION_COOKIE, path=request.script_root + "/moderatie/",
                               httponly=True, secure=request.scheme == "https",
                               samesite="Strict")
        return response

    def view_moderation(self, request, form, summary=(), errors=None, status=200, typed=None):
        session = self.auth.session(request.cookies)
        if session is None:
            return self.login_page(request)
        done = request.args.get("gedaan", "")
        site = self.consultations.current()
        groups = defaultdict(lambda: {"pending": [], "reported": [], "approved": [],
                                      "done": []})
        for idea in self.store.all_ideas():
            group = groups[idea["consultation"]]
            if idea["status"] == "pending":
                group["pending"].append(idea)
            elif idea["status"] == "hidden" or (idea["status"] == "approved"
                                                and idea["reports"] > idea["reports_seen"]):
                group["reported"].append(idea)
            elif idea["status"] == "approved":
                group["approved"].append(idea)
            else:
                group["done"].append(idea)
        slugs = list(site.consultations) + sorted(set(groups) - set(site.consultations))
        return self.page(request, "moderation.html", _("Moderation"), status,
                         consultations=site.consultations, slugs=slugs, groups=groups,
                         csrf=self.auth.csrf(session), done=done if done in
                         MODERATION_ACTIONS else "", summary=list(summary),
                         errors=errors or {}, typed=typed or {},
                         still_published=self.still_published(done,
                                                              request.args.get("idee", "")))

    def still_published(self, done: str, raw: str) -> bool:
        """After hide or reject: the site's last build published this idea's own
        page (``ideas_built``), which stays online until the next publish."""
        if done not in ("hide", "reject") or not (raw.isascii() and raw.isdigit()
                                                  and len(raw) <= 19 and int(raw) <= MAX_ID):
            return False
        row = self.store.idea(int(raw))
        if row is None or row["status"] != {"hide": "hidden", "reject": "rejected"}[done]:
            return False
        consultation = self.consultations.current().consultations.get(row["consultation"])
        return consultation is not None and row["id"] in consultation.ideas_built

    def view_moderate(self, request, form, idea):
        session = self.auth.session(request.cookies)
        if session is None:
            return self.login_page(request)
        self.auth.check_csrf(session, hidden(form, "csrf"))
        action = hidden(form, "action")
        if action not in MODERATION_ACTIONS:
            raise input_check.bad_request(N_("unknown moderation action"))
        row = self.store.idea(idea)
        if row is None:
            raise Refusal("unknown")
        fields = Fields(form)
        reason = title = ""
        target = None
        if action == "reject":
            reason = fields.text("reason", multiline=True)
        elif action == "title":
            title = fields.text("title")
        elif action == "merge":
            raw = hidden(form, "target", 20)
            target = int(raw) if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID else None
            candidate = self.store.idea(target) if target else None
            if (candidate is None or candidate["id"] == idea
                    or candidate["consultation"] != row["consultation"]
                    or candidate["status"] in ("merged", "rejected")):
                fields.errors["target"] = _("Choose another idea of the same consultation.")
        if fields.errors:
            summary = [(f"{idea}-{name}", message) for name, message in fields.errors.items()]
            errors = {f"{idea}-{name}": message for name, message in fields.errors.items()}
            typed = {f"{idea}-{name}": value for name, value in fields.values.items()}
            return self.view_moderation(request, {}, summary, errors, 422, typed)
        self.store.moderate(idea, action, reason=reason, title=title, target=target)
        self.request_publish()
        return self.see(request, f"/moderatie/?gedaan={action}&idee={idea}#idee-{idea}")

    def request_publish(self) -> None:
        """Ask for the site to be published again: the static idea pages and
        boards follow the moderators (a hidden idea's own page must go). The
        file's time is the request; deploy/systemd/dorpsplein-publish.path
        starts the publish when it changes. Without that unit (a town that
        publishes from CI), nothing happens but the nightly publish."""
        path = self.publish_request
        if path is None:
            return
        try:
            request_publish(path)
        except OSError as exc:  # never fail a moderator's action over it
            logger.warning("could not ask for a publish (%s): %s", path,
                           exc.__class__.__name__)


def create_app():
    """The WSGI app gunicorn runs in each worker."""
    os.umask(0o077)
    path = os.environ.get(SETTINGS_ENV)
    if not path:
        raise SystemExit(f"Set {SETTINGS_ENV} to the service.json that `python -m "
                         "dorpsplein.participation` writes (it starts gunicorn for you).")
    config = load(path)
    app = ParticipationApp(config)
    return TrustedProxyFix(app, config["server"].get("trusted_proxies") or ())
