"""invoke bench-comments: a comment thread in front of a crowd, on 127.0.0.1.

Starts the town's comment server as production runs it (gunicorn, two
workers, our WSGI layer with its read cache) on a private database, then:

1. writing: 20 concurrent clients post 50 comments each to one thread (the
   rate-limit guard lifted for the test); every one must be acknowledged and
   all 1,000 must be in the database;
2. reading: that 1,000-comment thread is read for a fixed time by 20
   concurrent connections (wrk when installed, else a Python client):
   requests per second and latency percentiles.

Bounded in count and time; traffic only to 127.0.0.1. Prints figures and
writes JSON; asserts nothing about speed.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from ..build import ROOT
from . import wrk

ORIGIN = "http://127.0.0.1:8000"
URI = "/bench/drukke-draad/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(base: str, number: int) -> tuple[int, float]:
    body = json.dumps({"text": f"Reactie {number}: " + "Dit is een **mening** over het plein. "
                       * 3, "author": f"Inwoner {number % 97}", "title": "Drukke draad"})
    request = urllib.request.Request(f"{base}/new?uri={URI}", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Origin": ORIGIN})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, time.perf_counter() - started


def write_test(base: str, clients: int = 20, each: int = 50) -> dict:
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def client(index: int):
        for n in range(each):
            outcome = _post(base, index * each + n)
            with lock:
                results.append(outcome)

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=600)
    wall = time.perf_counter() - started
    ok = sum(1 for status, _ in results if status == 201)
    latencies = sorted(t for _, t in results)
    return {"posted": len(results), "acknowledged": ok, "writes_per_s": len(results) / wall,
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1]}


def _wrk(url: str, seconds: int, connections: int) -> dict:
    return wrk.run(url, seconds, connections, {"Origin": ORIGIN})


def _python_load(url: str, seconds: int, connections: int) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        nonlocal errors
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(urllib.request.Request(
                        url, headers={"Origin": ORIGIN}), timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except OSError:
                ok = False
            with lock:
                latencies.append(time.perf_counter() - started)
                errors += 0 if ok else 1

    workers = [threading.Thread(target=client) for _ in range(connections)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {"tool": "python", "requests_per_s": len(latencies) / wall,
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1], "non_2xx": errors}


def main(seconds: int = 10, report: Path | None = None) -> dict:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="dorpsplein-comments-") as tmp:
        tmp = Path(tmp)
        threads = tmp / "isso-threads.json"
        threads.write_text(json.dumps({"threads": {URI: {"state": "open",
                                                         "title": "Drukke draad"}}}))
        env = dict(os.environ,
                   ISSO_ADMIN_PASSWORD="bench-only")
        server = subprocess.Popen(
            [sys.executable, "-m", "dorpsplein.comments", "--bind", f"127.0.0.1:{port}",
             "--origin", ORIGIN, "--state-dir", str(tmp / "isso"), "--threads", str(threads),
             "--no-guard", "--workers", "2"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(base + "/config", timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.2)
            writes = write_test(base)
            with sqlite3.connect(tmp / "isso" / "comments.db") as db:
                writes["in_database"] = db.execute("SELECT count(*) FROM comments").fetchone()[0]
            url = f"{base}/?uri={URI}"
            with urllib.request.urlopen(urllib.request.Request(
                    url, headers={"Origin": ORIGIN}), timeout=30) as response:
                thread = json.loads(response.read())
            reads = (_wrk if shutil.which("wrk") else _python_load)(url, seconds, 20)
            reads["comments_in_thread"] = thread["total_replies"]
        finally:
            server.terminate()
            server.wait(timeout=20)
    summary = {"writes": writes, "reads": {k: v for k, v in reads.items() if k != "raw"},
               "cpus": os.cpu_count()}
    w, r = summary["writes"], summary["reads"]
    print(f"writes: {w['acknowledged']}/{w['posted']} acknowledged, {w['in_database']} in the "
          f"database, {w['writes_per_s']:.0f}/s, p50 {w['p50_ms']:.1f} ms, "
          f"p99 {w['p99_ms']:.1f} ms (20 clients x 50)")
    print(f"reads of a {r['comments_in_thread']}-comment thread ({r['tool']}, 20 connections, "
          f"{seconds} s): {r['requests_per_s']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, "
          f"p99 {r['p99_ms']:.1f} ms, {r['non_2xx']} errors")
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(summary, indent=1), encoding="utf-8")
        print(f"JSON: {report}")
    return summary
