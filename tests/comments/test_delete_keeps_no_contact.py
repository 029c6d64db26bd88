"""A deleted comment kept for its replies keeps no contact data
(``isso_fixes.OwnRowComments.delete``).

Isso 0.14's ``Comments.delete`` marks a comment with replies as deleted
(mode 4) and clears its text, name and website, but keeps the e-mail
address, the shortened IP address, the reply-mail choice and the voters'
filter. Ours clears those too. Shown here through a real comment server
(gunicorn, our app, the author's own delete with the edit cookie) and
through Isso's database classes with our class installed (a moderator's
delete calls the same method).
"""

from __future__ import annotations

import json
import sqlite3
import urllib.request

import pytest
from citizen_stores import add_comment, isso_database

pytestmark = pytest.mark.slow

URI = "/2026/nieuw-fietspad/"
SITE = "https://gemeente.example"
ANNA = "anna@example.be"
GONE = {"mode": 4, "text": "", "author": None, "website": None, "email": None,
        "remote_addr": "", "notification": 0, "voters": bytes(256)}


def row(database, number: int) -> dict | None:
    db = sqlite3.connect(database)
    db.row_factory = sqlite3.Row
    try:
        found = db.execute("SELECT * FROM comments WHERE id = ?", (number,)).fetchone()
    finally:
        db.close()
    if found is None:
        return None
    found = dict(found)
    found["voters"] = bytes(found["voters"])
    return found


def kept_fields(found: dict) -> dict:
    return {key: found[key] for key in GONE}


@pytest.fixture
def server(tmp_path):
    from own_servers import start

    threads = tmp_path / "isso-threads.json"
    threads.write_text(json.dumps({"threads": {URI: {"state": "open",
                                                     "title": "Een nieuw fietspad"}}}))
    started = start(tmp_path / "state", threads, SITE, workers=1)
    yield started
    started.stop()


def post(server, body: dict, address: str) -> tuple[dict, str]:
    request = urllib.request.Request(
        f"{server.url}/new?uri={URI}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Origin": SITE,
                 "X-Forwarded-For": address})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read()), response.headers["Set-Cookie"].split(";")[0]


def test_the_authors_delete_through_the_api_keeps_no_contact_data(server):
    anna, cookie = post(server, {"text": "Komt er verlichting?", "author": "Anna",
                                 "email": ANNA, "website": "https://anna.example",
                                 "notification": 1}, "10.20.1.7")
    reply, _ = post(server, {"text": "Ja, in de winter.", "author": "Bram",
                             "parent": anna["id"]}, "10.20.2.7")
    status, _ = server.request("POST", f"/id/{anna['id']}/like", client_ip="10.20.3.7")
    assert status == 200
    before = row(server.database, anna["id"])
    assert (before["email"], before["notification"], before["remote_addr"]) == (
        ANNA, 1, "10.20.1.0")
    assert before["voters"] != bytes(256)

    status, answer = server.request("DELETE", f"/id/{anna['id']}", client_ip="10.20.1.7",
                                    headers={"Cookie": cookie})
    assert status == 200 and answer["mode"] == 4, answer
    assert kept_fields(row(server.database, anna["id"])) == GONE
    assert row(server.database, reply["id"])["text"] == "Ja, in de winter."

    # The thread still renders: the deleted comment in its place, the reply under it.
    status, thread = server.request("GET", f"/?uri={URI}")
    assert status == 200, thread
    shown = [(c["id"], c["mode"], [r["id"] for r in c.get("replies", [])])
             for c in thread["replies"]]
    assert shown == [(anna["id"], 4, [reply["id"]])]
    assert thread["replies"][0]["text"] == "<p></p>" and thread["replies"][0]["author"] is None


def test_isso_storage_with_our_class_clears_a_kept_row_and_deletes_a_lone_one(tmp_path):
    database = tmp_path / "comments.db"
    isso = isso_database(database, fixes=True)
    top = add_comment(isso, URI, "Een nieuw fietspad", ANNA, "anna", "Komt er verlichting?",
                      notification=1)
    reply = add_comment(isso, URI, "Een nieuw fietspad", "bram@example.org", "bram",
                        "Ja, in de winter.", parent=top, remote_addr="198.51.100.0")
    alone = add_comment(isso, URI, "Een nieuw fietspad", ANNA, "anna", "Nog een vraag.")

    kept = isso.comments.delete(top)
    assert kept["mode"] == 4 and kept["email"] is None and kept["remote_addr"] == ""
    assert kept_fields(row(database, top)) == GONE
    assert isso.comments.delete(alone) is None and row(database, alone) is None
    # The reply is untouched, and deleting it takes the kept comment too (Isso's rule).
    assert row(database, reply)["email"] == "bram@example.org"
    assert [(c["id"], c["mode"]) for c in isso.comments.fetch(URI, mode=5)] == [
        (top, 4), (reply, 1)]
    assert isso.comments.delete(reply) is None
    assert row(database, top) is None
