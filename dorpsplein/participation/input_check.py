"""Input check: every body and field bounded before anything reads it.

Forms arrive as ``application/x-www-form-urlencoded`` (a plain form, or the
site's script sending ``URLSearchParams``); the body is at most ``MAX_BODY``
bytes (413 beyond), must decode as UTF-8 and may name each field once.
Fields are then checked one by one (``Fields``): what a citizen typed wrong
is a message at that field (422, the form shown again); what no browser
would send is a 400.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl

from .i18n import N_, _
from .refusals import Refusal

MAX_BODY = 16 * 1024  # bytes
MAX_QUERY = 2048  # characters
MAX_FIELDS = 32  # a self-test's last page: v1 ... v20, token, honeypot, stap
MAX_ID = 2**63 - 1  # SQLite's INTEGER
FORM_TYPE = "application/x-www-form-urlencoded"

# field: (shortest, longest) in characters after trimming
LIMITS = {"title": (3, 120), "text": (10, 2000), "name": (1, 80), "place": (0, 80),
          "email": (3, 254), "reason": (3, 500), "website": (0, 200)}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
OPTION = re.compile(r"[1-9][0-9]?")  # a self-test's answer: an option's number
LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\\[\]]{1,64}"
                   r"@[a-z0-9](?:[a-z0-9-]{0,62}\.)+[a-z]{2,63}$")
# Domains whose mailboxes ignore dots in the local part, and are one another.
GMAIL = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def bad_request(what: str) -> Refusal:
    return Refusal("bad_request", _("The service cannot read this request: {what}.",
                                    what=_(what)))


def read_body(environ) -> bytes:
    """The request body, at most MAX_BODY bytes."""
    length = environ.get("CONTENT_LENGTH") or ""
    stream = environ["wsgi.input"]
    if length:
        if not (length.isascii() and length.isdigit()) or len(length) > 18:
            raise bad_request(N_("invalid Content-Length"))
        if int(length) > MAX_BODY:
            raise Refusal("too_large")
        return stream.read(int(length))
    data = stream.read(MAX_BODY + 1)  # chunked: read to the end, bounded
    if len(data) > MAX_BODY:
        raise Refusal("too_large")
    return data


def parse_form(content_type: str, body: bytes, repeatable: tuple[str, ...] = (),
               max_fields: int = MAX_FIELDS) -> dict:
    """The urlencoded form: each field once, valid UTF-8. A ``repeatable``
    field (a group of checkboxes) may come more than once: its value is the
    list of what came (an empty list when none did)."""
    mimetype, _sep, params = (content_type or "").partition(";")
    if mimetype.strip().lower() != FORM_TYPE:
        raise bad_request(N_("send the form as application/x-www-form-urlencoded"))
    charset = re.search(r"charset\s*=\s*\"?([\w-]+)", params, re.I)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise bad_request(N_("the form is not in UTF-8"))
    try:
        text = body.decode("ascii")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                          max_num_fields=max_fields)
    except (UnicodeDecodeError, ValueError):
        raise bad_request(N_("the form is not valid UTF-8")) from None
    form: dict = {name: [] for name in repeatable}
    for name, value in pairs:
        if name in repeatable:
            form[name].append(value)
            continue
        if name in form:
            raise bad_request(N_("a field was sent twice"))
        form[name] = value
    return form


def one_click(content_type: str, body: bytes) -> bool:
    """An RFC 8058 one-click unsubscribe: the body ``List-Unsubscribe=One-Click``,
    urlencoded or as multipart/form-data (mail providers send either)."""
    mimetype = (content_type or "").partition(";")[0].strip().lower()
    if mimetype == FORM_TYPE:
        return body.strip() == b"List-Unsubscribe=One-Click"
    if mimetype == "multipart/form-data":
        return (b'name="List-Unsubscribe"' in body and b"One-Click" in body
                and len(body) <= MAX_BODY)
    return False


def normalised(value: str) -> str:
    """NFC, line breaks as \\n, trimmed."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def folded_email(address: str) -> str:
    """NFKC and case-folded (full-width letters become the ones they stand for)."""
    once = unicodedata.normalize("NFKC", address.strip()).casefold()
    return unicodedata.normalize("NFKC", once)


def sendable_email(address: str) -> str:
    """Where the mail goes: the address as typed (case, dots and ``+tag`` kept),
    NFKC so that full-width letters are the ASCII ones they stand for."""
    return unicodedata.normalize("NFKC", normalised(address))


def invisible(value: str) -> bool:
    """Unicode format characters (Cf): zero-width spaces and joiners, soft hyphens..."""
    return any(unicodedata.category(char) == "Cf" for char in value)


def canonical_email(address: str) -> str:
    """The mailbox an address reaches, as the person's key (never to send to).

    NFKC, case-folded, without a ``+tag``; for Gmail also without dots, and
    googlemail.com is gmail.com. ``Fields.email`` has refused what cannot be
    brought to ASCII this way (format characters, look-alike letters).
    """
    local, _at, domain = folded_email(address).rpartition("@")
    local = local.split("+", 1)[0] or local
    if domain in GMAIL:
        local, domain = local.replace(".", "") or local, GMAIL[domain]
    return f"{local}@{domain}"


class Fields:
    """Checks a form's fields; collects one message per wrong field."""

    MESSAGES = {
        "title": (N_("Give your idea a title."),
                  N_("The title has at least {low} and at most {high} characters.")),
        "text": (N_("Describe your idea."),
                 N_("The description has at least {low} and at most {high} characters.")),
        "name": (N_("Fill in your name."), N_("Your name has at most {high} characters.")),
        "place": (None, N_("The place has at most {high} characters.")),
        "email": (N_("Fill in your e-mail address."),
                  N_("Fill in an e-mail address such as naam@voorbeeld.be.")),
        "reason": (N_("Say why the idea is rejected."),
                   N_("The reason has at least {low} and at most {high} characters.")),
    }

    def __init__(self, form: dict[str, str]):
        self.form = form
        self.errors: dict[str, str] = {}
        self.values: dict[str, str] = {}

    def text(self, name: str, required: bool = True, multiline: bool = False) -> str:
        raw = self.form.get(name, "")
        value = normalised(raw)
        self.values[name] = raw if len(raw) <= 4 * LIMITS[name][1] else raw[:4 * LIMITS[name][1]]
        low, high = LIMITS[name]
        missing, wrong = self.MESSAGES[name]
        if (LINE_CONTROL if not multiline else CONTROL).search(value):
            self.errors[name] = _("This field contains characters that cannot be stored "
                                  "(such as control characters).")
        elif not value:
            if required:
                self.errors[name] = _(missing)
        elif not low <= len(value) <= high:
            self.errors[name] = _(wrong, low=low, high=high)
        return value

    def email(self, name: str = "email") -> str:
        """Checked on its NFKC, case-folded spelling (``canonical_email`` keys on it)."""
        value = self.text(name)
        folded = folded_email(value)
        if name in self.errors:
            pass
        elif invisible(value) or invisible(folded):
            self.errors[name] = _("This e-mail address contains invisible characters. Please "
                                  "type it again.")
        elif not sendable_email(value).isascii():  # look-alikes NFKC cannot bring to ASCII
            self.errors[name] = _("This e-mail address contains letters other than a to z (or "
                                  "letters that only look like them). Please type it with "
                                  "ordinary letters.")
        elif not EMAIL.match(folded):
            self.errors[name] = _(self.MESSAGES[name][1])
        return value.lower()

    def check(self) -> None:
        if self.errors:
            raise Refusal("invalid", fields=dict(self.errors))


def option_number(value: str, options: int) -> int | None:
    """A self-test answer (``v1`` ... ``v20``): the option's number, 1 to ``options``,
    written as a browser sends it; anything else is None (not answered)."""
    if not OPTION.fullmatch(value):
        return None
    number = int(value)
    return number if number <= options else None


def hidden(form: dict[str, str], name: str, longest: int = 512) -> str:
    """A field a browser sends as the page gave it (token, action): short, printable."""
    value = form.get(name, "")
    if len(value) > longest or LINE_CONTROL.search(value):
        raise bad_request(N_("a hidden field was changed"))
    return value
