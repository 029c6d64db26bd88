"""Confirmation mails for e-mail verified support.

With ``PARTICIPATION_SERVER['smtp']`` (host, port, from, starttls,
username; the password in ``PARTICIPATION_SMTP_PASSWORD``) a mail is sent
through smtplib. Without it, outside production, the mail is printed on the
service's standard output (the preview's terminal); production refuses to
start without it when a consultation needs it (``cli``).
"""

from __future__ import annotations

import logging
import os
import smtplib
import sys
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from .policy import now
from .refusals import Refusal

PASSWORD_ENV = "PARTICIPATION_SMTP_PASSWORD"
logger = logging.getLogger("dorpsplein.participation")


class Mailer:
    def __init__(self, smtp: dict):
        self.smtp = dict(smtp or {})

    def message(self, to: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        sender = str(self.smtp.get("from") or "inspraak@localhost")
        message["From"] = sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(now())
        message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(body)
        return message

    def send(self, to: str, subject: str, body: str) -> None:
        message = self.message(to, subject, body)
        if not self.smtp.get("host"):
            sys.stdout.write(f"--- mail (no smtp configured) ---\n{message}\n--- end ---\n")
            sys.stdout.flush()
            return
        try:
            with smtplib.SMTP(str(self.smtp["host"]), int(self.smtp.get("port") or 25),
                              timeout=15) as client:
                if self.smtp.get("starttls"):
                    client.starttls()
                if self.smtp.get("username"):
                    client.login(str(self.smtp["username"]), os.environ.get(PASSWORD_ENV, ""))
                client.send_message(message)
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
