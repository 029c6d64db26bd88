"""Forms: deadlines, tokens, honeypot, time trap, rate limit, and pages that
say what went wrong, in Dutch, at the field, with what was typed kept."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager

import pytest
from bs4 import BeautifulSoup
from participation_service import SITE, citizen, consultations, write_site

pytestmark = pytest.mark.slow

GOOD = {"title": "Een drinkfontein", "text": "Een drinkfontein bij de speeltuin, voor "
        "iedereen.", "name": "Lien", "place": "Molenwijk", "website": ""}


def ideas(service) -> int:
    with sqlite3.connect(service.database) as db:
        return db.execute("SELECT COUNT(*) FROM ideas").fetchone()[0]


@contextmanager
def site_changed(service, slug, **changes):
    data = consultations()
    data[slug].update(changes)
    original = service.site.read_text()
    write_site(service.site, {"version": 1, "site_url": SITE, "consultations": data,
                              "shell": __import__("json").loads(original)["shell"]})
    try:
        yield
    finally:
        service.site.write_text(original)


@pytest.mark.parametrize(("slug", "status", "reason", "words"), [
    ("kermis", 410, "closed", "De inspraak is afgesloten op"),
    ("markt", 410, "closed", "Deze inspraak is afgesloten."),
    ("bibliotheek", 403, "not_open", "De inspraak begint op"),
])
def test_outside_the_window_writes_are_refused_with_a_dutch_reason(service, slug, status,
                                                                   reason, words):
    before = ideas(service)
    answer = service.new_idea(slug)
    assert answer.status == status and answer.json["reason"] == reason, answer
    assert answer.json["message"].startswith(words)
    assert ideas(service) == before
    page = service.get(f"/{slug}/idee")
    assert page.status == status and words in page.text


def test_not_open_names_the_day_and_hour_in_belgian_time(service):
    message = service.new_idea("bibliotheek").json["message"]
    # The moment the service was given (its site file, written when it
    # started), not one computed again now: a minute may have passed.
    opens = json.loads(service.site.read_text(encoding="utf-8"))[
        "consultations"]["bibliotheek"]["opens"]
    from datetime import datetime
    from zoneinfo import ZoneInfo

    local = datetime.fromisoformat(opens).astimezone(ZoneInfo("Europe/Brussels"))
    assert f"om {local.hour}.{local.minute:02d} uur." in message
    assert f"{local.day} " in message and str(local.year) in message


def test_support_phase_takes_no_new_ideas_but_takes_supports(service):
    made = service.new_idea("buurtfeest")
    number = made.json["id"]
    with site_changed(service, "buurtfeest", phase="support"):
        answer = service.new_idea("buurtfeest")
        assert answer.status == 403 and answer.json["reason"] == "no_new_ideas", answer
        assert "steunen tot" in answer.json["message"]
        support = service.support("buurtfeest", number)
        assert support.status == 200 and support.json["supports"] == 1, support
    with site_changed(service, "buurtfeest", phase="closed"):
        assert service.support("buurtfeest", number).json["reason"] == "closed"


def test_a_token_counts_once(service):
    token = service.token("buurtfeest")
    first = service.post("/buurtfeest/idee", {**GOOD, "token": token}, json_answer=True)
    again = service.post("/buurtfeest/idee", {**GOOD, "token": token}, json_answer=True)
    assert first.status == 201, first
    assert again.status == 400 and again.json["reason"] == "form"
    assert "verlopen" in again.json["message"]


@pytest.mark.parametrize("token", ["", "x", "a" * 600, "eyJuIjoiIn0.AAAA.BBBB"])
def test_a_forged_token_is_refused(service, token):
    answer = service.post("/buurtfeest/idee", {**GOOD, "token": token}, json_answer=True)
    assert answer.status == 400 and answer.json["reason"] in ("form", "bad_request"), answer


def test_a_token_of_another_consultation_is_refused(service):
    token = service.token("dorpsplein-groener")
    answer = service.post("/buurtfeest/idee", {**GOOD, "token": token}, json_answer=True)
    assert answer.status == 400 and answer.json["reason"] == "form"


def test_an_expired_token_is_refused(own_service):
    service = own_service("--no-guard", form_max_age=1)
    token = service.fresh_token("buurtfeest")
    time.sleep(2.2)
    answer = service.post("/buurtfeest/idee", {**GOOD, "token": token}, json_answer=True)
    assert answer.status == 400 and answer.json["reason"] == "form", answer


def test_the_honeypot_catches_a_script(service):
    before = ideas(service)
    answer = service.post("/buurtfeest/idee", {**GOOD, "website": "https://spam.example",
                                               "token": service.token("buurtfeest")},
                          json_answer=True)
    assert answer.status == 400 and answer.json["reason"] == "honeypot"
    assert ideas(service) == before


def test_the_time_trap_catches_a_fast_script(service):
    token = service.fresh_token("buurtfeest")
    answer = service.post("/buurtfeest/idee", {**GOOD, "token": token}, json_answer=True)
    assert answer.status == 400 and answer.json["reason"] == "too_fast", answer
    assert 1 <= int(answer.headers["retry-after"]) <= 2
    time.sleep(service.time_trap + 0.05)
    answer = service.post("/buurtfeest/idee", {**GOOD, "token": token}, json_answer=True)
    assert answer.status == 201, answer  # the same token, once the trap has passed


def test_the_form_token_api_says_how_long_to_wait(service):
    answer = service.get("/api/buurtfeest/form")
    assert answer.status == 200 and answer.json["ok"] is True
    assert answer.json["not_before"] == service.time_trap and answer.json["open"] is True
    assert "set-cookie" not in answer.headers


def test_writes_are_limited_per_network(service):
    ip = citizen()
    neighbour = ip.rsplit(".", 1)[0] + ".99"  # same /24
    statuses = [service.new_idea("buurtfeest", ip=ip if n % 2 else neighbour).status
                for n in range(30)]
    assert statuses == [201] * 30
    answer = service.new_idea("buurtfeest", ip=ip)
    assert answer.status == 429 and answer.json["reason"] == "rate_limited"
    assert 1 <= int(answer.headers["retry-after"]) <= 3600
    assert service.new_idea("buurtfeest", ip=citizen()).status == 201  # another network


def test_ipv6_counts_per_48(own_service):
    service = own_service(writes_per_hour=2, time_trap_seconds=0)
    assert service.new_idea("buurtfeest", ip="2001:db8:1:aaaa::1").status == 201
    assert service.new_idea("buurtfeest", ip="2001:db8:1:bbbb::2").status == 201
    assert service.new_idea("buurtfeest", ip="2001:db8:1:cccc::3").status == 429
    assert service.new_idea("buurtfeest", ip="2001:db8:2::1").status == 201


def test_a_form_with_mistakes_is_shown_again_with_what_was_typed(service):
    typed = {"title": "ab", "text": "<i>x</i>", "name": "", "place": "Dorp & Veld",
             "website": "", "token": service.token("dorpsplein-groener")}
    answer = service.post("/dorpsplein-groener/idee", typed)
    assert answer.status == 422
    html = BeautifulSoup(answer.text, "lxml")
    summary = html.select_one("div.error-summary")
    assert summary["role"] == "alert" and summary["tabindex"] == "-1"
    assert summary.has_attr("autofocus")
    assert summary.find("h2").get_text() == "Er is een probleem"
    links = [a["href"] for a in summary.find_all("a")]
    assert links == ["#veld-title", "#veld-text"]  # the name is optional
    assert html.find(id="veld-name").get("aria-invalid") is None
    for name in ("title", "text"):
        field = html.find(id=f"veld-{name}")
        assert field["aria-invalid"] == "true"
        assert f"veld-{name}-error" in field["aria-describedby"].split()
        assert html.find(id=f"veld-{name}-error").get_text().strip()
    assert html.find(id="veld-title")["value"] == "ab"
    assert html.find(id="veld-text").get_text() == "<i>x</i>"
    assert "<i>x</i>" not in answer.text  # escaped
    assert html.find(id="veld-place")["value"] == "Dorp & Veld"
    assert "aria-invalid" not in html.find(id="veld-place").attrs
    # The token is kept: the corrected form goes through.
    fixed = {**typed, "title": "Mijn idee", "text": "Een langere uitleg van mijn idee.",
             "name": "Jo", "token": html.find("input", {"name": "token"})["value"]}
    assert service.post("/dorpsplein-groener/idee", fixed).status == 303


IDEA_LINE = ("We tonen je idee met de naam en de straat of wijk die je invult; beide mag je "
             "leeg laten.")
PRIVACY = f"{SITE}/privacyverklaring/"


def test_the_idea_form_says_what_is_shown_before_sending_and_links_privacy(service):
    with site_changed(service, "dorpsplein-groener", privacy_url=PRIVACY):
        for answer in (service.get("/dorpsplein-groener/idee"),
                       service.post("/dorpsplein-groener/idee", {
                           "title": "ab", "text": "", "name": "", "place": "", "website": "",
                           "token": service.token("dorpsplein-groener")})):
            assert answer.status in (200, 422), answer
            html = BeautifulSoup(answer.text, "lxml")
            line = html.find(id="idee-privacy")
            assert " ".join(line.get_text().split()) == (
                f"{IDEA_LINE} Hoe we met je gegevens omgaan: privacyverklaring.")
            assert line.find("a")["href"] == PRIVACY
            submit = html.select_one("form button[type=submit]")
            assert submit["aria-describedby"] == "idee-privacy"
            assert line.find_next("button") is submit  # read before sending
    # A site without a privacy statement: the line without the link.
    with site_changed(service, "dorpsplein-groener", privacy_url=""):
        html = BeautifulSoup(service.get("/dorpsplein-groener/idee").text, "lxml")
        line = html.find(id="idee-privacy")
        assert line.get_text(strip=True) == IDEA_LINE and not line.find("a")


def test_json_answers_name_the_wrong_fields(service):
    answer = service.new_idea("buurtfeest", title="x" * 121, text="kort")
    assert answer.status == 422 and answer.json["reason"] == "invalid"
    assert set(answer.json["fields"]) == {"title", "text"}
    assert "120" in answer.json["fields"]["title"]


def test_every_field_has_a_label_and_the_honeypot_is_hidden_from_everyone(service):
    for path in ("/dorpsplein-groener/idee", "/speelplein/steun/1"):
        answer = service.get(path)
        if answer.status != 200:
            continue
        html = BeautifulSoup(answer.text, "lxml")
        form = html.find("form")
        assert form.find("legend").find("h1").get_text()
        for field in form.find_all(["input", "textarea", "select"]):
            if field.get("type") in ("hidden", "submit"):
                continue
            assert html.find("label", {"for": field["id"]}), field
        trap = html.find("input", {"name": "website"})
        assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
        box = trap.find_parent("div")
        assert box["aria-hidden"] == "true" and "participation-honeypot" in box["class"]
        assert not html.find("script")
    css = service.get("/static/participation.css").text
    assert ".participation-honeypot" in css and "-10000px" in css


def test_pages_carry_the_strict_headers_and_no_script(service):
    for path in ("/", "/dorpsplein-groener/", "/dorpsplein-groener/idee", "/moderatie/",
                 "/kermis/idee"):
        answer = service.get(path)
        csp = answer.headers["content-security-policy"]
        assert csp == ("default-src 'none'; style-src 'self' https://www.lindeveld.example; "
                       "img-src 'self' https://www.lindeveld.example data:; form-action 'self' "
                       "https://www.lindeveld.example; frame-ancestors 'none'; "
                       "base-uri 'none'"), path
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert answer.headers["cache-control"] == "no-store"
        assert "set-cookie" not in answer.headers, path
        assert "<script" not in answer.text.lower()
        html = BeautifulSoup(answer.text, "lxml")
        assert html.find("html")["lang"] == "nl"
        assert html.select_one("main#inhoud h1"), path
        assert html.find("footer").get_text() == "Gemeente Lindeveld"  # the site's shell


@pytest.mark.parametrize("origin", ["https://evil.example", None, "null",
                                    "https://www.lindeveld.example.evil.example"])
def test_writes_from_elsewhere_are_refused(service, origin):
    before = ideas(service)
    answer = service.post("/buurtfeest/idee", {**GOOD, "token": service.token("buurtfeest")},
                          origin=origin, json_answer=True)
    assert answer.status == 403 and answer.json["reason"] == "origin"
    assert ideas(service) == before


def test_a_referer_from_the_site_will_do(service):
    answer = service.post("/buurtfeest/idee", {**GOOD, "token": service.token("buurtfeest")},
                          origin=None, json_answer=True,
                          headers={"Referer": f"{SITE}/inspraak/buurtfeest/"})
    assert answer.status == 201, answer


def test_cors_with_credentials_only_for_the_site(service):
    mine = service.get("/api/buurtfeest/ideas", headers={"Origin": SITE})
    assert mine.headers["access-control-allow-origin"] == SITE
    assert mine.headers["access-control-allow-credentials"] == "true"
    other = service.get("/api/buurtfeest/ideas", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = service.request("OPTIONS", "/buurtfeest/steun/1",
                                headers={"Origin": SITE, "Access-Control-Request-Method": "POST"})
    assert preflight.status == 204
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_a_form_sent_too_fast_with_mistakes_names_them_all_in_the_summary(service):
    """The time trap and the fields' mistakes at once: the summary links every
    field in error besides the sentence about the time trap."""
    typed = {"title": "", "text": "", "name": "", "place": "", "website": "",
             "token": service.fresh_token("dorpsplein-groener")}
    answer = service.post("/dorpsplein-groener/idee", typed)
    assert answer.status == 400
    summary = BeautifulSoup(answer.text, "lxml").select_one("div.error-summary")
    assert "snel" in summary.get_text()
    assert [a["href"] for a in summary.find_all("a")] == ["#veld-title", "#veld-text"]
