"""Following by e-mail ("volgen") against the real service (gunicorn) and a
real SMTP server (aiosmtpd): double opt-in, themes, unsubscribing (also
RFC 8058's one-click POST), the limits, and hostile input never a 500."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import subprocess
import time
import urllib.parse

import pytest
from bs4 import BeautifulSoup
from itsdangerous import URLSafeSerializer
from participation_service import (
    SITE,
    consultations,
    email_follow,
    follow_link,
    self_tests,
    write_site,
)

from dorpsplein.build import ROOT
from dorpsplein.participation import email_follow as follow_module
from dorpsplein.participation.config import read_secret

pytestmark = pytest.mark.slow

FORM = "application/x-www-form-urlencoded"
ONE_CLICK = b"List-Unsubscribe=One-Click"
_numbers = itertools.count(1)


def new_address(name: str = "lid") -> str:
    return f"{name}.{next(_numbers)}.{int(time.time() * 1000) % 10**9}@voorbeeld.be"


def secret(service) -> bytes:
    return read_secret(service.state_dir / "secret")


def followers(service) -> list[tuple]:
    with sqlite3.connect(service.database) as db:
        return db.execute("SELECT id, address, topics FROM email_followers "
                          "ORDER BY id").fetchall()


def follower(service, address: str):
    rows = [row for row in followers(service) if row[1].lower() == address.lower()]
    assert len(rows) <= 1
    return rows[0] if rows else None


def unsubscribe_path(service, row) -> str:
    """The unsubscribe address the mail job puts in a mail to ``row`` (id, address)."""
    token = follow_module.unsubscribe_token(secret(service), row[0], row[1])
    return f"/volgen/uitschrijven/{token}"


def mails_to(mailbox, address: str) -> int:
    """Mails to ``address`` that arrived and were not read yet. The service
    answers after the SMTP server took the mail: no waiting needed."""
    with mailbox.arrived:
        return sum(1 for rcpt, _message in mailbox.messages if address in rcpt)


def body(fields: list[tuple[str, str]]) -> bytes:
    return urllib.parse.urlencode(fields).encode()


def ask(service, address: str, themes=(), ip=None, origin=SITE, json_answer=False,
        website: str = ""):
    fields = [("email", address)] + [("thema", theme) for theme in themes] + \
        [("website", website)]
    return service.post("/volgen", raw=body(fields), origin=origin, ip=ip,
                        json_answer=json_answer)


def path_of(link: str, service) -> str:
    assert link.startswith(service.url + "/volgen/bevestig/"), link
    return link[len(service.url):]


def soup(answer) -> BeautifulSoup:
    return BeautifulSoup(answer.text, "html.parser")


def subscribe(service, mailbox, address: str, themes=()) -> str:
    """Ask, read the mail, confirm: the follower's row's topics."""
    answer = ask(service, address, themes)
    assert answer.status == 303, answer
    link = path_of(follow_link(mailbox.wait_for(address)), service)
    confirmed = service.post(link, {}, origin=service.url)
    assert confirmed.status == 303, confirmed
    return follower(service, address)


# -- the whole way ---------------------------------------------------------------------


def test_the_form_page(service):
    answer = service.get("/volgen")
    assert answer.status == 200, answer
    page = soup(answer)
    assert page.find("script") is None
    assert page.title.get_text().startswith("Volg ons per e-mail")
    assert page.find("h1").get_text() == "Volg ons per e-mail"
    form = page.find("form", method="post")
    assert form["action"] == "/volgen"
    email = form.find("input", attrs={"name": "email"})
    assert email["type"] == "email" and email["autocomplete"] == "email"
    assert email["inputmode"] == "email"
    assert form.find("label", attrs={"for": email["id"]}).get_text(strip=True) == \
        "Je e-mailadres"
    fieldset = form.find("fieldset")
    assert fieldset.legend.get_text(strip=True) == "Wat wil je volgen?"
    boxes = fieldset.find_all("input", attrs={"name": "thema"})
    assert [(b["type"], b["value"]) for b in boxes] == [
        ("checkbox", "alles"), ("checkbox", "moderatie"), ("checkbox", "sociale-media")]
    labels = [form.find("label", attrs={"for": b["id"]}).get_text(strip=True) for b in boxes]
    assert labels == ["Alle nieuwe artikels", "Moderatie", "Sociale media"]
    honeypot = form.find("input", attrs={"name": "website"})
    assert honeypot.find_parent(attrs={"aria-hidden": "true"}) is not None
    privacy = form.find("a", href=f"{SITE}/privacyverklaring/")
    assert privacy is not None and "adres" in privacy.find_parent("p").get_text()
    assert page.find(class_="error-summary") is None
    assert "script-src" not in answer.headers["content-security-policy"]


def test_subscribe_confirm_change_and_unsubscribe(service, mailbox):
    address = new_address("Lien")
    answer = ask(service, address, ["moderatie", "sociale-media"])
    assert answer.status == 303 and answer.headers["location"] == "/volgen/bedankt", answer
    mail = mailbox.wait_for(address)
    assert mail["From"].addresses[0].display_name == "Lindeveld"
    assert mail["From"].addresses[0].addr_spec == "inspraak@lindeveld.example"
    assert mail["Subject"] == "Bevestig dat je Dorpsplein Lindeveld wil volgen"
    text = mail.get_body(("plain",)).get_content()
    assert "de nieuwe artikels over Moderatie en Sociale media" in text
    assert "binnen 48 uur" in text and "niets bewaard" in text
    link = path_of(follow_link(mail), service)
    thanks = service.get("/volgen/bedankt")
    assert thanks.status == 200 and "48 uur" in thanks.text

    # The link opens a page with a button; a scanner that opens it stores nothing.
    page = service.get(link)
    assert page.status == 200, page
    assert page.headers["referrer-policy"] == "strict-origin"
    html = soup(page)
    assert address in html.find("strong").get_text()
    assert [li.get_text() for li in html.select("ul.participation-themes li")] == [
        "Moderatie", "Sociale media"]
    form = html.find("form", method="post")
    assert form.find("button").get_text() == "Bevestigen"
    assert follower(service, address) is None
    assert service.request("HEAD", link).status == 200
    assert follower(service, address) is None

    confirmed = service.post(link, {}, origin=service.url)
    assert confirmed.status == 303 and confirmed.headers["location"] == "/volgen/ingeschreven"
    first = follower(service, address)
    assert first[1] == address.lower() or first[1] == address
    assert first[2] == "moderatie,sociale-media"
    done = service.get("/volgen/ingeschreven")
    assert done.status == 200 and "Je volgt ons nu per e-mail" in done.text
    # The same link again: the same follower, nothing twice.
    assert service.post(link, {}, origin=service.url).status == 303
    assert follower(service, address) == first

    # Again, in capitals, for everything: the topics are replaced, one row still.
    again = subscribe(service, mailbox, address.upper(), ["alles", "moderatie"])
    assert again[0] == first[0] and again[2] == "*"
    assert len([r for r in followers(service) if r[1].lower() == address.lower()]) == 1

    # A queued mail for the follower, as the mail job leaves it.
    with sqlite3.connect(service.database) as db:
        db.execute("INSERT OR IGNORE INTO email_follow_articles (url, seen, mailed) "
                   "VALUES (?, '2026-11-20T10:00:00Z', 1)", (f"{SITE}/a/",))
        db.execute("INSERT INTO email_follow_deliveries (article, follower, state, updated) "
                   "VALUES (?, ?, 'queued', '2026-11-20T10:00:00Z')", (f"{SITE}/a/", first[0]))
    unsubscribe = unsubscribe_path(service, first)
    page = service.get(unsubscribe)
    assert page.status == 200 and page.headers["referrer-policy"] == "strict-origin"
    button = soup(page).find("form", method="post").find("button")
    assert button.get_text() == "Uitschrijven"
    assert follower(service, address) is not None  # a GET unsubscribes nobody
    gone = service.post(unsubscribe, {}, origin=service.url)
    assert gone.status == 303 and gone.headers["location"] == "/volgen/uitgeschreven"
    assert follower(service, address) is None
    with sqlite3.connect(service.database) as db:
        assert db.execute("SELECT COUNT(*) FROM email_follow_deliveries WHERE follower = ?",
                          (first[0],)).fetchone()[0] == 0
    page = service.get("/volgen/uitgeschreven")
    assert page.status == 200 and "Je bent uitgeschreven" in page.text
    assert soup(page).find("a", href="/volgen") is not None
    # Idempotent: the form and the one-click POST, for a follower already gone.
    assert service.post(unsubscribe, {}, origin=service.url).status == 303
    click = service.post(unsubscribe, raw=ONE_CLICK, origin=None)
    assert click.status == 200 and click.headers["content-type"].startswith("text/plain")
    assert click.text.strip() == "Je bent uitgeschreven."
    assert service.get(unsubscribe).status == 200


def test_the_one_click_unsubscribe_as_a_mail_provider_sends_it(service, mailbox):
    address = new_address("klik")
    row = subscribe(service, mailbox, address)
    assert row[2] == "*"
    path = unsubscribe_path(service, row)
    # No Origin, no Referer, no cookie: RFC 8058's POST from the provider's server.
    answer = service.request("POST", path, ONE_CLICK, {"Content-Type": FORM,
                                                       "User-Agent": "Mail provider"})
    assert answer.status == 200 and answer.text.strip() == "Je bent uitgeschreven.", answer
    assert follower(service, address) is None
    again = service.request("POST", path, ONE_CLICK, {"Content-Type": FORM})
    assert again.status == 200 and again.text == answer.text
    # multipart/form-data, as some providers send it
    row = subscribe(service, mailbox, address)
    path = unsubscribe_path(service, row)
    multipart = (b"--grens\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\""
                 b"\r\n\r\nOne-Click\r\n--grens--\r\n")
    answer = service.request("POST", path, multipart,
                             {"Content-Type": "multipart/form-data; boundary=grens"})
    assert answer.status == 200 and answer.text.strip() == "Je bent uitgeschreven.", answer
    assert follower(service, address) is None


def test_json_answers_for_the_sites_script(service, mailbox):
    address = new_address("script")
    answer = ask(service, address, ["sociale-media"], json_answer=True)
    assert answer.status == 202 and answer.json == {"ok": True}
    assert "/volgen/bevestig/" in follow_link(mailbox.wait_for(address))
    wrong = ask(service, "geen-adres", ["onbekend"], json_answer=True)
    assert wrong.status == 422 and wrong.json["reason"] == "invalid"
    assert set(wrong.json["fields"]) == {"email", "thema"}


# -- what may go wrong ------------------------------------------------------------------


def test_a_wrong_address_or_theme_shows_the_form_again_with_what_was_typed(service, mailbox):
    answer = ask(service, "lien@voorbeeld", ["sociale-media", "alles,../x"])
    assert answer.status == 422, answer
    page = soup(answer)
    assert page.title.get_text().startswith("Fout: Volg ons per e-mail")
    summary = page.find(class_="error-summary")
    assert summary["role"] == "alert" and summary.has_attr("autofocus")
    assert summary["tabindex"] == "-1"
    links = {a["href"]: a.get_text() for a in summary.find_all("a")}
    assert set(links) == {"#veld-email", "#veld-thema-alles"}
    assert page.find(id="veld-email")["value"] == "lien@voorbeeld"
    assert page.find(id="veld-email")["aria-invalid"] == "true"
    assert page.find(id="veld-thema-alles") is not None
    assert page.find(id="veld-sociale-media") is None
    assert page.find(id="veld-thema-sociale-media").has_attr("checked")
    assert not page.find(id="veld-thema-moderatie").has_attr("checked")
    assert "thema" in links["#veld-thema-alles"]
    assert mails_to(mailbox, "lien@voorbeeld") == 0


@pytest.mark.parametrize("themes", [["onbekend"], ["alles,../x"], ["Moderatie"],
                                    ["moderatie", "../moderatie"], ["*"], [""]])
def test_an_unknown_theme_is_refused(service, mailbox, themes):
    address = new_address("thema")
    answer = ask(service, address, themes)
    assert answer.status == 422, answer
    assert "Kies alle nieuwe artikels" in answer.text
    assert soup(answer).find(id="veld-email")["value"] == address
    assert mails_to(mailbox, address) == 0


def test_the_honeypot(service, mailbox):
    address = new_address("pot")
    answer = ask(service, address, website="http://spam.example")
    assert answer.status == 400 and "Het formulier kan zo niet verstuurd worden" in answer.text
    assert mails_to(mailbox, address) == 0


def tampered(token: str) -> str:
    """One character of the signature changed (not the last: its low bits are padding)."""
    at = len(token) - 5
    return token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1:]


def test_an_expired_and_a_bad_link(service, mailbox):
    key = secret(service)
    address = new_address("oud")
    old = follow_module.confirm_token(key, address, "*", issued=time.time() - 49 * 3600)
    for method in ("GET", "POST"):
        answer = service.post(f"/volgen/bevestig/{old}", {}, origin=service.url) \
            if method == "POST" else service.get(f"/volgen/bevestig/{old}")
        assert answer.status == 410, answer
        assert "verlopen" in answer.text
        assert soup(answer).find("a", href="/volgen") is not None
    assert follower(service, address) is None
    json_answer = service.get(f"/volgen/bevestig/{old}", json_answer=True)
    assert json_answer.status == 410 and json_answer.json["reason"] == "expired"
    good = follow_module.confirm_token(key, address, "*")
    unsubscribe = follow_module.unsubscribe_token(key, 1, address)
    for token in ("x", "niet-geldig", tampered(good),
                  unsubscribe, follow_module.confirm_token(b"een ander geheim" * 3, address,
                                                           "*")):
        answer = service.post(f"/volgen/bevestig/{token}", {}, origin=service.url)
        assert answer.status == 404 and "niet geldig" in answer.text, (token, answer)
    for token in ("x", good, tampered(unsubscribe),
                  follow_module.unsubscribe_token(b"een ander geheim" * 3, 1, address),
                  # The first tokens signed the id alone: refused (nothing shipped).
                  URLSafeSerializer(key, salt="email-follow-unsubscribe").dumps(1),
                  URLSafeSerializer(key, salt="email-follow-unsubscribe").dumps([1, "x"])):
        answer = service.request("POST", f"/volgen/uitschrijven/{token}", ONE_CLICK,
                                 {"Content-Type": FORM})
        assert answer.status == 404, (token, answer)
    assert follower(service, address) is None


def test_four_mails_to_one_address_in_a_day_are_refused(service, mailbox):
    """Counted on the canonical address, whoever asks (each from its own network)."""
    number = next(_numbers) + int(time.time()) % 10**6
    spellings = [f"lien.peeters{number}@voorbeeld.be", f"Lien.Peeters{number}@voorbeeld.be",
                 f"LIEN.PEETERS{number}@VOORBEELD.BE"]
    for spelling in spellings:
        answer = ask(service, spelling, ["moderatie"])
        assert answer.status == 303, answer
        mailbox.wait_for(spelling)
    tagged = f"lien.peeters{number}+volgen@voorbeeld.be"
    answer = ask(service, tagged)
    assert answer.status == 429, answer
    assert "vandaag" in answer.text and int(answer.headers["retry-after"]) > 0
    assert mails_to(mailbox, tagged) == 0
    refused = ask(service, spellings[0], json_answer=True)
    assert refused.status == 429 and refused.json["reason"] == "rate_limited"
    assert "vandaag" in refused.json["message"]
    # Another address is not concerned.
    other = new_address("ander")
    assert ask(service, other).status == 303
    mailbox.wait_for(other)


def test_writes_per_network(own_service, mailbox):
    running = own_service(writes_per_hour=2, time_trap_seconds=1,
                          smtp={"host": "127.0.0.1", "port": mailbox.port,
                                "from": "inspraak@lindeveld.example"})
    statuses = []
    for _ in range(3):
        address = new_address("net")
        statuses.append(ask(running, address, ip="10.99.1.5").status)
        if statuses[-1] == 303:
            mailbox.wait_for(address)
        else:
            assert mails_to(mailbox, address) == 0
    assert statuses == [303, 303, 429]
    refused = ask(running, new_address("net"), ip="10.99.1.77")  # the same /24
    assert refused.status == 429 and "netwerk" in refused.text
    elsewhere = new_address("net")
    assert ask(running, elsewhere, ip="10.99.2.5").status == 303
    mailbox.wait_for(elsewhere)
    # The follow form's count is its own: an idea from the same network still passes.
    assert running.new_idea("buurtfeest", ip="10.99.1.5").status == 201


def test_no_one_learns_who_follows(service, mailbox):
    """The same answer, and one mail, whether the address follows already or not."""
    known = new_address("bekend")
    subscribe(service, mailbox, known)
    unknown = new_address("onbekend")
    answers = [ask(service, address, ["moderatie"]) for address in (known, unknown)]
    assert [a.status for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert answers[0].body == answers[1].body
    texts = []
    for address in (known, unknown):
        mail = mailbox.wait_for(address)
        texts.append(mail.get_body(("plain",)).get_content().replace(follow_link(mail), "L"))
        assert mails_to(mailbox, address) == 0
    assert texts[0] == texts[1]
    json_answers = [ask(service, a, json_answer=True) for a in (known, unknown)]
    assert [(a.status, a.body) for a in json_answers] == [(202, b'{"ok": true}')] * 2
    for address in (known, unknown):
        mailbox.wait_for(address)


# -- hostile input and spellings --------------------------------------------------------

HOSTILE = {
    "long address": body([("email", "a" * 5000 + "@voorbeeld.be")]),
    "non-utf-8": b"email=lien%ff%fe@voorbeeld.be&thema=alles",
    "raw non-utf-8": b"email=lien\xff@voorbeeld.be",
    "email twice": b"email=a@voorbeeld.be&email=b@voorbeeld.be",
    "website twice": b"email=a@voorbeeld.be&website=&website=",
    "many themes": b"email=a@voorbeeld.be&" + b"&".join([b"thema=moderatie"] * 200),
    "theme injection": b"email=a@voorbeeld.be&thema=alles,../x",
    "theme with nul": b"email=a@voorbeeld.be&thema=alles%00",
    "address with nul": b"email=a%00@voorbeeld.be",
    "address with newline": b"email=a@voorbeeld.be%0d%0aBcc:%20b@voorbeeld.be",
    "huge": b"email=" + b"a" * 100_000,
    "json": b'{"email": "a@voorbeeld.be"}',
    "empty": b"",
    "invisible": body([("email", "li\u200ben@voorbeeld.be")]),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_bodies_are_refused_with_a_reason(service, mailbox, name):
    before = len(mailbox.messages)
    answer = service.post("/volgen", raw=HOSTILE[name])
    assert 400 <= answer.status < 500, answer
    assert answer.status != 404
    assert "<h1>" in answer.text or answer.status == 413
    assert len(mailbox.messages) == before


def test_a_json_content_type_is_refused(service):
    answer = service.post("/volgen", raw=b'{"email": "a@voorbeeld.be"}',
                          headers={"Content-Type": "application/json"})
    assert answer.status == 400 and "application/x-www-form-urlencoded" in answer.text


def test_head_never_writes(service, mailbox):
    address = new_address("kop")
    token = follow_module.confirm_token(secret(service), address, "*")
    for method in ("HEAD", "GET"):
        assert service.request(method, f"/volgen/bevestig/{token}").status == 200
    assert follower(service, address) is None
    row = subscribe(service, mailbox, address)
    unsubscribe = unsubscribe_path(service, row)
    assert service.request("HEAD", unsubscribe, ONE_CLICK, {"Content-Type": FORM}).status == 200
    assert follower(service, address) == row


def test_only_the_unsubscribe_route_takes_a_write_without_origin(service, mailbox):
    address = new_address("herkomst")
    row = subscribe(service, mailbox, address)
    key = secret(service)
    confirm = f"/volgen/bevestig/{follow_module.confirm_token(key, address, 'moderatie')}"
    unsubscribe = f"/volgen/uitschrijven/{follow_module.unsubscribe_token(key, *row[:2])}"
    for path in ("/volgen", confirm):
        answer = service.request("POST", path, b"email=a@voorbeeld.be", {"Content-Type": FORM})
        assert answer.status == 403, (path, answer)
        assert "website van de gemeente" in answer.text
    # Another site's form, with its Origin: refused on every write, this one too.
    for path in ("/volgen", confirm, unsubscribe):
        answer = service.post(path, raw=ONE_CLICK, origin="https://elders.example")
        assert answer.status == 403, (path, answer)
    assert follower(service, address) == row
    # Paths that only look like the unsubscribe address: not that endpoint.
    for path in (f"{unsubscribe}/../../bevestig/{confirm.rsplit('/', 1)[1]}",
                 f"{unsubscribe}/", f"/volgen/uitschrijven/x/{confirm.rsplit('/', 1)[1]}",
                 f"/x/..{confirm}", f"/volgen/uitschrijven{confirm}"):
        answer = service.request("POST", path, ONE_CLICK, {"Content-Type": FORM})
        assert answer.status in (308, 404), (path, answer)
    assert follower(service, address) == row


def test_spellings_are_decided_after_routing(service, mailbox):
    address = new_address("spelling")
    token = follow_module.confirm_token(secret(service), address, "moderatie")
    # Merged slashes: a 308 to the one spelling, decided before anything is written.
    for path in (f"/volgen//bevestig/{token}", f"/volgen/bevestig//{token}"):
        for send in (lambda p: service.get(p),
                     lambda p: service.post(p, {}, origin=service.url),
                     lambda p: service.request("POST", p, ONE_CLICK, {"Content-Type": FORM})):
            answer = send(path)
            assert answer.status == 308, (path, answer)
            assert answer.headers["location"].endswith(f"/volgen/bevestig/{token}")
    assert follower(service, address) is None
    # A leading "//" is routed to the confirmation: decided as that endpoint.
    answer = service.request("POST", f"//volgen/bevestig/{token}", b"", {"Content-Type": FORM})
    assert answer.status in (308, 403), answer
    assert follower(service, address) is None
    for path in (f"/volgen/bevestig/{token}/", f"/volgen/bevestig/{token}/x",
                 f"/VOLGEN/bevestig/{token}", f"/Volgen/bevestig/{token}",
                 f"/volgen/bevestig/{token}%00", "/volgen/bevestig/", "/volgen/bevestig",
                 "/volgen/onbekend", "/volgen/uitschrijven/"):
        answer = service.post(path, {}, origin=service.url)
        assert answer.status in (404, 405), (path, answer)
    assert follower(service, address) is None
    # "/volgen/" is no consultation (the build refuses the slug); "/VOLGEN" neither.
    for path in ("/volgen/", "/VOLGEN", "/VOLGEN/", "/volgen/bedankt/"):
        answer = service.get(path)
        assert answer.status in (308, 404), (path, answer)
        assert 'name="thema"' not in answer.text
    # An encoded slash is a slash to the router (gunicorn decodes it): the
    # endpoint it routes to decides, the origin guard included.
    encoded = f"/volgen%2Fbevestig%2F{token}"
    assert service.request("POST", encoded, b"", {"Content-Type": FORM}).status == 403
    assert follower(service, address) is None
    answer = service.post(encoded, {}, origin=service.url)
    assert answer.status == 303, answer
    assert follower(service, address)[2] == "moderatie"


@pytest.mark.parametrize("path", [
    "/volgen/bevestig/" + "a" * 3000, "/volgen/uitschrijven/" + "a" * 3000,
    "/volgen/bevestig/%ff%fe", "/volgen/uitschrijven/%c0%af", "/volgen/bevestig/..%2f..%2f",
    "/volgen/uitschrijven/MQ", "/volgen/uitschrijven/MA.x", "/volgen/bevestig/e30.x.y",
    "/volgen/uitschrijven/..", "/volgen?email=a@voorbeeld.be&thema=alles",
])
def test_odd_addresses_never_500(service, path):
    for method in ("GET", "POST", "HEAD"):
        answer = service.request(method, path, ONE_CLICK if method == "POST" else None,
                                 {"Content-Type": FORM} if method == "POST" else {})
        assert 300 <= answer.status < 500 or answer.status == 200, (method, path, answer)


def test_an_unsubscribe_token_with_an_id_that_never_existed(service):
    token = follow_module.unsubscribe_token(secret(service), 2**62, new_address())
    answer = service.request("POST", f"/volgen/uitschrijven/{token}", ONE_CLICK,
                             {"Content-Type": FORM})
    assert answer.status == 200 and answer.text.strip() == "Je bent uitgeschreven."


def test_an_old_unsubscribe_link_never_unsubscribes_whoever_has_its_id_now(service, mailbox):
    """After a restore (or a new database with the same secret) an id is handed
    out again: the link in an old mail is bound to its follower's address too."""
    gone = new_address("vroeger")
    old = subscribe(service, mailbox, gone)
    old_link = unsubscribe_path(service, old)
    # What a restore does to the ids: the old follower gone, its id someone else's.
    now = new_address("nu")
    with sqlite3.connect(service.database) as db:
        db.execute("DELETE FROM email_followers WHERE id = ?", (old[0],))
        db.execute("INSERT INTO email_followers (id, address, topics, confirmed) "
                   "VALUES (?, ?, '*', '2026-11-20T10:00:00Z')", (old[0], now))
    current = follower(service, now)
    assert current[0] == old[0]
    # The same answers as ever (idempotent: nobody learns who follows), nothing deleted.
    click = service.request("POST", old_link, ONE_CLICK, {"Content-Type": FORM})
    assert click.status == 200 and click.text.strip() == "Je bent uitgeschreven.", click
    form = service.post(old_link, {}, origin=service.url)
    assert form.status == 303 and form.headers["location"] == "/volgen/uitgeschreven"
    assert follower(service, now) == current
    # Another spelling of the same mailbox is the same follower; its own link works.
    respelled = unsubscribe_path(service, (current[0], now.upper()))
    assert service.request("POST", respelled, ONE_CLICK, {"Content-Type": FORM}).status == 200
    assert follower(service, now) is None


def test_an_unexpected_error_is_a_500_page_and_the_log_has_no_token(own_service, mailbox):
    """gunicorn logs the request line of an unhandled exception: the service
    answers it itself, in the site's shell, and logs the endpoint, not the path."""
    running = own_service(workers=1, smtp={"host": "127.0.0.1", "port": mailbox.port,
                                           "from": "inspraak@lindeveld.example"})
    address = new_address("fout")
    assert ask(running, address).status == 303
    link = follow_link(mailbox.wait_for(address))
    path = link[len(running.url):]
    token = path.rsplit("/", 1)[1]
    # A real failure: the table the confirmation writes to is gone.
    with sqlite3.connect(running.database) as db:
        db.execute("DROP TABLE email_follow_deliveries")
        db.execute("DROP TABLE email_followers")
    answer = running.post(path, {}, origin=running.url)
    assert answer.status == 500, answer
    page = soup(answer)
    assert page.find("h1").get_text() == "Er ging iets mis"
    assert "Probeer het later opnieuw" in page.find("main").get_text()
    assert "Gemeente Lindeveld" in page.find("footer").get_text()  # the site's shell
    assert answer.headers["referrer-policy"] == "strict-origin"
    as_json = running.post(path, {}, origin=running.url, json_answer=True)
    assert as_json.status == 500 and as_json.json["reason"] == "server_error", as_json
    assert "Er ging iets mis" in as_json.json["message"]
    log = running.log.read_text()
    assert log.count("email_follow_confirm failed: OperationalError") == 2, log
    assert "Traceback" not in log and "Error handling request" not in log
    assert "volgen/bevestig" not in log and "/volgen" not in log
    assert token not in log and token.split(".")[0] not in log
    assert "voorbeeld.be" not in log and "no such table" not in log


# -- the feature off ----------------------------------------------------------------------


def test_off_every_route_is_not_found(own_service, tmp_path):
    site = write_site(tmp_path / "off.json", {
        "version": 1, "site_url": SITE, "consultations": consultations(),
        "self_tests": self_tests(), "shell": "<!DOCTYPE html><html lang=\"nl\"><head>"
        "<title><!--participation:title--></title></head><body><main>"
        "<!--participation:main--></main></body></html>"})
    running = own_service(site=site)
    token = "eyJhIjoiYUBiLmJlIiwidCI6IioifQ.aaaa.bbbb"
    for method, path in [("GET", "/volgen"), ("POST", "/volgen"), ("GET", "/volgen/bedankt"),
                         ("GET", f"/volgen/bevestig/{token}"),
                         ("POST", f"/volgen/bevestig/{token}"),
                         ("GET", "/volgen/ingeschreven"), ("GET", "/volgen/uitschrijven/MQ.x"),
                         ("POST", "/volgen/uitschrijven/MQ.x"),
                         ("GET", "/volgen/uitgeschreven")]:
        answer = running.post(path, raw=b"email=a@voorbeeld.be", json_answer=True) \
            if method == "POST" else running.get(path, json_answer=True)
        assert answer.status == 404 and answer.json["reason"] == "unknown", (path, answer)
    assert running.get("/volgen").status == 404
    # Turned on by a new build: the next request sees it.
    data = json.loads(site.read_text())
    data["email_follow"] = email_follow()
    write_site(site, data)
    assert running.get("/volgen").status == 200


def test_production_with_following_on_needs_a_mail_server(tmp_path):
    from participation_service import PASSWORD, command, free_port, write_settings

    port = free_port()
    settings = write_settings(tmp_path / "settings.py", port, SITE)
    plain = {slug: c for slug, c in consultations().items() if c["verification"] != "email"}
    site = write_site(tmp_path / "participation.json", {
        "version": 1, "site_url": SITE, "consultations": plain, "email_follow": email_follow(),
        "shell": ""})
    env = {**os.environ, "PARTICIPATION_ADMIN_PASSWORD": PASSWORD}
    result = subprocess.run(command(settings, tmp_path / "state", site, port, "--production"),
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "Following by e-mail" in lines[0] and "PARTICIPATION_SERVER['smtp']" in lines[0]
