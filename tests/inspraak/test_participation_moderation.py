"""Moderation: guarded by the service itself (password hash, 429 after 5
failures, a signed session, CSRF in every form); approve, reject, edit,
merge, hide, restore; reports hide an idea until a moderator decides."""

from __future__ import annotations

import sqlite3

import pytest
from bs4 import BeautifulSoup
from participation_service import PASSWORD, SITE, citizen

from dorpsplein.participation.moderation import hash_password, password_matches

pytestmark = pytest.mark.slow


def login(service, password=PASSWORD, ip=None):
    return service.post("/moderatie/login", {"password": password}, origin=service.url, ip=ip)


@pytest.fixture
def moderator(service):
    answer = login(service)
    assert answer.status == 303 and answer.headers["location"] == "/moderatie/"
    cookie = answer.cookie("moderatie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/moderatie/" in cookie
    session = cookie.split(";")[0]
    page = service.get("/moderatie/", headers={"Cookie": session})
    csrf = BeautifulSoup(page.text, "lxml").find("input", {"name": "csrf"})["value"]

    def act(number, action, **fields):
        return service.post(f"/moderatie/idee/{number}", {"csrf": csrf, "action": action,
                                                          **fields},
                            origin=service.url, cookie=session)

    act.session = session
    act.csrf = csrf
    return act


def status(service, number):
    with sqlite3.connect(service.database) as db:
        return db.execute("SELECT status, reason, title, merged_into FROM ideas WHERE id = ?",
                          (number,)).fetchone()


def board_ids(service, slug):
    return {i["id"]: i for i in service.board(slug)["ideas"]}


def test_the_password_is_compared_as_a_salted_hash():
    stored = hash_password("geheim")
    assert stored.startswith("scrypt$") and "geheim" not in stored
    assert password_matches("geheim", stored) and not password_matches("Geheim", stored)
    assert hash_password("geheim") != stored


def test_without_a_session_moderation_shows_the_login_page(service):
    for headers in ({}, {"Cookie": "moderatie=vervalst.koekje"}):
        page = service.get("/moderatie/", headers=headers)
        assert page.status == 401
        html = BeautifulSoup(page.text, "lxml")
        assert html.find("input", {"type": "password"})
        assert html.find("label", {"for": "veld-password"})
    answer = service.post("/moderatie/idee/1", {"csrf": "x", "action": "approve"},
                          origin=service.url)
    assert answer.status == 401


def test_a_wrong_password_is_refused_and_five_a_minute_then_429(service):
    ip = citizen()
    for _ in range(5):
        answer = login(service, "raden", ip)
        assert answer.status == 403 and "Dat wachtwoord klopt niet." in answer.text
        assert not answer.cookie("moderatie")
    answer = login(service, PASSWORD, ip)
    assert answer.status == 429 and 1 <= int(answer.headers["retry-after"]) <= 61
    assert not answer.cookie("moderatie")
    assert login(service, PASSWORD, citizen()).status == 303  # another address


def test_moderation_needs_the_csrf_token(service, moderator):
    number = service.new_idea("dorpsplein-groener").json["id"]
    for csrf in ("", "0" * 64, moderator.csrf[:-1]):
        answer = service.post(f"/moderatie/idee/{number}", {"csrf": csrf, "action": "approve"},
                              origin=service.url, cookie=moderator.session)
        assert answer.status == 400, csrf
    answer = service.post(f"/moderatie/idee/{number}", {"csrf": moderator.csrf,
                                                        "action": "approve"},
                          origin=SITE.replace("www", "evil"), cookie=moderator.session)
    assert answer.status == 403
    assert status(service, number)[0] == "pending"


def test_reject_needs_a_reason(service, moderator):
    number = service.new_idea("dorpsplein-groener").json["id"]
    answer = moderator(number, "reject", reason="")
    assert answer.status == 422
    html = BeautifulSoup(answer.text, "lxml")
    assert html.select_one(".error-summary a")["href"] == f"#veld-{number}-reason"
    assert html.find(id=f"veld-{number}-reason")["aria-invalid"] == "true"
    assert status(service, number)[0] == "pending"
    assert moderator(number, "reject", reason="Dit gaat niet over het plein.").status == 303
    assert status(service, number)[:2] == ("rejected", "Dit gaat niet over het plein.")
    assert number not in board_ids(service, "dorpsplein-groener")


def test_edit_the_title(service, moderator):
    number = service.new_idea("buurtfeest").json["id"]
    refused = moderator(number, "title", title="x" * 121)
    assert refused.status == 422
    html = BeautifulSoup(refused.text, "lxml")
    assert html.find(id=f"veld-{number}-title")["value"] == "x" * 121  # as typed
    assert moderator(number, "title", title="Een betere titel").status == 303
    assert board_ids(service, "buurtfeest")[number]["title"] == "Een betere titel"


def test_hide_and_restore(service, moderator):
    number = service.new_idea("buurtfeest").json["id"]
    assert moderator(number, "hide").status == 303
    assert number not in board_ids(service, "buurtfeest")
    assert service.support("buurtfeest", number).status == 404
    assert moderator(number, "restore").status == 303
    assert number in board_ids(service, "buurtfeest")


def test_merge_moves_the_supports_one_per_person(service, moderator):
    keep = service.new_idea("buurtfeest", title="Een rommelmarkt").json["id"]
    gone = service.new_idea("buurtfeest", title="Een vlooienmarkt").json["id"]
    both = service.support("buurtfeest", keep).cookie("deelnemer").split(";")[0]
    assert service.support("buurtfeest", gone, cookie=both).status == 200
    service.support("buurtfeest", gone)  # someone else, only for the one that goes
    assert board_ids(service, "buurtfeest")[gone]["supports"] == 2
    other_consultation = service.new_idea("speelplein").json["id"]
    assert moderator(gone, "merge", target=str(other_consultation)).status == 422
    assert moderator(gone, "merge", target=str(gone)).status == 422
    assert moderator(gone, "merge", target=str(keep)).status == 303
    board = board_ids(service, "buurtfeest")
    assert gone not in board and board[keep]["supports"] == 2
    assert status(service, gone)[3] == keep and status(service, gone)[0] == "merged"
    # The person who supported both has one support back.
    third = service.new_idea("buurtfeest").json["id"]
    assert service.support("buurtfeest", third, cookie=both).status == 200


def test_the_moderation_page_lists_each_consultation(service, moderator):
    service.new_idea("dorpsplein-groener", title="Nog te keuren idee")
    page = service.get("/moderatie/", headers={"Cookie": moderator.session})
    html = BeautifulSoup(page.text, "lxml")
    headings = [h.get_text() for h in html.find_all("h2")]
    assert "Hoe maken we het Dorpsplein groener?" in headings
    assert any(h.get_text().startswith("Wacht op goedkeuring") for h in html.find_all("h3"))
    assert "Nog te keuren idee" in page.text
    for form in html.find_all("form"):
        assert form.find("input", {"name": "csrf"})["value"] == moderator.csrf
    assert "<script" not in page.text


def test_logout_ends_the_session_in_the_browser(service, moderator):
    answer = service.post("/moderatie/logout", {"csrf": moderator.csrf}, origin=service.url,
                          cookie=moderator.session)
    assert answer.status == 303 and "Max-Age=0" in answer.cookie("moderatie")


def test_reports_hide_an_idea_until_a_moderator_restores_it(service, moderator):
    number = service.new_idea("buurtfeest", title="Een verdacht idee").json["id"]

    def report(ip=None, cookie=None):
        return service.post(f"/buurtfeest/meld/{number}",
                            {"token": service.token("buurtfeest"), "website": ""},
                            json_answer=True, ip=ip, cookie=cookie)

    first_ip = citizen()
    first = report(first_ip)
    assert first.status == 200 and first.json["hidden"] is False
    assert report(first_ip).json["hidden"] is False  # one per person (here: network)
    assert number in board_ids(service, "buurtfeest")
    second = report()
    assert second.json["hidden"] is True
    assert number not in board_ids(service, "buurtfeest")
    page = service.get("/moderatie/", headers={"Cookie": moderator.session})
    section = BeautifulSoup(page.text, "lxml").find(id=f"idee-{number}")
    assert "verborgen" in section.get_text() and "2 meldingen" in section.get_text()
    assert moderator(number, "restore").status == 303
    assert number in board_ids(service, "buurtfeest")
    # Reports counted before the restore do not hide it again at once.
    assert report().json["hidden"] is False


def test_a_report_page_and_its_plain_form(service):
    number = service.new_idea("buurtfeest").json["id"]
    page = service.get(f"/buurtfeest/meld/{number}")
    assert page.status == 200 and "Meld dit idee" in page.text
    token = BeautifulSoup(page.text, "lxml").find("input", {"name": "token"})["value"]
    import time

    time.sleep(service.time_trap + 0.05)
    answer = service.post(f"/buurtfeest/meld/{number}", {"token": token, "website": ""},
                          origin=service.url)
    assert answer.status == 303 and answer.headers["location"] == "/buurtfeest/bedankt/melding"
    assert "Bedankt voor je melding" in service.get(answer.headers["location"]).text
