"""Mails: confirmations (e-mail verified support, following by e-mail) and,
for the mail job, the new articles.

With ``PARTICIPATION_SERVER['smtp']`` (host, port, from, starttls,
username; the password in ``PARTICIPATION_SMTP_PASSWORD``) a mail is sent
through smtplib. Without it, outside production, the mail is printed on the
service's standard output (the preview's terminal); production refuses to
start without it when a consultation needs it (``cli``).

``message`` makes one mail: ``sender_name`` puts a name before ``from``
(the town's, for following by e-mail), ``html`` adds an HTML alternative,
``headers`` adds more (List-Unsubscribe ...). ``send`` sends one as the
service does (a failure is a 503 refusal); ``deliver`` sends one for the
mail job, whose ``DeliveryError`` says whether to try again.
"""

from __future__ import annotations

import logging
import os
import smtplib
import sys
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from .policy import now
from .refusals import Refusal

PASSWORD_ENV = "PARTICIPATION_SMTP_PASSWORD"
logger = logging.getLogger("dorpsplein.participation")


class DeliveryError(Exception):
    """A mail was not sent; ``permanent``: the server refused it (5xx), do not
    try again; else (4xx, no connection) try again later. ``code``: the SMTP
    reply code(s), never what else the server said (it names the address)."""

    def __init__(self, permanent: bool, code: str):
        super().__init__(f"SMTP code {code}")
        self.permanent = permanent
        self.code = code


class Mailer:
    def __init__(self, smtp: dict):
        self.smtp = dict(smtp or {})

    def message(self, to: str, subject: str, body: str, *, sender_name: str = "",
                html: str | None = None, headers: dict | None = None) -> EmailMessage:
        message = EmailMessage()
        sender = str(self.smtp.get("from") or "inspraak@localhost")
        message["From"] = formataddr((sender_name, sender)) if sender_name else sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(now())
        message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
        message["Auto-Submitted"] = "auto-generated"
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
        return message

    def transmit(self, message: EmailMessage) -> None:
        """Send ``message`` through the configured SMTP server, or print it
        (no server configured); smtplib's and the socket's errors pass."""
        if not self.smtp.get("host"):
            sys.stdout.write(f"--- mail (no smtp configured) ---\n{message}\n--- end ---\n")
            sys.stdout.flush()
            return
        with smtplib.SMTP(str(self.smtp["host"]), int(self.smtp.get("port") or 25),
                          timeout=15) as client:
            if self.smtp.get("starttls"):
                client.starttls()
            if self.smtp.get("username"):
                client.login(str(self.smtp["username"]), os.environ.get(PASSWORD_ENV, ""))
            client.send_message(message)

    def deliver(self, message: EmailMessage) -> None:
        """``transmit``, with every failure a ``DeliveryError`` (the mail job's)."""
        try:
            self.transmit(message)
        except (OSError, smtplib.SMTPException) as exc:
            code = smtp_code(exc)
            codes = [int(c) for c in code.split(",") if c.isdigit()]
            permanent = bool(codes) and all(500 <= c < 600 for c in codes)
            raise DeliveryError(permanent, code) from None

    def send(self, to: str, subject: str, body: str, *, sender_name: str = "") -> None:
        message = self.message(to, subject, body, sender_name=sender_name)
        try:
            self.transmit(message)
        except (OSError, smtplib.SMTPException) as exc:
            # Never str(exc): SMTPRecipientsRefused (and a server's reply in
            # others) names the citizen's address. The class and code say enough.
            logger.error("The confirmation mail was not sent: %s (SMTP code %s)",
                         type(exc).__name__, smtp_code(exc))
            raise Refusal("mail_failed") from None


def smtp_code(exc: BaseException) -> str:
    """The SMTP reply code(s) of a failure, without anything else the server said."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _reply in exc.recipients.values()})
        return ",".join(codes) or "none"
    code = getattr(exc, "smtp_code", None)
    return str(code) if isinstance(code, int) else "none"
