"""Comments through the town's own Isso server: the server side.

- ``write_config()`` writes ``isso.cfg`` from the Pelican settings: the allowed
  hosts (SITEURL plus the local preview origins), the database under var/,
  moderation, the guard, a salt of the town's own (generated once, kept in
  var/isso/salt) and the admin password from ``ISSO_ADMIN_PASSWORD``.
- ``ThreadPolicy`` is a thin WSGI layer around Isso's app. It refuses, with
  HTTP 403 and a JSON reason, new comments on threads that the build did not
  publish as open (``isso-threads.json``), and writes whose Origin is not one
  of the site's. Everything else goes to Isso untouched.
- ``create_app()`` is what gunicorn runs::

      ISSO_SETTINGS=var/isso/isso.cfg DORPSPLEIN_THREADS=output/isso-threads.json \\
        gunicorn -w 2 --preload --pythonpath plugins 'isso_comments.server:create_app()'

- ``python -m isso_comments.server`` (with ``plugins`` on the path) writes the
  config and starts gunicorn: that is what ``invoke comments`` runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import sqlite3
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .settings import SERVER_SIDE_CLIENT_KEYS, merged

PASSWORD_ENV = "ISSO_ADMIN_PASSWORD"
SETTINGS_ENV = "ISSO_SETTINGS"
THREADS_ENV = "DORPSPLEIN_THREADS"


class ServerSettingsError(ValueError):
    """The comment server cannot start safely; the message says why."""


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def allowed_origins(settings: dict, production: bool, extra=()) -> list[str]:
    """SITEURL's origin, plus the preview origins when not in production."""
    origins = []
    site = _origin(settings.get("SITEURL") or "")
    if site:
        origins.append(site)
    if not production:
        origins += list(settings["ISSO_COMMENTS_SERVER"]["preview_origins"])
    origins += list(extra)
    seen = []
    for origin in origins:
        normalised = _origin(origin)
        if normalised and normalised not in seen:
            seen.append(normalised)
    if not seen:
        raise ServerSettingsError(
            "The comment server has no website to accept comments from: set SITEURL in "
            "publishconf.py to the site's public address (https://...)."
        )
    return seen


def _salt(state_dir: Path) -> str:
    path = state_dir / "salt"
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24) + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _bool(value) -> str:
    return "true" if value else "false"


def config_text(
    settings: dict,
    root: Path,
    production: bool,
    password: str | None,
    extra_origins=(),
    database: str | None = None,
    guard: bool = True,
) -> str:
    """The isso.cfg for these Pelican settings, every key with a comment."""
    merged(settings)
    server = settings["ISSO_COMMENTS_SERVER"]
    client = settings["ISSO_COMMENTS_CLIENT"]
    db_path = Path(database or server["database"])
    if not db_path.is_absolute():
        db_path = root / db_path
    if production and not password:
        raise ServerSettingsError(
            f"The production comment server needs an admin password: set the {PASSWORD_ENV} "
            "environment variable (for example in the systemd unit) and start it again."
        )
    moderation = server["moderation"] or production
    hosts = allowed_origins(settings, production, extra_origins)
    smtp = server.get("smtp") or {}
    lines = [
        "# Written by Dorpsplein (plugins/isso_comments/server.py) from the Pelican",
        "# settings. Do not edit: change ISSO_COMMENTS_* in pelicanconf.py or",
        "# publishconf.py and run `invoke comments` again.",
        "",
        "[general]",
        "# The SQLite database with every comment (back it up; never put it in git).",
        f"dbpath = {db_path}",
        "# Websites whose pages may post comments (CORS and our Origin check).",
        "host =",
        *[f"    {host}" for host in hosts],
        "# How long a citizen may edit or delete their own comment.",
        f"max-age = {server['max_age']}",
        "# Where moderators hear about new comments: stdout (the log) or smtp.",
        f"notify = {server['notify']}",
        "# E-mail to commenters about replies (only with moderation on and SMTP).",
        f"reply-notifications = {_bool(client.get('reply-notifications'))}",
        "# Never load avatars from a third party.",
        "gravatar = false",
        "# No cross-thread 'latest comments' endpoint: nothing uses it.",
        "latest-enabled = false",
        "",
        "[admin]",
        "# The moderation page at /admin/ (log in with the password below).",
        f"enabled = {_bool(bool(password))}",
        f"# From the {PASSWORD_ENV} environment variable.",
        f"password = {password or 'admin-disabled-' + secrets.token_hex(16)}",
        "",
        "[moderation]",
        "# New comments wait in a queue until a moderator approves them.",
        f"enabled = {_bool(moderation)}",
        "# A commenter approved before is not approved again automatically:",
        "# e-mail addresses are not verified.",
        "approve-if-email-previously-approved = false",
        "# Unapproved comments are deleted after this long.",
        f"purge-after = {server['purge_after']}",
        "",
        "[server]",
        "# Used by `isso run` only; gunicorn binds to --bind instead.",
        f"listen = http://{server['listen']}/",
        "# The web server in front of Isso, whose X-Forwarded-For is trusted, so",
        "# the guard and votes see each citizen's (anonymised) address.",
        "trusted-proxies =",
        *[f"    {proxy}" for proxy in server["trusted_proxies"]],
        "# Cookies for editing one's own comment: Lax on the site's own address.",
        "samesite = Lax",
        "",
        "[guard]",
        "# Rate limits against floods and simple spam scripts.",
        f"enabled = {_bool(guard)}",
        "# New comments per minute from one address (IPv4 /24, IPv6 /48).",
        f"ratelimit = {server['ratelimit']}",
        "# Direct replies to one thread from one address.",
        f"direct-reply = {server['direct_reply']}",
        "# The same values as the client options in ISSO_COMMENTS_CLIENT.",
        f"reply-to-self = {_bool(client.get('reply-to-self'))}",
        f"require-author = {_bool(client.get('require-author'))}",
        f"require-email = {_bool(client.get('require-email'))}",
        "",
        "[hash]",
        "# A salt of this town's own (var/isso/salt), so hashed addresses cannot",
        "# be matched with other Isso installations.",
        f"salt = {_salt(db_path.parent)}",
        "algorithm = pbkdf2",
        "",
        "[markup]",
        "# Comments are Markdown; Isso sanitises the HTML it renders (links, lists,",
        "# quotes, code). No images, no scripts, no styles.",
        "renderer = mistune",
        "",
    ]
    if smtp:
        lines += ["[smtp]", "# Outgoing mail for moderation notices."]
        lines += [f"{key} = {value}" for key, value in smtp.items()]
        lines.append("")
    assert set(SERVER_SIDE_CLIENT_KEYS) >= {"reply-to-self", "require-author", "require-email"}
    return "\n".join(lines)


def write_config(settings: dict, root: Path, target: Path, **kwargs) -> Path:
    text = config_text(settings, root, **kwargs)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    target.chmod(0o600)
    return target


def _json(start_response, status: str, body: dict, origin: str | None = None):
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = [("Content-Type", "application/json; charset=utf-8"),
               ("Content-Length", str(len(data)))]
    if origin:
        # Let the site's own pages read the reason, as Isso's CORS layer would.
        headers += [("Access-Control-Allow-Origin", origin),
                    ("Access-Control-Allow-Credentials", "true"), ("Vary", "Origin")]
    start_response(status, headers)
    return [data]


class ReadCache:
    """Isso's thread reads, kept per process until the database changes.

    Reading a 1,000-comment thread makes Isso re-render and sanitise every
    comment's Markdown (about 140 ms of CPU for 200 comments). A thread read
    depends only on its query string, so the answer is kept and served again
    until *any* write reaches the database: SQLite's ``PRAGMA data_version``
    on a connection of our own changes whenever another connection (Isso's,
    in this or another worker) commits. The first read after a new comment,
    vote, edit or moderation is therefore fresh, in every worker.
    """

    def __init__(self, database: Path, size: int = 256):
        self.database = database
        self.size = size
        self.entries: dict = {}
        self._version = None
        self._connection = None

    def version(self):
        if self._connection is None:
            if not self.database.exists():
                return None
            self._connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True,
                                               timeout=30, check_same_thread=False)
        return self._connection.execute("PRAGMA data_version").fetchone()[0]

    def get(self, key):
        version = self.version()
        if version != self._version:
            self.entries.clear()
            self._version = version
        return self.entries.get(key)

    def put(self, key, value) -> None:
        if len(self.entries) >= self.size:
            self.entries.pop(next(iter(self.entries)))
        self.entries[key] = value


class ThreadPolicy:
    """WSGI layer around Isso: closed threads and foreign origins are refused,
    thread reads are cached until the database changes."""

    WRITE_METHODS = {"POST", "PUT", "DELETE"}

    def __init__(self, app, threads_path: str | os.PathLike, origins: list[str],
                 database: str | os.PathLike | None = None):
        self.app = app
        self.threads_path = Path(threads_path)
        self.origins = {o.rstrip("/") for o in origins}
        self.database = Path(database) if database else None
        self._threads: dict = {}
        self._mtime: float | None = None
        self._created: set[str] = set()
        self.cache = ReadCache(self.database) if self.database else None

    def ensure_thread(self, uri: str, title: str) -> None:
        """Create the thread row before Isso sees the first comment.

        Isso creates a thread on its first comment; two first comments at the
        same moment in two gunicorn workers both try, and one gets a 500
        (UNIQUE constraint on threads.uri). INSERT OR IGNORE is atomic, and the
        title comes from the build, so Isso never fetches the page for it.
        """
        if self.database is None or uri in self._created:
            return
        with sqlite3.connect(self.database, timeout=30) as db:
            exists = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND "
                                "name='threads'").fetchone()
            if exists:
                db.execute("INSERT OR IGNORE INTO threads (uri, title) VALUES (?, ?)",
                           (uri, title))
                self._created.add(uri)

    def threads(self) -> dict:
        """The build's thread list, re-read whenever the file changes."""
        try:
            mtime = self.threads_path.stat().st_mtime
        except FileNotFoundError:
            self._threads, self._mtime = {}, None
            return self._threads
        if mtime != self._mtime:
            with self.threads_path.open(encoding="utf-8") as handle:
                self._threads = json.load(handle).get("threads", {})
            self._mtime = mtime
        return self._threads

    def _own_origin(self, environ) -> str:
        scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "http")
        host = environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST", "")
        return f"{scheme}://{host}"

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        origin = environ.get("HTTP_ORIGIN") or _origin(environ.get("HTTP_REFERER", "")) or ""
        origin = origin.rstrip("/")
        foreign = origin not in self.origins and origin != self._own_origin(environ)
        if method in self.WRITE_METHODS and foreign:
            return _json(start_response, "403 Forbidden", {
                "reason": "origin-not-allowed",
                "message": "This comment server only accepts comments from the town's "
                           "own website.",
            })
        path = environ.get("PATH_INFO", "")
        if method == "POST" and path.rstrip("/") == "/new":
            uri = (parse_qs(environ.get("QUERY_STRING", "")).get("uri") or [""])[0]
            thread = self.threads().get(uri)
            if thread is None:
                return _json(start_response, "403 Forbidden", {
                    "reason": "unknown-thread",
                    "message": "There is no article with comments at this address.",
                }, origin)
            if thread.get("state") != "open":
                return _json(start_response, "403 Forbidden", {
                    "reason": "thread-closed",
                    "message": "Comments on this article are closed.",
                }, origin)
            self.ensure_thread(uri, thread.get("title") or uri)
        if method == "GET" and path in ("", "/") and self.cache is not None:
            return self.cached_read(environ, start_response, origin)
        return self.app(environ, start_response)

    def cached_read(self, environ, start_response, origin: str):
        # Isso's CORS headers depend on the requesting origin: part of the key.
        key = (environ.get("QUERY_STRING", ""), origin)
        hit = self.cache.get(key)
        if hit is None:
            captured = {}

            def capture(status, headers, exc_info=None):
                captured["status"], captured["headers"] = status, headers
                return lambda data: None  # Isso returns its body; it never writes

            body = b"".join(self.app(environ, capture))
            status, headers = captured["status"], list(captured["headers"])
            if not status.startswith("200") or any(
                    name.lower() == "set-cookie" for name, _ in headers):
                start_response(status, headers)
                return [body]
            etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            headers = [(n, v) for n, v in headers if n.lower() not in ("etag",
                                                                         "content-length")]
            headers += [("ETag", etag), ("Content-Length", str(len(body))),
                        ("Cache-Control", "no-cache")]
            hit = (status, headers, body, etag)
            self.cache.put(key, hit)
        status, headers, body, etag = hit
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            start_response("304 Not Modified", [(n, v) for n, v in headers
                                                if n.lower() != "content-length"])
            return [b""]
        start_response(status, headers)
        return [body]


def create_app():
    """The WSGI app gunicorn runs: Isso, wrapped in ThreadPolicy."""
    from isso import config, make_app

    settings_path = os.environ.get(SETTINGS_ENV)
    threads_path = os.environ.get(THREADS_ENV)
    if not settings_path or not threads_path:
        raise ServerSettingsError(
            f"Set {SETTINGS_ENV} (the isso.cfg) and {THREADS_ENV} (the build's "
            "isso-threads.json) before starting the comment server; `invoke comments` does."
        )
    conf = config.load(config.default_file(), settings_path)
    app = make_app(conf, multiprocessing=True)
    origins = list(conf.getiter("general", "host"))
    return ThreadPolicy(app, threads_path, origins, database=conf.get("general", "dbpath"))


def _pelican_settings(settings_file: Path) -> dict:
    from pelican.settings import read_settings

    return read_settings(str(settings_file))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run the town's Isso comment server.")
    parser.add_argument("--settings", default="pelicanconf.py",
                        help="Pelican settings file (publishconf.py for production).")
    parser.add_argument("--production", action="store_true",
                        help="Production: moderation on, admin password required.")
    parser.add_argument("--bind", help="host:port to listen on (default: from the settings).")
    parser.add_argument("--origin", action="append", default=[],
                        help="Another website origin allowed to post (repeatable).")
    parser.add_argument("--database", help="SQLite database path (default: from the settings).")
    parser.add_argument("--state-dir", default="var/isso",
                        help="Folder for isso.cfg and the salt (git-ignored).")
    parser.add_argument("--threads", default=None,
                        help="The build's isso-threads.json (default: OUTPUT_PATH/...).")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
    parser.add_argument("--no-guard", action="store_true",
                        help="Switch the rate-limit guard off (load tests only).")
    parser.add_argument("--write-config", action="store_true",
                        help="Only write isso.cfg and print its path.")
    args = parser.parse_args(argv)

    root = Path.cwd()
    try:
        settings = _pelican_settings(root / args.settings)
        merged(settings)
        state_dir = root / args.state_dir
        password = os.environ.get(PASSWORD_ENV)
        generated = False
        if not password and not args.production:
            password = secrets.token_urlsafe(12)
            generated = True
        name = "isso-production.cfg" if args.production else "isso.cfg"
        database = args.database
        if database is None and args.state_dir != "var/isso":
            database = str(state_dir / "comments.db")
        cfg = write_config(
            settings, root, state_dir / name, production=args.production, password=password,
            extra_origins=args.origin, database=database, guard=not args.no_guard,
        )
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.write_config:
        print(cfg)
        return 0
    threads = Path(args.threads or Path(settings["OUTPUT_PATH"]) / "isso-threads.json")
    if not threads.is_file():
        print(f"{threads} does not exist: build the site first (invoke build), so the comment "
              "server knows which threads are open.", file=sys.stderr)
        return 1
    bind = args.bind or settings["ISSO_COMMENTS_SERVER"]["listen"]
    if generated:
        print(f"Comment moderation: http://{bind}/admin/ — password for this run: {password} "
              f"(set {PASSWORD_ENV} to choose one).", flush=True)
    env = dict(os.environ, **{SETTINGS_ENV: str(cfg), THREADS_ENV: str(threads.resolve())})
    plugins = str(Path(__file__).resolve().parent.parent)
    command = [
        sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--preload",
        "--bind", bind, "--pythonpath", plugins, "--log-level", "warning",
        "--access-logfile", "-" if args.production else "/dev/null",
        "isso_comments.server:create_app()",
    ]
    os.execvpe(command[0], command, env)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
