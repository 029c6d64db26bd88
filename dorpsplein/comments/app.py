"""The comment service: Isso, with one decision point after its routing.

``create_app()`` is what gunicorn runs, once in every worker (no
``--preload``: nothing that opens the database or starts a thread runs in
the master before it forks). It composes, outermost first, the way Isso's own
``make_app`` does, minus its demo page and its start-up HTTP probe:

    ProxyFix -> SubURI -> CORS -> static files (js, css, img) -> TownIsso

``TownIsso.wsgi_app`` routes each request with Isso's own URL map -- the very
match Isso will dispatch on, after the proxy headers and X-Script-Name have
been applied -- and asks, for that route:

1. ``OriginGuard``: a write comes from the town's website;
2. ``input_check``: the body and query are bounded and well typed; Isso gets a
   clean body of only the values it accepted;
3. ``ThreadGate``: a write goes to a published, open thread;
4. ``ModeratorAuth``: the admin page, login and moderation links;
5. ``unsubscribe``: the link in reply notifications (a page with a button on
   GET; Isso's unsubscribe on POST, which Isso's map gains for that route);
6. ``ReadCache``: thread reads are answered from memory until the database
   changes.

Mails (moderators' notices, reply notifications) are ``notifications``'s,
which takes the place of Isso's notifiers in its signal table.

Any refusal is a ``Refusal`` (4xx, JSON reason). Isso's own refusals are
given the same shape on the way out.
"""

from __future__ import annotations

import io
import json
import logging
import os
from functools import lru_cache
from pathlib import Path

from isso import Isso, local, local_manager
from isso.core import ThreadedMixin
from isso.utils import JSONRequest
from isso.views.comments import API
from isso.wsgi import CORSMiddleware, SubURI, origin
from itsdangerous import BadSignature, SignatureExpired
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.routing import RequestRedirect, Rule
from werkzeug.wsgi import get_path_info

from . import i18n, input_check, notifications, unsubscribe
from .isso_fixes import OwnRowComments, TownGuard
from .moderation import ModeratorAuth, invalid_key_page
from .origin_guard import WRITE_METHODS, OriginGuard
from .read_cache import ReadCache
from .refusals import Refusal
from .thread_gate import ThreadGate

SETTINGS_ENV = "ISSO_SETTINGS"
logger = logging.getLogger("dorpsplein.comments")

# Isso routes nothing on a town site uses (its demo page, the cross-thread
# latest list, per-thread Atom feeds): answered 404 whatever the config says.
DISABLED = {"demo", "latest", "feed"}
# Isso unsubscribes on a GET; here the GET shows a page and a POST acts.
UNSUBSCRIBE = "/id/<int:id>/unsubscribe/<string:email>/<string:key>"
STATUS_REASONS = {400: "invalid-request", 401: "login-required", 403: "not-allowed",
                  404: "not-found", 405: "method-not-allowed", 413: "too-large",
                  415: "not-json"}


def client_address(environ, trusted) -> str:
    """The citizen's address: the proxy's X-Forwarded-For only when the
    connection comes from a trusted proxy, else the connection itself."""
    peer = environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR") or \
        environ.get("REMOTE_ADDR", "")
    if peer in trusted:
        return environ.get("REMOTE_ADDR", peer)
    return peer


def _no_author_hash(value: bytes) -> bytes:
    """No pseudonym of an author's e-mail or address in any answer."""
    return b""


class TownIsso(Isso, ThreadedMixin):
    def __init__(self, conf, service: dict):
        super().__init__(conf)
        i18n.use(service.get("language"))
        notifications.install(self, service)
        self.urls.add(Rule(UNSUBSCRIBE, methods=["POST"], endpoint=self._unsubscribe_post))
        # Isso 0.14's storage answers a new comment with the newest row in the
        # database and says its refusals in prose; see isso_fixes.
        self.db.comments.__class__ = OwnRowComments
        self.db.guard.__class__ = TownGuard
        # Isso answers every comment with a "hash" of its author's e-mail or
        # address (PBKDF2, the town's salt): only avatars use it, and those
        # are off, yet anyone could link all comments made with one address.
        # Its views took the hasher's uhash; this makes it hash to "".
        self.hasher.compute = _no_author_hash
        self.signal.subscriptions["comments.new:guard"].append(self._remember_guard)
        database = Path(conf.get("general", "dbpath"))
        self.trusted = set(conf.getiter("server", "trusted-proxies"))
        self.require_author = conf.getboolean("guard", "require-author")
        self.require_email = conf.getboolean("guard", "require-email")
        self.site_url = service.get("site_url") or ""
        self.origin_guard = OriginGuard(conf.getiter("general", "host"))
        self.gate = ThreadGate(service["threads"], database)
        self.moderation = ModeratorAuth(service.get("password_hash") or "",
                                        Path(service.get("state_dir") or database.parent),
                                        self.unsign)
        self.read_cache = ReadCache(database, service.get("read_cache_bytes", 16 << 20))
        self.route_names = self._route_names()
        self._match = lru_cache(maxsize=1024)(self._match_uncached)

    def _route_names(self) -> dict:
        """Isso's route rules -> the name of the view each runs (its decorators
        hide the function names, so ask the API object's attributes)."""
        names = {}
        for rule in self.urls.iter_rules():
            endpoint = rule.endpoint
            owner = getattr(endpoint, "__self__", None)
            name = next((view for view, _ in API.VIEWS if getattr(owner, view, None) == endpoint),
                        getattr(endpoint, "__name__", "unknown"))
            names[(rule.rule, frozenset(rule.methods or ()))] = name
        names[(UNSUBSCRIBE, frozenset({"POST"}))] = "unsubscribe"
        return names

    @staticmethod
    def _unsubscribe_post(environ, request, **values):
        # Never dispatched: check_unsubscribe answers every POST itself.
        raise MethodNotAllowed()

    @staticmethod
    def _remember_guard(reason):
        local.guard_reason = reason

    # -- routing and the checks ------------------------------------------------------

    def wsgi_app(self, environ, start_response):
        try:
            response = self.decide(environ)
        except Refusal as refusal:
            response = refusal.response()
        return response(environ, start_response)

    def route(self, environ):
        """Isso's own route for this request: (view name, values).

        Werkzeug's match depends only on the method and the path, so the
        answer is memoised per (method, path) -- the same decision, made once
        (a redirect is never memoised: its address depends on the host)."""
        try:
            name, values = self._match(environ.get("REQUEST_METHOD", "GET"),
                                       get_path_info(environ))
        except RequestRedirect:
            self.urls.bind_to_environ(environ).match()  # raises it with the right host
            raise
        except MethodNotAllowed:
            raise Refusal("method-not-allowed") from None
        except NotFound:
            raise Refusal("not-found") from None
        if name in DISABLED or any(isinstance(v, int) and v > input_check.MAX_ID
                                   for _, v in values):
            raise Refusal("not-found")
        return name, dict(values)

    def _match_uncached(self, method: str, path: str):
        rule, values = self.urls.bind("localhost").match(path, method, return_rule=True)
        return (self.route_names[(rule.rule, frozenset(rule.methods or ()))],
                tuple(sorted(values.items())))

    def decide(self, environ):
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            name, values = self.route(environ)
        except RequestRedirect as redirect:
            return redirect.get_response(environ)
        self.origin_guard.check(method, environ, name)
        if len(environ.get("QUERY_STRING", "")) > input_check.MAX_QUERY:
            raise Refusal("invalid-request")
        body = b""
        if method in WRITE_METHODS or environ.get("CONTENT_LENGTH"):
            body = input_check.read_body(environ)
        request = self.request_with(environ, body)
        handler = getattr(self, "check_" + name, None)
        if handler is not None:
            answer = handler(request, environ, body, **values)
            if answer is not None:
                return answer if not isinstance(answer, JSONRequest) else \
                    self.run(name, answer)
        return self.run(name, request)

    @staticmethod
    def request_with(environ, body: bytes, content_type: str | None = None,
                     query: str | None = None) -> JSONRequest:
        """A fresh request on ``environ`` whose body (and query) Isso will read."""
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        if content_type:
            environ["CONTENT_TYPE"] = content_type
        if query is not None:
            environ["QUERY_STRING"] = query
        return JSONRequest(environ)

    def json_body(self, request, body: bytes, required: bool = True):
        content_type = request.mimetype
        if content_type != "application/json" and (body or content_type):
            raise Refusal("not-json")
        if not body and not required:
            return None
        return input_check.parse_json(body)

    def clean(self, environ, data) -> JSONRequest:
        payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return self.request_with(environ, payload, "application/json")

    def own_comment(self, request, comment_id: int) -> None:
        """The edit cookie Isso gave this citizen for exactly this comment."""
        try:
            value = self.unsign(request.cookies.get(str(comment_id), ""))
        except (BadSignature, SignatureExpired):
            raise Refusal("not-allowed") from None
        if not (isinstance(value, list) and len(value) == 2 and value[0] == comment_id
                and isinstance(value[1], str)):
            raise Refusal("not-allowed")

    # One method per route that needs more than Isso's own handling.

    def check_new(self, request, environ, body):
        uri = input_check.single(request.args, "uri")
        data = input_check.clean_new(self.json_body(request, body), self.require_author,
                                     self.require_email)
        self.gate.check_new(uri)
        return self.clean(environ, data)

    def check_edit(self, request, environ, body, id):
        self.own_comment(request, id)
        self.gate.check_comment_write(id)
        return self.clean(environ, input_check.clean_edit(self.json_body(request, body),
                                                          self.require_author))

    def check_delete(self, request, environ, body, id):
        self.json_body(request, body, required=False)
        self.own_comment(request, id)
        self.gate.check_comment_write(id)

    def check_view(self, request, environ, body, id):
        self.own_comment(request, id)

    def check_like(self, request, environ, body, id):
        self.json_body(request, body, required=False)
        self.gate.check_comment_write(id)

    check_dislike = check_like

    def check_counts(self, request, environ, body):
        return self.clean(environ, input_check.clean_counts(self.json_body(request, body)))

    def check_preview(self, request, environ, body):
        return self.clean(environ, input_check.clean_preview(self.json_body(request, body)))

    def check_fetch(self, request, environ, body):
        key = input_check.fetch_args(request.args)

        def produce():  # Isso reads exactly the checked parameters
            clean = self.request_with(environ, b"", query=input_check.fetch_query(key))
            return self.run("fetch", clean)

        return self.read_cache.serve(key, request, produce)

    def check_admin(self, request, environ, body):
        refusal = self.moderation.admin(request)
        if refusal is None:
            input_check.admin_args(request.args)
        return refusal

    def check_login(self, request, environ, body):
        if request.mimetype != "application/x-www-form-urlencoded":
            raise Refusal("invalid-request")
        answer = self.moderation.login(request, client_address(environ, self.trusted))
        return answer or self.request_with(environ, body)

    def check_moderate(self, request, environ, body, id, action, key):
        comment_id = self.moderation.comment_of_key(key)
        if comment_id is None:
            return invalid_key_page()
        if request.method == "GET":
            if action == "edit":
                raise Refusal("not-found")
            return self.moderation.confirm_page(action)
        if request.mimetype == "application/x-www-form-urlencoded":  # our confirm page
            if action == "edit":
                raise Refusal("not-found")
            link = self.link_to(comment_id)
            try:
                done = self.run("moderate", self.request_with(environ, b"")).status_code == 200
            except Refusal:
                done = False
            return self.moderation.result_page(action, done, link)
        if action == "edit":  # Isso's admin page (text/plain JSON)
            return self.clean(environ, input_check.clean_edit(input_check.parse_json(body),
                                                              False))
        return self.request_with(environ, b"")

    def check_unsubscribe(self, request, environ, body, id, email, key):
        if request.method in ("GET", "HEAD"):
            if not unsubscribe.key_matches(self.unsign, email, key):
                return unsubscribe.result_page(403)
            if self.db.comments.get(id) is None:
                return unsubscribe.result_page(404)
            return unsubscribe.confirm_page()
        # POST: our button, or a mail provider's one click (RFC 8058).
        if request.mimetype not in unsubscribe.FORM_TYPES or \
                not unsubscribe.wants_out(request.form):
            return unsubscribe.result_page(400)
        link = self.link_to(id)
        environ["REQUEST_METHOD"] = "GET"  # Isso's own view: its check, its update
        status = self.run("unsubscribe", self.request_with(environ, b"")).status_code
        return unsubscribe.result_page(status, link)

    def link_to(self, comment_id: int) -> str | None:
        try:
            uri = self.gate.thread_of(comment_id)
        except Refusal:
            return None
        return f"{self.site_url}{uri}#isso-{comment_id}" if uri else None

    # -- Isso, and its answers in our shape -----------------------------------------

    def run(self, name: str, request: JSONRequest):
        response = self.dispatch(request)
        if isinstance(response, HTTPException):
            response = response.get_response(request.environ)
        status = response.status_code
        if name == "new" and status == 403:
            reason = getattr(local, "guard_reason", "") or ""
            if reason.startswith("too-soon:"):
                raise Refusal("too-soon", retry_after=int(reason.split(":", 1)[1]))
            if reason in ("too-many-comments", "author-required", "email-required"):
                raise Refusal(reason)
        if status >= 400 and status < 500 and name not in ("login", "admin", "unsubscribe") \
                and response.mimetype != "application/json":
            raise Refusal(STATUS_REASONS.get(status, "invalid-request"))
        if status >= 400 and status < 500 and response.mimetype == "application/json":
            body = json.loads(response.get_data(as_text=True) or "{}")
            if "reason" not in body:
                raise Refusal(STATUS_REASONS.get(status, "invalid-request"))
        return response


def compose(isso: TownIsso, conf):
    """Isso's middleware around our app, outermost last (as isso.make_app)."""
    static = Path(__import__("isso").__file__).parent
    app = local_manager.make_middleware(isso)
    app = SharedDataMiddleware(app, {"/js": str(static / "js"), "/css": str(static / "css"),
                                     "/img": str(static / "img")})
    app = CORSMiddleware(app, origin=origin(conf.getiter("general", "host")),
                         allowed=("Origin", "Referer", "Content-Type"),
                         exposed=("X-Set-Cookie", "Date"))
    app = SubURI(app)
    return ProxyFix(app, x_for=1, x_proto=1, x_host=1)


def load(settings_path: str | os.PathLike):
    from isso import config

    conf = config.load(config.default_file(), str(settings_path))
    service_path = Path(settings_path).with_suffix(".json")
    service = json.loads(service_path.read_text(encoding="utf-8"))
    return conf, service


def create_app():
    """The WSGI app gunicorn runs in each worker."""
    os.umask(0o077)
    settings_path = os.environ.get(SETTINGS_ENV)
    if not settings_path:
        raise SystemExit(f"Set {SETTINGS_ENV} to the isso.cfg that `python -m "
                         "dorpsplein.comments` writes (it starts gunicorn for you).")
    conf, service = load(settings_path)
    return compose(TownIsso(conf, service), conf)
