"""Moderation: guarded by the service itself (password hash, 429 after 5
failures, a signed session, CSRF in every form); approve, reject, edit,
merge, hide, restore; reports hide an idea until a moderator decides."""

from __future__ import annotations

import json
import sqlite3

import pytest
from bs4 import BeautifulSoup
from participation_service import PASSWORD, SITE, citizen, confirm_link, write_site

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


def login_failures(service) -> int:
    with sqlite3.connect(service.database) as db:
        return db.execute("SELECT COUNT(*) FROM login_failures").fetchone()[0]


def test_head_on_the_login_page_records_no_failure(service):
    ip = citizen()
    before = login_failures(service)
    for _ in range(6):
        answer = service.request("HEAD", "/moderatie/login", ip=ip)
        assert answer.status == 200 and answer.body == b"", answer
        assert not answer.cookie("moderatie")
    assert login_failures(service) == before
    assert login(service, PASSWORD, ip).status == 303


def test_reports_hide_an_idea_only_from_enough_different_networks(own_service):
    service = own_service("--no-guard", reports_to_hide=3)
    number = service.new_idea("buurtfeest", title="Een idee dat iemand weg wil").json["id"]
    home = citizen()
    # One client in one network becomes three people: a cookie per support.
    people = []
    for _ in range(3):
        other = service.new_idea("buurtfeest").json["id"]
        people.append(service.support("buurtfeest", other, ip=home)
                      .cookie("deelnemer").split(";")[0])
    assert len(set(people)) == 3

    def report(ip, cookie=None):
        return service.post(f"/buurtfeest/meld/{number}",
                            {"token": service.token("buurtfeest"), "website": ""},
                            json_answer=True, ip=ip, cookie=cookie)

    for person in people:
        answer = report(home, person)
        assert answer.status == 200 and answer.json["hidden"] is False, answer
    assert report(home).json["hidden"] is False  # the network itself, no cookie
    assert number in board_ids(service, "buurtfeest")
    with sqlite3.connect(service.database) as db:
        assert db.execute("SELECT reports FROM ideas WHERE id = ?", (number,)).fetchone()[0] == 4
    assert report(citizen()).json["hidden"] is False  # a second network
    assert report(citizen()).json["hidden"] is True  # a third network
    assert number not in board_ids(service, "buurtfeest")


def test_citizen_pages_show_only_public_ideas(service, moderator):
    secret = "Nog niet openbaar"
    pending = service.new_idea("dorpsplein-groener", title=f"{secret}: wachtend").json["id"]
    rejected = service.new_idea("buurtfeest", title=f"{secret}: afgewezen").json["id"]
    hidden = service.new_idea("buurtfeest", title=f"{secret}: verborgen").json["id"]
    merged = service.new_idea("buurtfeest", title=f"{secret}: samengevoegd").json["id"]
    target = service.new_idea("buurtfeest", title="Een openbaar doel").json["id"]
    assert moderator(rejected, "reject", reason="Dit hoort hier niet.").status == 303
    assert moderator(hidden, "hide").status == 303
    assert moderator(merged, "merge", target=str(target)).status == 303
    for slug, number in (("dorpsplein-groener", pending), ("buurtfeest", rejected),
                         ("buurtfeest", hidden), ("buurtfeest", merged)):
        thanks = service.get(f"/{slug}/bedankt/steun/{number}")
        assert thanks.status == 200 and "Je steun is geteld." in thanks.text, number
        assert secret not in thanks.text, number
        for path in (f"/{slug}/meld/{number}", f"/{slug}/steun/{number}"):
            page = service.get(path)
            assert secret not in page.text, path
            assert page.status == (200 if (path, number) == (f"/{slug}/meld/{number}", hidden)
                                   else 404), path
    # The hidden idea may still be reported (its built page is online until the
    # next publish), without its title.
    report = service.get(f"/buurtfeest/meld/{hidden}")
    assert "Dit idee is al verborgen tot een moderator beslist." in report.text
    assert "Een openbaar doel" in service.get(f"/buurtfeest/bedankt/steun/{target}").text


def test_a_confirmation_link_for_an_idea_hidden_since_shows_no_title(service, mailbox,
                                                                     moderator):
    number = service.new_idea("speelplein", title="Een glijbaan die weg moet").json["id"]
    address = "verborgen@lindeveld.example"
    assert service.support("speelplein", number, email=address).status == 202
    path = confirm_link(mailbox.wait_for(address))[len(service.url):]
    assert moderator(number, "hide").status == 303
    page = service.get(path)
    assert page.status == 404 and "glijbaan" not in page.text
    confirmed = service.post(path, {}, origin=service.url)
    assert confirmed.status == 404 and "glijbaan" not in confirmed.text
    with sqlite3.connect(service.database) as db:
        assert db.execute("SELECT COUNT(*) FROM supports WHERE idea = ?",
                          (number,)).fetchone()[0] == 0


def test_an_odd_merge_target_is_a_dutch_field_error_never_a_500(service, moderator):
    number = service.new_idea("buurtfeest").json["id"]
    service.new_idea("buurtfeest")
    for target in ("²", "1²", "١٢", "𝟙", "", "-1", "x", "9" * 20):
        answer = moderator(number, "merge", target=target)
        assert answer.status == 422, (target, answer)
        assert "Kies een ander idee uit dezelfde inspraak." in answer.text, target
    assert status(service, number)[0] == "approved"


STILL_PUBLISHED = "Het idee staat nog op zijn eigen pagina op de site tot de volgende publicatie."


def test_hiding_a_published_idea_says_its_page_stays_until_the_next_publish(service,
                                                                            moderator):
    built = service.new_idea("buurtfeest", title="Een gepubliceerd idee").json["id"]
    unbuilt = service.new_idea("buurtfeest").json["id"]
    original = service.site.read_text()
    data = json.loads(original)
    data["consultations"]["buurtfeest"]["ideas_built"] = [built]
    write_site(service.site, data)

    def confirmation(answer):
        assert answer.status == 303, answer
        page = service.get(answer.headers["location"].split("#")[0],
                           headers={"Cookie": moderator.session})
        done = BeautifulSoup(page.text, "lxml").select_one(".moderation-done")
        return done.get_text(" ", strip=True)

    try:
        assert STILL_PUBLISHED in confirmation(moderator(built, "hide"))
        assert STILL_PUBLISHED not in confirmation(moderator(built, "restore"))
        assert STILL_PUBLISHED in confirmation(moderator(built, "reject",
                                                         reason="Dit is geen idee."))
        said = confirmation(moderator(unbuilt, "hide"))
        assert "Gedaan." in said and STILL_PUBLISHED not in said
    finally:
        write_site(service.site, json.loads(original))


def test_what_changes_the_site_asks_for_a_publish(own_service):
    """Approving (or hiding, by a moderator or by reports) changes what the
    static pages must show: the service writes its publish request (0600),
    which deploy/systemd/dorpsplein-publish.path turns into a publish.
    Ideas and supports alone do not."""
    import stat

    service = own_service("--no-guard", reports_to_hide=2)
    request = service.state_dir / "publish-requested"
    number = service.new_idea("dorpsplein-groener", title="Een idee voor de publicatie").json["id"]
    assert not request.exists()  # pending: nothing on the site changes
    session = login(service).cookie("moderatie").split(";")[0]
    page = service.get("/moderatie/", headers={"Cookie": session})
    csrf = BeautifulSoup(page.text, "lxml").find("input", {"name": "csrf"})["value"]
    answer = service.post(f"/moderatie/idee/{number}", {"csrf": csrf, "action": "approve"},
                          origin=service.url, cookie=session)
    assert answer.status == 303
    assert request.is_file() and stat.S_IMODE(request.stat().st_mode) == 0o600
    request.unlink()  # as dorpsplein-publish.service does when it starts
    assert service.support("dorpsplein-groener", number).status == 200
    assert not request.exists()  # a support is the board's, read live

    def report():
        return service.post(f"/dorpsplein-groener/meld/{number}",
                            {"token": service.token("dorpsplein-groener"), "website": ""},
                            json_answer=True, ip=citizen()).json["hidden"]

    assert report() is False and not request.exists()
    assert report() is True and request.is_file()  # hidden by reports: its page must go
