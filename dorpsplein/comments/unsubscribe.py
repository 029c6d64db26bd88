"""The unsubscribe link in reply notifications: a GET never acts.

Isso 0.14 unsubscribes on a GET of ``/id/N/unsubscribe/ADDRESS/KEY``, so a
mail scanner that opens the link unsubscribes the citizen, and answers with
an English page. After Isso's routing (``app.TownIsso.check_unsubscribe``):

- GET: the key is checked exactly as Isso checks it (``key_matches``); a
  good one gets our page with a button (a plain form, no script, the CSP of
  ``moderation.PAGE_HEADERS``), a bad one 403, an unknown comment 404;
- POST (the button, or a mail provider's RFC 8058 one click with the body
  ``List-Unsubscribe=One-Click`` and no Origin): Isso's own unsubscribe
  view runs (it checks the key again and updates the database), and our page
  says what happened. Doing it twice changes nothing more.
"""

from __future__ import annotations

from html import escape
from urllib.parse import unquote

from itsdangerous import BadSignature, SignatureExpired
from werkzeug.wrappers import Response

from .i18n import _
from .moderation import page

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def key_matches(unsign, address: str, key: str) -> bool:
    """Isso's own test (isso/views/comments.py, ``unsubscribe``): the key is
    Isso's signature of ["unsubscribe", address], of any age."""
    try:
        value = unsign(key, max_age=2**32)
    except (BadSignature, SignatureExpired):
        return False
    return (isinstance(value, list) and len(value) == 2 and value[0] == "unsubscribe"
            and value[1] == unquote(address))


def wants_out(form) -> bool:
    """The POST of our button, or of a mail provider's one click."""
    return form.get("confirm") == "1" or form.get("List-Unsubscribe") == "One-Click"


def confirm_page() -> Response:
    title = _("No more mails about this conversation")
    text = _("You now receive a mail when someone replies in this conversation. Press "
             "the button to stop those mails. Without it, nothing changes.")
    button = _("Stop these mails")
    body = (f"<p>{escape(text)}</p>\n"
            '<form method="post">\n<input type="hidden" name="confirm" value="1">\n'
            f'<p><button type="submit">{escape(button)}</button></p>\n</form>')
    return page(title, body)


def result_page(status: int, link: str | None = None) -> Response:
    """Our answer once Isso's view has run (its status) or refused the link."""
    title = _("No more mails about this conversation")
    if status == 200:
        done = _("You no longer receive mails about this conversation.")
        body = f'<p role="status">{escape(done)}</p>'
        if link:
            back = _("Back to the article")
            body += f'<p><a href="{escape(link)}">{escape(back)}</a></p>'
        return page(title, body, 200)
    if status == 404:
        message = _("This conversation no longer exists: you receive no mails about it.")
    elif status == 400:
        message = _("This request cannot be read. Use the button in the page of the link "
                    "in your mail.")
    else:
        status = 403
        message = _("This link is not valid. Use the link in the most recent mail you "
                    "received about this conversation.")
    return page(title, f'<p role="alert">{escape(message)}</p>', status)
