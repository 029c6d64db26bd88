"""invoke bench: how fast Dorpsplein builds, measured against plain Pelican.

Generates a deterministic synthetic corpus (Dutch-like text with headings,
lists, links, an image, tags and categories), then, alternating between the
two and taking the median of several runs each:

- a full build of our kit (every feature on) and of plain Pelican with its
  default theme, on the same corpus: wall time, CPU time, peak memory (RSS of
  the build process), and the ratio ours / plain;
- the edit-to-preview latency of the live preview: from saving one article to
  its page being rewritten;
- output size and file count.

Prints a table and writes JSON. ``--quick`` (100 posts, 1 run each) only
proves the bench works; nothing here asserts a time.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..build import ROOT

WORDS = [
    "gemeente", "inwoners", "plein", "markt", "bibliotheek", "raad", "bevraging", "reactie",
    "bericht", "kanaal", "website", "nieuwsbrief", "straat", "fiets", "school", "jeugd",
    "vereniging", "zomer", "winter", "project", "overleg", "burgemeester", "schepen", "dienst",
    "loket", "afval", "groen", "bomen", "parking", "wijk", "dorp", "communicatie",
    "participatie", "moderatie", "transparantie", "beslissing", "plan", "budget", "werken",
    "omleiding", "avond", "informatie", "vraag", "antwoord", "mening", "voorstel", "stem",
]
CATEGORIES = ["Sociale media", "Burgerparticipatie", "Communicatiestrategie", "Moderatie"]
TAGS = ["markt", "dorpsplein", "fiets", "jeugd", "afval", "groen", "werken", "raad",
        "bibliotheek", "school", "participatie", "facebook", "mastodon", "nieuwsbrief"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 16))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def make_corpus(folder: Path, posts: int, seed: int = 2026) -> Path:
    """Write ``posts`` articles (about 600 words each) and an image; returns content/."""
    rng = random.Random(seed)
    content = folder / "content"
    articles = content / "articles"
    articles.mkdir(parents=True)
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    shutil.copytree(ROOT / "content" / "images", content / "images")
    if (ROOT / "content" / "extra").is_dir():
        shutil.copytree(ROOT / "content" / "extra", content / "extra")
    for number in range(posts):
        day = number % 28 + 1
        month = number // 28 % 12 + 1
        year = 2020 + number // (28 * 12)
        title = f"{_sentence(rng)[:-1]} {number}"
        tags = ", ".join(sorted(rng.sample(TAGS, 3)))
        parts = [
            f"Title: {title}",
            f"Date: {year}-{month:02d}-{day:02d} {number % 24:02d}:00",
            f"Category: {CATEGORIES[number % len(CATEGORIES)]}",
            f"Tags: {tags}",
            f"Slug: bericht-{number}",
            "Authors: Redactie",
            f"Summary: {_sentence(rng)}",
            "",
            _paragraph(rng),
            "",
            "![Het logo van de gemeente]({static}/images/logo.svg)",
            "",
        ]
        for section in range(3):
            parts += [f"## Deel {section + 1}", "", _paragraph(rng), "",
                      "- " + _sentence(rng), "- " + _sentence(rng), "- " + _sentence(rng), "",
                      _paragraph(rng) + f" Lees ook [bericht {max(0, number - 1)}]"
                      f"({{filename}}/articles/bericht-{max(0, number - 1)}.md).", ""]
        (articles / f"bericht-{number}.md").write_text("\n".join(parts), encoding="utf-8")
    return content


def _plain_settings(folder: Path, content: Path, output: Path) -> Path:
    path = folder / "plain.py"
    path.write_text(
        f"PATH = {str(content)!r}\nOUTPUT_PATH = {str(output)!r}\n"
        "SITENAME = 'Plain'\nSITEURL = ''\nTIMEZONE = 'Europe/Brussels'\n"
        "DEFAULT_LANG = 'nl'\nARTICLE_PATHS = ['articles']\nPAGE_PATHS = ['pages']\n"
        "STATIC_PATHS = ['images', 'extra']\nFEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\n"
        "TRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\n"
        # Our "Volg ons" page uses a template of our theme only.
        "IGNORE_FILES = ['.#*', 'volg-ons.md']\n"
        "CACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\nDELETE_OUTPUT_DIRECTORY = True\n",
        encoding="utf-8")
    return path


def _ours_settings(folder: Path, content: Path, output: Path) -> Path:
    path = folder / "ours.py"
    path.write_text(
        # Every setting of pelicanconf.py, read by its path (as publishconf.py does).
        "import runpy\n"
        f"globals().update((k, v) for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r})"
        ".items() if k.isupper())\n"
        f"PATH = {str(content)!r}\nOUTPUT_PATH = {str(output)!r}\n"
        f"CACHE_PATH = {str(folder / 'cache')!r}\n"
        f"THEME = {str(ROOT / 'theme')!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n"
        "CACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\nDELETE_OUTPUT_DIRECTORY = True\n",
        encoding="utf-8")
    return path


def _run(command: list[str], cwd: Path) -> dict:
    """Run a build as a child process; wall, CPU and peak RSS of that child."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command[:4])} failed:\n{stderr[-2000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024}


def _tree(output: Path) -> dict:
    files = [p for p in output.rglob("*") if p.is_file()]
    return {"files": len(files), "size_mb": sum(p.stat().st_size for p in files) / 1e6}


def _median(runs: list[dict]) -> dict:
    keys = runs[0].keys()
    return {k: statistics.median(r[k] for r in runs) for k in keys} | {
        f"{k}_range": [min(r[k] for r in runs), max(r[k] for r in runs)] for k in keys}


def measure_preview(folder: Path, content: Path, edits: int) -> dict:
    """Save one article, time until the live preview has rewritten its page."""
    settings = _ours_settings(folder, content, folder / "preview-out")
    text = settings.read_text(encoding="utf-8").replace(
        "CACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\nDELETE_OUTPUT_DIRECTORY = True\n",
        "CACHE_CONTENT = True\nLOAD_CONTENT_CACHE = True\n")
    settings.write_text(text, encoding="utf-8")
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "dorpsplein.preview", str(settings), str(port), "--no-comments"],
        cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    page = folder / "preview-out" / "2020" / "bericht-5" / "index.html"
    lines: list[str] = []
    import threading

    threading.Thread(target=lambda: lines.extend(iter(server.stdout.readline, "")),
                     daemon=True).start()
    try:
        deadline = time.monotonic() + 300
        # The preview's "ready" line, in either editor language.
        ready = ("Preview on", "Voorbeeld op")
        while not any(word in line for line in lines for word in ready) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # let the watchers take their first look
        article = content / "articles" / "bericht-5.md"
        original = article.read_text(encoding="utf-8")
        latencies = []
        for edit in range(edits):
            marker = f"Bewerking {edit} {time.time_ns()}"
            started = time.perf_counter()
            article.write_text(original + f"\n{marker}\n", encoding="utf-8")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if marker in page.read_text(encoding="utf-8"):
                        break
                except (FileNotFoundError, UnicodeDecodeError):
                    pass
                time.sleep(0.005)
            latencies.append(time.perf_counter() - started)
            time.sleep(1.5)
        article.write_text(original, encoding="utf-8")
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {"median_s": statistics.median(latencies), "range_s": [min(latencies),
                                                                  max(latencies)],
            "edits": edits}


def main(posts: int = 1000, runs: int = 3, edits: int = 5, report: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="dorpsplein-bench-") as tmp:
        folder = Path(tmp)
        content = make_corpus(folder, posts)
        plain_out, ours_out = folder / "plain-out", folder / "ours-out"
        plain = [sys.executable, "-m", "pelican", "-s", str(_plain_settings(
            folder, content, plain_out)), "-q"]
        ours = [sys.executable, "-m", "dorpsplein.build", str(_ours_settings(
            folder, content, ours_out))]
        results = {"plain": [], "ours": []}
        for _ in range(runs):
            results["plain"].append(_run(plain, folder))
            shutil.rmtree(folder / "cache", ignore_errors=True)  # ours: cold, like plain
            results["ours"].append(_run(ours, ROOT))
        summary = {
            "posts": posts, "runs": runs, "machine": {"cpus": os.cpu_count(),
                                                     "python": sys.version.split()[0]},
            "plain": _median(results["plain"]) | _tree(plain_out),
            "ours": _median(results["ours"]) | _tree(ours_out),
        }
        summary["ratio_wall"] = summary["ours"]["wall_s"] / summary["plain"]["wall_s"]
        summary["ratio_cpu"] = summary["ours"]["cpu_s"] / summary["plain"]["cpu_s"]
        if edits:
            summary["edit_to_preview"] = measure_preview(folder, content, edits)
    print(f"{'':<22}{'plain Pelican':>16}{'Dorpsplein':>16}{'ratio':>8}")
    for key, label in (("wall_s", "full build, wall (s)"), ("cpu_s", "full build, CPU (s)"),
                       ("peak_mb", "peak memory (MB)"), ("files", "output files"),
                       ("size_mb", "output size (MB)")):
        p, o = summary["plain"][key], summary["ours"][key]
        print(f"{label:<22}{p:>16.2f}{o:>16.2f}{o / p:>8.2f}")
    if "edit_to_preview" in summary:
        e = summary["edit_to_preview"]
        print(f"edit-to-preview: median {e['median_s']:.2f} s "
              f"(range {e['range_s'][0]:.2f}–{e['range_s'][1]:.2f} s, {e['edits']} edits)")
    print(f"{posts} posts, median of {runs} runs each, {os.cpu_count()} CPUs")
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(summary, indent=1), encoding="utf-8")
        print(f"JSON: {report}")
    return summary
