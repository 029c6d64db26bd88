"""A real participation service (gunicorn) on 127.0.0.1, and what talks to it.

``write_site`` writes the build's participation.json (our own consultations,
dated around now); ``write_settings`` a Pelican settings file on top of
pelicanconf.py; ``start`` runs ``python -m dorpsplein.participation`` as
``./go`` and the systemd unit do; ``Mailbox`` is a real SMTP server
(aiosmtpd) whose messages the tests read.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from dorpsplein.build import ROOT

SITE = "https://www.lindeveld.example"
PASSWORD = "een-lang-moderatorwachtwoord"
FROM_PELICANCONF = (
    "import runpy\n"
    f"globals().update((k, v) for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r})"
    ".items() if k.isupper())\n"
)
SHELL = ('<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
         "<title><!--participation:title--> – Lindeveld</title>"
         f'<link rel="stylesheet" href="{SITE}/theme/css/site.css"></head>'
         '<body><header><a href="/">Lindeveld</a></header>'
         '<main id="inhoud"><!--participation:main--></main>'
         "<footer>Gemeente Lindeveld</footer></body></html>")
_networks = itertools.count(1)


def citizen() -> str:
    """An address in a network of its own (the rate limit counts per /24)."""
    number = next(_networks)
    return f"10.{number // 250 % 250}.{number % 250}.7"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def consultations(now: datetime | None = None) -> dict:
    now = now or datetime.now(UTC)
    day = timedelta(days=1)

    def one(slug, title, opens, closes, phase="ideas", supports=3, verification="indicative",
            moderation="before"):
        return slug, {
            "title": title, "url": f"{SITE}/inspraak/{slug}/", "opens": stamp(opens),
            "closes": stamp(closes), "phase": phase, "supports": supports,
            "verification": verification, "moderation": moderation, "ideas_built": [],
            "idea_url": f"{SITE}/inspraak/{slug}/idee-{{id}}/"}

    return dict([
        # open, ideas phase, moderation before, indicative
        one("dorpsplein-groener", "Hoe maken we het Dorpsplein groener?", now - day,
            now + 30 * day),
        # open, moderation after (ideas on the board at once), indicative, 2 supports
        one("buurtfeest", "Wat doen we op het buurtfeest?", now - day, now + 30 * day,
            supports=2, moderation="after"),
        # open, e-mail verification, moderation after, 2 supports
        one("speelplein", "Een nieuw speelplein", now - day, now + 30 * day, supports=2,
            verification="email", moderation="after"),
        # closed by the clock
        one("kermis", "De kermis van vorig jaar", now - 60 * day, now - day),
        # not open yet
        one("bibliotheek", "De nieuwe bibliotheek", now + 10 * day, now + 40 * day),
        # results phase inside its window
        one("markt", "De weekmarkt", now - day, now + 30 * day, phase="results"),
    ])


def self_tests() -> dict:
    """Two self-tests as the build writes them: a profile test that keeps counts
    (three questions; results in the order groen, dorp, samen, stad: a tie goes
    to the first) and a knowledge test that keeps nothing (right answers 2, 1, 3;
    bands 0-1, 2, 3)."""
    base = f"{SITE}/zelftest"
    profile = {
        "title": "Hoe wil jij in 2040 in Lindeveld wonen?", "kind": "profile",
        "url": f"{base}/lindeveld-2040/", "counts": True,
        "questions": [
            {"text": "Hoe kom je in 2040 het liefst naar het dorpscentrum?",
             "hint": "<p>Denk aan een <em>gewone</em> dinsdag.</p>",
             "options": ["Te voet of met de fiets", "Met de buurtbus", "Met de auto"],
             "points": [{"groen": 2, "dorp": 1}, {"samen": 1}, {"stad": 1}]},
            {"text": "Waar speel je het liefst?", "hint": "",
             "options": ["In het park", "Op het plein", "In de sporthal"],
             "points": [{"groen": 1}, {"dorp": 1, "samen": 1}, {"stad": 2}]},
            {"text": "Wat mag er nooit verdwijnen?", "hint": "",
             "options": ["De moestuinen", "De buren", "De winkels"],
             "points": [{"groen": 1}, {"samen": 2}, {"stad": 1, "dorp": 1}]},
        ],
        "results": [
            {"id": rid, "title": title, "url": f"{base}/lindeveld-2040/resultaat/{rid}/"}
            for rid, title in (("groen", "Jij bent een tuinier"), ("dorp", "Jij bent een "
                               "dorpeling"), ("samen", "Jij bent een samenwerker"),
                               ("stad", "Jij bent een stedeling"))],
    }
    knowledge = {
        "title": "Ken jij de inspraak?", "kind": "knowledge",
        "url": f"{base}/inspraak-quiz/", "counts": False,
        "questions": [
            {"text": "Tot wanneer kan je een idee steunen?", "hint": "",
             "options": ["Een week na het posten", "Tot de inspraakronde sluit",
                         "Zolang het idee online staat"], "correct": 2},
            {"text": "Wie leest een idee voor het online komt?", "hint": "",
             "options": ["Een moderator", "Niemand"], "correct": 1},
            {"text": "Hoeveel ideeën kan je steunen?", "hint": "",
             "options": ["Eén", "Twee", "Zoveel als de inspraakronde zegt", "Onbeperkt"],
             "correct": 3},
        ],
        "results": [
            {"id": "0-1", "title": "Je kan nog wat bijleren", "min": 0, "max": 1,
             "url": f"{base}/inspraak-quiz/resultaat/0-1/"},
            {"id": "2", "title": "Goed bezig", "min": 2, "max": 2,
             "url": f"{base}/inspraak-quiz/resultaat/2/"},
            {"id": "3", "title": "Jij kent de inspraak door en door", "min": 3, "max": 3,
             "url": f"{base}/inspraak-quiz/resultaat/3/"},
        ],
    }
    return {"lindeveld-2040": profile, "inspraak-quiz": knowledge}


def email_follow(now: datetime | None = None) -> dict:
    """Following by e-mail as the build writes it (docs/participation.md): two
    themes, three articles (newest first; the last one two weeks old)."""
    now = now or datetime.now(UTC)
    day = timedelta(days=1)

    def article(slug, title, when, theme, theme_name):
        return {"url": f"{SITE}/2026/11/{slug}/", "title": title, "date": stamp(when),
                "summary": f"Over {title.lower()}.", "theme": theme, "theme_name": theme_name}

    return {
        "town": "Lindeveld", "site_name": "Dorpsplein Lindeveld", "site_url": SITE,
        "follow_url": f"{SITE}/volg-ons/", "privacy_url": f"{SITE}/privacyverklaring/",
        "postal_address": "Dorpsplein 1, 9999 Lindeveld",
        "themes": [{"slug": "moderatie", "name": "Moderatie"},
                   {"slug": "sociale-media", "name": "Sociale media"}],
        "articles": [
            article("debat-modereren", "Een debat modereren", now - day, "moderatie",
                    "Moderatie"),
            article("onze-kanalen", "Onze kanalen", now - 2 * day, "sociale-media",
                    "Sociale media"),
            article("oude-regels", "De oude regels", now - 14 * day, "moderatie", "Moderatie"),
        ],
    }


def write_site(path: Path, data: dict | None = None) -> Path:
    data = data or {"version": 1, "site_url": SITE, "consultations": consultations(),
                    "self_tests": self_tests(), "email_follow": email_follow(), "shell": SHELL}
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)  # a new inode: the service sees the change at once
    return path


def write_settings(path: Path, port: int, siteurl: str = "", **server) -> Path:
    text = FROM_PELICANCONF + f"SITEURL = {siteurl!r}\n"
    # Pelican resolves these against the settings file's folder: point them home.
    for name, value in (("PATH", ROOT / "content"), ("THEME", ROOT / "theme"),
                        ("OUTPUT_PATH", path.parent / "output"), ("CACHE_PATH", ROOT / "cache")):
        text += f"{name} = {str(value)!r}\n"
    text += f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n"
    text += f"PARTICIPATION_URL = 'http://127.0.0.1:{port}'\n"
    text += f"PARTICIPATION_SERVER = {server!r}\n"
    path.write_text(text, encoding="utf-8")
    return path


class Answer:
    def __init__(self, status, headers, body: bytes):
        self.status = status
        self.headers = headers  # lower-case names; Set-Cookie as a list
        self.body = body
        self.text = body.decode("utf-8", errors="replace")

    @property
    def json(self):
        return json.loads(self.text)

    def cookie(self, name: str) -> str | None:
        for line in self.headers.get("set-cookie", []):
            if line.split("=", 1)[0] == name:
                return line
        return None

    def __repr__(self):
        return f"<{self.status} {self.text[:300]!r}>"


class Service:
    def __init__(self, process, url, state_dir: Path, site: Path, log: Path):
        self.process = process
        self.url = url
        self.state_dir = state_dir
        self.site = site
        self.log = log
        self._bank: dict[str, list[tuple[float, str]]] = {}
        self.time_trap = 1.0

    @property
    def database(self) -> Path:
        return self.state_dir / "participation.db"

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict | None = None, ip: str | None = None) -> Answer:
        """One request, sent as written; redirects are not followed."""
        parts = urllib.parse.urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        all_headers = {"X-Forwarded-For": ip or citizen(), **(headers or {})}
        all_headers = {k: v for k, v in all_headers.items() if v is not None}
        if isinstance(body, str):
            body = body.encode("utf-8")
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in all_headers.items():
            connection.putheader(name, value)
        if body is not None and "Content-Length" not in all_headers:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        data = response.read()
        headers_out: dict = {}
        for name, value in response.getheaders():
            name = name.lower()
            if name == "set-cookie":
                headers_out.setdefault(name, []).append(value)
            else:
                headers_out[name] = value
        connection.close()
        return Answer(response.status, headers_out, data)

    def get(self, path, headers=None, ip=None, json_answer=False) -> Answer:
        headers = dict(headers or {})
        if json_answer:
            headers["Accept"] = "application/json"
        return self.request("GET", path, headers=headers, ip=ip)

    def post(self, path, fields: dict | None = None, *, origin: str | None = SITE,
             ip: str | None = None, cookie: str | None = None, json_answer=False,
             headers=None, raw: bytes | None = None) -> Answer:
        body = raw if raw is not None else urllib.parse.urlencode(fields or {}).encode()
        sent = {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin}
        if cookie:
            sent["Cookie"] = cookie
        if json_answer:
            sent["Accept"] = "application/json"
        sent.update(headers or {})
        return self.request("POST", path, body, sent, ip)

    # Form tokens, as the site's script gets them; ripe = past the time trap.

    def fresh_token(self, slug: str) -> str:
        answer = self.get(f"/api/{slug}/form")
        assert answer.status == 200, answer
        return answer.json["token"]

    def token(self, slug: str) -> str:
        bank = self._bank.setdefault(slug, [])
        if not bank:
            bank.extend((time.monotonic(), self.fresh_token(slug)) for _ in range(40))
        issued, token = bank.pop(0)
        wait = issued + self.time_trap + 0.05 - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        return token

    def new_idea(self, slug: str, ip: str | None = None, origin: str = SITE,
                 **fields) -> Answer:
        values = {"title": "Meer bomen op het plein", "text": "Plant tien lindebomen langs "
                  "de kerk, voor schaduw in de zomer.", "name": "Els", "place": "Kerkstraat",
                  "website": "", "token": self.token(slug), **fields}
        return self.post(f"/{slug}/idee", values, ip=ip, json_answer=True, origin=origin)

    def support(self, slug: str, idea: int, cookie: str | None = None, ip: str | None = None,
                json_answer=True, **fields) -> Answer:
        values = {"token": self.token(slug), "website": "", **fields}
        return self.post(f"/{slug}/steun/{idea}", values, cookie=cookie, ip=ip,
                         json_answer=json_answer)

    def board(self, slug: str) -> dict:
        answer = self.get(f"/api/{slug}/ideas")
        assert answer.status == 200, answer
        return answer.json

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def command(settings: Path, state_dir: Path, site: Path, port: int, *args: str) -> list[str]:
    return [sys.executable, "-m", "dorpsplein.participation", "--settings", str(settings),
            "--bind", f"127.0.0.1:{port}", "--state-dir", str(state_dir), "--site", str(site),
            *args]


def start(tmp: Path, *args: str, password: str | None = PASSWORD, workers: int = 2,
          site: Path | None = None, siteurl: str = "", port: int | None = None,
          **server) -> Service:
    """A fresh service in ``tmp`` (its own state, database, participation.json)."""
    tmp.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    settings = write_settings(tmp / "settings.py", port, siteurl, **server)
    site = site or write_site(tmp / "participation.json")
    state_dir = tmp / "state"
    log = tmp / "service.log"
    env = dict(os.environ)
    env.pop("PARTICIPATION_ADMIN_PASSWORD", None)
    if password:
        env["PARTICIPATION_ADMIN_PASSWORD"] = password
    with log.open("w") as handle:
        process = subprocess.Popen(
            command(settings, state_dir, site, port, "--workers", str(workers), *args),
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    service = Service(process, url, state_dir, site, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the participation service stopped:\n" + log.read_text())
        try:
            if service.get("/").status == 200:
                break
        except OSError:
            time.sleep(0.05)
    else:
        service.stop(signal.SIGKILL)
        pytest.fail("the participation service did not answer:\n" + log.read_text())
    if "--no-guard" in args:
        service.time_trap = 0
    else:
        service.time_trap = float(server.get("time_trap_seconds", 2))
    return service


class Mailbox:
    """A real SMTP server on 127.0.0.1 (aiosmtpd); ``messages`` as they arrive."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.arrived = threading.Condition()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append((list(envelope.rcpt_tos), message))
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, address: str, timeout: float = 15):
        """The newest message to ``address`` (waits for it)."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                for rcpt, message in reversed(self.messages):
                    if address in rcpt:
                        self.messages.remove((rcpt, message))
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no mail to {address} arrived")
                self.arrived.wait(left)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class RefusingMailbox(Mailbox):
    """A real SMTP server that refuses every recipient, naming the address in
    its reply as real servers do (smtplib puts it in the exception)."""

    async def handle_RCPT(self, server, session, envelope, address,  # noqa: N802
                          rcpt_options):
        return f"550 5.1.1 <{address}>: Recipient address rejected: user unknown"


def confirm_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    [link] = [word for word in body.split() if "/bevestig/" in word]
    return link


def follow_link(message) -> str:
    """The confirmation link in a follow mail (``/volgen/bevestig/<token>``)."""
    body = message.get_body(("plain",)).get_content()
    [link] = [word for word in body.split() if "/volgen/bevestig/" in word]
    return link


# -- fixtures ---------------------------------------------------------------------
# A plugin of tests/conftest.py (pytest_plugins), like own_servers.py. The
# session's mailbox and service are made once per process, when a test first
# asks, and stopped at the end.

# The session's service: guards on (a 1-second time trap, 30 writes per hour
# per network), 2 reports hide an idea, mails go to the session's mailbox.
SERVER = {"time_trap_seconds": 1, "writes_per_hour": 30, "reports_to_hide": 2}
_shared: dict = {}


@pytest.fixture(scope="session")
def mailbox():
    if "mailbox" not in _shared:
        _shared["mailbox"] = Mailbox().__enter__()
    yield _shared["mailbox"]


@pytest.fixture(scope="session")
def service(tmp_path_factory, mailbox, request):
    if "service" not in _shared:
        _shared["service"] = start(tmp_path_factory.mktemp("participation"), **SERVER,
                                   smtp={"host": "127.0.0.1", "port": mailbox.port,
                                         "from": "inspraak@lindeveld.example"})
        request.session.config.add_cleanup(_stop_shared)
    return _shared["service"]


def _stop_shared() -> None:
    if "service" in _shared:
        _shared.pop("service").stop()
    if "mailbox" in _shared:
        _shared.pop("mailbox").__exit__(None, None, None)


@pytest.fixture
def own_service(tmp_path):
    """start(*args, **settings) -> a service of this test's own."""
    started = []

    def _start(*args, **kwargs):
        running = start(tmp_path / f"service-{len(started)}", *args, **kwargs)
        started.append(running)
        return running

    yield _start
    for running in started:
        running.stop()
