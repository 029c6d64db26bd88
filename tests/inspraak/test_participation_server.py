"""The participation service starts as ./go and systemd start it, refuses to
start unsafely with one sentence, and keeps its files private."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import time

import pytest
from bs4 import BeautifulSoup
from participation_service import (
    PASSWORD,
    SITE,
    citizen,
    command,
    confirm_link,
    consultations,
    free_port,
    write_settings,
    write_site,
)

from dorpsplein.build import ROOT

pytestmark = pytest.mark.slow


def run_cli(tmp_path, *args, password=None, site=True, siteurl=SITE, **server):
    port = free_port()
    settings = write_settings(tmp_path / "settings.py", port, siteurl, **server)
    site_file = tmp_path / "participation.json"
    if site:
        write_site(site_file)
    env = dict(os.environ)
    env.pop("PARTICIPATION_ADMIN_PASSWORD", None)
    if password:
        env["PARTICIPATION_ADMIN_PASSWORD"] = password
    return subprocess.run(command(settings, tmp_path / "state", site_file, port, *args),
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def one_sentence(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_production_without_a_password_refuses_to_start(tmp_path):
    result = run_cli(tmp_path, "--production")
    assert result.returncode == 1
    assert "PARTICIPATION_ADMIN_PASSWORD" in one_sentence(result.stderr)


def test_production_with_email_verification_needs_a_mail_server(tmp_path):
    result = run_cli(tmp_path, "--production", password=PASSWORD)
    assert result.returncode == 1
    line = one_sentence(result.stderr)
    assert "'speelplein'" in line and "PARTICIPATION_SERVER['smtp']" in line


def test_without_participation_json_it_says_build_first(tmp_path):
    result = run_cli(tmp_path, site=False, password=PASSWORD)
    assert result.returncode == 1
    assert "build the site first (./go build)" in one_sentence(result.stderr)


def test_a_wrong_setting_is_one_sentence(tmp_path):
    result = run_cli(tmp_path, writes_per_hour="veel")
    assert result.returncode == 1
    assert "writes_per_hour" in one_sentence(result.stderr)


def test_outside_production_a_password_is_made_and_shown(own_service):
    service = own_service(password=None)
    text = service.log.read_text()
    match = re.search(r"moderatie/ — password for this run: (\S+) ", text)
    assert match, text
    answer = service.post("/moderatie/login", {"password": match.group(1)}, origin=service.url)
    assert answer.status == 303 and answer.cookie("moderatie")


def test_files_are_private(service):
    service.new_idea("buurtfeest")  # the database has been written
    state = service.state_dir
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    for name in ("participation.db", "participation.db-wal", "participation.db-shm", "secret",
                 "service.json"):
        path = state / name
        assert path.exists(), name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    config = json.loads((state / "service.json").read_text())
    assert PASSWORD not in json.dumps(config) and config["password_hash"].startswith("scrypt$")
    with __import__("sqlite3").connect(state / "participation.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_idea_goes_from_pending_to_the_board_after_approval(service):
    slug = "dorpsplein-groener"
    answer = service.new_idea(slug, title="Een bloemenweide", text="Zaai bloemen voor bijen "
                              "op het grasveld naast de kerk.")
    assert answer.status == 201 and answer.json["status"] == "pending", answer
    number = answer.json["id"]
    assert number not in [i["id"] for i in service.board(slug)["ideas"]]
    login = service.post("/moderatie/login", {"password": PASSWORD}, origin=service.url)
    session = login.cookie("moderatie").split(";")[0]
    page = service.get("/moderatie/", headers={"Cookie": session})
    assert page.status == 200 and "Een bloemenweide" in page.text
    csrf = BeautifulSoup(page.text, "lxml").find("input", {"name": "csrf"})["value"]
    done = service.post(f"/moderatie/idee/{number}", {"csrf": csrf, "action": "approve"},
                        origin=service.url, cookie=session)
    assert done.status == 303, done
    [idea] = [i for i in service.board(slug)["ideas"] if i["id"] == number]
    assert idea["title"] == "Een bloemenweide" and idea["supports"] == 0
    assert idea["url"] is None and idea["name"] == "Els" and idea["place"] == "Kerkstraat"


def test_the_plain_form_posts_redirect_to_a_dutch_confirmation(service):
    slug = "dorpsplein-groener"
    form = service.get(f"/{slug}/idee")
    assert form.status == 200 and "set-cookie" not in form.headers
    html = BeautifulSoup(form.text, "lxml")
    token = html.find("input", {"name": "token"})["value"]
    import time

    time.sleep(service.time_trap + 0.05)
    answer = service.post(f"/{slug}/idee", {"title": "Zitbanken", "text": "Meer zitbanken in "
                                            "de schaduw, ook voor ouderen.", "name": "Mo",
                                            "place": "", "website": "", "token": token},
                          origin=service.url)
    assert answer.status == 303 and answer.headers["location"] == f"/{slug}/bedankt/idee"
    thanks = service.get(answer.headers["location"])
    assert thanks.status == 200 and "Bedankt voor je idee" in thanks.text
    assert "moderator" in thanks.text


def test_prefix_from_the_trusted_proxy_is_used_for_links_and_cookies(service):
    headers = {"X-Forwarded-Prefix": "/participatie", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "www.lindeveld.example"}
    answer = service.post("/buurtfeest/idee", {"title": "Springkasteel", "text": "Een "
                          "springkasteel voor de kleinsten.", "name": "An", "website": "",
                          "token": service.token("buurtfeest")}, headers=headers)
    assert answer.status == 303
    assert answer.headers["location"] == "/participatie/buurtfeest/bedankt/idee"
    page = service.get("/buurtfeest/idee", headers=headers)
    assert 'action="/participatie/buurtfeest/idee"' in page.text


def test_unknown_consultation_is_404(service):
    for path in ("/bestaat-niet/", "/bestaat-niet/idee", "/api/bestaat-niet/ideas"):
        answer = service.get(path)
        assert answer.status == 404, path
    answer = service.get("/api/bestaat-niet/ideas")
    assert answer.json["reason"] == "unknown"


def test_the_address_after_a_proxy_is_trusted_only_from_a_trusted_proxy(own_service, tmp_path):
    """From an untrusted peer X-Forwarded-For is ignored (the rate limit counts the peer)."""
    service = own_service(writes_per_hour=2, time_trap_seconds=0, trusted_proxies=["10.9.9.9"])
    answers = [service.new_idea("buurtfeest", ip=citizen()) for _ in range(3)]
    assert [a.status for a in answers] == [201, 201, 429], answers


def test_consultations_are_listed(service):
    page = BeautifulSoup(service.get("/").text, "lxml")
    titles = [a.get_text() for a in page.select("main a")]
    for slug, data in consultations().items():
        assert data["title"] in titles, slug


def test_production_starts_with_a_password_and_a_mail_server_and_only_the_site(own_service,
                                                                               mailbox):
    service = own_service("--production", siteurl=SITE, time_trap_seconds=0,
                          smtp={"host": "127.0.0.1", "port": mailbox.port,
                                "from": "inspraak@lindeveld.example"})
    assert service.new_idea("buurtfeest").status == 201
    preview = service.post("/buurtfeest/idee", {"token": service.token("buurtfeest")},
                           origin="http://127.0.0.1:8000", json_answer=True)
    assert preview.status == 403 and preview.json["reason"] == "origin"


def test_a_backup_is_a_private_consistent_copy(service, tmp_path):
    from dorpsplein.participation.backup import backup, prune

    service.new_idea("buurtfeest")
    copy = backup(service.database, tmp_path / "backups")
    assert copy.name.startswith("participation-") and stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    with __import__("sqlite3").connect(copy) as db:
        assert db.execute("SELECT COUNT(*) FROM ideas").fetchone()[0] >= 1
    assert prune(copy.parent, 1) == []


def test_an_idea_without_a_name_or_place_is_taken(service):
    """Name and place are optional: a citizen may take part without them."""
    slug = "dorpsplein-groener"
    answer = service.new_idea(slug, name="", place="", title="Een drinkfontein",
                              text="Een drinkfontein bij de speeltuin, voor kinderen en fietsers.")
    assert answer.status == 201, answer
    login = service.post("/moderatie/login", {"password": PASSWORD}, origin=service.url)
    session = login.cookie("moderatie").split(";")[0]
    page = service.get("/moderatie/", headers={"Cookie": session})
    csrf = BeautifulSoup(page.text, "lxml").find("input", {"name": "csrf"})["value"]
    service.post(f"/moderatie/idee/{answer.json['id']}", {"csrf": csrf, "action": "approve"},
                 origin=service.url, cookie=session)
    [idea] = [i for i in service.board(slug)["ideas"] if i["id"] == answer.json["id"]]
    assert not idea["name"] and not idea["place"]
    live = service.get(f"/{slug}/")
    assert live.status == 200 and "Een drinkfontein" in live.text


def test_the_production_access_log_has_no_paths_and_so_no_confirmation_keys(own_service,
                                                                             mailbox):
    service = own_service("--production", siteurl=SITE, time_trap_seconds=0,
                          smtp={"host": "127.0.0.1", "port": mailbox.port,
                                "from": "inspraak@lindeveld.example"})
    number = service.new_idea("speelplein").json["id"]
    address = "logboek@lindeveld.example"
    assert service.support("speelplein", number, email=address).status == 202
    path = confirm_link(mailbox.wait_for(address))[len(service.url):]
    key = path.rsplit("/", 1)[1]
    assert service.get(path).status == 200
    assert service.post(path, {}, origin=SITE).status == 303
    deadline = time.monotonic() + 10
    while '"POST" 303' not in service.log.read_text():  # the access log is on
        assert time.monotonic() < deadline, service.log.read_text()
        time.sleep(0.05)
    log = service.log.read_text()
    assert '"GET" 200' in log
    assert key not in log and "/bevestig/" not in log and "speelplein" not in log
