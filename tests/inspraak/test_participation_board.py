"""The board API: its shape, built idea pages, ETags, a cache that follows
every worker's writes and the build's participation.json; and exact counts
under concurrency."""

from __future__ import annotations

import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from participation_service import SITE, citizen, consultations, write_site

pytestmark = pytest.mark.slow


def test_the_board_has_the_documented_shape(service):
    number = service.new_idea("buurtfeest", title="Een dansvloer").json["id"]
    board = service.board("buurtfeest")
    assert set(board) == {"consultation", "phase", "open", "opens", "closes", "verification",
                          "supports", "total_supports", "ideas"}
    assert board["consultation"] == "buurtfeest" and board["open"] is True
    assert board["phase"] == "ideas" and board["verification"] == "indicative"
    assert board["supports"] == 2
    [idea] = [i for i in board["ideas"] if i["id"] == number]
    assert set(idea) == {"id", "title", "text", "name", "place", "supports", "created", "url"}
    assert board["total_supports"] == sum(i["supports"] for i in board["ideas"])
    closed = service.board("kermis")
    assert closed["open"] is False and closed["ideas"] == []


def test_ideas_are_ordered_by_support_then_id(service):
    numbers = [service.new_idea("buurtfeest").json["id"] for _ in range(3)]
    service.support("buurtfeest", numbers[2])
    ideas = service.board("buurtfeest")["ideas"]
    supports = [(-i["supports"], i["id"]) for i in ideas]
    assert supports == sorted(supports)


def test_a_built_idea_page_is_linked_once_the_build_knows_it(service):
    number = service.new_idea("buurtfeest").json["id"]
    original = service.site.read_text()
    data = json.loads(original)
    data["consultations"]["buurtfeest"]["ideas_built"] = [number]
    write_site(service.site, data)
    try:
        # Every worker sees the new file (each request may reach another one).
        for _ in range(6):
            [idea] = [i for i in service.board("buurtfeest")["ideas"] if i["id"] == number]
            assert idea["url"] == f"{SITE}/inspraak/buurtfeest/idee-{number}/"
    finally:
        write_site(service.site, json.loads(original))
    [idea] = [i for i in service.board("buurtfeest")["ideas"] if i["id"] == number]
    assert idea["url"] is None


def test_etag_and_304_and_a_change_in_any_worker_shows_at_once(service):
    first = service.get("/api/buurtfeest/ideas")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    again = service.get("/api/buurtfeest/ideas", headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    number = service.new_idea("buurtfeest").json["id"]
    # Whichever worker answers, the new idea is there (data_version + own writes).
    for _ in range(6):
        answer = service.get("/api/buurtfeest/ideas", headers={"If-None-Match": etag})
        assert answer.status == 200 and number in [i["id"] for i in answer.json["ideas"]]


def test_a_phase_change_in_the_build_counts_at_the_next_request(service):
    data = consultations()
    data["buurtfeest"]["phase"] = "closed"
    original = service.site.read_text()
    write_site(service.site, {"version": 1, "site_url": SITE, "consultations": data,
                              "shell": json.loads(original)["shell"]})
    try:
        for _ in range(4):
            assert service.board("buurtfeest")["open"] is False
            assert service.new_idea("buurtfeest").json["reason"] == "closed"
    finally:
        write_site(service.site, json.loads(original))
    assert service.board("buurtfeest")["open"] is True


def test_a_broken_participation_json_keeps_the_last_good_one(service):
    original = service.site.read_text()
    service.site.write_text("{kapot", encoding="utf-8")
    try:
        assert service.board("buurtfeest")["consultation"] == "buurtfeest"
    finally:
        write_site(service.site, json.loads(original))


def test_50_people_supporting_at_once_are_counted_exactly(own_service):
    service = own_service("--no-guard", workers=2)
    number = service.new_idea("buurtfeest").json["id"]
    tokens = [service.fresh_token("buurtfeest") for _ in range(50)]
    barrier = threading.Barrier(50)

    def one(token):
        barrier.wait()
        return service.post(f"/buurtfeest/steun/{number}", {"token": token, "website": ""},
                            json_answer=True, ip=citizen())

    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(one, tokens))
    assert [a.status for a in answers] == [200] * 50, [a for a in answers if a.status != 200]
    assert sorted(a.json["supports"] for a in answers) == list(range(1, 51))
    assert service.board("buurtfeest")["ideas"][0]["supports"] == 50
    with sqlite3.connect(service.database) as db:
        assert db.execute("SELECT COUNT(*) FROM supports WHERE idea = ?",
                          (number,)).fetchone()[0] == 50


def test_one_token_sent_20_times_at_once_counts_once(own_service):
    service = own_service("--no-guard", workers=2)
    token = service.fresh_token("buurtfeest")
    barrier = threading.Barrier(20)

    def one(_):
        barrier.wait()
        return service.post("/buurtfeest/idee", {"title": "Dubbel", "text": "Twintig keer "
                            "hetzelfde formulier.", "name": "Bot", "website": "",
                            "token": token}, json_answer=True, ip=citizen())

    with ThreadPoolExecutor(20) as pool:
        statuses = sorted(a.status for a in pool.map(one, range(20)))
    assert statuses == [201] + [400] * 19


def test_one_person_racing_for_their_last_supports_gets_exactly_two(own_service):
    service = own_service("--no-guard", workers=2)
    numbers = [service.new_idea("buurtfeest").json["id"] for _ in range(10)]
    first = service.support("buurtfeest", numbers[0])
    person = first.cookie("deelnemer").split(";")[0]
    barrier = threading.Barrier(9)

    def one(number):
        barrier.wait()
        return service.support("buurtfeest", number, cookie=person)

    with ThreadPoolExecutor(9) as pool:
        statuses = sorted(a.status for a in pool.map(one, numbers[1:]))
    assert statuses == [200] + [409] * 8  # 2 supports in all
