"""The moderators' password, as both services keep it: an scrypt hash with a
salt of its own, compared in constant time. Never the password itself."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        _scheme, salt, _digest = stored.split("$")
        candidate = hash_password(password, bytes.fromhex(salt))
    except (ValueError, UnicodeEncodeError):  # a lone surrogate cannot be UTF-8
        return False
    return hmac.compare_digest(candidate.encode(), stored.encode())
