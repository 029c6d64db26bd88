"""./go bench-inspraak: a consultation in front of a crowd, on 127.0.0.1.

Starts the town's participation service as production runs it (gunicorn,
two workers, the rate limit and every other guard on) on a private state
folder, with a participation.json of its own: one open consultation
(Supports = the supports each citizen gives, 10 by default) and 12 approved
ideas written straight into the database through the service's own store
module. Then:

1. supporting: 200 concurrent citizens, each with a connection of its own
   (kept alive when the server allows it), its own ``deelnemer`` cookie and
   its own network (``X-Forwarded-For``, which the service trusts from
   127.0.0.1 as it trusts nginx; one /24 per citizen, so the per-network rate
   limit counts as for real traffic), give their supports as the site's
   script does: GET /api/<slug>/form for a token, wait until its
   ``not_before`` (the time trap), POST /<slug>/steun/<id> with
   ``Accept: application/json``; then one support too many, which must be
   refused (409 ``no_supports_left``). The database is then checked: every
   acknowledged support is there once (nothing lost, nothing counted twice,
   per idea too), one person per citizen, the board's totals agree;
   latency p50/p95/p99 of the support POSTs;
2. reading: the board (GET /api/<slug>/ideas) for a fixed time by several
   concurrent connections (wrk when installed, else a Python client):
   requests per second and latency.

Bounded in count and time; traffic only to 127.0.0.1. Prints figures and
their targets and writes JSON; asserts nothing about speed.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..build import ROOT
from . import wrk

ORIGIN = "http://127.0.0.1:8000"
SLUG = "dorpsplein-groener"
IDEAS = 12
TARGETS = {"support_p99_ms": 200.0, "reads_per_s": 500.0}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, int(round(share * len(sorted_values))) - 1))
    return sorted_values[index]


def site_file(path: Path, supports: int) -> None:
    """A participation.json as the build writes it: one open consultation."""
    now = datetime.now(UTC).replace(microsecond=0)
    shell = ('<!doctype html><html lang="nl"><head><meta charset="utf-8">'
             "<title><!--participation:title--></title></head><body>"
             '<main id="inhoud"><!--participation:main--></main></body></html>')
    path.write_text(json.dumps({
        "version": 1,
        "site_url": ORIGIN,
        "consultations": {SLUG: {
            "title": "Hoe maken we het Dorpsplein groener?",
            "url": f"{ORIGIN}/inspraak/{SLUG}/",
            "opens": (now - timedelta(days=1)).isoformat(),
            "closes": (now + timedelta(days=30)).isoformat(),
            "phase": "ideas", "supports": supports, "verification": "indicative",
            "moderation": "before", "ideas_built": [],
            "idea_url": f"{ORIGIN}/inspraak/{SLUG}/idee-{{id}}/",
        }},
        "shell": shell,
    }, ensure_ascii=False, indent=1), encoding="utf-8")


def seed(database: Path, count: int = IDEAS) -> list[int]:
    """``count`` approved ideas, through the service's own store module."""
    from ..participation import store

    store.prepare(database)
    ideas = store.Store(database)

    streets = ["kerk", "school", "markt", "beek", "molen", "hoek"]

    def add(db):
        return [ideas.add_idea(db, SLUG, {
            "title": f"Idee {n}: meer bomen aan de {streets[n % len(streets)]}",
            "text": "Schaduw in de zomer en een plek om te zitten. " * 4,
            "name": f"Inwoner {n}", "place": "Lindeveld"}, "approved")
            for n in range(1, count + 1)]

    made = ideas.write(add)
    ideas.db.close()
    return made


def not_before(value, received: float) -> float:
    """When a form may be sent, as a time.time() value: the service gives a
    moment (ISO 8601); a number is taken as seconds from now."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return received + float(value)
    return datetime.fromisoformat(str(value)).timestamp()


class Citizen:
    """One citizen's browser: a connection, a network address, a cookie."""

    def __init__(self, port: int, address: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.address = address
        self.cookie = ""
        self.reconnects = 0

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        headers = {"Accept": "application/json", "X-Forwarded-For": self.address,
                   "Origin": ORIGIN, "Referer": f"{ORIGIN}/inspraak/{SLUG}/",
                   **(headers or {})}
        if self.cookie:
            headers["Cookie"] = f"deelnemer={self.cookie}"
        if self.connection.sock is None:
            self.reconnects += 1
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == "deelnemer":
                self.cookie = rest.split(";", 1)[0]
        if response.will_close:
            self.connection.close()
        return response.status, response.msg, data

    def form(self) -> tuple[str, float]:
        status, _headers, data = self.request("GET", f"/api/{SLUG}/form")
        if status != 200:
            raise RuntimeError(f"form: {status} {data[:200]!r}")
        answer = json.loads(data)
        return answer["token"], not_before(answer["not_before"], time.time())

    def support(self, idea: int, think: float) -> tuple[int, dict, float]:
        """(status, JSON answer, seconds) of one support, as the site's script gives it."""
        token, not_before = self.form()
        wait = not_before - time.time() + 0.02 + think
        if wait > 0:
            time.sleep(wait)
        body = urllib.parse.urlencode({"token": token, "website": ""}).encode()
        started = time.perf_counter()
        status, _headers, data = self.request(
            "POST", f"/{SLUG}/steun/{idea}", body,
            {"Content-Type": "application/x-www-form-urlencoded"})
        seconds = time.perf_counter() - started
        try:
            answer = json.loads(data)
        except ValueError:
            answer = {"raw": data[:200].decode("utf-8", "replace")}
        return status, answer, seconds


def address_of(index: int) -> str:
    """Citizen ``index``'s address: a network (/24) of its own."""
    return f"10.{index // 250 % 250}.{index % 250}.{(index * 7) % 250 + 2}"


def support_test(port: int, ideas: list[int], citizens: int, each: int,
                 think: float) -> dict:
    results: list[tuple[int, int, dict, float]] = []   # (citizen, idea, answer, seconds)
    statuses: Counter = Counter()
    extra: Counter = Counter()
    errors: list[str] = []
    cookies: dict[int, str] = {}
    reconnects = 0
    lock = threading.Lock()
    start = threading.Barrier(citizens)

    def citizen(index: int):
        nonlocal reconnects
        rng = random.Random(index)
        person = Citizen(port, address_of(index))
        chosen = rng.sample(ideas, len(ideas))
        try:
            start.wait(timeout=120)
            for idea in chosen[:each]:
                status, answer, seconds = person.support(idea, rng.uniform(0, think))
                with lock:
                    statuses[status] += 1
                    if status == 200 and answer.get("ok"):
                        results.append((index, idea, answer, seconds))
                    else:
                        errors.append(f"{status} {answer.get('reason', answer)}")
            if each < len(ideas):
                # One more than the consultation allows: must be refused.
                status, answer, _seconds = person.support(chosen[each], 0)
                with lock:
                    extra[f"{status} {answer.get('reason', '')}".strip()] += 1
        except Exception as exc:  # noqa: BLE001 - counted and shown, never hidden
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            with lock:
                cookies[index] = person.cookie
                reconnects += person.reconnects
            person.connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=citizen, args=(i,), daemon=True)
               for i in range(citizens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    wall = time.perf_counter() - started
    latencies = sorted(seconds for *_rest, seconds in results)
    per_idea = Counter(idea for _citizen, idea, _answer, _seconds in results)
    return {
        "citizens": citizens, "supports_each": each, "think_s": think,
        "expected": citizens * each, "posted": sum(statuses.values()),
        "acknowledged": len(results), "statuses": {str(k): v for k, v in statuses.items()},
        "refusals": dict(Counter(errors).most_common(10)),
        "one_too_many": dict(extra),
        "citizens_with_cookie": sum(1 for value in cookies.values() if value),
        "per_idea_acknowledged": {str(k): v for k, v in sorted(per_idea.items())},
        "wall_s": wall, "supports_per_s": len(results) / wall if wall else 0.0,
        "p50_ms": 1000 * _percentile(latencies, 0.50),
        "p95_ms": 1000 * _percentile(latencies, 0.95),
        "p99_ms": 1000 * _percentile(latencies, 0.99),
        "max_ms": 1000 * (latencies[-1] if latencies else 0.0),
        "new_connections": reconnects,
    }


def verify(database: Path, supports: dict, board: dict) -> dict:
    """What the database holds against what the citizens were told."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        in_database = db.execute("SELECT COUNT(*) FROM supports WHERE consultation = ?",
                                 (SLUG,)).fetchone()[0]
        per_idea = {str(idea): count for idea, count in db.execute(
            "SELECT idea, COUNT(*) FROM supports WHERE consultation = ? GROUP BY idea",
            (SLUG,))}
        people = db.execute("SELECT COUNT(DISTINCT person) FROM supports WHERE "
                            "consultation = ?", (SLUG,)).fetchone()[0]
        most = db.execute("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM supports WHERE "
                          "consultation = ? GROUP BY person)", (SLUG,)).fetchone()[0] or 0
        pairs = db.execute("SELECT COUNT(*) FROM (SELECT DISTINCT idea, person FROM supports "
                           "WHERE consultation = ?)", (SLUG,)).fetchone()[0]
    acknowledged = supports["per_idea_acknowledged"]
    ideas = set(acknowledged) | set(per_idea)
    lost = sum(max(0, acknowledged.get(i, 0) - per_idea.get(i, 0)) for i in ideas)
    unacknowledged = sum(max(0, per_idea.get(i, 0) - acknowledged.get(i, 0)) for i in ideas)
    board_totals = {str(idea["id"]): idea["supports"] for idea in board.get("ideas", [])}
    return {
        "in_database": in_database, "lost": lost,
        # In the database without the citizen having been told so (a support
        # counted for a refused or failed request).
        "unacknowledged": unacknowledged,
        # The same person and idea twice (the primary key forbids it) ...
        "counted_twice": in_database - pairs,
        # ... and a citizen's supports spread over several "people".
        "people": people, "most_by_one_person": most,
        "per_idea_match": all(acknowledged.get(i, 0) == per_idea.get(i, 0) for i in ideas),
        "board_total": board.get("total_supports"),
        "board_matches_database": set(per_idea) <= set(board_totals) and all(
            board_totals[i] == per_idea.get(i, 0) for i in board_totals),
    }


def _wrk(url: str, seconds: float, connections: int) -> dict:
    result = wrk.run(url, seconds, connections,
                     {"Origin": ORIGIN, "Accept": "application/json"})
    result.pop("raw")
    return result


def _python_reads(port: int, path: str, seconds: float, connections: int) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(index: int):
        nonlocal errors
        reader = Citizen(port, address_of(10_000 + index))
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                status, _headers, _data = reader.request("GET", path)
                ok = status == 200
            except (OSError, http.client.HTTPException):
                reader.connection.close()
                ok = False
            with lock:
                latencies.append(time.perf_counter() - started)
                errors += 0 if ok else 1
        reader.connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {"tool": "python", "connections": connections,
            "requests_per_s": len(latencies) / wall if wall else 0.0,
            "p50_ms": 1000 * _percentile(latencies, 0.5),
            "p99_ms": 1000 * _percentile(latencies, 0.99), "non_2xx": errors,
            "socket_errors": 0}


def _get_json(port: int, path: str) -> dict:
    with urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Accept": "application/json"}),
            timeout=30) as response:
        return json.loads(response.read())


def _start(tmp: Path, port: int, workers: int) -> tuple[subprocess.Popen, Path]:
    log = tmp / "service.log"
    env = dict(os.environ, PARTICIPATION_ADMIN_PASSWORD="bench-only")
    env.pop("PARTICIPATION_SMTP_PASSWORD", None)
    with log.open("w") as handle:
        server = subprocess.Popen(
            [sys.executable, "-m", "dorpsplein.participation", "--settings", "pelicanconf.py",
             "--bind", f"127.0.0.1:{port}", "--origin", ORIGIN,
             "--state-dir", str(tmp / "state"), "--database", str(tmp / "state" / "bench.db"),
             "--site", str(tmp / "participation.json"), "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the participation service stopped:\n" + log.read_text())
        try:
            _get_json(port, f"/api/{SLUG}/ideas")
            return server, log
        except (OSError, ValueError):
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the participation service did not answer:\n" + log.read_text())


def main(citizens: int = 200, supports: int = 10, seconds: float = 5.0, think: float = 0.5,
         workers: int = 2, readers: int = 16, report: Path | None = None) -> dict:
    """Run the bench; returns (and writes to ``report``) the summary."""
    if supports > IDEAS - 1:
        raise ValueError(f"at most {IDEAS - 1} supports each ({IDEAS} ideas)")
    port = _free_port()
    # Other work on the machine skews every figure below: say how busy it was.
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="dorpsplein-inspraak-") as tmp:
        tmp = Path(tmp)
        (tmp / "state").mkdir(mode=0o700)
        database = tmp / "state" / "bench.db"
        site_file(tmp / "participation.json", supports)
        ideas = seed(database)
        server, log = _start(tmp, port, workers)
        try:
            crowd = support_test(port, ideas, citizens, supports, think)
            board = _get_json(port, f"/api/{SLUG}/ideas")
            checked = verify(database, crowd, board)
            path = f"/api/{SLUG}/ideas"
            if shutil.which("wrk"):
                reads = _wrk(f"http://127.0.0.1:{port}{path}", seconds, readers)
            else:
                reads = _python_reads(port, path, seconds, readers)
            reads["seconds"] = seconds
            reads["ideas_on_board"] = len(board.get("ideas", []))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            service_log = log.read_text(encoding="utf-8", errors="replace")[-4000:]
    summary = {
        "supports": crowd, "database": checked, "reads": reads,
        "targets": [
            {"what": "support POST p99 (ms)", "target": f"< {TARGETS['support_p99_ms']:.0f}",
             "measured": round(crowd["p99_ms"], 1),
             "met": crowd["p99_ms"] < TARGETS["support_p99_ms"]},
            {"what": "board reads per second", "target": f">= {TARGETS['reads_per_s']:.0f}",
             "measured": round(reads["requests_per_s"], 1),
             "met": reads["requests_per_s"] >= TARGETS["reads_per_s"]},
            {"what": "supports lost / counted twice", "target": "0 / 0",
             "measured": f"{checked['lost']} / {checked['counted_twice']}",
             "met": checked["lost"] == 0 and checked["counted_twice"] == 0
             and checked["unacknowledged"] == 0},
        ],
        "workers": workers, "cpus": os.cpu_count(),
        "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }
    if crowd["acknowledged"] != crowd["expected"] or crowd["refusals"]:
        summary["service_log_tail"] = service_log
    s, d, r = crowd, checked, reads
    print(f"supports: {s['citizens']} citizens x {s['supports_each']} (each from its own "
          f"network, cookie kept; think time up to {s['think_s']:.1f} s after the time trap)")
    print(f"  {s['acknowledged']}/{s['expected']} acknowledged, {d['in_database']} in the "
          f"database: {d['lost']} lost, {d['counted_twice']} counted twice, "
          f"{d['unacknowledged']} unacknowledged; {d['people']} people (most supports by one: "
          f"{d['most_by_one_person']}); per idea {'equal' if d['per_idea_match'] else 'DIFFER'}"
          f"; board {'agrees' if d['board_matches_database'] else 'DIFFERS'}")
    if s["one_too_many"]:
        print(f"  one support too many: {s['one_too_many']}")
    if s["refusals"]:
        print(f"  refused or failed: {s['refusals']}")
    print(f"  support POST latency: p50 {s['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms, "
          f"p99 {s['p99_ms']:.1f} ms, max {s['max_ms']:.1f} ms; {s['supports_per_s']:.0f} "
          f"supports/s over {s['wall_s']:.1f} s (time trap included)")
    print(f"board reads ({r['tool']}, {r['connections']} connections, {seconds:g} s, "
          f"{r['ideas_on_board']} ideas): {r['requests_per_s']:.0f} req/s, p50 "
          f"{r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, {r['non_2xx']} errors")
    load = summary["load_average"]
    busy = max(load["before"], load["after"]) > summary["cpus"]
    print(f"machine: {summary['cpus']} CPUs, service {workers} workers; load average "
          f"{load['before']:.1f} before, {load['after']:.1f} after"
          + (" (above the CPU count: other work skews the times)" if busy else ""))
    print(f"{'Target':<32} {'wanted':>10} {'measured':>12}  met")
    for row in summary["targets"]:
        print(f"{row['what']:<32} {row['target']:>10} {row['measured']!s:>12}  "
              f"{'yes' if row['met'] else 'NO'}")
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(summary, indent=1), encoding="utf-8")
        print(f"JSON: {report}")
    return summary
