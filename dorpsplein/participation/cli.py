"""``python -m dorpsplein.participation``: write the config and start gunicorn.

What ``./go participation``, the preview and the systemd unit run
(production: ``--settings publishconf.py --production``). One subcommand
beside it: ``python -m dorpsplein.participation mail-new [--state-dir DIR]``,
the mail job (``mail_new``; ``./go mail-new``, a systemd timer); the service's
own arguments all start with ``--``, so the two never meet. The database is
prepared here, once (schema, WAL), before gunicorn starts; gunicorn then
builds the app in each worker (no ``--preload``), so no connection, lock or
thread crosses a fork.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from .config import PASSWORD_ENV, ServiceSettingsError, write_config
from .store import prepare

SETTINGS_ENV = "PARTICIPATION_SETTINGS"
DEFAULT_STATE = "var/participation"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dorpsplein.participation",
        description="Run the town's participation service.",
        epilog="python -m dorpsplein.participation mail-new --help: the mail job that mails "
               "each new article once to the citizens who follow the site by e-mail.")
    parser.add_argument("--settings", default="pelicanconf.py",
                        help="Pelican settings file (publishconf.py for production).")
    parser.add_argument("--production", action="store_true",
                        help="Production: moderators' password and mail server required.")
    parser.add_argument("--bind", help="host:port to listen on (default: from the settings).")
    parser.add_argument("--origin", action="append", default=[],
                        help="Another website origin allowed to send forms (repeatable).")
    parser.add_argument("--state-dir", default=DEFAULT_STATE,
                        help="Folder for the config, the secret and the database.")
    parser.add_argument("--database", help="SQLite database (default: in the state folder).")
    parser.add_argument("--site", help="The build's participation.json "
                                       "(default: OUTPUT_PATH/participation.json).")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
    parser.add_argument("--no-guard", action="store_true",
                        help="Rate limit and time trap off (load tests only).")
    return parser


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["mail-new"]:
        from .mail_new import main as mail_new

        return mail_new(argv[1:])
    args = parser().parse_args(argv)
    os.umask(0o077)  # the database, its WAL and shm, the config, the secret: 0600
    root = Path.cwd()
    password = os.environ.get(PASSWORD_ENV) or None
    generated = False
    if not password and not args.production:
        password, generated = secrets.token_urlsafe(12), True
    try:
        from pelican.settings import read_settings

        settings = read_settings(str(root / args.settings))
        state_dir = root / args.state_dir
        if args.database:
            database = root / args.database
        elif args.state_dir != DEFAULT_STATE:
            database = state_dir / "participation.db"
        else:
            database = root / (settings.get("PARTICIPATION_SERVER") or {}).get(
                "database", f"{DEFAULT_STATE}/participation.db")
        site = Path(args.site) if args.site else \
            Path(settings["OUTPUT_PATH"]) / "participation.json"
        listen = (settings.get("PARTICIPATION_SERVER") or {}).get("listen", "127.0.0.1:8091")
        bind = args.bind or listen
        config = write_config(settings, state_dir, site=root / site, database=database,
                              bind=bind, production=args.production, password=password,
                              extra_origins=args.origin, guard=not args.no_guard)
        prepare(database)
    except (ValueError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    if generated:
        print(f"Participation moderation: http://{bind}/moderatie/ — password for this run: "
              f"{password} (set {PASSWORD_ENV} to choose one).", flush=True)
    env = dict(os.environ, **{SETTINGS_ENV: str(config)})
    command = [
        sys.executable, "-m", "gunicorn", "--workers", str(max(1, args.workers)),
        "--bind", bind, "--log-level", "warning", "--timeout", "30",
        # gunicorn's control socket would be a second thread in the master
        # (and one socket file shared by every server of this user).
        "--no-control-socket",
        "--access-logfile", "-" if args.production else "/dev/null",
        # No paths in the access log: /<slug>/bevestig/<key> would put every
        # mailed confirmation key in the journal, and anyone who can read it
        # could confirm pending supports. The key stays in the mailed URL (a
        # citizen opens it); the simplest honest fix is to log the method,
        # status and length only -- the request line, query and referer never.
        "--access-logformat", '%(h)s %(t)s "%(m)s" %(s)s %(b)s',
        "dorpsplein.participation.app:create_app()",
    ]
    os.execvpe(command[0], command, env)
    return 0  # not reached


__all__ = ["main", "ServiceSettingsError"]
