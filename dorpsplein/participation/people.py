"""Who "a person" is, without knowing who they are.

- indicative support: a random id in the signed cookie ``deelnemer``, set
  with the first support (HttpOnly, SameSite=Lax, Path = the service's root,
  a year); no cookie is set before a citizen acts.
- e-mail support: HMAC-SHA256 with the service's secret of the canonical
  address (``input_check.canonical_email``: NFKC, case-folded, no ``+tag``,
  Gmail without dots), so the spellings of one mailbox are one person; the
  address itself is only used to send the link.
- networks (rate limit, reports without a cookie): a keyed hash as well.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, Signer
from participation.settings import SUPPORT_COOKIE_DAYS

from .input_check import canonical_email

COOKIE = "deelnemer"
YEAR = SUPPORT_COOKIE_DAYS * 24 * 3600


class People:
    def __init__(self, secret: bytes):
        self.secret = secret
        self.signer = Signer(secret, salt="participation-person")

    def keyed(self, kind: str, value: str) -> str:
        digest = hmac.new(self.secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return f"{kind}:{digest}"

    def from_cookie(self, cookies) -> str | None:
        value = cookies.get(COOKIE, "")
        if not value or len(value) > 200:
            return None
        try:
            person = self.signer.unsign(value).decode("ascii")
        except (BadSignature, UnicodeError, ValueError):
            return None
        return f"c:{person}"

    def new_cookie(self) -> tuple[str, str]:
        """(person, signed cookie value) for a citizen without one."""
        person = secrets.token_urlsafe(16)
        return f"c:{person}", self.signer.sign(person).decode("ascii")

    def email(self, address: str) -> str:
        return self.keyed("m", canonical_email(address))

    def network(self, network: str) -> str:
        return self.keyed("n", network)


def set_person_cookie(response, value: str, path: str, secure: bool) -> None:
    response.set_cookie(COOKIE, value, max_age=YEAR, path=path, secure=secure,
                        httponly=True, samesite="Lax")
