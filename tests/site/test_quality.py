"""Whole-site quality: valid HTML, intact links, no orphans, nothing from other hosts —
and proof that each check names the page and the fault when something is broken."""

from __future__ import annotations

import pytest
from site_checks import broken_links, html_pages, orphans, third_party, vnu_errors

from dorpsplein.build import ROOT

pytestmark = pytest.mark.slow

BROKEN = """Title: Kapotte pagina
Date: 2026-11-22 10:00
Category: Moderatie
Slug: kapot
Summary: Een pagina met opzettelijke fouten.

Een foto zonder beschrijving:

<img src="/images/logo.svg" width="48" height="48">

<p id="dubbel">Eerste.</p>
<p id="dubbel">Tweede.</p>

Een [kapotte link](/bestaat-niet/) en een script van elders:

<script src="https://tracker.example/t.js"></script>
"""


def test_sample_site_html_is_valid(sample_site):
    assert vnu_errors(sample_site.output) == []


def test_sample_site_links_resolve_and_every_page_is_reachable(sample_site):
    pages = html_pages(sample_site.output)
    assert len(pages) > 40
    assert broken_links(sample_site.output, pages) == []
    assert orphans(sample_site.output, pages) == []
    assert third_party(sample_site.output, pages) == []


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory):
    import shutil

    from conftest import CONTENT, Site

    from dorpsplein.build import build

    root = tmp_path_factory.mktemp("broken")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    (content / "articles" / "kapot.md").write_text(BROKEN, encoding="utf-8")
    # The editor checks would refuse this page before it is built; switch
    # them off to show that the site checks also catch what slips through
    # (raw HTML, a theme change, a plugin).
    from pelican.settings import read_settings

    plugins = [p for p in read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"]
               if p != "editor_checks"]
    result = build("pelicanconf.py", overrides={
        "PATH": str(content), "OUTPUT_PATH": str(root / "output"),
        "CACHE_PATH": str(root / "cache"), "PLUGINS": plugins,
    })
    return Site(result)


def test_a_broken_page_is_named_with_each_fault(broken_site):
    output = broken_site.output
    html = vnu_errors(output)
    assert any(line.startswith("/2026/kapot/:") and "Duplicate ID “dubbel”" in line
               for line in html), html
    assert any(line.startswith("/2026/kapot/:") and "must have an “alt” attribute" in line
               for line in html), html
    assert broken_links(output) == [
        "/2026/kapot/: <a> points at /bestaat-niet/, which does not exist"]
    assert third_party(output) == [
        "/2026/kapot/: <script src=https://tracker.example/t.js> loads from "
        "tracker.example, another host"]
