"""Moderation auth for /moderatie/, guarded by this app itself.

- The password is ``PARTICIPATION_ADMIN_PASSWORD``; the workers only know
  its scrypt hash, and compare in constant time.
- 5 failed logins in a minute from one address: every attempt gets a 429
  until the minute has passed (counted in SQLite: all workers together).
- A right password gives a signed session cookie (``moderatie``, HttpOnly,
  SameSite=Strict, Path = /moderatie/, two hours).
- Every moderation form carries a CSRF token derived from the session;
  a POST without the right one changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..passwords import hash_password, password_matches  # noqa: F401 - re-exported
from .refusals import Refusal

FAILURES_PER_MINUTE = 5
SESSION_COOKIE = "moderatie"
SESSION_SECONDS = 2 * 3600
MAX_PASSWORD = 1024


class ModeratorAuth:
    def __init__(self, password_hash: str, secret: bytes, store):
        self.password_hash = password_hash or ""
        self.secret = secret
        self.store = store
        self.sessions = URLSafeTimedSerializer(secret, salt="participation-moderation")

    def address_key(self, address: str) -> str:
        return hmac.new(self.secret, f"login:{address}".encode(), hashlib.sha256).hexdigest()

    def session(self, cookies) -> str | None:
        """The session id of a logged-in moderator, or None."""
        value = cookies.get(SESSION_COOKIE, "")
        if not value or len(value) > 300:
            return None
        try:
            data = self.sessions.loads(value, max_age=SESSION_SECONDS)
        except (BadSignature, SignatureExpired, UnicodeError, ValueError):
            return None
        return data.get("s") if isinstance(data, dict) and isinstance(data.get("s"), str) \
            else None

    def csrf(self, session: str) -> str:
        return hmac.new(self.secret, f"csrf:{session}".encode(), hashlib.sha256).hexdigest()

    def check_csrf(self, session: str, token: str) -> None:
        if not hmac.compare_digest(self.csrf(session).encode(), token.encode("utf-8", "replace")):
            raise Refusal("form")

    def login(self, password: str, address: str) -> str:
        """A new session cookie value, or a refusal (403, or 429 after 5 failures)."""
        key = self.address_key(address)
        now = time.time()
        recent = self.store.recent_failures(key, now)
        if len(recent) >= FAILURES_PER_MINUTE:
            raise Refusal("too_many_logins", retry_after=max(1, int(recent[0] + 60 - now) + 1))
        if (self.password_hash and len(password) <= MAX_PASSWORD
                and password_matches(password, self.password_hash)):
            return self.sessions.dumps({"s": secrets.token_urlsafe(16)})
        self.store.add_failure(key, now)
        raise Refusal("wrong_password")
