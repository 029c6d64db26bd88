"""Following by e-mail ("volgen"): the form, the confirmation, unsubscribing.

A citizen asks to follow the site's new articles (all of them, or those of
chosen themes) at an address; nothing is stored until that address confirms.
The confirmation mail carries a signed token (``confirm_token``) holding the
address and the topics, valid ``email_link_hours``; pressing the button on
its page stores the follower (``Store.follow``; an address that follows
already gets the new topics). Every mail the mail job sends carries an
unsubscribe address (``unsubscribe_url``): its token signs the follower's id
and a short keyed hash of the follower's canonical address, and never
expires. A POST there -- the page's button, or RFC 8058's one-click POST from
a mail provider's server, which carries no Origin -- deletes the follower
and its queued mails only when the row with that id still has an address
with that hash (a restored database, or a new one with the same secret,
hands the same id to someone else), and answers the same whether anything
was deleted or not.

Topics, as stored and signed: ``ALL`` ("*") for every new article, else the
themes' slugs in the site's order, joined by ",".

The form has no token: what a script can do with it is ask for confirmation
mails, and those are counted per network (``writes_per_hour``, bucket
``volgen:``) and per address (``follow_mails_per_address`` a UTC day, bucket
``volgen-adres:`` + the keyed hash of the canonical address). The answer is
the same whether the address follows already or not.

``EmailFollowViews`` answers the routes (mixed into ``ParticipationApp``, as
``SelfTestViews`` is; docs/participation.md, "Following by e-mail").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

from itsdangerous import (
    BadSignature,
    SignatureExpired,
    TimestampSigner,
    URLSafeSerializer,
    URLSafeTimedSerializer,
)
from werkzeug.wrappers import Response

from .i18n import _
from .input_check import MAX_ID, Fields, canonical_email, sendable_email
from .pages import json_response
from .policy import EmailFollow
from .refusals import Refusal
from .store import DAILY

CONFIRM_SALT = "email-follow-confirm"
UNSUBSCRIBE_SALT = "email-follow-unsubscribe"
# The keyed hash of the follower's address in an unsubscribe token: its own
# purpose, so it is no other keyed hash of the service (people.People's).
ADDRESS_PURPOSE = b"email-follow-unsubscribe-address:"
ADDRESS_KEY = re.compile(r"^[A-Za-z0-9_-]{16}$")  # 12 bytes, base64url
ALL = "*"  # topics: every new article
EVERYTHING = "alles"  # the form's value for every new article
FIELD = "thema"  # the form's repeatable field of topics
NETWORK_BUCKET = "volgen:"
ADDRESS_BUCKET = DAILY  # "volgen-adres:", counted a day (Store.count_write(hours=24))
ONE_CLICK = ("List-Unsubscribe", "One-Click")  # RFC 8058's body, as the app hands it on
TOKEN = re.compile(r"^[A-Za-z0-9_.-]{8,4000}$")
TOPICS = re.compile(r"^(?:\*|[a-z0-9]+(?:-[a-z0-9]+)*(?:,[a-z0-9]+(?:-[a-z0-9]+)*)*)$")
# Routed endpoints whose address carries a token: sent as no one's referrer.
PRIVATE_ENDPOINTS = frozenset({"email_follow_confirm", "email_follow_unsubscribe"})


# -- tokens (also for the mail job) ----------------------------------------------------

def confirm_token(secret: bytes, address: str, topics: str, issued: float | None = None) -> str:
    """The confirmation link's token: ``{"a": address, "t": topics}`` signed with
    the time (``issued``, default now) under the salt ``email-follow-confirm``."""
    signer = TimestampSigner
    if issued is not None:
        moment = int(issued)
        signer = type("IssuedSigner", (TimestampSigner,), {"get_timestamp": lambda self: moment})
    serializer = URLSafeTimedSerializer(secret, salt=CONFIRM_SALT, signer=signer)
    return serializer.dumps({"a": address, "t": topics})


def read_confirm_token(secret: bytes, token: str, max_age: int) -> tuple[str, str]:
    """(address, topics) of a good token younger than ``max_age`` seconds;
    404 ``unknown`` for a bad one, 410 ``expired`` for an old one."""
    if not TOKEN.match(token):
        raise _not_valid()
    serializer = URLSafeTimedSerializer(secret, salt=CONFIRM_SALT)
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        refusal = Refusal("expired", _("This confirmation link has expired. Fill in the form "
                                       "again to receive a new link."))
        refusal.link = ("/volgen", _("Follow us by e-mail"))
        raise refusal from None
    except (BadSignature, UnicodeError, ValueError):
        raise _not_valid() from None
    if not (isinstance(data, dict) and isinstance(data.get("a"), str)
            and isinstance(data.get("t"), str) and 3 <= len(data["a"]) <= 254
            and TOPICS.match(data["t"])):
        raise _not_valid()
    return data["a"], data["t"]


def address_key(secret: bytes, address: str) -> str:
    """A short keyed hash (HMAC-SHA256, 12 bytes, base64url) of ``address``'s
    canonical form (``input_check.canonical_email``): every spelling of one
    mailbox has the same key, another mailbox (practically) never."""
    digest = hmac.new(secret, ADDRESS_PURPOSE + canonical_email(address).encode("utf-8"),
                      hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def unsubscribe_token(secret: bytes, follower_id: int, address: str) -> str:
    """The unsubscribe address's token: ``[id, address_key(address)]`` signed
    under the salt ``email-follow-unsubscribe``; it never expires."""
    return URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).dumps(
        [int(follower_id), address_key(secret, address)])


def unsubscribe_url(service_url: str, secret: bytes, follower_id: int, address: str) -> str:
    """The whole unsubscribe address for a mail (List-Unsubscribe and its footer):
    ``service_url`` is service.json's ``service_url``, ``address`` the follower's."""
    return (f"{str(service_url).rstrip('/')}/volgen/uitschrijven/"
            f"{unsubscribe_token(secret, follower_id, address)}")


def read_unsubscribe_token(secret: bytes, token: str) -> tuple[int, str]:
    """(follower id, address key) of a good token; 404 ``unknown`` for anything
    else (an id alone, as the first tokens signed, too)."""
    if not TOKEN.match(token):
        raise _not_valid()
    try:
        data = URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).loads(token)
    except (BadSignature, UnicodeError, ValueError):
        raise _not_valid() from None
    if not (isinstance(data, list) and len(data) == 2):
        raise _not_valid()
    follower, key = data
    if (isinstance(follower, bool) or not isinstance(follower, int)
            or not 1 <= follower <= MAX_ID or not isinstance(key, str)
            or not ADDRESS_KEY.match(key)):
        raise _not_valid()
    return follower, key


def unfollow_matching(store, db, secret: bytes, follower_id: int, key: str) -> bool:
    """Inside a write: unfollow ``follower_id`` only when its address's key is
    ``key``; False (nothing deleted) when it is gone or is someone else now."""
    row = store.follower(follower_id, db)
    if row is None or not hmac.compare_digest(address_key(secret, row["address"]), key):
        return False
    return store.unfollow(db, follower_id)


def _not_valid() -> Refusal:
    return Refusal("unknown", _("This link is not valid. Check that you opened the whole "
                                "address from the mail."))


# -- topics -------------------------------------------------------------------------------

def topics_of(chosen: list[str], follow: EmailFollow) -> str | None:
    """The topics the form's ``thema`` values ask for; None when one is no theme.
    None chosen, or ``alles`` among them: every new article."""
    known = follow.theme_names()
    if any(value != EVERYTHING and value not in known for value in chosen):
        return None
    if not chosen or EVERYTHING in chosen:
        return ALL
    return ",".join(theme.slug for theme in follow.themes if theme.slug in chosen)


def topic_names(topics: str, follow: EmailFollow) -> list[str]:
    """The names of the themes in ``topics`` that the site still has ([] for ALL)."""
    if topics == ALL:
        return []
    names = follow.theme_names()
    return [names[slug] for slug in topics.split(",") if slug in names]


def describe(topics: str, follow: EmailFollow) -> str:
    """What a follower gets, in a sentence's words: "all new articles", or
    "the new articles about Moderatie and Sociale media"."""
    names = topic_names(topics, follow)
    if not names:
        return _("all new articles")
    listed = names[0] if len(names) == 1 else _("{first} and {last}",
                                               first=", ".join(names[:-1]), last=names[-1])
    return _("the new articles about {themes}", themes=listed)


# -- the routes ----------------------------------------------------------------------------

class EmailFollowViews:
    """The /volgen routes of ``ParticipationApp`` (docs/participation.md)."""

    def follow_link_base(self, request) -> str:
        return self.service_url or (request.host_url.rstrip("/") + request.script_root)

    def view_email_follow(self, request, form):
        follow = self.consultations.email_follow()
        if request.method != "POST":
            return self.follow_form(request, follow, {}, set(), [], {})
        fields = Fields(form)
        fields.email()
        chosen = form.get(FIELD, [])
        topics = topics_of(chosen, follow)
        checked = {value for value in chosen if value == EVERYTHING
                   or value in follow.theme_names()}
        if topics is None:
            fields.errors[FIELD] = _("Choose all new articles, or one or more of the themes "
                                     "in the list.")
        try:
            self.check_honeypot(form, None)
            fields.check()
        except Refusal as refusal:
            if refusal.reason != "invalid" or self.json_wanted(request):
                raise
            summary = [(f"{name}-{EVERYTHING}" if name == FIELD else name, message)
                       for name, message in fields.errors.items()]
            return self.follow_form(request, follow, fields.values, checked, summary,
                                    fields.errors, 422)
        address = sendable_email(form.get("email", ""))
        at = time.time()

        def count(db):
            if self.guarded:
                self.store.count_write(db, NETWORK_BUCKET + self.client_network(request), at,
                                       int(self.server.get("writes_per_hour", 120)))
            self.store.count_write(
                db, ADDRESS_BUCKET + self.people.email(address), at,
                int(self.server.get("follow_mails_per_address", 3)), hours=24,
                message=_("Several confirmation mails were sent to this address today. "
                          "Look for them in your mailbox (and your spam folder), or try "
                          "again tomorrow."))

        self.store.write(count)
        hours = int(self.server.get("email_link_hours", 48))
        link = (f"{self.follow_link_base(request)}/volgen/bevestig/"
                f"{confirm_token(self.secret, address, topics)}")
        self.mailer.send(address, _("Confirm that you want to follow {site}",
                                    site=follow.site_name), _(
            "Hello,\n\nSomeone (we hope you) wants to receive {what} of {site} by e-mail at "
            "this address.\n\nConfirm within {hours} hours by opening this link and pressing "
            "the button:\n\n{link}\n\nDid you not ask for this? Then ignore this mail: nothing "
            "is stored and you will receive no more mails.\n\n{town}\n",
            what=describe(topics, follow), site=follow.site_name, hours=hours, link=link,
            town=follow.town), sender_name=follow.town)
        if self.json_wanted(request):
            return json_response({"ok": True}, 202)
        return self.see(request, "/volgen/bedankt")

    def follow_form(self, request, follow, values, checked, summary, errors, status=200):
        title = _("Follow us by e-mail")
        if summary:
            title = _("Error: {title}", title=title)
        return self.page(request, "email_follow_form.html", title, status, follow=follow,
                         values=values, checked=checked, summary=summary, errors=errors,
                         everything=EVERYTHING, heading=_("Follow us by e-mail"))

    def view_email_follow_thanks(self, request, form):
        follow = self.consultations.email_follow()
        return self.page(request, "email_follow_done.html", _("Check your mailbox"),
                         follow=follow, kind="mail",
                         hours=int(self.server.get("email_link_hours", 48)))

    def view_email_follow_confirm(self, request, form, token):
        follow = self.consultations.email_follow()
        address, topics = read_confirm_token(
            self.secret, token, int(self.server.get("email_link_hours", 48)) * 3600)
        if request.method != "POST":
            return self.page(request, "email_follow_confirm.html", _("Confirm that you follow "
                                                                    "us"),
                             follow=follow, address=address, what=describe(topics, follow),
                             names=topic_names(topics, follow))
        self.store.write(lambda db: self.store.follow(db, address, topics))
        if self.json_wanted(request):
            return json_response({"ok": True})
        return self.see(request, "/volgen/ingeschreven")

    def view_email_follow_confirmed(self, request, form):
        follow = self.consultations.email_follow()
        return self.page(request, "email_follow_done.html", _("You now follow us by e-mail"),
                         follow=follow, kind="confirmed", hours=0)

    def view_email_follow_unsubscribe(self, request, form, token):
        follow = self.consultations.email_follow()
        follower, key = read_unsubscribe_token(self.secret, token)
        if request.method != "POST":
            return self.page(request, "email_follow_unsubscribe.html", _("Unsubscribe"),
                             follow=follow)
        # The same answer whether a row was deleted or not: nobody learns who follows.
        self.store.write(lambda db: unfollow_matching(self.store, db, self.secret, follower,
                                                      key))
        if form.get(ONE_CLICK[0]) == ONE_CLICK[1]:
            response = Response(_("You are unsubscribed.") + "\n",
                                content_type="text/plain; charset=utf-8")
            response.headers["Cache-Control"] = "no-store"
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response
        if self.json_wanted(request):
            return json_response({"ok": True})
        return self.see(request, "/volgen/uitgeschreven")

    def view_email_follow_unsubscribed(self, request, form):
        follow = self.consultations.email_follow()
        return self.page(request, "email_follow_done.html", _("You are unsubscribed"),
                         follow=follow, kind="unsubscribed", hours=0)
