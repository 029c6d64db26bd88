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
import subprocess
from pathlib import Path

from ..build import ROOT
from . import chromium
from .live_site import live_site

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PAGES = {"home": "/", "article": "/2026/debat-modereren/"}


def main(report_dir: Path) -> dict:
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run ./go test once (npm ci).")
    browser = chromium.executable()
    if not browser:
        raise SystemExit("Chromium is not installed: run ./go test once (it installs it).")
    report_dir.mkdir(parents=True, exist_ok=True)
    scores: dict = {}
    with live_site() as site:
        for name, path in PAGES.items():
            out = report_dir / f"lighthouse-{name}.json"
            subprocess.run(
                [str(LIGHTHOUSE), site.url + path, "--quiet",
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
    print(f"{'page':<10}" + "".join(f"{c:>16}" for c in CATEGORIES))
    for name, row in scores.items():
        print(f"{name:<10}" + "".join(f"{row[c]:>16}" for c in CATEGORIES))
        for title in row["below_90"]:
            print(f"  below 90: {title}")
    (report_dir / "scores.json").write_text(json.dumps(scores, indent=1), encoding="utf-8")
    print(f"Full reports in {report_dir}/")
    return scores
