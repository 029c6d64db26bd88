"""Self-tests ("zelftest") for readers without JavaScript, against a real
gunicorn: one question a page, the answers in the address, the result
computed by the service, and nothing stored but a count per result -- and
that only when the test says ``counts``.

The session's participation.json (tests/participation_service.py,
``self_tests``) has a profile test with counts (``lindeveld-2040``) and a
knowledge test without (``inspraak-quiz``)."""

from __future__ import annotations

import sqlite3
import time
import urllib.parse

import pytest
from bs4 import BeautifulSoup
from participation_service import SITE, citizen, self_tests

from dorpsplein.participation import self_test
from dorpsplein.participation.policy import SiteFileError, parse

pytestmark = pytest.mark.slow

PROFILE = "lindeveld-2040"
QUIZ = "inspraak-quiz"
LAST = f"/zelftest/{PROFILE}/vraag/3"
TESTS = self_tests()


def html(answer) -> BeautifulSoup:
    return BeautifulSoup(answer.text, "lxml")


def counts(service, slug: str = PROFILE) -> dict:
    with sqlite3.connect(service.database) as db:
        return dict(db.execute("SELECT result, count FROM self_test_counts WHERE self_test = ?",
                               (slug,)))


def everything(service) -> dict:
    """Every row of every table: what the database holds."""
    with sqlite3.connect(service.database) as db:
        names = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: sorted(map(tuple, db.execute(f"SELECT * FROM {name}")), key=repr)
                for name in names}


def result_url(slug: str, result: str) -> str:
    return f"{SITE}/zelftest/{slug}/resultaat/{result}/"


def answers(*choices) -> dict:
    return {f"v{number}": str(choice) for number, choice in enumerate(choices, 1)}


def last_page_token(service, ip: str, ripe: bool = True) -> str:
    """The token in the last question's form, as a reader's browser gets it."""
    page = service.get(LAST, ip=ip)
    assert page.status == 200, page
    token = html(page).find("input", {"name": "token"})["value"]
    if ripe:
        time.sleep(service.time_trap + 0.05)
    return token


def send_last(service, fields: dict, token: str, ip: str, origin: str | None = None,
              **extra):
    values = {**fields, "token": token, "website": "", "stap": "volgende", **extra}
    return service.post(LAST, values, ip=ip, origin=origin or service.url)


# -- participation.json: the self_tests object ---------------------------------------


def site_file(tests) -> str:
    import json

    data = {"version": 1, "site_url": SITE, "consultations": {}, "shell": ""}
    if tests is not None:
        data["self_tests"] = tests
    return json.dumps(data)


def test_the_site_file_without_self_tests_has_none():
    assert parse(site_file(None)).self_tests == {}
    tests = parse(site_file(TESTS)).self_tests
    assert set(tests) == {PROFILE, QUIZ}
    profile, quiz = tests[PROFILE], tests[QUIZ]
    assert profile.counts and not quiz.counts
    assert [r.id for r in profile.results] == ["groen", "dorp", "samen", "stad"]
    assert profile.questions[0].points[0] == (("groen", 2), ("dorp", 1))
    assert [(r.id, r.min, r.max) for r in quiz.results] == [("0-1", 0, 1), ("2", 2, 2),
                                                            ("3", 3, 3)]
    assert quiz.questions[2].correct == 3 and quiz.questions[0].hint == ""


def test_a_knowledge_band_without_an_id_is_named_by_its_scores():
    tests = {QUIZ: {**TESTS[QUIZ], "results": [
        {k: v for k, v in result.items() if k != "id"} for result in TESTS[QUIZ]["results"]]}}
    assert [r.id for r in parse(site_file(tests)).self_tests[QUIZ].results] == ["0-1", "2", "3"]


def changed(slug: str, path: str, value):
    """TESTS with one value changed at ``path`` (keys and list indexes, "/"-separated)."""
    import copy

    tests = copy.deepcopy(TESTS)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
    target = tests[slug]
    for part in parents:
        target = target[part]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return tests


@pytest.mark.parametrize(("slug", "path", "value"), [
    (PROFILE, "kind", "quiz"),
    (PROFILE, "counts", "on"),
    (PROFILE, "url", ""),
    (PROFILE, "questions", []),
    (PROFILE, "questions", [TESTS[PROFILE]["questions"][0]] * 21),
    (PROFILE, "questions/0/text", ""),
    (PROFILE, "questions/0/hint", 3),
    (PROFILE, "questions/0/options", ["Alleen dit"]),
    (PROFILE, "questions/0/points", [{"groen": 1}]),
    (PROFILE, "questions/0/points/0", {"bestaat-niet": 1}),
    (PROFILE, "questions/0/points/0", {"groen": 0}),
    (PROFILE, "questions/0/points/0", {"groen": True}),
    (PROFILE, "questions/0/points/0", {}),
    (PROFILE, "results", TESTS[PROFILE]["results"][:1]),
    (PROFILE, "results/1/id", "groen"),
    (PROFILE, "results/1/id", "Dorp"),
    (PROFILE, "results/1/url", None),
    (QUIZ, "questions/0/correct", 4),
    (QUIZ, "questions/0/correct", KeyError),
    (QUIZ, "results/1/max", 3),
    (QUIZ, "results", TESTS[QUIZ]["results"][:2]),
    (QUIZ, "results/0/min", -1),
])
def test_a_wrong_self_test_makes_the_site_file_unusable(slug, path, value):
    with pytest.raises(SiteFileError, match=f"self-test '{slug}'"):
        parse(site_file(changed(slug, path, value)))


@pytest.mark.parametrize("tests", [[], "x", {"Hoofd letters": TESTS[QUIZ]}, {QUIZ: []}])
def test_a_wrong_self_tests_object_is_refused(tests):
    with pytest.raises(SiteFileError):
        parse(site_file(tests))


# -- a question page ----------------------------------------------------------------


def test_a_question_in_the_site_shell(service):
    answer = service.get(f"/zelftest/{PROFILE}/vraag/2?v1=1&v3=2")
    assert answer.status == 200, answer
    assert "set-cookie" not in answer.headers
    assert "script-src" not in answer.headers["content-security-policy"]
    assert answer.headers["referrer-policy"] == "strict-origin"
    page = html(answer)
    assert page.title.get_text() == ("Vraag 2 van 3 – Waar speel je het liefst? – Hoe wil jij "
                                     "in 2040 in Lindeveld wonen? – Lindeveld")
    # The referrer policy comes first in the head (after the charset), before the stylesheets.
    head = [tag for tag in page.head.find_all(True)]
    assert head[0].get("charset") == "utf-8"
    assert head[1].attrs == {"name": "referrer", "content": "strict-origin"}
    assert not page.find("script")
    [form] = page.find_all("form")
    assert form["method"] == "get" and form["action"] == f"/zelftest/{PROFILE}/vraag/2"
    assert "self-test" in form["class"]
    legend = form.fieldset.legend
    assert legend.find(class_="self-test__caption").get_text() == "Vraag 2 van 3"
    [heading] = page.find_all("h1")
    assert heading.parent is legend and heading.get_text() == "Waar speel je het liefst?"
    radios = form.find_all("input", {"type": "radio"})
    assert [(r["name"], r["value"], r["id"]) for r in radios] == [
        ("v2", "1", "v2-1"), ("v2", "2", "v2-2"), ("v2", "3", "v2-3")]
    assert not any(r.has_attr("checked") for r in radios)
    labels = {label["for"]: label.get_text() for label in form.find_all("label")}
    assert labels == {"v2-1": "In het park", "v2-2": "Op het plein", "v2-3": "In de sporthal"}
    hidden = [(i["name"], i["value"]) for i in form.find_all("input", {"type": "hidden"})]
    assert hidden == [("v1", "1"), ("v3", "2")]  # every other answer, not this one's
    buttons = [(b["name"], b["value"], b.get_text(), b["class"]) for b in form.find_all("button")]
    assert buttons == [("stap", "volgende", "Volgende", ["button"]),
                       ("stap", "vorige", "Vorige", ["button", "button--secondary"])]
    assert not form.find("input", {"name": "token"}) and not page.find(class_="error-summary")


def test_the_hint_is_the_builds_html_and_describes_the_question(service):
    page = html(service.get(f"/zelftest/{PROFILE}/vraag/1"))
    hint = page.find(id="v1-hint")
    assert "self-test__hint" in hint["class"] and hint.find("em").get_text() == "gewone"
    assert page.fieldset["aria-describedby"] == "v1-hint"
    assert html(service.get(f"/zelftest/{PROFILE}/vraag/2")).fieldset.get(
        "aria-describedby") is None


def test_the_answer_given_is_selected(service):
    form = html(service.get(f"/zelftest/{PROFILE}/vraag/2?v2=3&v1=1")).form
    assert [r.has_attr("checked") for r in form.find_all("input", {"type": "radio"})] == [
        False, False, True]
    assert [(i["name"], i["value"]) for i in form.find_all("input", {"type": "hidden"})] == [
        ("v1", "1")]


def test_the_last_question_of_a_counted_test_posts_with_a_token(service):
    form = html(service.get(f"{LAST}?v1=1&v2=2")).form
    assert form["method"] == "post" and form["action"] == LAST
    assert form.find("input", {"name": "token"})["value"]
    assert form.find("input", {"name": "website"})["value"] == ""
    # The knowledge test keeps nothing: its last question is a GET form like the others.
    form = html(service.get(f"/zelftest/{QUIZ}/vraag/3")).form
    assert form["method"] == "get" and not form.find("input", {"name": "token"})
    assert not form.find("input", {"name": "website"})


# -- next and previous ----------------------------------------------------------------


@pytest.mark.parametrize(("path", "location"), [
    (f"/zelftest/{PROFILE}/vraag/1?v1=1&stap=volgende", f"/zelftest/{PROFILE}/vraag/2?v1=1"),
    (f"/zelftest/{PROFILE}/vraag/2?stap=volgende&v3=1&v2=2&v1=1",
     f"/zelftest/{PROFILE}/vraag/3?v1=1&v2=2&v3=1"),
    (f"/zelftest/{PROFILE}/vraag/2?v1=1&v2=2&stap=vorige",
     f"/zelftest/{PROFILE}/vraag/1?v1=1&v2=2"),
    (f"/zelftest/{PROFILE}/vraag/2?stap=vorige", f"/zelftest/{PROFILE}/vraag/1"),
    (f"/zelftest/{PROFILE}/vraag/3?stap=vorige&v1=9&v2=x", f"/zelftest/{PROFILE}/vraag/2"),
    (f"/zelftest/{PROFILE}/vraag/1?stap=vorige&v1=2", f"{SITE}/zelftest/{PROFILE}/"),
    (f"/zelftest/{QUIZ}/vraag/1?stap=vorige", f"{SITE}/zelftest/{QUIZ}/"),
    # At the end an earlier answer is missing (an edited address): back to it.
    (f"/zelftest/{PROFILE}/vraag/3?v1=1&v3=1&stap=volgende",
     f"/zelftest/{PROFILE}/vraag/2?v1=1&v3=1"),
    (f"/zelftest/{QUIZ}/vraag/3?v3=1&stap=volgende", f"/zelftest/{QUIZ}/vraag/1?v3=1"),
])
def test_next_and_previous(service, path, location):
    answer = service.get(path)
    assert answer.status == 303, answer
    assert answer.headers["location"] == location
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["referrer-policy"] == "strict-origin"


def test_next_behind_a_proxy_keeps_the_prefix(service):
    answer = service.get(f"/zelftest/{PROFILE}/vraag/1?v1=1&stap=volgende",
                         headers={"X-Forwarded-Prefix": "/participatie"})
    assert answer.headers["location"] == f"/participatie/zelftest/{PROFILE}/vraag/2?v1=1"
    form = html(service.get(f"/zelftest/{PROFILE}/vraag/1",
                            headers={"X-Forwarded-Prefix": "/participatie"})).form
    assert form["action"] == f"/participatie/zelftest/{PROFILE}/vraag/1"


def test_next_without_an_answer_shows_the_question_with_the_error(service):
    answer = service.get(f"/zelftest/{PROFILE}/vraag/1?stap=volgende&v2=3")
    assert answer.status == 422, answer
    page = html(answer)
    assert page.title.get_text().startswith("Fout: Vraag 1 van 3 – Hoe kom je")
    summary = page.find(class_="error-summary")
    assert summary["role"] == "alert" and summary.has_attr("autofocus")
    assert summary.find("h2").get_text() == "Er is een probleem"
    [link] = summary.find_all("a")
    assert link["href"] == "#v1-1" and link.get_text() == "Kies een antwoord."
    assert page.find(id="v1-1")["type"] == "radio"
    error = page.find(id="v1-error")
    assert "Kies een antwoord." in error.get_text()
    assert page.fieldset["aria-describedby"] == "v1-hint v1-error"
    assert summary.find_next("form") is page.form  # the summary comes first
    assert [(i["name"], i["value"]) for i in page.form.find_all("input", {"type": "hidden"})] \
        == [("v2", "3")]


# Tampered answers: ignored (not answered), never a 500, never carried on.
TAMPERED = ["99", "0", "-1", "abc", "²", "٣", "１", "1.0", " 1", "1 ", "1%0A", "%00", "+1",
            "01", "5", "1" * 1000, "%ff%fe", "<b>1</b>", ""]


@pytest.mark.parametrize("value", TAMPERED)
def test_tampered_answers_are_not_answers(service, value):
    for path, carried in (
            (f"/zelftest/{PROFILE}/vraag/2?v1={value}&v2={value}&stap=volgende", []),
            (f"/zelftest/{PROFILE}/vraag/2?v1={value}&v2={value}", []),
            (f"/zelftest/{QUIZ}/vraag/3?v1=2&v2=1&v3={value}&stap=volgende",
             [("v1", "2"), ("v2", "1")])):
        answer = service.get(urllib.parse.quote(path, safe="/?&=%"))
        assert answer.status in (200, 422), (value, path, answer)
        assert (answer.status == 422) == ("stap=" in path)
        page = html(answer)
        assert [(i["name"], i["value"]) for i in page.find_all("input", {"type": "hidden"})] \
            == carried, (value, path)
        assert not any(r.has_attr("checked") for r in page.find_all("input", {"type": "radio"}))


NEXT = f"/zelftest/{PROFILE}/vraag/2"


@pytest.mark.parametrize(("query", "status", "location"), [
    ("v1=1&v1=2&stap=volgende", 422, None),          # one question, two answers: none
    ("v1=1&stap=volgende&stap=volgende", 200, None),  # two presses: just the page
    ("v1=1&stap=verder", 200, None), ("v1=1&stap=", 200, None),
    ("v1=1&STAP=volgende", 200, None), ("v1=1&stap=VOLGENDE", 200, None),
    ("v1=1&" + "&".join(f"v{n}=1" for n in range(2, 60)) + "&stap=volgende", 303,
     NEXT + "?v1=1&v2=1&v3=1"),
    ("v1=1&stap=volgende&x=" + "a" * 3000, 400, None),  # longer than an address may be
    ("v1=%ff&stap=%fe", 200, None), ("%00=%00", 200, None),
    ("v1=1&stap=volgende&token=x&website=y", 303, NEXT + "?v1=1"),
])
def test_odd_queries_never_fail(service, query, status, location):
    before = everything(service)
    answer = service.get(f"/zelftest/{PROFILE}/vraag/1?{query}")
    assert answer.status == status, (query, answer)
    assert answer.headers.get("location") == location
    assert everything(service) == before


# -- the result -----------------------------------------------------------------------


@pytest.mark.parametrize(("slug", "choices", "result"), [
    (PROFILE, (1, 1, 1), "groen"),   # groen 4, dorp 1
    (PROFILE, (2, 3, 1), "stad"),    # samen 1, stad 2, groen 1
    (PROFILE, (3, 2, 2), "samen"),   # stad 1, dorp 1, samen 3
    (PROFILE, (2, 1, 3), "groen"),   # all four 1: the tie goes to the first written
    (PROFILE, (3, 2, 3), "dorp"),    # dorp 2, stad 2, samen 1: dorp is written before stad
    (PROFILE, (3, 3, 3), "stad"),    # stad 4, dorp 1
    (QUIZ, (2, 1, 3), "3"),
    (QUIZ, (2, 1, 1), "2"),
    (QUIZ, (1, 1, 3), "2"),
    (QUIZ, (2, 2, 1), "0-1"),
    (QUIZ, (1, 2, 4), "0-1"),
])
def test_the_last_step_leads_to_the_result(service, slug, choices, result):
    before = counts(service, slug)
    query = urllib.parse.urlencode(answers(*choices))
    answer = service.get(f"/zelftest/{slug}/vraag/3?{query}&stap=volgende")
    assert answer.status == 303, answer
    assert answer.headers["location"] == result_url(slug, result)
    assert answer.headers["referrer-policy"] == "strict-origin"
    assert counts(service, slug) == before  # a GET never counts
    # The same sum in Python (the site's script must agree with it).
    test = parse(site_file(TESTS)).self_tests[slug]
    given = {number: choice for number, choice in enumerate(choices, 1)}
    assert self_test.outcome(test, given).id == result


# -- counting (the profile test has counts) -----------------------------------------------


def test_the_last_post_counts_the_result_once(service):
    ip = citizen()
    before = counts(service)
    token = last_page_token(service, ip)
    answer = send_last(service, answers(2, 3, 1), token, ip)
    assert answer.status == 303, answer
    assert answer.headers["location"] == result_url(PROFILE, "stad")
    after = counts(service)
    assert after.get("stad", 0) == before.get("stad", 0) + 1
    assert sum(after.values()) == sum(before.values()) + 1
    # The same form again (back, send): the token is used; the page says so,
    # keeps the answers and has a new token. Nothing more is counted.
    again = send_last(service, answers(2, 3, 1), token, ip)
    assert again.status == 400, again
    page = html(again)
    assert "Het formulier is verlopen" in page.find(class_="error-summary").get_text()
    assert page.title.get_text().startswith("Fout: Vraag 3 van 3")
    assert page.find(id="v3-1").has_attr("checked")
    assert [(i["name"], i["value"]) for i in page.form.find_all("input", {"type": "hidden"})
            if i["name"] != "token"] == [("v1", "2"), ("v2", "3")]
    fresh = page.find("input", {"name": "token"})["value"]
    assert fresh != token
    assert counts(service) == after
    time.sleep(service.time_trap + 0.05)
    assert send_last(service, answers(2, 3, 1), fresh, ip).status == 303
    assert counts(service)["stad"] == after["stad"] + 1


def test_too_fast_shows_the_question_again_with_the_same_token(service):
    ip = citizen()
    before = counts(service)
    token = last_page_token(service, ip, ripe=False)
    answer = send_last(service, answers(1, 1, 1), token, ip)
    assert answer.status == 400, answer
    page = html(answer)
    assert "snel" in page.find(class_="error-summary").get_text()
    assert page.find("input", {"name": "token"})["value"] == token
    assert counts(service) == before
    time.sleep(service.time_trap + 0.05)
    assert send_last(service, answers(1, 1, 1), token, ip).status == 303
    assert counts(service)["groen"] == before.get("groen", 0) + 1


@pytest.mark.parametrize("case", ["honeypot", "origin", "no origin", "no token", "bad token",
                                  "consultation token"])
def test_a_refused_post_counts_nothing(service, case):
    ip = citizen()
    token = last_page_token(service, ip)
    before = everything(service)
    extra, origin, sent = {}, None, token
    if case == "honeypot":
        extra = {"website": "https://spam.example"}
    elif case == "origin":
        origin = "https://evil.example"
    elif case == "bad token":
        sent = token[:-3] + "abc"
    elif case == "no token":
        sent = ""
    elif case == "consultation token":
        sent = service.token("buurtfeest")
    if case == "no origin":
        answer = service.request("POST", LAST, urllib.parse.urlencode(
            {**answers(1, 1, 1), "token": token, "website": "", "stap": "volgende"}),
            {"Content-Type": "application/x-www-form-urlencoded"}, ip)
    else:
        answer = send_last(service, answers(1, 1, 1), sent, ip, origin=origin, **extra)
    assert 400 <= answer.status < 500, (case, answer)
    assert {"honeypot": 400, "origin": 403, "no origin": 403}.get(case, 400) == answer.status
    assert everything(service) == before
    # The reader's own token is still good afterwards (nothing used it up).
    if case != "consultation token":
        assert send_last(service, answers(1, 1, 1), token, ip).status == 303


def test_a_missing_answer_in_the_post(service):
    ip = citizen()
    token = last_page_token(service, ip)
    before = everything(service)
    # An earlier answer lost: to that question's page, answers kept.
    answer = send_last(service, {"v2": "1", "v3": "2"}, token, ip)
    assert answer.status == 303
    assert answer.headers["location"] == f"/zelftest/{PROFILE}/vraag/1?v2=1&v3=2"
    # This question not answered: the page again with the error, the token kept.
    answer = send_last(service, answers(1, 1), token, ip)
    assert answer.status == 422, answer
    page = html(answer)
    assert page.find(class_="error-summary").find("a")["href"] == "#v3-1"
    assert page.find("input", {"name": "token"})["value"] == token
    assert page.form["method"] == "post"
    # Previous: back, nothing checked or counted.
    answer = service.post(LAST, {**answers(1, 1, 3), "stap": "vorige"}, ip=ip,
                          origin=service.url)
    assert answer.status == 303
    assert answer.headers["location"] == f"/zelftest/{PROFILE}/vraag/2?v1=1&v2=1&v3=3"
    assert everything(service) == before


@pytest.mark.parametrize(("path", "status"), [
    (f"/zelftest/{QUIZ}/vraag/3", 405),        # no counts: no POST
    (f"/zelftest/{PROFILE}/vraag/2", 405),     # not the last question
    (f"/zelftest/{PROFILE}/vraag/4", 404),
    ("/zelftest/bestaat-niet/vraag/3", 404),
    ("/zelftest/buurtfeest/vraag/1", 404),     # a consultation is no self-test
])
def test_a_post_elsewhere_is_refused(service, path, status):
    ip = citizen()
    token = last_page_token(service, ip, ripe=False)
    time.sleep(service.time_trap + 0.05)
    before = everything(service)
    answer = service.post(path, {**answers(1, 1, 1), "token": token, "website": "",
                                 "stap": "volgende"}, ip=ip, origin=service.url)
    assert answer.status == status, answer
    assert everything(service) == before
    assert "Pagina niet gevonden" in answer.text or status == 405


def test_get_and_head_never_count(service):
    ip = citizen()
    token = last_page_token(service, ip)
    before = everything(service)
    query = urllib.parse.urlencode({**answers(1, 1, 1), "token": token, "website": "",
                                    "stap": "volgende"})
    body = query.encode()
    for method in ("GET", "HEAD"):
        for headers in ({}, {"Origin": SITE}, {"Accept": "application/json"}):
            answer = service.request(method, f"{LAST}?{query}", body, {
                "Content-Type": "application/x-www-form-urlencoded", **headers}, ip)
            assert answer.status == 303, (method, answer)
            assert answer.headers["location"] == result_url(PROFILE, "groen")
        answer = service.request(method, LAST, body, {
            "Content-Type": "application/x-www-form-urlencoded"}, ip)
        assert answer.status == 200 and (method == "GET") == bool(answer.body)
    assert everything(service) == before
    assert send_last(service, answers(1, 1, 1), token, ip).status == 303  # the token is unused


def test_a_network_past_its_writes_still_gets_its_result_uncounted(own_service):
    service = own_service(writes_per_hour=2, time_trap_seconds=0)
    ip = "10.200.1.7"
    statuses = []
    for _ in range(3):
        token = last_page_token(service, ip, ripe=False)
        answer = send_last(service, answers(1, 1, 1), token, ip)
        statuses.append((answer.status, answer.headers.get("location")))
    assert statuses == [(303, result_url(PROFILE, "groen"))] * 3
    assert counts(service) == {"groen": 2}
    # The site's script is told (it shows its result anyway).
    token = service.get(f"/api/zelftest/{PROFILE}/form", ip=ip).json["token"]
    answer = service.post(f"/api/zelftest/{PROFILE}/resultaat",
                          {**answers(1, 1, 1), "token": token, "website": ""}, ip=ip)
    assert answer.status == 429 and answer.json["reason"] == "rate_limited"
    assert counts(service) == {"groen": 2}
    # Another network is counted.
    assert send_last(service, answers(1, 1, 1), last_page_token(service, "10.201.1.7",
                                                                ripe=False),
                     "10.201.1.7").status == 303
    assert counts(service) == {"groen": 3}


# -- the JSON API (the site's script) ------------------------------------------------------


def test_the_api_counts(service):
    form = service.get(f"/api/zelftest/{PROFILE}/form", json_answer=True)
    assert form.status == 200 and form.headers["cache-control"] == "no-store"
    assert set(form.json) == {"ok", "token", "not_before"} and form.json["not_before"] == 1
    time.sleep(service.time_trap + 0.05)
    before = counts(service)
    answer = service.post(f"/api/zelftest/{PROFILE}/resultaat",
                          {**answers(3, 2, 2), "token": form.json["token"], "website": ""})
    assert answer.status == 200, answer
    body = answer.json
    # The result, never the counts: polling them around a neighbour's answer
    # would tell that neighbour's result.
    assert set(body) == {"ok", "result", "url"} and body["ok"] is True
    assert body["result"] == "samen" and body["url"] == result_url(PROFILE, "samen")
    after = counts(service)
    assert after["samen"] == before.get("samen", 0) + 1
    # The same token again: refused, not counted.
    again = service.post(f"/api/zelftest/{PROFILE}/resultaat",
                         {**answers(3, 2, 2), "token": form.json["token"], "website": ""})
    assert again.status == 400 and again.json["reason"] == "form"
    assert counts(service) == after
    listed = service.get(f"/api/zelftest/{PROFILE}/counts")
    assert listed.status == 200 and listed.headers["cache-control"] == "no-store"
    assert listed.headers["content-type"].startswith("application/json")
    assert listed.json == {"self_test": PROFILE, "total": sum(after.values()),
                           "results": {rid: after.get(rid, 0)
                                       for rid in ("groen", "dorp", "samen", "stad")}}


def test_counted_results_do_not_use_up_the_networks_ideas_and_supports(own_service):
    """The writes per network are counted apart: a class taking a test does
    not use up its network's budget for ideas and supports."""
    service = own_service(writes_per_hour=1, time_trap_seconds=0)
    ip = "10.77.1.7"
    token = service.get(f"/api/zelftest/{PROFILE}/form", ip=ip).json["token"]
    counted = service.post(f"/api/zelftest/{PROFILE}/resultaat",
                           {**answers(1, 1, 1), "token": token, "website": ""}, ip=ip)
    assert counted.status == 200, counted
    token = service.get(f"/api/zelftest/{PROFILE}/form", ip=ip).json["token"]
    over = service.post(f"/api/zelftest/{PROFILE}/resultaat",
                        {**answers(1, 1, 1), "token": token, "website": ""}, ip=ip)
    assert over.status == 429  # the test's own budget is used up
    idea = service.new_idea("dorpsplein-groener", ip=ip)
    assert idea.status in (201, 303), idea  # the network may still post an idea


@pytest.mark.parametrize(("fields", "reason", "status", "wrong"), [
    (answers(1, 1), "invalid", 422, {"v3"}),
    (answers(1, 9, 1), "invalid", 422, {"v2"}),
    ({}, "invalid", 422, {"v1", "v2", "v3"}),
    ({**answers(1, 1, 1), "website": "x"}, "honeypot", 400, None),
    ({**answers(1, 1, 1), "token": "kapot"}, "form", 400, None),
])
def test_the_api_refuses(service, fields, reason, status, wrong):
    token = service.get(f"/api/zelftest/{PROFILE}/form").json["token"]
    time.sleep(service.time_trap + 0.05)
    before = everything(service)
    answer = service.post(f"/api/zelftest/{PROFILE}/resultaat",
                          {"token": token, "website": "", **fields})
    assert answer.status == status and answer.json["reason"] == reason, answer
    if wrong:
        assert answer.json["fields"] == {name: "Kies een antwoord." for name in wrong}
    assert everything(service) == before


def test_a_fresh_api_token_is_too_fast(service):
    token = service.get(f"/api/zelftest/{PROFILE}/form").json["token"]
    answer = service.post(f"/api/zelftest/{PROFILE}/resultaat",
                          {**answers(1, 1, 1), "token": token, "website": ""})
    assert answer.status == 400 and answer.json["reason"] == "too_fast"
    assert int(answer.headers["retry-after"]) >= 1


@pytest.mark.parametrize("path", [
    f"/api/zelftest/{QUIZ}/form", f"/api/zelftest/{QUIZ}/counts",
    "/api/zelftest/bestaat-niet/form", "/api/zelftest/bestaat-niet/counts",
    "/api/zelftest/buurtfeest/counts",
])
def test_the_api_of_a_test_without_counts_is_404(service, path):
    answer = service.get(path)
    assert answer.status == 404 and answer.json["reason"] == "unknown", answer
    answer = service.post(path.rsplit("/", 1)[0] + "/resultaat",
                          {**answers(1, 1, 1), "token": "x", "website": ""})
    assert answer.status == 404 and answer.json["reason"] == "unknown", answer


# -- 404, spellings -------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/zelftest/bestaat-niet/vraag/1", f"/zelftest/{PROFILE}/vraag/0",
    f"/zelftest/{PROFILE}/vraag/4", f"/zelftest/{QUIZ}/vraag/4",
    f"/zelftest/{PROFILE}/vraag/99999999999999999999999", f"/zelftest/{PROFILE}/vraag/-1",
    f"/zelftest/{PROFILE}/vraag/x", "/zelftest/buurtfeest/vraag/1",
    f"/zelftest/{PROFILE}/", f"/zelftest/{PROFILE}/vraag/", "/zelftest/",
])
def test_unknown_tests_and_questions_are_a_dutch_404(service, path):
    answer = service.get(path + "?v1=1&stap=volgende")
    assert answer.status == 404, (path, answer)
    assert "Pagina niet gevonden" in answer.text
    assert html(answer).title.get_text().startswith("Pagina niet gevonden")


# Spellings straight to gunicorn: whatever werkzeug routes them to decides.
SPELLINGS = [
    LAST, "/" + LAST, "//zelftest//lindeveld-2040//vraag//3", "/./" + LAST[1:],
    "/x/.." + LAST, "/zelftest/x/../lindeveld-2040/vraag/3", "/zelftest/./lindeveld-2040/vraag/3",
    "/%7aelftest/lindeveld-2040/vraag/3", "/zelftest/lindeveld-2040/vraag/%33",
    "/zelftest%2Flindeveld-2040/vraag/3", "/zelftest/lindeveld-2040%2Fvraag%2F3",
    LAST + "/", LAST + ";x", LAST + "%20", LAST + "%00", LAST + "#x",
    "/ZELFTEST/lindeveld-2040/vraag/3",
    "/zelftest/LINDEVELD-2040/vraag/3", "/zelftest/lindeveld-2040/VRAAG/3",
    "/zelftest/lindeveld-2040/vraag/03", "/zelftest/lindeveld-2040/vraag/+3",
    "/zelftest/lindeveld-2040/vraag/3.0", "/zelftest/lindeveld-2040/vraag/%D9%A3",
    "/zelftest/inspraak-quiz/../lindeveld-2040/vraag/3",
    "/api/zelftest/../../zelftest/lindeveld-2040/vraag/3",
    "/lindeveld-2040/vraag/3", "/zelftest/lindeveld-2040/vraag/3/..", "/zelftest/lindeveld-2040",
]


@pytest.mark.parametrize("path", SPELLINGS)
def test_every_spelling_passes_the_same_checks(service, path):
    ip = citizen()
    token = last_page_token(service, ip)
    before = counts(service)
    fields = {**answers(1, 1, 1), "token": token, "website": "", "stap": "volgende"}
    answer = service.post(path, fields, ip=ip, origin=service.url)
    assert answer.status < 500, (path, answer)
    if answer.status == 303:  # it reached the last question: counted once
        assert answer.headers["location"] == result_url(PROFILE, "groen")
        assert sum(counts(service).values()) == sum(before.values()) + 1
        again = send_last(service, answers(1, 1, 1), token, ip)
        assert again.status == 400 and "Het formulier is verlopen" in again.text
    else:
        assert answer.status in (308, 400, 404, 405), (path, answer)
        assert counts(service) == before
    # From elsewhere, or without a token, no spelling counts.
    after = counts(service)
    assert service.post(path, {**fields, "token": ""}, ip=ip,
                        origin=service.url).status != 303
    assert service.post(path, fields, ip=ip, origin="https://evil.example").status >= 300
    assert service.get(path + "?" + urllib.parse.urlencode(fields), ip=ip).status < 500
    assert counts(service) == after


API_SPELLINGS = ["/api/zelftest/lindeveld-2040/counts", "//api/zelftest/lindeveld-2040/counts",
                 "/api//zelftest/lindeveld-2040/counts", "/api/zelftest/lindeveld-2040/counts/",
                 "/api/zelftest/lindeveld-2040/../lindeveld-2040/counts",
                 "/api/%7aelftest/lindeveld-2040/counts", "/API/zelftest/lindeveld-2040/counts",
                 "/api/zelftest/inspraak-quiz/counts", "/api/zelftest/counts",
                 "/api/zelftest/lindeveld-2040/form/../counts", "/api/zelftest/form"]


@pytest.mark.parametrize("path", API_SPELLINGS)
def test_api_spellings(service, path):
    answer = service.get(path)
    assert answer.status in (200, 308, 404), (path, answer)
    if answer.status == 200:
        assert answer.json["self_test"] == PROFILE
    elif answer.status == 308:  # werkzeug's canonical spelling; nothing decided
        assert answer.headers["location"].endswith("/api/zelftest/lindeveld-2040/counts")
    elif answer.headers["content-type"].startswith("application/json"):
        assert answer.json["reason"] == "unknown"
    else:  # not under /api/: the page
        assert answer.status == 404 and "Pagina niet gevonden" in answer.text


# -- what is stored -----------------------------------------------------------------------


def test_without_counts_nothing_is_stored(service):
    """A whole test without JavaScript, with a wrong step and a step back:
    no table gains, loses or changes a row."""
    before = everything(service)
    ip = citizen()
    steps = [
        (f"/zelftest/{QUIZ}/vraag/1", 200, None),
        (f"/zelftest/{QUIZ}/vraag/1?stap=volgende", 422, None),
        (f"/zelftest/{QUIZ}/vraag/1?v1=2&stap=volgende", 303, f"/zelftest/{QUIZ}/vraag/2?v1=2"),
        (f"/zelftest/{QUIZ}/vraag/2?v1=2", 200, None),
        (f"/zelftest/{QUIZ}/vraag/2?v1=2&v2=1&stap=vorige", 303,
         f"/zelftest/{QUIZ}/vraag/1?v1=2&v2=1"),
        (f"/zelftest/{QUIZ}/vraag/1?v1=2&v2=1&stap=volgende", 303,
         f"/zelftest/{QUIZ}/vraag/2?v1=2&v2=1"),
        (f"/zelftest/{QUIZ}/vraag/2?v1=2&v2=1&stap=volgende", 303,
         f"/zelftest/{QUIZ}/vraag/3?v1=2&v2=1"),
        (f"/zelftest/{QUIZ}/vraag/3?v1=2&v2=1", 200, None),
        (f"/zelftest/{QUIZ}/vraag/3?v1=2&v2=1&v3=3&stap=volgende", 303, result_url(QUIZ, "3")),
    ]
    for path, status, location in steps:
        answer = service.get(path, ip=ip)
        assert answer.status == status, (path, answer)
        assert answer.headers.get("location") == location
        assert "set-cookie" not in answer.headers
    assert everything(service) == before


def test_with_counts_only_the_count_is_stored(service):
    before = everything(service)
    ip = citizen()
    token = last_page_token(service, ip)
    assert send_last(service, answers(3, 3, 3), token, ip).status == 303
    after = everything(service)
    changed = {name for name in after if after[name] != before[name]}
    # The count, and what every write leaves: the token's nonce, the network's count.
    assert changed == {"self_test_counts", "used_tokens", "rate_counts"}
    dump = "\n".join(repr(rows) for rows in after.values())
    assert ip not in dump and ip.rsplit(".", 1)[0] not in dump


def test_a_test_and_its_counts_survive_a_new_site_file(service):
    """The build writes participation.json again: the service reads it at the next
    request; a test removed is 404, its counts stay in the database."""
    import json

    original = service.site.read_text()
    data = json.loads(original)
    del data["self_tests"][PROFILE]
    partial = service.site.with_name("participation.json.partial")
    partial.write_text(json.dumps(data))
    partial.replace(service.site)
    try:
        assert service.get(f"/zelftest/{PROFILE}/vraag/1").status == 404
        assert service.get(f"/api/zelftest/{PROFILE}/counts").status == 404
        assert service.get(f"/zelftest/{QUIZ}/vraag/1").status == 200
    finally:
        partial.write_text(original)
        partial.replace(service.site)
    assert service.get(f"/api/zelftest/{PROFILE}/counts").status == 200


# -- without a script, in Chromium (axe on these pages: tests/e2e/test_self_test_flow.py) --

@pytest.mark.e2e
def test_the_error_summary_link_reaches_the_radios_and_enter_means_next(browser, service):
    # The pages carry no script (their CSP allows none): as a reader without one.
    context = browser.new_context(viewport={"width": 375, "height": 800})
    context.route(f"{SITE}/**", lambda route: route.abort())  # the shell's stylesheet
    page = context.new_page()
    try:
        # The summary has the focus (autofocus), its link reaches the radio.
        page.goto(service.url + f"/zelftest/{PROFILE}/vraag/2?v1=1&stap=volgende")
        page.wait_for_function("document.activeElement.classList.contains('error-summary')")
        page.get_by_role("link", name="Kies een antwoord.").click()
        page.keyboard.press("Space")
        assert page.locator("#v2-1").is_checked()
        # Enter sends "Volgende".
        page.locator("#v2-2").check()
        page.keyboard.press("Enter")
        page.wait_for_url("**/vraag/3?v1=1&v2=2")
        assert page.locator("#v3-1").count() == 1
    finally:
        context.close()
