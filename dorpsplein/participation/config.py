"""The service's configuration, written once from the Pelican settings.

``write_config()`` merges and checks ``PARTICIPATION_*`` (the plugin's
``participation.settings.merged``) and writes what the workers need as JSON,
0600 in a 0700 folder, beside the service's ``secret`` (the key that signs
tokens and cookies and hashes addresses; made once, 0600). The moderators'
password is written only as its scrypt hash; the SMTP password stays in the
environment. A value that cannot be used stops the start with one sentence.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from participation.settings import default_url, merged

from .moderation import hash_password
from .origin_guard import origin_of
from .policy import SiteFileError, parse

PASSWORD_ENV = "PARTICIPATION_ADMIN_PASSWORD"
CONFIG_NAME = "service.json"


class ServiceSettingsError(ValueError):
    """The participation service cannot start safely; the message says why."""


def private_folder(path: Path) -> Path:
    """A folder only the service's user can read (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def write_private(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` as 0600, atomically (never half a file)."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.chmod(partial, 0o600)
    os.replace(partial, path)


PUBLISH_REQUEST = "publish-requested"


def secret_file(state_dir: Path) -> Path:
    """The service's key (made once, 0600): signs tokens and cookies, keys hashes."""
    path = state_dir / "secret"
    if not path.exists():
        write_private(path, secrets.token_urlsafe(48) + "\n")
    path.chmod(0o600)
    return path


def read_secret(path: Path) -> bytes:
    value = Path(path).read_text(encoding="utf-8").strip()
    if len(value) < 32:
        raise ServiceSettingsError(f"{path} is too short to be the service's key: remove it "
                                   "and start the service again (a new one is made).")
    return value.encode("ascii")


def allowed_origins(settings: dict, site_url: str, production: bool, extra=()) -> list[str]:
    """SITEURL's and the build's site origin, the preview origins (not in
    production) and ``--origin`` values, each once."""
    candidates = [settings.get("SITEURL") or "", site_url]
    if not production:
        candidates += list(settings["PARTICIPATION_SERVER"]["preview_origins"])
    candidates += list(extra)
    origins = []
    for candidate in candidates:
        origin = origin_of(candidate)
        if origin and origin not in origins:
            origins.append(origin)
    return origins


def public_url(settings: dict, bind: str) -> str:
    """Where citizens reach the service (the links in the confirmation mails)."""
    url = settings["PARTICIPATION_URL"]
    site = str(settings.get("SITEURL") or "")
    if url.startswith("/"):
        origin = origin_of(site)
        return f"{origin}{url}" if origin else f"http://{bind}"
    if not site and url == default_url(settings):
        return f"http://{bind}"  # the preview's service, where it really listens
    return url


def read_site(path: Path):
    if not path.is_file():
        raise ServiceSettingsError(
            f"{path} does not exist: build the site first (./go build), so the participation "
            "service knows the consultations.")
    try:
        return parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SiteFileError) as exc:
        raise ServiceSettingsError(f"{path} cannot be used ({exc}): build the site again "
                                   "(./go build).") from None


def write_config(settings: dict, state_dir: Path, *, site: Path, database: Path, bind: str,
                 production: bool, password: str | None, extra_origins=(),
                 guard: bool = True) -> Path:
    """Check everything, write service.json (0600); returns its path."""
    try:
        merged(settings)
    except ValueError as exc:
        raise ServiceSettingsError(str(exc)) from None
    server = settings["PARTICIPATION_SERVER"]
    if production and not password:
        raise ServiceSettingsError(
            f"The production participation service needs a moderators' password: set the "
            f"{PASSWORD_ENV} environment variable (for example in the systemd unit) and start "
            "it again.")
    built = read_site(site)
    if production and not (server.get("smtp") or {}).get("host"):
        emailed = sorted(slug for slug, c in built.consultations.items()
                         if c.verification == "email")
        if emailed:
            raise ServiceSettingsError(
                f"Consultation {emailed[0]!r} checks supports by e-mail, but no mail server "
                "is set: fill in PARTICIPATION_SERVER['smtp'] (host, port, from) in "
                "publishconf.py, or use Verification: indicative.")
        if built.email_follow is not None:
            raise ServiceSettingsError(
                "Following by e-mail is on, but no mail server is set: fill in "
                "PARTICIPATION_SERVER['smtp'] (host, port, from) in publishconf.py, or set "
                "PARTICIPATION_EMAIL_FOLLOW = False.")
    origins = allowed_origins(settings, built.site_url, production, extra_origins)
    if production and not origins:
        raise ServiceSettingsError(
            "The participation service has no website to accept forms from: set SITEURL in "
            "publishconf.py to the site's public address (https://...).")
    private_folder(state_dir)
    private_folder(database.parent)
    config = {
        "database": str(database.resolve()),
        "secret": str(secret_file(state_dir).resolve()),
        # Touched when what the site shows of an idea changes (approved,
        # hidden, rejected, retitled, merged, hidden by reports): a systemd
        # path unit (deploy/systemd/dorpsplein-publish.path) publishes again.
        "publish_request": str((state_dir / PUBLISH_REQUEST).resolve()),
        "site": str(site.resolve()),
        "site_url": str(settings.get("SITEURL") or built.site_url or "").rstrip("/"),
        "service_url": public_url(settings, bind),
        "origins": origins,
        "production": production,
        "password_hash": hash_password(password) if password else None,
        "server": server,
        "guard": guard,
        "language": str(settings.get("DEFAULT_LANG") or "nl"),
        "timezone": str(settings.get("TIMEZONE") or "Europe/Brussels"),
    }
    target = state_dir / CONFIG_NAME
    write_private(target, json.dumps(config, indent=1) + "\n")
    return target


def load(path: str | os.PathLike) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
