"""What keeps scripts out of the forms, without asking citizens anything.

- ``FormTokens``: every form carries a signed, single-use token (itsdangerous)
  bound to its consultation; its nonce is stored when a write uses it (in
  the write's own transaction), so a token counts once. It expires after
  ``form_max_age`` seconds, and may not be used sooner than
  ``time_trap_seconds`` after it was issued (people read; scripts do not).
- ``HONEYPOT``: a field no person sees or fills in.
- ``network_of``: writes are counted per network (IPv4 /24, IPv6 /48) of the
  citizen's address, as a keyed hash, in SQLite (``Store.count_write``).
"""

from __future__ import annotations

import ipaddress
import secrets
import time

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .refusals import Refusal

HONEYPOT = "website"


class FormTokens:
    def __init__(self, secret: bytes, max_age: int, time_trap: int):
        self.serializer = URLSafeTimedSerializer(secret, salt="participation-form")
        self.max_age = max_age
        self.time_trap = time_trap

    def issue(self, slug: str, issued: float | None = None) -> str:
        issued = time.time() if issued is None else issued
        return self.serializer.dumps({"n": secrets.token_urlsafe(12), "c": slug,
                                      "t": round(issued, 3)})

    def not_before(self, token: str) -> float:
        return self._payload(token)["t"] + self.time_trap

    def _payload(self, token: str, max_age: int | None = None) -> dict:
        try:
            data = self.serializer.loads(token, max_age=max_age)
        except (BadSignature, SignatureExpired, UnicodeError, ValueError):
            raise Refusal("form") from None
        if not (isinstance(data, dict) and isinstance(data.get("n"), str)
                and isinstance(data.get("c"), str)
                and isinstance(data.get("t"), (int, float)) and not isinstance(data["t"], bool)):
            raise Refusal("form")
        return data

    def check(self, token: str, slug: str, now: float) -> str:
        """The token's nonce, when the token is this consultation's, fresh and old enough."""
        data = self._payload(token, self.max_age)
        if data["c"] != slug or data["t"] > now + 5 or now - data["t"] > self.max_age:
            raise Refusal("form", slug=slug)
        if now < data["t"] + self.time_trap:
            raise Refusal("too_fast", slug=slug,
                          retry_after=max(1, int(data["t"] + self.time_trap - now + 0.999)))
        return data["n"]


def network_of(address: str) -> str:
    """The citizen's network: IPv4 /24, IPv6 /48 (an IPv4-mapped address as IPv4)."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
