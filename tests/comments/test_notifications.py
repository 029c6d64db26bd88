"""Moderators' notices and reply notifications: Dutch mails whose links work
under the shipped CSP, and an unsubscribe that a GET never performs.

One real comment server (gunicorn + Isso, moderation on, notify = "smtp",
reply notifications on) mails a real SMTP server (aiosmtpd) on 127.0.0.1.
The server runs one worker, whose one sender thread sends mails in the order
they were made: so "nothing was sent" is shown without waiting for a time,
by sending a marker after the deed and checking, once the marker has
arrived, what arrived before it.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import sqlite3
import threading
import time
import urllib.parse
from email import message_from_bytes, policy
from email.utils import parseaddr, parsedate_to_datetime

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from conftest import FROM_PELICANCONF, free_port
from own_servers import start

from dorpsplein.build import ROOT
from dorpsplein.comments.i18n import LOCALE

pytestmark = pytest.mark.slow

SITE = "https://blog.lindeveld.example"
OPEN = "/2026/x-of-mastodon/"
MODERATORS = "moderatie@lindeveld.example"
SENDER = "reacties@lindeveld.example"
_numbers = itertools.count(1)


class Mailbox:
    """A real SMTP server on 127.0.0.1 (aiosmtpd); every message, in order."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.arrived = threading.Condition()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.raw = envelope.content.decode("utf-8", errors="replace")
        with self.arrived:
            self.messages.append((list(envelope.rcpt_tos), message))
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, wanted, timeout: float = 60):
        """The first message for which ``wanted(rcpt, message)`` holds (waits
        for it: a bound so that a broken server fails the test, not a measure)."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                for rcpt, message in self.messages:
                    if wanted(rcpt, message):
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("the expected mail did not arrive")
                self.arrived.wait(left)

    def to(self, address: str) -> list:
        with self.arrived:
            return [message for rcpt, message in self.messages if address in rcpt]


def body(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


@pytest.fixture(scope="module")
def mailbox():
    box = Mailbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_site, mailbox):
    folder = tmp_path_factory.mktemp("notifications")
    port = free_port()
    settings = folder / "settings.py"
    settings.write_text(
        FROM_PELICANCONF
        + f"PATH = {str(ROOT / 'content')!r}\nTHEME = {str(ROOT / 'theme')!r}\n"
        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n"
        f"SITEURL = {SITE!r}\nISSO_COMMENTS_URL = 'http://127.0.0.1:{port}'\n"
        "ISSO_COMMENTS_SERVER = {**ISSO_COMMENTS_SERVER, 'moderation': True, "
        "'notify': 'smtp', 'smtp': {'host': '127.0.0.1', "
        f"'port': {mailbox.port}, 'security': 'none', 'from': {SENDER!r}, "
        f"'to': {MODERATORS!r}}}}}\n", encoding="utf-8")
    started = start(folder / "state", sample_site.output / "isso-threads.json", SITE,
                    "--no-guard", settings=str(settings), workers=1, port=port)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def title(sample_site):
    threads = json.loads((sample_site.output / "isso-threads.json").read_text())
    return threads["threads"][OPEN]["title"]


def raw(server, method, path, data=b"", headers=None):
    """One request, redirects not followed; returns (status, headers, text)."""
    parts = urllib.parse.urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request(method, path, body=data, headers=headers or {})
    response = connection.getresponse()
    text = response.read().decode("utf-8", errors="replace")
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, text


def post(server, text, author, email=None, parent=None, notification=False) -> int:
    data = {"text": text, "author": author, "email": email, "parent": parent,
            "notification": 1 if notification else 0}
    status, _headers, answer = raw(server, "POST", f"/new?uri={OPEN}",
                                   json.dumps(data).encode(),
                                   {"Content-Type": "application/json", "Origin": SITE})
    assert status == 202, answer  # waits for a moderator
    return json.loads(answer)["id"]


def moderators_notice(mailbox, number):
    return mailbox.wait_for(lambda rcpt, message: MODERATORS in rcpt
                            and f"/id/{number}/delete/" in body(message))


def link_in(text: str, label: str) -> str:
    [link] = re.findall(rf"^{label}: (\S+)$", text, re.MULTILINE)
    return link


def path_of(link: str) -> str:
    return urllib.parse.urlsplit(link).path


def approve(server, mailbox, number) -> None:
    """What a moderator does: the link in the notice, then the page's button."""
    link = path_of(link_in(body(moderators_notice(mailbox, number)), "Goedkeuren"))
    status, _headers, page = raw(server, "POST", link, b"confirm=1", {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": server.url})
    assert status == 200 and "De reactie is goedgekeurd." in page


def settle(server, mailbox) -> None:
    """Every mail the server made so far has arrived (see the docstring)."""
    marker = post(server, f"Markering {next(_numbers)}", "Markering")
    moderators_notice(mailbox, marker)


def notification_of(server, number) -> int:
    with sqlite3.connect(server.database) as db:
        return db.execute("SELECT notification FROM comments WHERE id = ?",
                          (number,)).fetchone()[0]


def mode_of(server, number) -> int:
    with sqlite3.connect(server.database) as db:
        return db.execute("SELECT mode FROM comments WHERE id = ?", (number,)).fetchone()[0]


def person(name: str) -> str:
    return f"{name.lower()}{next(_numbers)}@voorbeeld.be"


def a_strict_page(headers, page):
    policy_header = headers["content-security-policy"]
    assert "default-src 'none'" in policy_header and "script-src" not in policy_header
    assert headers["x-frame-options"] == "DENY" and headers["cache-control"] == "no-store"
    doc = BeautifulSoup(page, "lxml")
    assert doc.find("script") is None and doc.html["lang"] == "nl"
    # The address (key, commenter's address) is never sent on as a Referer:
    # only the origin, in the header and in a meta tag (a web server's own
    # header comes after ours; the meta tag wins).
    assert headers["referrer-policy"] == "strict-origin"
    assert doc.head.find("meta", attrs={"name": "referrer"})["content"] == "strict-origin"
    return doc


# -- the tests ------------------------------------------------------------------------


def test_the_form_offers_reply_notifications(server):
    status, _headers, answer = raw(server, "GET", "/config")
    assert status == 200 and json.loads(answer)["config"]["reply-notifications"] is True


def test_moderators_get_a_dutch_notice_whose_links_work_under_the_csp(server, mailbox, title):
    anna = person("Anna")
    number = post(server, "Goed idee,\nmaar wanneer?", "Anna & co", anna, notification=True)
    notice = moderators_notice(mailbox, number)
    assert notice["Subject"] == f"Nieuwe reactie op {title} wacht op goedkeuring"
    name, address = parseaddr(notice["From"])
    assert (name, address) == ("Lindeveld in gesprek", SENDER)
    assert notice["To"] == MODERATORS and notice["Auto-Submitted"] == "auto-generated"
    assert parsedate_to_datetime(notice["Date"]).tzinfo is not None
    assert re.fullmatch(r"<[^<>@\s]+@lindeveld\.example>", notice["Message-ID"])
    assert notice.get_content_type() == "text/plain"
    text = body(notice)
    assert f"Anna & co schreef bij ‘{title}’:" in text
    assert "> Goed idee,\n> maar wanneer?" in text  # the comment, plain and quoted
    assert f"Het artikel: {SITE}{OPEN}\n" in text
    approve_link = link_in(text, "Goedkeuren")
    delete_link = link_in(text, "Verwijderen")
    assert approve_link.startswith(f"{server.url}/id/{number}/activate/")
    assert delete_link.startswith(f"{server.url}/id/{number}/delete/")
    assert anna not in text  # the moderators need no address

    # A mail scanner opens the link: our page with a button, nothing happens.
    status, headers, page = raw(server, "GET", path_of(approve_link))
    assert status == 200
    form = a_strict_page(headers, page).find("form")
    assert form["method"] == "post" and form.find("button").get_text() == "Goedkeuren"
    assert mode_of(server, number) == 2
    # The moderator presses the button.
    status, _headers, page = raw(server, "POST", path_of(approve_link), b"confirm=1", {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": server.url})
    assert status == 200 and "De reactie is goedgekeurd." in page
    assert mode_of(server, number) == 1


def test_a_reply_mails_the_commenter_who_asked_once_it_is_approved(server, mailbox, title):
    anna, bert = person("Anna"), person("Bert")
    first = post(server, "Ik wil graag meer weten.", "Anna", anna, notification=True)
    approve(server, mailbox, first)
    reply = post(server, "Dat staat in het verslag.", "Bert", bert, parent=first,
                 notification=True)
    settle(server, mailbox)
    assert mailbox.to(anna) == []  # the reply waits for a moderator: no mail yet

    approve(server, mailbox, reply)
    mail = mailbox.wait_for(lambda rcpt, message: anna in rcpt)
    assert mail["Subject"] == f"Nieuw antwoord op je reactie bij {title}"
    assert mail["To"] == anna and mail["Auto-Submitted"] == "auto-generated"
    assert parseaddr(mail["From"]) == ("Lindeveld in gesprek", SENDER)
    assert mail["Date"] and mail["Message-ID"]
    text = body(mail)
    assert f"Bert antwoordde op je reactie bij ‘{title}’:" in text
    assert "> Dat staat in het verslag." in text
    assert f"Lees het gesprek: {SITE}{OPEN}#isso-{reply}\n" in text
    unsubscribe = link_in(text, "Geen mails meer over dit gesprek")
    assert unsubscribe.startswith(f"{server.url}/id/{first}/unsubscribe/")
    assert mail["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # As written on the wire: the URL itself, in angle brackets, on one line
    # (not RFC 2047 encoded-words, which a mail provider would not read).
    assert f"\r\nList-Unsubscribe: <{unsubscribe}>\r\n" in mail.raw

    # Anna answers in her own conversation: Bert (who asked) hears of it,
    # Anna never of her own reply.
    own = post(server, "Dank je!", "Anna", anna, parent=first, notification=True)
    approve(server, mailbox, own)
    to_bert = mailbox.wait_for(lambda rcpt, message: bert in rcpt)
    assert to_bert["Subject"] == f"Nieuw antwoord in het gesprek bij {title}"
    assert f"#isso-{own}" in body(to_bert)
    settle(server, mailbox)
    assert len(mailbox.to(anna)) == 1 and len(mailbox.to(bert)) == 1


def test_who_did_not_ask_gets_nothing(server, mailbox):
    carla, dirk = person("Carla"), person("Dirk")
    first = post(server, "Zonder vinkje.", "Carla", carla, notification=False)
    approve(server, mailbox, first)
    reply = post(server, "Een antwoord voor Carla.", "Dirk", dirk, parent=first)
    approve(server, mailbox, reply)
    settle(server, mailbox)
    assert mailbox.to(carla) == [] and mailbox.to(dirk) == []


def reply_mail_for(server, mailbox, first, address):
    """Someone replies to ``first``, a moderator approves: the mail to ``address``."""
    before = len(mailbox.to(address))
    reply = post(server, f"Antwoord {next(_numbers)}.", "Els", person("Els"), parent=first)
    approve(server, mailbox, reply)
    mailbox.wait_for(lambda rcpt, message: len(mailbox.to(address)) > before)
    return mailbox.to(address)[-1]


def test_unsubscribing_takes_a_post_never_a_get(server, mailbox):
    fien = person("Fien")
    first = post(server, "Hou me op de hoogte.", "Fien", fien, notification=True)
    approve(server, mailbox, first)
    link = link_in(body(reply_mail_for(server, mailbox, first, fien)),
                   "Geen mails meer over dit gesprek")
    path = path_of(link)

    # A tampered key (or address) is refused and changes nothing.
    forged = path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB")
    other = path.replace(urllib.parse.quote(fien, safe="@"), "iemand@voorbeeld.be")
    for wrong in (forged, other):
        status, headers, page = raw(server, "GET", wrong)
        assert status == 403 and "Deze link is ongeldig" in page
        a_strict_page(headers, page)
        status, _headers, page = raw(server, "POST", wrong, b"confirm=1", {
            "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 403 and "Deze link is ongeldig" in page
    assert notification_of(server, first) == 1

    # A mail scanner opens the link: a page with a button, nothing changes ...
    status, headers, page = raw(server, "GET", path)
    assert status == 200
    form = a_strict_page(headers, page).find("form")
    assert form["method"] == "post" and form.find("button").get_text() == "Stop deze mails"
    assert notification_of(server, first) == 1
    # ... so the next reply still mails Fien.
    reply_mail_for(server, mailbox, first, fien)

    # The button unsubscribes; a second press changes nothing more.
    for _press in range(2):
        status, headers, page = raw(server, "POST", path, b"confirm=1", {
            "Content-Type": "application/x-www-form-urlencoded", "Origin": server.url})
        assert status == 200 and "Je krijgt geen mails meer over dit gesprek." in page
        a_strict_page(headers, page)
    assert notification_of(server, first) == 0
    count = len(mailbox.to(fien))
    reply = post(server, "Nog een antwoord.", "Gert", person("Gert"), parent=first)
    approve(server, mailbox, reply)
    settle(server, mailbox)
    assert len(mailbox.to(fien)) == count


def test_a_mail_providers_one_click_unsubscribes_without_an_origin(server, mailbox):
    hanne = person("Hanne")
    first = post(server, "Mail me.", "Hanne", hanne, notification=True)
    approve(server, mailbox, first)
    mail = reply_mail_for(server, mailbox, first, hanne)
    path = path_of(mail["List-Unsubscribe"].strip("<>"))

    # Only the unsubscribe route takes a write without an Origin ...
    status, _headers, answer = raw(server, "POST", f"/new?uri={OPEN}", json.dumps(
        {"text": "Zonder Origin.", "author": "X"}).encode(), {"Content-Type": "application/json"})
    assert status == 403 and json.loads(answer)["reason"] == "origin-not-allowed"
    # ... and only with a form that asks for it.
    status, _headers, page = raw(server, "POST", path, b"iets=anders", {
        "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and notification_of(server, first) == 1

    # RFC 8058: a POST with List-Unsubscribe=One-Click, no Origin, no Referer.
    status, _headers, page = raw(server, "POST", path, b"List-Unsubscribe=One-Click", {
        "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and notification_of(server, first) == 0
    count = len(mailbox.to(hanne))
    reply = post(server, "Nog een antwoord voor Hanne.", "Ine", person("Ine"), parent=first)
    approve(server, mailbox, reply)
    settle(server, mailbox)
    assert len(mailbox.to(hanne)) == count


def test_the_one_click_also_comes_as_multipart(server, mailbox):
    jan = person("Jan")
    first = post(server, "Ook ik.", "Jan", jan, notification=True)
    approve(server, mailbox, first)
    path = path_of(reply_mail_for(server, mailbox, first, jan)["List-Unsubscribe"].strip("<>"))
    boundary = "---FormBoundaryjWmhtjORrn"
    data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n"
            f"\r\nOne-Click\r\n--{boundary}--\r\n").encode()
    status, _headers, _page = raw(server, "POST", path, data, {
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status == 200 and notification_of(server, first) == 0


def test_no_address_is_in_the_servers_log(server, mailbox):
    settle(server, mailbox)
    log = server.log.read_text(encoding="utf-8")
    assert "@voorbeeld.be" not in log and MODERATORS not in log
    assert "was sent" in log  # the log does say what happened


def test_every_word_of_the_mails_and_pages_has_its_dutch_line():
    with (LOCALE / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="nl")
    entries = {message.id: message for message in catalogue if message.id}
    wanted = set()
    for name in ("notifications.py", "unsubscribe.py"):
        for _line, message, _comments, _context in extract_from_file(
                "python", LOCALE.parent / name):
            wanted.add(message)
    assert len(wanted) >= 20
    assert sorted(m for m in wanted if m not in entries) == []
    assert sorted(m for m in entries if m not in wanted) == []
    for msgid, message in entries.items():
        assert message.string and not message.fuzzy, msgid
        assert set(re.findall(r"\{(\w+)\}", msgid)) == set(
            re.findall(r"\{(\w+)\}", message.string)), msgid
