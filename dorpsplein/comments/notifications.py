"""Mail from the comment service, in the town's language.

Isso 0.14's SMTP notifier writes English mails, sets List-Unsubscribe
without the angle brackets RFC 2369 requires and offers no one-click
unsubscribe (RFC 8058); its stdout notifier logs every comment as JSON, its
e-mail and IP address included. ``install(isso, service)`` takes both out of
Isso's signal table (the very table Isso's views signal through) and puts
ours in, so Isso's views still decide *when* a mail goes; we decide *what*
it says and *to whom*:

- ``TownMail``: to the moderators (``smtp['to']``), for every new comment:
  "Nieuwe reactie op <titel> wacht op goedkeuring", the comment as quoted
  plain text, the article's address, and the approve and delete links, which
  ``moderation.py`` answers with a page and a button (a GET never acts).
  To a commenter who ticked "mail me" (Isso's ``notification`` field), when a
  reply in their conversation is *published*: on approval with moderation on
  (Isso signals ``comments.activate``), at once without it; never to the
  replier's own address, never twice to one address. Each such mail carries
  ``List-Unsubscribe: <url>`` and ``List-Unsubscribe-Post:
  List-Unsubscribe=One-Click``. The link is Isso's own
  (``/id/N/unsubscribe/ADDRESS/KEY``, KEY = ``isso.sign(["unsubscribe",
  ADDRESS])``), intercepted by ``unsubscribe.py``: a page with a button on
  GET, the unsubscribe on POST (the button, or the mail provider's one click).
- ``TownLog``: the stdout notifier (``notify = "stdout"``), without addresses.

Mails leave from one sender thread per worker, in the order they were made,
one SMTP session each; an unreachable server is tried again a few times. A
failure is logged by its kind and SMTP code only: smtplib's exceptions and
a server's replies may name the address, and no address is ever logged.
"""

from __future__ import annotations

import html
import logging
import os
import queue
import smtplib
import threading
import time
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import quote

from isso import local
from isso.ext.notifications import SMTP, SMTPConnection, Stdout

from .i18n import _

logger = logging.getLogger("dorpsplein.comments")

ATTEMPTS = 5  # when the mail server cannot be reached
RETRY_SECONDS = 60
# Headers on one line up to RFC 5322's limit: folded at 78, the email package
# would write a long List-Unsubscribe URL as RFC 2047 encoded-words, which
# mail providers do not read as a URL.
MAIL_POLICY = policy.default.clone(max_line_length=998)


def one_line(text) -> str:
    """A stored value (Isso HTML-escapes names) as one line of plain text."""
    return " ".join(html.unescape(str(text or "")).split())


def quoted(text: str) -> str:
    """The citizen's words, each line quoted, so no line of theirs can pass
    for one of ours (a link to "approve", for instance)."""
    return "\n".join(("> " + line).rstrip() for line in str(text or "").strip().splitlines())


def unsubscribe_path(comment_id: int, address: str, key: str) -> str:
    """Isso's unsubscribe route for ``address`` (as stored) and its key."""
    return f"/id/{comment_id}/unsubscribe/{quote(address, safe='@')}/{key}"


def smtp_code(exc: BaseException) -> str:
    """The SMTP reply code(s) of a failure, without anything else the server said."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return ",".join(str(code) for code, _reply in exc.recipients.values()) or "-"
    code = getattr(exc, "smtp_code", None)
    return str(code) if code is not None else "-"


class Outbox:
    """One sender thread per process (started with the first mail, so never
    before gunicorn forks): mails leave in the order they were queued."""

    def __init__(self, conf):
        self.conf = conf  # Isso's [smtp] section
        self.queue: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def put(self, message: EmailMessage, label: str) -> None:
        with self.lock:
            if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="dorpsplein-mail",
                                               daemon=True)
                self.thread.start()
        self.queue.put((message, label))

    def _run(self) -> None:
        while True:
            message, label = self.queue.get()
            try:
                self.deliver(message, label)
            except Exception as exc:  # never let one mail stop the thread
                logger.error("%s was not sent: %s", label, type(exc).__name__)

    def deliver(self, message: EmailMessage, label: str) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with SMTPConnection(self.conf) as client:
                    client.send_message(message)
            except (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected) as exc:
                failure = exc
            except smtplib.SMTPException as exc:  # refused: trying again will not help
                logger.error("%s was not sent: %s (SMTP code %s)", label, type(exc).__name__,
                             smtp_code(exc))
                return
            except OSError as exc:  # the server cannot be reached
                failure = exc
            else:
                logger.info("%s was sent", label)
                return
            if attempt < ATTEMPTS:
                logger.warning("%s: the mail server did not answer (%s); trying again in "
                               "%d s", label, type(failure).__name__, RETRY_SECONDS)
                time.sleep(RETRY_SECONDS)
        logger.error("%s was not sent: the mail server did not answer (%s, SMTP code %s)",
                     label, type(failure).__name__, smtp_code(failure))


class Addresses:
    """Where things are: the comment server's public address (the links in
    mails), the site's (the article), and who the mail is from."""

    def __init__(self, isso, service: dict):
        self.public_endpoint = (service.get("public_endpoint") or "").rstrip("/")
        self.site_url = (service.get("site_url") or "").rstrip("/")
        self.site_name = one_line(service.get("site_name"))

    def endpoint(self) -> str:
        """The comment server as the citizen reaches it (Isso's fallback, the
        request's own host, when the settings do not say it)."""
        if self.public_endpoint:
            return self.public_endpoint
        environ = local("request").environ
        return str(local("host")) + environ.get("SCRIPT_NAME", "")

    def article(self, thread: dict) -> str:
        return (self.site_url or str(local("origin")).rstrip("/")) + thread["uri"]


class TownMail(SMTP):
    """Isso's SMTP notifier, saying our words (see the module's docstring).

    Isso's own ``SMTP.__init__`` is not run: its start-up probe already ran
    for the instance Isso made itself, and its uWSGI spooler is not ours."""

    def __init__(self, isso, service: dict):  # Isso's SMTP.__init__ is not called
        self.isso = isso
        self.conf = isso.conf.section("smtp")
        self.admin_notify = "smtp" in {n.lower() for n in isso.conf.getlist("general", "notify")}
        self.reply_notify = isso.conf.getboolean("general", "reply-notifications")
        self.where = Addresses(isso, service)
        self.public_endpoint = self.where.public_endpoint
        name, address = parseaddr(self.conf.get("from") or "")
        self.sender = Address(display_name=name or self.where.site_name, addr_spec=address)
        self.domain = address.rpartition("@")[2] or None
        self.outbox = Outbox(self.conf)

    # -- what Isso signals (SMTP.__iter__: comments.new:after-save, comments.activate)

    def notify_new(self, thread, comment):
        if self.admin_notify and self.conf.get("to"):
            self.send(self.conf.get("to"), *self.moderator_mail(thread, comment),
                      label=f"the moderators' notice of comment {comment['id']}")
        if comment["mode"] == 1:  # published at once (no moderation)
            self.notify_users(thread, comment)

    def notify_activated(self, thread, comment):
        self.notify_users(thread, comment)

    def notify_users(self, thread, comment):
        """Mail everyone in the reply's conversation who asked for it: the
        comment replied to and the other replies under it (Isso keeps one
        level of replies), published, with the box ticked."""
        if not self.reply_notify or comment.get("parent") is None:
            return
        comments = self.isso.db.comments
        parent = comments.get(comment["parent"])
        if parent is None:
            return
        candidates = [parent] if parent["mode"] == 1 else []
        candidates += list(comments.fetch(thread["uri"], mode=1, parent=parent["id"]))
        done = {(comment.get("email") or "").strip().casefold()}  # never the replier
        for other in candidates:
            address = (other.get("email") or "").strip()
            if not address or not other.get("notification") or other["id"] == comment["id"] \
                    or address.casefold() in done:
                continue
            done.add(address.casefold())
            subject, body, headers = self.reply_mail(thread, comment, parent, other, address)
            self.send(html.unescape(address), subject, body, headers,
                      label=f"a reply notification of comment {comment['id']}")

    # -- the mails ---------------------------------------------------------------------

    def title_of(self, thread) -> str:
        return one_line(thread.get("title")) or thread["uri"]

    def moderator_mail(self, thread, comment):
        title = self.title_of(thread)
        waiting = comment["mode"] == 2
        subject = (_("New comment on {title} awaits approval", title=title) if waiting
                   else _("New comment on {title}", title=title))
        link = f"{self.where.endpoint()}/id/{comment['id']}"
        key = self.isso.sign(comment["id"])
        author = one_line(comment.get("author")) or _("Someone")
        lines = [_("{author} wrote on “{title}”:", author=author, title=title), "",
                 quoted(comment["text"]), "",
                 _("The article: {url}", url=self.where.article(thread)), ""]
        approve, delete = f"{link}/activate/{key}", f"{link}/delete/{key}"
        if waiting:
            lines.append(_("Approve: {url}", url=approve))
        lines.append(_("Delete: {url}", url=delete))
        lines += ["", _("Each link first shows a page with a button: only that button "
                        "approves or deletes.")]
        return subject, "\n".join(lines) + "\n", ()

    def reply_mail(self, thread, comment, parent, recipient, address):
        title = self.title_of(thread)
        author = one_line(comment.get("author")) or _("Someone")
        if recipient["id"] == parent["id"]:
            subject = _("New reply to your comment on {title}", title=title)
            said = _("{author} replied to your comment on “{title}”:", author=author,
                     title=title)
        else:
            subject = _("New reply in the conversation on {title}", title=title)
            said = _("{author} replied in the conversation on “{title}”:", author=author,
                     title=title)
        unsubscribe = self.where.endpoint() + unsubscribe_path(
            parent["id"], address, self.isso.sign(["unsubscribe", address]))
        reply = f"{self.where.article(thread)}#isso-{comment['id']}"
        lines = [said, "", quoted(comment["text"]), "",
                 _("Read the conversation: {url}", url=reply), "",
                 # Isso does not check the address a commenter types: say so, so
                 # that someone who never commented knows what happened and
                 # how to stop it.
                 _("You receive this mail because someone who posted a comment with this "
                   "e-mail address asked to hear of replies. Was that not you? Then use "
                   "the link below: one click, and these mails stop."),
                 _("No more mails about this conversation: {url}", url=unsubscribe)]
        headers = (("List-Unsubscribe", f"<{unsubscribe}>"),
                   ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        return subject, "\n".join(lines) + "\n", headers

    def message(self, to: str, subject: str, body: str, headers=()) -> EmailMessage:
        message = EmailMessage(policy=MAIL_POLICY)
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=self.domain)
        message["Auto-Submitted"] = "auto-generated"
        for name, value in headers:
            message[name] = value
        message.set_content(body)
        return message

    def send(self, to, subject, body, headers=(), label="a mail"):
        self.outbox.put(self.message(to, subject, body, headers), label)

    # Isso's own senders, never used: everything goes through ``send``.
    def sendmail(self, *args, **kwargs):
        raise NotImplementedError("TownMail sends through send()")

    _sendmail = _retry = sendmail


class TownLog(Stdout):
    """Isso's stdout notifier without the addresses it logs (the comment as
    JSON, with its e-mail and IP address)."""

    def __init__(self, isso, service: dict):
        super().__init__(isso)
        self.where = Addresses(isso, service)

    def _new_comment(self, thread, comment):
        waiting = comment["mode"] == 2
        logger.info("comment %i on %s%s", comment["id"], thread["uri"],
                    " waits for approval" if waiting else "")
        link = f"{self.where.endpoint()}/id/{comment['id']}"
        key = self.isso.sign(comment["id"])
        if waiting:
            logger.info("approve: %s/activate/%s", link, key)
        logger.info("delete: %s/delete/%s", link, key)

    def _edit_comment(self, comment):
        logger.info("comment %i edited", comment["id"])

    def _activate_comment(self, thread, comment):
        logger.info("comment %i approved", comment["id"])


def install(isso, service: dict) -> None:
    """Replace Isso's notifiers in its signal table by ours (the same table
    Isso's API signals through), as ``notify`` and ``reply-notifications``
    in isso.cfg ask."""
    table = isso.signal.subscriptions
    for signal in list(table):
        table[signal] = [receiver for receiver in table[signal]
                         if not isinstance(getattr(receiver, "__self__", None), (SMTP, Stdout))]
    backends = {name.lower() for name in isso.conf.getlist("general", "notify")}
    ours = []
    if "stdout" in backends:
        ours.append(TownLog(isso, service))
    if "smtp" in backends or isso.conf.getboolean("general", "reply-notifications"):
        ours.append(TownMail(isso, service))
    for notifier in ours:
        for signal, receiver in notifier:
            table[signal].append(receiver)
