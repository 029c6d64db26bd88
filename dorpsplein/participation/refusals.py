"""Every refusal of the participation service: a 4xx with a reason.

A refusal has a stable code (``reason``) for the site's script and a
sentence for the citizen (``message``, through the catalogue). Codes and
statuses are listed once, here, and in docs/participation.md. The app
answers a refusal as JSON (``{"reason", "message"}``) or as a page.
"""

from __future__ import annotations

from .i18n import N_, _

# code: (HTTP status, English msgid of the default message)
REASONS = {
    "bad_request": (400, N_("The service cannot read this request.")),
    "form": (400, N_("The form has expired or was already sent. Please fill it in again.")),
    "too_fast": (400, N_("That was very quick. Please check the form and send it again.")),
    "honeypot": (400, N_("The form cannot be sent this way.")),
    "login_required": (401, N_("Please log in as a moderator first.")),
    "origin": (403, N_("This service only accepts forms from the town's website.")),
    "not_open": (403, N_("This consultation has not started yet.")),
    "no_new_ideas": (403, N_("New ideas can no longer be posted; you can still support ideas.")),
    "wrong_password": (403, N_("That password is not right.")),
    "unknown": (404, N_("There is nothing at this address.")),
    "method": (405, N_("This address does not accept this kind of request.")),
    "already_supported": (409, N_("You already support this idea.")),
    "no_supports_left": (409, N_("You have used all your supports in this consultation.")),
    "closed": (410, N_("This consultation is closed.")),
    "expired": (410, N_("This confirmation link has expired. Please support the idea again "
                        "to receive a new link.")),
    "too_large": (413, N_("This request is too large.")),
    "invalid": (422, N_("Some fields are not filled in correctly.")),
    "rate_limited": (429, N_("Many forms came from your network in the last hour. Please try "
                             "again later.")),
    "too_many_logins": (429, N_("Too many failed attempts. Please try again in a minute.")),
    "mail_failed": (503, N_("The confirmation mail could not be sent. Please try again "
                            "later.")),
}


class Refusal(Exception):
    """Raised by a check; the app turns it into one answer (JSON or a page)."""

    def __init__(self, reason: str, message: str | None = None, *, slug: str | None = None,
                 retry_after: int | None = None, **extra):
        status, default = REASONS[reason]
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.message = message or _(default)
        self.slug = slug
        self.retry_after = retry_after
        self.extra = extra

    @property
    def body(self) -> dict:
        return {"reason": self.reason, "message": self.message, **self.extra}
