"""invoke audit: Lighthouse (pinned npm package) on the home page and an article,
mobile profile, with Debian's Chromium, offline. Prints the four scores.

The site is built, served on 127.0.0.1 as a static host serves it (gzip), with
the town's comment server beside it, so what Lighthouse sees is what a
citizen gets. Not part of the test suite: scores are numbers to report, not
assertions (machines here are noisy).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from ..build import ROOT, build
from . import chromium
from .static_server import serve_directory

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PAGES = {"home": "/", "article": "/2026/debat-modereren/"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _comment_server(state: Path, port: int, threads: Path, site: str) -> subprocess.Popen:
    env = dict(os.environ,
               ISSO_ADMIN_PASSWORD="audit-only-password")
    process = subprocess.Popen(
        [sys.executable, "-m", "dorpsplein.comments", "--bind", f"127.0.0.1:{port}",
         "--origin", site, "--state-dir", str(state), "--threads", str(threads)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=2).close()
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("the comment server did not start for the audit")


def main(report_dir: Path) -> dict:
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run ./go test once (npm ci).")
    browser = chromium.executable()
    if not browser:
        raise SystemExit("Chromium is not installed: run ./go test once (it installs it).")
    report_dir.mkdir(parents=True, exist_ok=True)
    scores: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site_port, comments_port = _free_port(), _free_port()
        site_url = f"http://127.0.0.1:{site_port}"
        result = build("pelicanconf.py", overrides={
            "OUTPUT_PATH": str(tmp / "output"), "CACHE_PATH": str(tmp / "cache"),
            "ISSO_COMMENTS_URL": f"http://127.0.0.1:{comments_port}",
        })
        with serve_directory(result.output_path, port=site_port):
            comments = _comment_server(tmp / "isso", comments_port,
                                       result.output_path / "isso-threads.json", site_url)
            try:
                for name, path in PAGES.items():
                    out = report_dir / f"lighthouse-{name}.json"
                    subprocess.run(
                        [str(LIGHTHOUSE), site_url + path, "--quiet",
                         "--output=json", f"--output-path={out}",
                         f"--only-categories={','.join(CATEGORIES)}",
                         "--chrome-flags=--headless=new " + " ".join(chromium.ARGS)],
                        env=dict(os.environ, CHROME_PATH=browser), check=True, timeout=300,
                    )
                    report = json.loads(out.read_text(encoding="utf-8"))
                    scores[name] = {c: round(report["categories"][c]["score"] * 100)
                                    for c in CATEGORIES}
                    failing = [a["title"] for a in report["audits"].values()
                               if a.get("score") is not None and a["score"] < 0.9
                               and a.get("scoreDisplayMode") in ("binary", "numeric")]
                    scores[name]["below_90"] = failing
            finally:
                comments.terminate()
                comments.wait(timeout=10)
    print(f"{'page':<10}" + "".join(f"{c:>16}" for c in CATEGORIES))
    for name, row in scores.items():
        print(f"{name:<10}" + "".join(f"{row[c]:>16}" for c in CATEGORIES))
        for title in row["below_90"]:
            print(f"  below 90: {title}")
    (report_dir / "scores.json").write_text(json.dumps(scores, indent=1), encoding="utf-8")
    print(f"Full reports in {report_dir}/")
    return scores
