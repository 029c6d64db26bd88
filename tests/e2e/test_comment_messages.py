"""The citizen always knows what happened: refusals, an unreachable server and
a thread that does not load are said in Dutch, next to the form, to screen
readers too, and the typed text stays. Real Chromium, the real comment server;
network failures are real (an aborted request, a socket that never answers)."""

from __future__ import annotations

import json
import re
import socket
import threading
from pathlib import Path

import isso
import pytest

pytestmark = pytest.mark.e2e

# Threads no other e2e test posts to (each test writes from its own /24
# network, so the server's per-network limits of one test never touch another).
SOON = "/2026/bereik-meten-zonder-volgen/"
LOADS = "/2026/linkedin-lokaal-bestuur/"
CLOSING = "/2026/geintegreerde-kanaalaanpak/"
EMBED = Path(isso.__file__).parent / "js" / "embed.min.js"

LOAD_BUTTON = "Toon reacties en reageer"
FAILED = "De reacties konden niet geladen worden."
RETRY = "Opnieuw proberen"


class SilentServer:
    """A real socket on 127.0.0.1 that accepts connections and says nothing
    until ``answer()``; then it sends ``body`` as a 200 response."""

    def __init__(self, body: bytes, content_type: str = "application/javascript"):
        self.body = body
        self.content_type = content_type
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.release = threading.Event()
        self.answered = threading.Event()
        self.requests: list[str] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._hold, args=(conn,), daemon=True).start()

    def _hold(self, conn):
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            self.requests.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
            self.release.wait()
            head = (f"HTTP/1.1 200 OK\r\nContent-Type: {self.content_type}\r\n"
                    f"Content-Length: {len(self.body)}\r\nConnection: close\r\n\r\n")
            try:
                conn.sendall(head.encode("latin-1") + self.body)
            except OSError:
                return
            self.answered.set()

    def answer(self):
        self.release.set()

    def close(self):
        self.release.set()
        self.sock.close()


def citizen(browser, server_url, network):
    """A browser context whose requests reach the comment server from ``network``."""
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="nl-BE")

    def add_address(route):
        route.continue_(headers={**route.request.headers, "x-forwarded-for": network})

    context.route(server_url + "/**", add_address)
    return context


def open_thread(page, url, load_timeout_ms=None):
    page.goto(url, wait_until="networkidle")
    if load_timeout_ms is not None:
        set_load_timeout(page, load_timeout_ms)
    page.locator("#reacties").scroll_into_view_if_needed()
    page.locator("#isso-thread > .isso-postbox .isso-textarea").wait_for()


def set_load_timeout(page, ms):
    """The template's data-load-timeout (10 s), shortened for this page; the
    script reads it each time it starts loading."""
    page.evaluate("ms => document.querySelector('script[data-isso]')"
                  ".setAttribute('data-load-timeout', String(ms))", ms)


def post(page, text, author="Marieke", box="#isso-thread > .isso-postbox"):
    form = page.locator(box)
    form.locator(".isso-textarea").fill(text)
    form.locator("input[name=author]").fill(author)
    form.locator("input[type=submit]").click()


def alert_of(page, box="#isso-thread > .isso-postbox"):
    """The form's message area: an element screen readers announce."""
    return page.locator(box).locator(".comments__message")


def assert_announced(message):
    role = message.get_attribute("role")
    live = message.evaluate("el => el.closest('[aria-live], [role=alert], [role=status]')"
                            " !== null")
    assert role == "alert" or live, "the message is not in an announced element"
    assert message.is_visible()


def seed(comment_server, uri, text, network):
    status, body = comment_server.request(
        "POST", f"/new?uri={uri}", {"text": text, "author": "Jan", "title": "x"},
        client_ip=network)
    assert status in (201, 202), (status, body)
    return body["id"]


def thread_counts(page):
    return page.evaluate("""() => ({
        postboxes: document.querySelectorAll('#isso-thread > .isso-postbox').length,
        roots: document.querySelectorAll('#isso-root').length,
        headings: document.querySelectorAll('h3.isso-thread-heading').length,
        isso_headings: document.querySelectorAll('h4.isso-thread-heading').length,
        comments: document.querySelectorAll('#isso-root .isso-comment').length,
        ids: [...document.querySelectorAll('#reacties [id]')].map(e => e.id),
    })""")


# --- Loading --------------------------------------------------------------


def test_a_thread_that_does_not_arrive_says_so_and_a_retry_loads_it_once(
        browser, served_site, comment_server):
    seeded = seed(comment_server, LOADS, "Een reactie die er al stond.", "198.18.3.1")
    silent = SilentServer(EMBED.read_bytes())
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="nl-BE")
    page = context.new_page()
    configs = []
    page.on("request", lambda r: r.url.startswith(comment_server.url + "/config")
            and configs.append(r.url))
    first = []

    def embed_from_silent_server_once(route):
        if not first:
            first.append(route.request.url)
            route.continue_(url=silent.url + "/js/embed.min.js")
        else:
            route.continue_()

    page.route(comment_server.url + "/js/embed.min.js*", embed_from_silent_server_once)
    try:
        page.goto(served_site + LOADS, wait_until="networkidle")
        set_load_timeout(page, 2000)
        page.get_by_role("button", name=LOAD_BUTTON).focus()
        page.keyboard.press("Enter")

        status = page.locator("#reacties-status")
        page.wait_for_function(
            "text => document.getElementById('reacties-status').textContent === text",
            arg=FAILED)
        assert silent.requests, "the embed never went to the silent server"
        assert status.get_attribute("role") == "status"
        retry = page.get_by_role("button", name=RETRY)
        assert retry.is_visible()
        # The reader asked for the comments, so focus goes to the way out.
        assert page.evaluate("() => document.activeElement.textContent") == RETRY

        page.keyboard.press("Enter")
        page.locator("#isso-thread > .isso-postbox").wait_for()
        page.locator("#isso-root .isso-comment").first.wait_for()
        page.wait_for_function("() => document.getElementById('reacties-status')"
                               ".textContent === ''")
        assert not retry.is_visible()
        assert len(configs) == 1
        reply = open_reply_box(page, seeded)
        reply.locator(".isso-textarea").fill("Een half getypt antwoord")
        before = thread_counts(page)

        # The first try's embed arrives after all. That second copy of Isso
        # stays silent: it neither asks the server again nor redraws the
        # thread (which would throw away the reply being typed).
        page.evaluate("() => { window.__firstIsso = window.Isso; }")
        silent.answer()
        assert silent.answered.wait(10)
        page.wait_for_function("() => window.Isso !== window.__firstIsso", timeout=10000)
        page.wait_for_timeout(1000)
        after = thread_counts(page)
        assert len(configs) == 1, configs
        assert reply.locator(".isso-textarea").input_value() == "Een half getypt antwoord"
        assert after == before
        assert after["postboxes"] == 1 and after["roots"] == 1 and after["headings"] == 1
        assert after["isso_headings"] == 0
        assert len(after["ids"]) == len(set(after["ids"])), "duplicate ids"
        assert page.locator("#reacties-status").inner_text() == ""
    finally:
        context.close()
        silent.close()


@pytest.mark.parametrize("what", ["/js/embed.min.js", "/config"])
def test_an_unreachable_comment_server_is_said_at_once_and_retry_works(
        browser, served_site, comment_server, artifacts, what):
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="nl-BE")
    page = context.new_page()
    refused = []

    def fail_once(route):
        if not refused:
            refused.append(route.request.url)
            route.abort("connectionrefused")
        else:
            route.continue_()

    page.route(comment_server.url + what + "*", fail_once)
    try:
        page.goto(served_site + LOADS, wait_until="networkidle")
        set_load_timeout(page, 120_000)  # the message must not wait for the timer
        page.locator("#reacties").scroll_into_view_if_needed()
        page.wait_for_function(
            "text => document.getElementById('reacties-status').textContent === text",
            arg=FAILED, timeout=10_000)
        assert refused
        page.locator("#reacties-status").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "comments-not-loaded-375.png"))
        retry = page.get_by_role("button", name=RETRY)
        assert retry.is_visible()
        # Loaded by scrolling: focus stays where the reader is.
        assert page.evaluate("() => document.activeElement === document.body")

        retry.click()
        page.locator("#isso-thread > .isso-postbox").wait_for()
        page.wait_for_function("() => document.getElementById('reacties-status')"
                               ".textContent === ''")
        page.wait_for_timeout(300)
        counts = thread_counts(page)
        assert counts["postboxes"] == 1 and counts["roots"] == 1 and counts["headings"] == 1
        assert counts["isso_headings"] == 0
        assert not retry.is_visible()
    finally:
        context.close()


# --- Refusals -------------------------------------------------------------


def test_posting_too_often_says_when_to_try_again(browser, served_site, sample_site,
                                                 comment_server):
    per_minute = sample_site.settings["ISSO_COMMENTS_SERVER"]["ratelimit"]
    context = citizen(browser, comment_server.url, "198.51.100.7")
    page = context.new_page()
    try:
        open_thread(page, served_site + SOON)
        for n in range(1, per_minute + 1):
            post(page, f"Bericht nummer {n} over bereik meten.")
            page.locator("#isso-root .isso-comment").filter(
                has_text=f"Bericht nummer {n}").wait_for()

        text = "Nog een derde bericht, net te snel na de vorige."
        post(page, text)
        message = alert_of(page)
        message.filter(has_text="Probeer het over").wait_for()
        shown = message.inner_text()
        assert re.search(r"Probeer het over \d+ seconden? opnieuw\.$", shown), shown
        assert "Je tekst blijft staan" in shown
        assert_announced(message)
        box = page.locator("#isso-thread > .isso-postbox")
        assert box.locator(".isso-textarea").input_value() == text
        assert box.locator("input[type=submit]").is_enabled()
    finally:
        context.close()


def test_a_too_long_comment_names_the_limit_and_the_text_stays(browser, served_site,
                                                              comment_server, artifacts):
    """Needs the comment server's 5,000-character limit (dorpsplein.comments)."""
    context = citizen(browser, comment_server.url, "192.0.2.20")
    page = context.new_page()
    try:
        open_thread(page, served_site + LOADS)
        box = page.locator("#isso-thread > .isso-postbox")
        textarea = box.locator(".isso-textarea")
        assert textarea.get_attribute("maxlength") == "5000"
        textarea.fill("a" * 5001)
        assert len(textarea.input_value()) == 5000, "the box lets more than 5,000 through"

        # A page from before the limit (or a pasted-in script) has no maxlength:
        # the server still refuses, and says why.
        textarea.evaluate("el => el.removeAttribute('maxlength')")
        long_text = "Lang verhaal. " * 357 + "Einde"  # 5,003 characters
        assert len(long_text) > 5000
        post(page, long_text, author="Youssef")
        message = alert_of(page)
        message.filter(has_text="te lang").wait_for()
        assert message.inner_text() == "Je reactie is te lang: hoogstens 5.000 tekens."
        assert_announced(message)
        assert textarea.input_value() == long_text
        assert textarea.get_attribute("aria-invalid") == "true"
        assert message.get_attribute("id") in textarea.get_attribute("aria-describedby").split()
        message.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "comment-refused-375.png"))

        # Shortened and sent again: the comment is placed, the message goes.
        post(page, "Korter gezegd: goed artikel.", author="Youssef")
        page.locator("#isso-root .isso-comment").filter(has_text="Korter gezegd").wait_for()
        page.wait_for_function(
            "() => document.querySelector('#isso-thread > .isso-postbox .comments__message')"
            ".textContent === ''")
        assert textarea.get_attribute("aria-invalid") is None
        assert textarea.get_attribute("aria-describedby") is None
    finally:
        context.close()


def test_a_server_that_cannot_be_reached_while_posting_keeps_the_text(
        browser, served_site, comment_server):
    context = citizen(browser, comment_server.url, "198.18.4.1")
    page = context.new_page()
    try:
        open_thread(page, served_site + LOADS)
        page.route(comment_server.url + "/new*", lambda route: route.abort("connectionrefused"))
        text = "Zijn er ook vacatures voor jobstudenten?"
        post(page, text)
        message = alert_of(page)
        message.filter(has_text="niet bereikbaar").wait_for()
        assert message.inner_text() == ("De reactieserver is nu niet bereikbaar. "
                                        "Je tekst blijft staan; probeer het later opnieuw.")
        assert_announced(message)
        box = page.locator("#isso-thread > .isso-postbox")
        assert box.locator(".isso-textarea").input_value() == text
        assert box.locator("input[type=submit]").is_enabled()

        page.unroute(comment_server.url + "/new*")
        box.locator("input[type=submit]").click()
        page.locator("#isso-root .isso-comment").filter(has_text="jobstudenten").wait_for()
        page.wait_for_function(
            "() => document.querySelector('#isso-thread > .isso-postbox .comments__message')"
            ".textContent === ''")
    finally:
        context.close()


def test_a_thread_closed_after_the_build_says_so(browser, served_site, sample_site,
                                                comment_server):
    threads_file = sample_site.output / "isso-threads.json"
    original = threads_file.read_text(encoding="utf-8")
    seeded = seed(comment_server, CLOSING, "Goed overzicht van de kanalen.", "198.18.1.1")
    context = citizen(browser, comment_server.url, "198.18.1.5")
    page = context.new_page()
    try:
        open_thread(page, served_site + CLOSING)
        votes = page.locator(f"#isso-{seeded} > .isso-text-wrapper .isso-votes")
        votes.wait_for(state="attached")
        votes_before = votes.text_content()
        useful = page.locator(f"#isso-{seeded} > .isso-text-wrapper .comments__vote--up")
        useful.filter(has_text="Nuttig (0)").wait_for()
        useful_before = useful.inner_text()
        text = "Ik wil nog iets kwijt over de kanaalaanpak."
        data = json.loads(original)
        assert data["threads"][CLOSING]["state"] == "open"
        data["threads"][CLOSING]["state"] = "closed"
        threads_file.write_text(json.dumps(data, indent=1), encoding="utf-8")

        post(page, text)
        message = alert_of(page)
        message.filter(has_text="afgesloten").wait_for()
        assert message.inner_text() == "Reageren op dit artikel is intussen afgesloten."
        assert_announced(message)
        assert page.locator("#isso-thread > .isso-postbox .isso-textarea").input_value() == text

        # A vote on that thread is refused too; the comment says so.
        useful.click()
        said = page.locator(f"#isso-{seeded} > .isso-text-wrapper > .comments__message")
        said.filter(has_text="afgesloten").wait_for()
        assert said.inner_text() == "Reageren op dit artikel is intussen afgesloten."
        assert_announced(said)
        page.wait_for_timeout(200)
        assert votes.text_content() == votes_before
        assert useful.inner_text() == useful_before
    finally:
        threads_file.write_text(original, encoding="utf-8")
        context.close()


# --- What Isso remembers ----------------------------------------------------

# stored value -> what the form must show: the same text, inert (escaped
# before Isso writes it into its HTML), or nothing (removed).
QUOTE = "x' autofocus onfocus='window.__pwned=1;alert(1)"
MARKUP = "'><img src=x onerror=\"window.__pwned=1;alert(2)\">"
EMAIL = "a@b.be' autofocus onfocus='window.__pwned=1;alert(3)"
BACKTICK = "https://x.be/`onfocus=alert(6)`"
HOSTILE = {
    "quote breaks out of the value": ({"isso-author": json.dumps(QUOTE)}, {"author": QUOTE}),
    "markup": ({"isso-author": json.dumps(MARKUP)}, {"author": MARKUP}),
    "e-mail with a handler": ({"isso-email": json.dumps(EMAIL)}, {"email": EMAIL}),
    "website that is not JSON": ({"isso-website": "'><svg onload=window.__pwned=1;alert(4)>"},
                                 {}),
    "a number": ({"isso-author": "42"}, {}),
    "an object": ({"isso-author": json.dumps({"a": "<img src=x onerror=alert(5)>"})}, {}),
    "10,000 characters": ({"isso-author": json.dumps("A" * 10_000)}, {}),
    "a control character": ({"isso-author": json.dumps("Mar\u0007ieke")}, {}),
    "a backtick": ({"isso-website": json.dumps(BACKTICK)}, {"website": BACKTICK}),
}


def open_with_storage(page, url, stored: dict):
    """Isso's keys as stored with the citizen's consent to remembering them
    (without it they are removed unread: test_comment_consent.py)."""
    page.goto(url, wait_until="networkidle")
    page.evaluate("""stored => {
        localStorage.clear();
        for (const [key, value] of Object.entries(stored)) localStorage.setItem(key, value);
    }""", {"dorpsplein-remember": "1", **stored})
    page.reload(wait_until="networkidle")
    page.locator("#reacties").scroll_into_view_if_needed()
    page.locator("#isso-thread > .isso-postbox input[name=author]").wait_for()


def open_reply_box(page, comment_id):
    comment = page.locator(f"#isso-{comment_id}")
    comment.locator(":scope > .isso-text-wrapper .isso-reply").click()
    box = comment.locator(".isso-postbox")
    box.locator("input[name=author]").wait_for()
    return box


def test_hostile_remembered_values_never_run(browser, served_site, comment_server):
    comment_id = seed(comment_server, LOADS, "Waar kan ik de vacatures vinden?", "198.18.2.1")
    # served_site sends no Content-Security-Policy: only our loader stands in the way.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-BE")
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        for name, (stored, shown) in HOSTILE.items():
            open_with_storage(page, served_site + LOADS, stored)
            reply = open_reply_box(page, comment_id)
            reply.locator(".isso-textarea").focus()
            page.wait_for_timeout(200)
            assert page.evaluate("() => window.__pwned") is None, name
            assert dialogs == [], f"{name}: a script ran: {dialogs}"
            left = page.evaluate("keys => keys.map(k => localStorage.getItem(k))", list(stored))
            if not shown:
                assert left == [None] * len(stored), f"{name}: still stored: {left}"
            for form in (page.locator("#isso-thread > .isso-postbox"), reply):
                for field in ("author", "email", "website"):
                    assert form.locator(f"input[name={field}]").input_value() == \
                        shown.get(field, ""), name

        # A Flemish surname with an apostrophe (and a firm) is kept as typed.
        remembered = {"isso-author": json.dumps("Jan D'Hondt & Zonen"),
                      "isso-email": json.dumps("marieke@voorbeeld.be"),
                      "isso-website": json.dumps("https://voorbeeld.be/marieke"),
                      }
        open_with_storage(page, served_site + LOADS, remembered)
        reply = open_reply_box(page, comment_id)
        for form in (page.locator("#isso-thread > .isso-postbox"), reply):
            assert form.locator("input[name=author]").input_value() == "Jan D'Hondt & Zonen"
            assert form.locator("input[name=email]").input_value() == "marieke@voorbeeld.be"
            assert form.locator("input[name=website]").input_value() == \
                "https://voorbeeld.be/marieke"
        assert dialogs == []
    finally:
        context.close()


# --- In production's shape --------------------------------------------------


def test_through_nginx_under_the_csp_the_thread_settles_and_a_refusal_is_said(browser, hosted):
    """nginx with the shipped CSP, the comment server at /comments on the same
    origin (a relative endpoint): loading settles (no failure after the
    timeout), a refusal is said, and nothing breaks the policy."""
    site, _output, _comments = hosted
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="nl-BE")
    context.add_init_script("""window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation',
        e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));""")
    page = context.new_page()
    try:
        open_thread(page, site + LOADS, load_timeout_ms=1500)
        page.wait_for_timeout(2500)
        assert page.locator("#reacties-status").text_content() == ""
        assert not page.get_by_role("button", name=RETRY).is_visible()

        textarea = page.locator("#isso-thread > .isso-postbox .isso-textarea")
        textarea.evaluate("el => el.removeAttribute('maxlength')")
        post(page, "x" * 5001, author="Hanne")
        message = alert_of(page)
        message.filter(has_text="te lang").wait_for()
        assert message.inner_text() == "Je reactie is te lang: hoogstens 5.000 tekens."
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
