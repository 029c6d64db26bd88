"""``python -m dorpsplein.comments``: write the config and start gunicorn.

What ``./go comments`` and the preview run, and what the systemd unit starts
in production (``--settings publishconf.py --production``). The database is
prepared here, once, before gunicorn starts; gunicorn then builds the app in
each worker (no ``--preload``), so no lock or thread crosses a fork.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from .app import SETTINGS_ENV
from .config import PASSWORD_ENV, ServerSettingsError, write_config


def _pelican_settings(settings_file: Path) -> dict:
    from pelican.settings import read_settings

    return read_settings(str(settings_file))


def prepare_database(cfg: Path) -> None:
    """Create Isso's tables and session key once, before any worker starts
    (two workers creating them at the same moment would collide)."""
    from isso import config, db

    conf = config.load(config.default_file(), str(cfg))
    db.SQLite3(conf.get("general", "dbpath"), conf)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dorpsplein.comments",
                                     description="Run the town's Isso comment server.")
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
    return parser


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    os.umask(0o077)  # the database, its journal and the config: 0600
    root = Path.cwd()
    try:
        settings = _pelican_settings(root / args.settings)
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
        threads = Path(args.threads or Path(settings["OUTPUT_PATH"]) / "isso-threads.json")
        cfg = write_config(
            settings, root, state_dir / name, threads=threads, production=args.production,
            password=password, extra_origins=args.origin, database=database,
            guard=not args.no_guard,
        )
    except (ValueError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.write_config:
        print(cfg)
        return 0
    if not threads.is_file():
        print(f"{threads} does not exist: build the site first (./go build), so the comment "
              "server knows which threads are open.", file=sys.stderr)
        return 1
    prepare_database(cfg)
    bind = args.bind or settings["ISSO_COMMENTS_SERVER"]["listen"]
    if generated:
        print(f"Comment moderation: http://{bind}/admin/ — password for this run: {password} "
              f"(set {PASSWORD_ENV} to choose one).", flush=True)
    env = dict(os.environ, **{SETTINGS_ENV: str(cfg)})
    command = [
        sys.executable, "-m", "gunicorn", "--workers", str(args.workers),
        "--bind", bind, "--log-level", "warning",
        # gunicorn's control socket would be a second thread in the master
        # (and one socket file shared by every server of this user).
        "--no-control-socket",
        "--access-logfile", "-" if args.production else "/dev/null",
        # No paths in the access log: the e-mailed links carry keys
        # (/id/N/activate/KEY) and a commenter's address
        # (/id/N/unsubscribe/ADDRESS/KEY); method, status and length only.
        "--access-logformat", '%(h)s %(t)s "%(m)s" %(s)s %(b)s',
        "dorpsplein.comments.app:create_app()",
    ]
    os.execvpe(command[0], command, env)
    return 0  # not reached


__all__ = ["main", "ServerSettingsError"]
