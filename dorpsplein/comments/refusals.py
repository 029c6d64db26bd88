"""Every refusal of the comment service: an HTTP 4xx with a JSON reason.

A refusal carries a stable code (``reason``) that the site's script maps to a
sentence from the site's own gettext catalogue, and a Dutch ``message`` for
anyone reading the raw answer. Codes and their statuses are listed once, here;
the client (theme/static/js/isso_comments.js) and the README use the same
codes.
"""

from __future__ import annotations

import json

from werkzeug.wrappers import Response

# code: (HTTP status, Dutch message)
REASONS = {
    "invalid-request": (400, "Dit verzoek kan de reactieserver niet lezen."),
    "text-too-short": (400, "Een reactie heeft minstens 3 tekens."),
    "too-long": (400, "Dit veld is te lang."),
    "author-required": (400, "Vul je naam in."),
    "email-required": (400, "Vul je e-mailadres in."),
    "invalid-email": (400, "Dit e-mailadres klopt niet."),
    "invalid-website": (400, "Dit webadres klopt niet; begin met https://."),
    "login-required": (401, "Log eerst in als moderator."),
    "origin-not-allowed": (403, "Deze server aanvaardt alleen reacties van de website "
                                "van de gemeente."),
    "unknown-thread": (403, "Op dit adres staat geen artikel waarop je kunt reageren."),
    "thread-closed": (403, "Reageren op dit artikel is afgesloten."),
    "not-allowed": (403, "Je kunt deze reactie niet (meer) wijzigen."),
    "wrong-password": (403, "Dat wachtwoord klopt niet."),
    "not-found": (404, "Dit adres bestaat niet op de reactieserver."),
    "method-not-allowed": (405, "Dit adres aanvaardt dit soort verzoek niet."),
    "too-large": (413, "Dit verzoek is te groot."),
    "not-json": (415, "Stuur reacties als JSON (Content-Type: application/json)."),
    "too-soon": (429, "Er kwamen net veel reacties van jouw netwerk. Probeer het zo "
                      "dadelijk opnieuw."),
    "too-many-comments": (429, "Vanaf jouw netwerk kwamen al veel reacties op dit artikel. "
                               "Antwoord op een bestaande reactie of mail de redactie."),
    "too-many-logins": (429, "Te veel mislukte pogingen. Probeer het over een minuut opnieuw."),
}


class Refusal(Exception):
    """Raised by a check; turned into one JSON answer by the app."""

    def __init__(self, reason: str, message: str | None = None, **extra):
        status, default = REASONS[reason]
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.message = message or default
        self.extra = extra

    @property
    def body(self) -> dict:
        return {"reason": self.reason, "message": self.message, **self.extra}

    def response(self) -> Response:
        response = Response(json.dumps(self.body, ensure_ascii=False), self.status,
                            content_type="application/json; charset=utf-8")
        if "retry_after" in self.extra:
            response.headers["Retry-After"] = str(self.extra["retry_after"])
        response.headers["Cache-Control"] = "no-store"
        return response
