"""Following by e-mail from end to end: Chromium, the real service, a real
SMTP server, the real mail job.

The sample site is built and served on 127.0.0.1; the participation service
(gunicorn, SQLite) reads its participation.json and mails through aiosmtpd.
Three citizens subscribe in Chromium (under an article, with JavaScript; on
"Volg ons" choosing a theme, without it) and confirm from the mail they
receive. An article is published (a new file, a new build) and the mail job
runs twice: exactly one mail for each subscriber whose choice includes it,
none for the others. One unsubscribes in one request (RFC 8058's one-click
POST, as a mail provider sends it), one through the mail's footer link in the
browser; after another article, the job mails neither of them.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.request
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from participation_service import free_port, start
from test_accessibility import axe_faults

from dorpsplein.build import ROOT, build
from dorpsplein.devtools.static_server import serve_directory

pytestmark = pytest.mark.e2e

ARTICLE = "/2026/debat-modereren/"
THEME = "Sociale media"
OTHER_THEME = "Moderatie"


def new_article(slug: str, title: str, category: str, moment: datetime) -> str:
    return (f"Title: {title}\nSlug: {slug}\nDate: {moment:%Y-%m-%d %H:%M}\n"
            f"Category: {category}\nTags: test\n"
            f"Summary: Een kort bericht over {title.lower()}.\n\n"
            "Dit artikel verschijnt in de test van de e-mails aan wie ons volgt. "
            "Het heeft net genoeg tekst om een gewoon artikel te zijn.\n")


class Follow:
    """The built site, its static server, the service, the mailbox, the job."""

    def __init__(self, tmp: Path, mailbox):
        self.tmp = tmp
        self.mailbox = mailbox
        self.content = tmp / "content"
        shutil.copytree(ROOT / "content", self.content)
        self.output = tmp / "output"
        self.site_port, self.service_port = free_port(), free_port()
        self.site = f"http://127.0.0.1:{self.site_port}"
        self.service_url = f"http://127.0.0.1:{self.service_port}"
        self.stack = ExitStack()

    def build(self) -> None:
        build("pelicanconf.py", overrides={
            "PATH": str(self.content), "OUTPUT_PATH": str(self.output),
            "CACHE_PATH": str(self.tmp / "cache"), "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False, "PREVIEW_URL": self.site,
            "PARTICIPATION_URL": self.service_url,
            "PARTICIPATION_DATA": str(ROOT / "tests" / "data" / "participation")})

    def publish(self, slug: str, title: str, category: str) -> str:
        """A new article, dated now, built into the site; its address."""
        moment = datetime.now(ZoneInfo("Europe/Brussels")) - timedelta(minutes=5)
        (self.content / "articles" / f"{slug}.md").write_text(
            new_article(slug, title, category, moment), encoding="utf-8")
        self.build()
        return f"/{moment:%Y}/{slug}/"

    def mail_job(self) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "dorpsplein.participation", "mail-new",
             "--state-dir", str(self.service.state_dir)],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    def mails_to(self, address: str) -> list:
        return [message for rcpt, message in self.mailbox.messages if address in rcpt]

    def followers(self) -> list[tuple]:
        with sqlite3.connect(self.service.state_dir / "participation.db") as db:
            return db.execute("SELECT address, topics FROM email_followers "
                              "ORDER BY address").fetchall()

    def __enter__(self):
        self.build()
        self.service = start(
            self.tmp / "service", "--origin", self.site, site=self.output / "participation.json",
            port=self.service_port,
            smtp={"host": "127.0.0.1", "port": self.mailbox.port,
                  "from": "nieuws@lindeveld.example"})
        self.stack.callback(self.service.stop)
        self.stack.enter_context(serve_directory(self.output, port=self.site_port))
        return self

    def __exit__(self, *exc):
        self.stack.close()


def new_context(browser, javascript=True, width=375, **options):
    return browser.new_context(viewport={"width": width, "height": 900}, locale="nl-BE",
                               java_script_enabled=javascript, **options)


def body_of(message, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    return part.get_content()


def link_in(text: str, path: str) -> str:
    found = re.findall(r"https?://[^\s<>\"]+" + re.escape(path) + r"[^\s<>\"]*", text)
    assert found, f"no link with {path} in:\n{text}"
    return found[0]


def confirm(browser, follow, address: str) -> None:
    """Open the confirmation mail's link, see what will be stored, press the button."""
    message = follow.mailbox.wait_for(address)
    link = link_in(body_of(message, "plain"), "/volgen/bevestig/")
    context = new_context(browser, javascript=False)
    page = context.new_page()
    try:
        page.goto(link)
        assert address in page.locator("main").inner_text()
        assert address not in [row[0] for row in follow.followers()]  # a GET stores nothing
        page.get_by_role("button", name=re.compile("Bevestig")).click()
        page.wait_for_load_state()
        assert "volgt" in page.get_by_role("heading", level=1).inner_text()
    finally:
        context.close()


def subscribe_under_article(browser, follow, address: str) -> None:
    context = new_context(browser)
    page = context.new_page()
    try:
        page.goto(follow.site + ARTICLE)
        form = page.locator("form", has=page.get_by_role("button", name="Inschrijven"))
        form.get_by_label(re.compile("e-mailadres", re.I)).fill(address)
        form.get_by_label(re.compile("Alle nieuwe artikels")).check()
        form.get_by_role("button", name="Inschrijven").click()
        page.wait_for_load_state()
        assert page.url.startswith(follow.service_url + "/volgen/bedankt")
        assert "mailbox" in page.get_by_role("heading", level=1).inner_text().lower()
        assert context.cookies() == []
    finally:
        context.close()


def subscribe_to_theme(browser, follow, address: str, theme: str) -> None:
    """On "Volg ons", without JavaScript, one theme ticked."""
    context = new_context(browser, javascript=False, width=1280)
    page = context.new_page()
    try:
        page.goto(follow.site + "/volg-ons/")
        form = page.locator("form", has=page.get_by_role("button", name="Inschrijven"))
        form.get_by_label(re.compile("e-mailadres", re.I)).fill(address)
        form.get_by_label(theme, exact=True).check()
        form.get_by_role("button", name="Inschrijven").click()
        page.wait_for_load_state()
        assert page.url.startswith(follow.service_url + "/volgen/bedankt")
    finally:
        context.close()


def one_click(url: str) -> int:
    """RFC 8058: what a mail provider's server sends, no Origin, no cookie."""
    request = urllib.request.Request(url, data=b"List-Unsubscribe=One-Click", method="POST",
                                     headers={"Content-Type":
                                              "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=15) as answer:
        return answer.status


@pytest.fixture(scope="module")
def follow(tmp_path_factory, mailbox):
    with Follow(tmp_path_factory.mktemp("volgen"), mailbox) as running:
        yield running


def test_subscribe_confirm_publish_mail_once_unsubscribe(browser, follow, axe_source):
    alle, thema, ander = ("alle@lindeveld.example", "thema@lindeveld.example",
                          "ander@lindeveld.example")
    subscribe_under_article(browser, follow, alle)
    subscribe_to_theme(browser, follow, thema, THEME)
    subscribe_to_theme(browser, follow, ander, OTHER_THEME)
    for address in (alle, thema, ander):
        confirm(browser, follow, address)
    assert {alle, ander, thema} <= {row[0] for row in follow.followers()}
    # The job's first run knows every article published so far: no mail.
    follow.mail_job()
    assert [len(follow.mails_to(a)) for a in (alle, thema, ander)] == [0, 0, 0]

    title = "Onze nieuwe Mastodon-account"
    url = follow.publish("nieuwe-mastodon-account", title, THEME)
    follow.mail_job()
    follow.mail_job()  # a second run sends nothing again
    for address, expected in ((alle, 1), (thema, 1), (ander, 0)):
        assert len(follow.mails_to(address)) == expected, address
    message = follow.mails_to(alle)[0]
    assert message["Subject"] == title
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(https?://[^>]+)>", message["List-Unsubscribe"]).group(1)
    html = body_of(message, "html")
    assert f'href="{follow.site}{url}"' in html
    assert "<img" not in html and "<script" not in html

    # One request unsubscribes; the other leaves by the footer link.
    assert one_click(unsubscribe) == 200
    footer = link_in(body_of(follow.mails_to(thema)[0], "plain"), "/volgen/uitschrijven/")
    # The page has no script; axe is one (its CSP would refuse it).
    context = new_context(browser, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(footer)
        faults = axe_faults(page, footer, axe_source)
        page.get_by_role("button", name="Uitschrijven").click()
        page.wait_for_load_state()
        assert "uitgeschreven" in page.get_by_role("heading", level=1).inner_text()
    finally:
        context.close()
    assert faults == []
    assert {alle, thema, ander} & {row[0] for row in follow.followers()} == {ander}

    follow.publish("tweede-bericht", "Een tweede bericht", OTHER_THEME)
    before = {a: len(follow.mails_to(a)) for a in (alle, thema, ander)}
    follow.mail_job()
    assert {a: len(follow.mails_to(a)) - before[a] for a in (alle, thema, ander)} == \
        {alle: 0, thema: 0, ander: 1}


def test_a_wrong_address_is_said_and_every_page_passes_axe(browser, follow, axe_source):
    """Without JavaScript, as on a cheap phone: a mistyped address brings the
    service's form back with an error summary that has the focus and the
    address as typed; the service's pages have no WCAG 2.1 AA fault (axe), in
    light and dark, narrow and wide."""
    faults = []
    for width, scheme in ((375, "light"), (1280, "dark")):
        context = new_context(browser, javascript=False, width=width, color_scheme=scheme)
        page = context.new_page()
        try:
            page.goto(follow.site + ARTICLE)
            form = page.locator("form", has=page.get_by_role("button", name="Inschrijven"))
            form.get_by_label(re.compile("e-mailadres", re.I)).fill("noor.lindeveld.example")
            form.get_by_role("button", name="Inschrijven").click()
            page.wait_for_load_state()
            assert page.url.startswith(follow.service_url + "/volgen")
            summary = page.locator(".error-summary")
            assert summary.get_attribute("role") == "alert"
            assert summary.evaluate("el => el === document.activeElement")
            assert page.title().startswith("Fout")
            field = page.get_by_label(re.compile("e-mailadres", re.I))
            assert field.input_value() == "noor.lindeveld.example"
            assert field.get_attribute("aria-invalid") == "true"
        finally:
            context.close()
        # axe needs a script, which the service's CSP refuses: the check alone bypasses it.
        context = new_context(browser, width=width, color_scheme=scheme, bypass_csp=True)
        page = context.new_page()
        try:
            for path in ("/volgen", "/volgen/bedankt", "/volgen/ingeschreven",
                         "/volgen/uitgeschreven"):
                page.goto(follow.service_url + path)
                faults += axe_faults(page, f"{path} ({width}px, {scheme})", axe_source)
            page.goto(follow.service_url + "/volgen")
            page.get_by_role("button", name=re.compile("Volg")).click()
            page.wait_for_load_state()
            assert page.locator(".error-summary").count() == 1
            faults += axe_faults(page, f"/volgen with its error ({width}px, {scheme})",
                                 axe_source)
            page.goto(follow.site + "/volg-ons/")
            faults += axe_faults(page, f"/volg-ons/ ({width}px, {scheme})", axe_source)
        finally:
            context.close()
    assert not faults, "\n".join(faults)
