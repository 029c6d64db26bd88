"""Checks over a built site, each returning one readable line per fault that
names the page and the fault. Used on the sample site (expecting nothing) and
on a deliberately broken page (expecting each fault to be named)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from dorpsplein.build import ROOT

# One example of every page type of the sample site (used by the page,
# accessibility and keyboard tests; add new page types here).
PAGE_TYPES = {
    "home": "/",
    "home page 2": "/pagina/2/",
    "article with comments and share bar": "/2026/debat-modereren/",
    "article with closed comments": "/2026/online-burgerbevraging/",
    "article with an image and an update": "/2026/facebookpagina-starten/",
    "article discussed on other networks": "/2026/geintegreerde-kanaalaanpak/",
    "page": "/over-deze-blog/",
    "feeds page": "/volg-ons/",
    # The privacy statement with its generated tables, and the register
    # (plugins/privacy_statement).
    "privacy statement": "/privacyverklaring/",
    "register of processing activities": "/privacyverklaring/verwerkingsregister/",
    "category": "/thema/sociale-media/",
    "tag": "/tag/facebook/",
    "author": "/auteur/lotte-verbeke/",
    "archives": "/archief/",
    "categories list": "/themas/",
    "tags list": "/tags/",
    "authors list": "/auteurs/",
    "404": "/404.html",
    # Consultations (plugins/participation; the ideas from tests/data/participation).
    "consultations list": "/inspraak/",
    "consultation with its board": "/inspraak/dorpsplein-groener/",
    "idea": "/inspraak/dorpsplein-groener/idee-4/",
    # Self-tests (plugins/participation/self_test.py).
    "self-test": "/zelftest/lindeveld-2040/",
    "self-test result": "/zelftest/lindeveld-2040/resultaat/groen/",
    # With results shown (js/site_search.js fills them in; the e2e tests wait
    # for the network to settle).
    "search page with results": "/zoeken/?q=reacties",
}

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest",
                "apple-touch-icon", "dns-prefetch", "preconnect"}
# Pages a visitor reaches without a link: the 404 page (served for any
# missing address) and the drafts preview.
UNLINKED = {"/404.html"}
# A self-test's result pages are reached by taking the test (its script, or
# the participation service without one, leads there) and by shared links.
REACHED_BY_A_TEST = "/resultaat/"


def page_url(output: Path, path: Path) -> str:
    relative = path.relative_to(output).as_posix()
    return "/" + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)


def target_file(output: Path, url: str) -> Path:
    path = urlsplit(url).path
    target = output / path.lstrip("/")
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def html_pages(output: Path) -> dict[str, BeautifulSoup]:
    return {page_url(output, p): BeautifulSoup(p.read_text(encoding="utf-8"), "lxml")
            for p in sorted(output.rglob("*.html"))}


def _local_refs(doc):
    for tag, attr in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"),
                      ("source", "src"), ("img", "srcset")):
        for element in doc.find_all(tag):
            value = element.get(attr)
            if not value:
                continue
            values = [v.strip().split(" ")[0] for v in value.split(",")] if attr == "srcset" \
                else [value]
            for ref in values:
                parts = urlsplit(ref)
                if parts.scheme or parts.netloc or ref.startswith("#"):
                    continue
                yield element, ref


def broken_links(output: Path, pages=None) -> list[str]:
    pages = pages or html_pages(output)
    faults = []
    for url, doc in pages.items():
        for element, ref in _local_refs(doc):
            if not target_file(output, ref).is_file():
                faults.append(f"{url}: <{element.name}> points at {ref}, which does not exist")
        ids = {el["id"] for el in doc.find_all(id=True)}
        for link in doc.select('a[href^="#"]'):
            if link["href"] != "#" and link["href"][1:] not in ids:
                faults.append(f"{url}: link to {link['href']} has no matching id on the page")
    return faults


def orphans(output: Path, pages=None) -> list[str]:
    pages = pages or html_pages(output)
    seen, queue = {"/"}, deque(["/"])
    while queue:
        doc = pages.get(queue.popleft())
        if doc is None:
            continue
        # Links, and GET forms (the header's search box leads to /zoeken/).
        targets = [a["href"] for a in doc.find_all("a", href=True)]
        targets += [f["action"] for f in doc.find_all("form", action=True)
                    if f.get("method", "get").lower() == "get"]
        for target in targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                continue
            url = page_url(output, target_file(output, parts.path)) if parts.path else None
            if url and url in pages and url not in seen:
                seen.add(url)
                queue.append(url)
    return [f"{url}: no link leads here from the home page"
            for url in pages if url not in seen and url not in UNLINKED
            and not url.startswith("/concepten/")
            and not (url.startswith("/zelftest/") and REACHED_BY_A_TEST in url)]


def third_party(output: Path, pages=None) -> list[str]:
    pages = pages or html_pages(output)
    faults = []
    for url, doc in pages.items():
        for element in doc.find_all(["script", "img", "iframe", "link", "source", "video",
                                     "audio", "embed", "object"]):
            if element.name == "link" and not LOADING_RELS & set(element.get("rel", [])):
                continue
            for attr in ("src", "href", "srcset", "data", "poster"):
                value = element.get(attr)
                if value and urlsplit(value).netloc:
                    faults.append(f"{url}: <{element.name} {attr}={value}> loads from "
                                  f"{urlsplit(value).netloc}, another host")
    return faults


def vnu_errors(output: Path) -> list[str]:
    """The Nu HTML Checker (vnu.jar, run offline with Java) over every page."""
    java = shutil.which("java")
    if not java or not VNU.is_file():
        raise RuntimeError("vnu.jar or Java is missing: run ./go test (npm ci, apt Java).")
    run = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html",
         str(output)],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads(run.stderr or run.stdout or '{"messages": []}')
    faults = []
    for message in report.get("messages", []):
        path = Path(urlsplit(message.get("url", "")).path)
        where = page_url(output, path) if output in path.parents else str(path)
        faults.append(f"{where}:{message.get('lastLine', '?')}: {message['message']}")
    return faults


# axe-core in the page (injected by the e2e tests): WCAG 2.1 A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + n.failureSummary),
  }));
}"""
