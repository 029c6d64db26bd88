"""Support: a person is a cookie (indicative) or a keyed hash of an e-mail
address (confirmed through a real SMTP server); counts are exact."""

from __future__ import annotations

import re
import sqlite3
import time

import pytest
from bs4 import BeautifulSoup
from participation_service import SITE, RefusingMailbox, citizen, confirm_link

pytestmark = pytest.mark.slow


def approved_idea(service, slug="buurtfeest", **fields) -> int:
    answer = service.new_idea(slug, **fields)
    assert answer.status == 201 and answer.json["status"] == "approved", answer
    return answer.json["id"]


def count(service, slug, number) -> int:
    [idea] = [i for i in service.board(slug)["ideas"] if i["id"] == number]
    return idea["supports"]


def test_the_first_support_sets_the_person_cookie_and_counts(service):
    number = approved_idea(service)
    answer = service.support("buurtfeest", number)
    assert answer.status == 200 and answer.json["ok"] is True, answer
    assert answer.json["supports"] == 1 and answer.json["supports_left"] == 1
    assert answer.json["token"] and answer.json["token"] != ""
    cookie = answer.cookie("deelnemer")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path", "max-age", "samesite"} <= attributes
    assert "Path=/;" in cookie and "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    assert count(service, "buurtfeest", number) == 1
    # The same person again: refused at once, counted once.
    person = cookie.split(";")[0]
    again = service.support("buurtfeest", number, cookie=person)
    assert again.status == 409 and again.json["reason"] == "already_supported"
    assert "set-cookie" not in again.headers
    assert count(service, "buurtfeest", number) == 1


def test_a_person_has_as_many_supports_as_the_consultation_says(service):
    numbers = [approved_idea(service) for _ in range(3)]
    first = service.support("buurtfeest", numbers[0])
    person = first.cookie("deelnemer").split(";")[0]
    second = service.support("buurtfeest", numbers[1], cookie=person)
    assert second.status == 200 and second.json["supports_left"] == 0
    third = service.support("buurtfeest", numbers[2], cookie=person)
    assert third.status == 409 and third.json["reason"] == "no_supports_left"
    assert "al je steun" in third.json["message"]
    assert count(service, "buurtfeest", numbers[2]) == 0


def test_a_plain_support_form_redirects_and_thanks(service):
    number = approved_idea(service, title="Een kinderhoek")
    form = service.get(f"/buurtfeest/steun/{number}")
    assert form.status == 200 and "set-cookie" not in form.headers
    assert "Een kinderhoek" in form.text
    token = BeautifulSoup(form.text, "lxml").find("input", {"name": "token"})["value"]
    time.sleep(service.time_trap + 0.05)
    answer = service.post(f"/buurtfeest/steun/{number}", {"token": token, "website": ""},
                          origin=service.url)
    assert answer.status == 303
    assert answer.headers["location"] == f"/buurtfeest/bedankt/steun/{number}"
    person = answer.cookie("deelnemer").split(";")[0]
    thanks = service.get(answer.headers["location"], headers={"Cookie": person})
    assert "Je steun voor “Een kinderhoek” is geteld." in thanks.text
    assert "Je kunt nog 1 idee steunen." in thanks.text


def test_a_forged_cookie_is_a_new_person(service):
    number = approved_idea(service)
    answer = service.support("buurtfeest", number, cookie="deelnemer=iemand.anders")
    assert answer.status == 200 and answer.cookie("deelnemer")


def test_unknown_pending_or_foreign_ideas_cannot_be_supported(service):
    pending = service.new_idea("dorpsplein-groener").json["id"]
    other = approved_idea(service)
    for slug, number in (("dorpsplein-groener", pending), ("dorpsplein-groener", other),
                         ("buurtfeest", 999_999), ("buurtfeest", 2**63 + 5)):
        answer = service.support(slug, number)
        assert answer.status == 404 and answer.json["reason"] == "unknown", (slug, number)


def test_email_support_is_counted_after_the_confirmation_post(service, mailbox):
    number = approved_idea(service, "speelplein", title="Een klimrek")
    answer = service.support("speelplein", number, email="  Noor.Peeters@Example.org ")
    assert answer.status == 202 and answer.json["mail"] is True, answer
    assert "set-cookie" not in answer.headers
    message = mailbox.wait_for("Noor.Peeters@Example.org")
    assert message["Subject"] == "Bevestig je steun"
    assert message["From"] == "inspraak@lindeveld.example"
    assert "Een klimrek" in message.get_body(("plain",)).get_content()
    link = confirm_link(message)
    assert link.startswith(service.url + "/speelplein/bevestig/")
    path = link[len(service.url):]
    assert count(service, "speelplein", number) == 0
    # A mail scanner opens the link: nothing is counted.
    page = service.get(path)
    assert page.status == 200 and "<form" in page.text and "Bevestig mijn steun" in page.text
    assert count(service, "speelplein", number) == 0
    confirmed = service.post(path, {}, origin=service.url)
    assert confirmed.status == 303, confirmed
    assert confirmed.headers["location"] == f"/speelplein/bedankt/steun/{number}"
    assert count(service, "speelplein", number) == 1
    assert service.post(path, {}, origin=service.url).status == 303  # twice: still one
    assert count(service, "speelplein", number) == 1
    # Only a keyed hash is stored, never the address.
    with sqlite3.connect(service.database) as db:
        dump = "\n".join(db.iterdump()).lower()
    assert "noor" not in dump and "example.org" not in dump
    # The same address, any spelling, for the same idea: refused at once.
    again = service.support("speelplein", number, email="noor.peeters@example.ORG")
    assert again.status == 409 and again.json["reason"] == "already_supported", again


def test_the_same_address_twice_before_confirming_is_refused(service, mailbox):
    number = approved_idea(service, "speelplein")
    first = service.support("speelplein", number, email="jan@lindeveld.example")
    assert first.status == 202
    second = service.support("speelplein", number, email="JAN@lindeveld.example")
    assert second.status == 409 and second.json["reason"] == "already_supported"
    mailbox.wait_for("jan@lindeveld.example")


def test_an_address_has_as_many_supports_as_the_consultation_says(service, mailbox):
    numbers = [approved_idea(service, "speelplein") for _ in range(3)]
    address = "mila@lindeveld.example"
    for number in numbers[:2]:
        assert service.support("speelplein", number, email=address).status == 202
        service.post(confirm_link(mailbox.wait_for(address)).split(service.url, 1)[1], {},
                     origin=service.url)
    answer = service.support("speelplein", numbers[2], email=address)
    assert answer.status == 409 and answer.json["reason"] == "no_supports_left"


def test_a_wrong_address_is_a_field_error(service):
    number = approved_idea(service, "speelplein")
    for address in ("", "geen-adres", "a@b", "x" * 300 + "@example.org", "a b@example.org"):
        answer = service.support("speelplein", number, email=address, json_answer=False)
        assert answer.status == 422, address
        html = BeautifulSoup(answer.text, "lxml")
        assert html.find(id="veld-email")["aria-invalid"] == "true"
        assert html.select_one(".error-summary a")["href"] == "#veld-email"


def test_an_unknown_or_mangled_confirmation_link_is_refused(service):
    for key in ("x" * 32, "kort", "%00" * 30, "a" * 101):
        answer = service.post(f"/speelplein/bevestig/{key}", {}, origin=service.url)
        assert answer.status == 404, key
        assert service.get(f"/speelplein/bevestig/{key}").status == 404


def test_an_expired_link_says_so_and_the_mail_is_printed_without_smtp(own_service):
    service = own_service("--no-guard", email_link_hours=0)
    number = service.new_idea("speelplein").json["id"]
    assert service.support("speelplein", number, email="lore@lindeveld.example").status == 202
    time.sleep(0.3)
    log = service.log.read_text()
    assert "--- mail (no smtp configured) ---" in log and "To: lore@lindeveld.example" in log
    key = re.search(r"/speelplein/bevestig/([A-Za-z0-9_-]+)", log).group(1)
    for answer in (service.get(f"/speelplein/bevestig/{key}"),
                   service.post(f"/speelplein/bevestig/{key}", {}, origin=service.url)):
        assert answer.status == 410, answer
        assert "Deze bevestigingslink is verlopen." in answer.text
    json_answer = service.post(f"/speelplein/bevestig/{key}", {}, origin=service.url,
                               json_answer=True)
    assert json_answer.json["reason"] == "expired"
    assert count(service, "speelplein", number) == 0


def test_a_failing_mail_server_is_a_503_and_keeps_nothing(own_service):
    service = own_service("--no-guard", smtp={"host": "127.0.0.1", "port": 9,
                                              "from": "inspraak@lindeveld.example"})
    number = service.new_idea("speelplein").json["id"]
    answer = service.support("speelplein", number, email="kim@lindeveld.example")
    assert answer.status == 503 and answer.json["reason"] == "mail_failed"
    again = service.support("speelplein", number, email="kim@lindeveld.example")
    assert again.status == 503  # not "already_supported": nothing was kept


def test_json_support_answers_are_readable_by_the_site_only(service):
    number = approved_idea(service)
    answer = service.post(f"/buurtfeest/steun/{number}",
                          {"token": service.token("buurtfeest"), "website": ""},
                          json_answer=True, ip=citizen())
    assert answer.headers["access-control-allow-origin"] == SITE
    assert answer.headers["access-control-allow-credentials"] == "true"


def test_a_head_request_never_confirms_a_support(service, mailbox):
    number = approved_idea(service, "speelplein")
    address = "hoofd@lindeveld.example"
    assert service.support("speelplein", number, email=address).status == 202
    path = confirm_link(mailbox.wait_for(address))[len(service.url):]
    for headers in ({}, {"Accept": "application/json"},
                    {"Content-Type": "application/x-www-form-urlencoded"}):
        answer = service.request("HEAD", path, headers=headers)
        assert answer.status == 200 and answer.body == b"", (headers, answer)
    assert count(service, "speelplein", number) == 0
    confirmed = service.post(path, {}, origin=service.url)
    assert confirmed.status == 303
    assert count(service, "speelplein", number) == 1


def test_spellings_of_one_mailbox_are_one_person(service, mailbox):
    number = approved_idea(service, "speelplein")
    first = "ruth+inspraak@lindeveld.example"
    assert service.support("speelplein", number, email=first).status == 202
    mailbox.wait_for(first)  # the mail goes to the address as typed, tag and all
    for variant in ("ruth+andere@lindeveld.example", "Ruth@Lindeveld.Example",
                    "ｒｕｔｈ@lindeveld.example", "ＲＵＴＨ+x@ｌｉｎｄｅｖｅｌｄ.example",
                    "ruth@lindeveld.example"):
        again = service.support("speelplein", number, email=variant)
        assert again.status == 409 and again.json["reason"] == "already_supported", variant
    gmail = "ruth.jansen@gmail.com"
    assert service.support("speelplein", number, email=gmail).status == 202
    mailbox.wait_for(gmail)
    for variant in ("ruthjansen@gmail.com", "R.u.t.h.Jansen+steun@gmail.com",
                    "ruthjansen@googlemail.com", "ruth.jansen@GoogleMail.com"):
        again = service.support("speelplein", number, email=variant)
        assert again.status == 409 and again.json["reason"] == "already_supported", variant
    # Dots count outside Gmail: another person.
    other = "r.uth@lindeveld.example"
    assert service.support("speelplein", number, email=other).status == 202
    mailbox.wait_for(other)


def test_invisible_or_look_alike_characters_in_an_address_are_a_field_error(service):
    number = approved_idea(service, "speelplein")
    for address, words in (("ru\u200bth@lindeveld.example", "onzichtbare tekens"),
                           ("ruth\u2060@lindeveld.example", "onzichtbare tekens"),
                           ("ru\u00adth@lindeveld.example", "onzichtbare tekens"),
                           ("rut\u04bb@lindeveld.example", "andere letters dan a tot z"),
                           ("ruth@l\u0456ndeveld.example", "andere letters dan a tot z")):
        answer = service.support("speelplein", number, email=address, json_answer=False)
        assert answer.status == 422, address
        html = BeautifulSoup(answer.text, "lxml")
        assert html.find(id="veld-email")["aria-invalid"] == "true"
        assert words in html.select_one(".error-summary").get_text(), address
        as_json = service.support("speelplein", number, email=address)
        assert as_json.status == 422 and words in as_json.json["fields"]["email"], address
    assert count(service, "speelplein", number) == 0


def test_a_refused_recipient_does_not_put_the_address_in_the_log(own_service):
    with RefusingMailbox() as refusing:
        service = own_service("--no-guard", smtp={"host": "127.0.0.1", "port": refusing.port,
                                                  "from": "inspraak@lindeveld.example"})
        number = service.new_idea("speelplein").json["id"]
        answer = service.support("speelplein", number, email="Geheim.Adres+x@voorbeeld.example")
        assert answer.status == 503 and answer.json["reason"] == "mail_failed", answer
        deadline = time.monotonic() + 10
        while "SMTPRecipientsRefused" not in service.log.read_text():
            assert time.monotonic() < deadline, service.log.read_text()
            time.sleep(0.05)
    log = service.log.read_text()
    assert "SMTPRecipientsRefused" in log and "550" in log
    assert "geheim" not in log.lower() and "voorbeeld.example" not in log
