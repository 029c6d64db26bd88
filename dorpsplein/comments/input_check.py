"""Input check: every body and query parameter bounded before Isso sees it.

Isso 0.14 answers many hostile inputs with a 500 (a JSON list where it wants
an object, ``"parent": 2**70``, a lone surrogate, deep nesting, a number as
text, ``?limit=x``). This check parses each request once, for the route Isso
will run, and either refuses it (a ``Refusal``: 4xx with a JSON reason) or
hands Isso a clean body made of the values it accepted: the only keys Isso
reads, with the right types, within the town's limits.
"""

from __future__ import annotations

import json
import math
import re

from isso.views.comments import isurl

from .refusals import Refusal

MAX_BODY = 64 * 1024  # bytes; a 5,000-character comment is at most 20 KB
MAX_QUERY = 2048  # characters of query string
MAX_ID = 2**63 - 1  # SQLite's INTEGER
LIMITS = {"text": 5000, "author": 100, "email": 254, "website": 254}
MAX_COUNT_URIS = 100
MAX_URI = 500

JSON_ROUTES = {"new", "edit", "counts", "preview"}
NO_BODY_WRITES = {"delete", "like", "dislike"}
SORTS = {"oldest", "newest", "upvotes"}
ORDER_BY = {"id", "created", "modified", "likes", "dislikes", "tid"}
EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\\[\]]{1,64}"
                   r"@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251})\.[A-Za-z]{2,63}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, LF, CR allowed


def _invalid(what: str) -> Refusal:
    return Refusal("invalid-request", f"Dit verzoek kan de reactieserver niet lezen: {what}.")


def read_body(environ) -> bytes:
    """The request body, at most MAX_BODY bytes (413 beyond)."""
    length = environ.get("CONTENT_LENGTH") or ""
    if length:
        if not length.isdigit():
            raise _invalid("ongeldige Content-Length")
        if int(length) > MAX_BODY:
            raise Refusal("too-large")
        return environ["wsgi.input"].read(int(length))
    data = environ["wsgi.input"].read(MAX_BODY + 1)  # chunked: read to the end
    if len(data) > MAX_BODY:
        raise Refusal("too-large")
    return data


def _reject_constant(name):
    raise ValueError(name)


def parse_json(data: bytes):
    try:
        text = data.decode("utf-8")
        return json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _invalid("geen geldige JSON in UTF-8") from None


def _string(value, field: str, required: bool = False) -> str | None:
    """A stripped string within its limit, or None for missing/blank."""
    if value is None:
        if required:
            raise _invalid(f"'{field}' ontbreekt")
        return None
    if not isinstance(value, str):
        raise _invalid(f"'{field}' moet tekst zijn")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _invalid(f"'{field}' bevat ongeldige tekens") from None
    pattern = TEXT_CONTROL if field == "text" else CONTROL
    if pattern.search(value):
        raise _invalid(f"'{field}' bevat stuurtekens")
    if len(value) > LIMITS[field]:
        raise Refusal("too-long", f"Dit veld is te lang: hoogstens {LIMITS[field]} tekens.",
                      field=field, limit=LIMITS[field])
    stripped = value.strip()
    return stripped or None


def _text(value) -> str:
    text = _string(value, "text", required=True)
    if text is None or len(text) < 3:
        raise Refusal("text-too-short")
    return value.rstrip()


def _website(value) -> str | None:
    website = _string(value, "website")
    if website is not None and (not isurl(website) or website.lower().startswith(
            ("javascript:", "data:", "vbscript:"))):
        raise Refusal("invalid-website")
    return website


def _email(value) -> str | None:
    email = _string(value, "email")
    if email is not None and not EMAIL.match(email):
        raise Refusal("invalid-email")
    return email


def _comment_id(value) -> int | None:
    if value is None or value == 0 and not isinstance(value, bool):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise _invalid("'parent' moet het nummer van een reactie zijn")
    return value


def clean_new(data, require_author: bool, require_email: bool) -> dict:
    if not isinstance(data, dict):
        raise _invalid("een reactie is een JSON-object")
    notification = data.get("notification")
    if notification not in (None, True, False, 0, 1):
        raise _invalid("'notification' moet 0 of 1 zijn")
    clean = {
        "text": _text(data.get("text")),
        "author": _string(data.get("author"), "author"),
        "email": _email(data.get("email")),
        "website": _website(data.get("website")),
        "parent": _comment_id(data.get("parent")),
        "notification": int(bool(notification)),
    }
    if require_author and clean["author"] is None:
        raise Refusal("author-required")
    if require_email and clean["email"] is None:
        raise Refusal("email-required")
    return clean


def clean_edit(data, require_author: bool) -> dict:
    if not isinstance(data, dict):
        raise _invalid("een reactie is een JSON-object")
    # Isso's own client sends only the new text: the name and website stay as
    # they were. Only what is sent is passed on (a missing field would
    # otherwise be stored as empty), and a name, when sent, may not be empty.
    clean = {"text": _text(data.get("text"))}
    if "author" in data:
        clean["author"] = _string(data.get("author"), "author")
        if require_author and clean["author"] is None:
            raise Refusal("author-required")
    if "website" in data:
        clean["website"] = _website(data.get("website"))
    return clean


def clean_counts(data) -> list:
    if not isinstance(data, list) or len(data) > MAX_COUNT_URIS:
        raise _invalid(f"een lijst van hoogstens {MAX_COUNT_URIS} adressen")
    for uri in data:
        if not isinstance(uri, str) or len(uri) > MAX_URI:
            raise _invalid("elk adres is tekst")
        try:
            uri.encode("utf-8")
        except UnicodeEncodeError:
            raise _invalid("een adres bevat ongeldige tekens") from None
    return data


def clean_preview(data) -> dict:
    if not isinstance(data, dict):
        raise _invalid("een voorbeeld is een JSON-object")
    text = _string(data.get("text"), "text", required=True)
    return {"text": data["text"] if text else ""}


# -- query parameters ---------------------------------------------------------

def _int_arg(args, name, low, high):
    raw = args.get(name)
    if raw is None:
        return None
    if not re.fullmatch(r"-?\d{1,19}", raw) or not low <= int(raw) <= high:
        raise _invalid(f"'{name}' moet een geheel getal van {low} tot {high} zijn")
    return int(raw)


def single(args, name: str) -> str:
    values = args.getlist(name)
    if len(values) != 1:
        raise _invalid(f"geef '{name}' precies één keer")
    return values[0]


def fetch_args(args) -> tuple:
    """The parameters Isso's thread read uses, checked; the read cache's key."""
    uri = single(args, "uri")
    after = args.get("after", "0")
    try:
        after_value = float(after)
    except ValueError:
        raise _invalid("'after' moet een tijdstip zijn") from None
    if not math.isfinite(after_value) or after_value < 0:
        raise _invalid("'after' moet een tijdstip zijn")
    sort = args.get("sort", "oldest")
    if sort not in SORTS:
        raise _invalid("'sort' is oldest, newest of upvotes")
    plain = args.get("plain", "0")
    if plain not in ("0", "1"):
        raise _invalid("'plain' is 0 of 1")
    return (uri, after_value, sort, plain,
            _int_arg(args, "limit", 0, 10_000), _int_arg(args, "nested_limit", 0, 10_000),
            _int_arg(args, "offset", 0, 1_000_000), _int_arg(args, "parent", 1, MAX_ID))


def fetch_query(key: tuple) -> str:
    """The query string Isso is given for a checked read: only what it reads."""
    from urllib.parse import urlencode

    uri, after, sort, plain, limit, nested_limit, offset, parent = key
    pairs = [("uri", uri), ("after", repr(after)), ("sort", sort), ("plain", plain)]
    for name, value in (("limit", limit), ("nested_limit", nested_limit), ("offset", offset),
                        ("parent", parent)):
        if value is not None:
            pairs.append((name, str(value)))
    return urlencode(pairs)


def admin_args(args) -> None:
    _int_arg(args, "page", 0, 1_000_000)
    _int_arg(args, "asc", 0, 1)
    mode = _int_arg(args, "mode", 1, 4)
    if mode not in (None, 1, 2, 4):
        raise _invalid("'mode' is 1, 2 of 4")
    if args.get("order_by", "created") not in ORDER_BY:
        raise _invalid("'order_by' is geen kolom")
    if len(args.get("comment_search_url", "")) > MAX_URI:
        raise _invalid("'comment_search_url' is te lang")
