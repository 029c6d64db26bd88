"""The comment server's configuration, written from the Pelican settings.

``write_config()`` fills the template ``isso.cfg.in`` (every key commented)
from ``ISSO_COMMENTS_*`` and writes, 0600 in a 0700 folder:

- ``isso.cfg`` (or ``isso-production.cfg``): Isso's own configuration;
- the same name with ``.json``: what our layer needs besides (the build's
  thread list, the hash of the moderators' password, the site's address and
  name, the comment server's public address and the site's language, which
  the mails use).

A value that cannot be written safely stops the start with one sentence.
"""

from __future__ import annotations

import json
import os
import secrets
from email.utils import parseaddr
from pathlib import Path
from string import Template

from isso_comments.settings import merged

from .moderation import hash_password
from .origin_guard import origin_of

PASSWORD_ENV = "ISSO_ADMIN_PASSWORD"
TEMPLATE = Path(__file__).with_name("isso.cfg.in")


class ServerSettingsError(ValueError):
    """The comment server cannot start safely; the message says why."""


def allowed_origins(settings: dict, production: bool, extra=()) -> list[str]:
    """SITEURL's origin, plus the preview origins when not in production."""
    origins = []
    site = origin_of(settings.get("SITEURL") or "")
    if site:
        origins.append(site)
    if not production:
        origins += list(settings["ISSO_COMMENTS_SERVER"]["preview_origins"])
    origins += list(extra)
    seen = []
    for origin in origins:
        normalised = origin_of(origin)
        if normalised and normalised not in seen:
            seen.append(normalised)
    if not seen:
        raise ServerSettingsError(
            "The comment server has no website to accept comments from: set SITEURL in "
            "publishconf.py to the site's public address (https://...)."
        )
    return seen


def public_endpoint(settings: dict) -> str:
    """The comment server's address as citizens reach it, for the links in
    mails: ISSO_COMMENTS_URL, under SITEURL's origin when it is a path; ""
    when neither says (Isso then uses the request's own host)."""
    url = str(settings.get("ISSO_COMMENTS_URL") or "").rstrip("/")
    if origin_of(url):
        return url
    site = origin_of(settings.get("SITEURL") or "")
    return f"{site}{url}" if site and url.startswith("/") else ""


def sender(value: str, site_name: str) -> str:
    """smtp['from'] with the site's name when it names no one (Isso would
    put its own motto there: "Ich schrei sonst!")."""
    name, address = parseaddr(value)
    name = name or " ".join(site_name.split())
    if not name:
        return address
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def private_folder(path: Path) -> Path:
    """A folder only the service's user can read (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as 0600, atomically (never half a file)."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(partial, 0o600)
    os.replace(partial, path)


def _salt(state_dir: Path) -> str:
    path = state_dir / "salt"
    if not path.exists():
        write_private(path, secrets.token_urlsafe(24) + "\n")
    return path.read_text(encoding="utf-8").strip()


def _bool(value) -> str:
    return "true" if value else "false"


def _single_line(name: str, value: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ServerSettingsError(
            f"{name} contains a control character (such as a line break): choose one "
            "without, on a single line."
        )
    return value


def _indented(values) -> str:
    return "\n".join(f"    {_single_line('A host or proxy address', str(v))}" for v in values)


def config_values(settings: dict, root: Path, production: bool, password: str | None,
                  extra_origins=(), database: str | None = None, guard: bool = True) -> dict:
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
    if password is not None:
        _single_line(f"The {PASSWORD_ENV} environment variable", password)
    smtp = dict(server.get("smtp") or {})
    if smtp.get("from"):
        smtp["from"] = sender(str(smtp["from"]), settings.get("SITENAME") or "")
    smtp_lines = ""
    if smtp:
        smtp_lines = ("\n[smtp]\n# Outgoing mail: moderators' notices and reply "
                      "notifications\n# (dorpsplein/comments/notifications.py).\n") + "\n".join(
            f"{key} = {_single_line(f'ISSO_COMMENTS_SERVER smtp {key!r}', str(value))}"
            for key, value in smtp.items()) + "\n"
    private_folder(db_path.parent)
    return {
        "dbpath": str(db_path),
        "hosts": _indented(allowed_origins(settings, production, extra_origins)),
        "max_age": server["max_age"],
        "notify": server["notify"],
        "reply_notifications": _bool(client.get("reply-notifications")),
        "admin_enabled": _bool(bool(password)),
        "admin_password": password or "admin-disabled-" + secrets.token_hex(16),
        "moderation": _bool(server["moderation"] or production),
        "purge_after": server["purge_after"],
        "listen": server["listen"],
        "public_endpoint": _single_line("ISSO_COMMENTS_URL", public_endpoint(settings)),
        "trusted_proxies": _indented(server["trusted_proxies"]),
        "guard": _bool(guard),
        "ratelimit": server["ratelimit"],
        "direct_reply": server["direct_reply"],
        "reply_to_self": _bool(client.get("reply-to-self")),
        "require_author": _bool(client.get("require-author")),
        "require_email": _bool(client.get("require-email")),
        "salt": _salt(db_path.parent),
        "smtp": smtp_lines,
    }


def config_text(settings: dict, root: Path, **kwargs) -> str:
    """The isso.cfg for these Pelican settings, every key with a comment."""
    values = config_values(settings, root, **kwargs)
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(values)


def write_config(settings: dict, root: Path, target: Path, threads: Path | None = None,
                 **kwargs) -> Path:
    """Write isso.cfg and its companion .json (0600); returns the .cfg path."""
    values = config_values(settings, root, **kwargs)
    private_folder(target.parent)
    write_private(target, Template(TEMPLATE.read_text(encoding="utf-8")).substitute(values))
    password = kwargs.get("password")
    service = {
        "threads": str(threads.resolve()) if threads else None,
        "state_dir": str(Path(values["dbpath"]).parent),
        "password_hash": hash_password(password) if password else None,
        "site_url": (settings.get("SITEURL") or "").rstrip("/"),
        "site_name": settings.get("SITENAME") or "",
        "public_endpoint": values["public_endpoint"],
        "language": settings.get("DEFAULT_LANG") or "nl",
        "read_cache_bytes": settings["ISSO_COMMENTS_SERVER"]["read_cache_bytes"],
    }
    write_private(target.with_suffix(".json"), json.dumps(service, indent=1) + "\n")
    return target
