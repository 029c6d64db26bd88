"""Theme CSS and JS get content-hashed names, so they can be cached for a year."""

from __future__ import annotations

import hashlib
import re

import pytest

from dorpsplein.build import ROOT

pytestmark = pytest.mark.slow


def test_pages_reference_hashed_assets_that_exist_and_match_their_source(sample_site):
    doc = sample_site.html("/2026/debat-modereren/")
    refs = [el.get("href") or el.get("src") for el in doc.select(
        'link[rel="stylesheet"], script[src]')]
    assert len(refs) == 4
    for ref in refs:
        assert re.search(r"\.[0-9a-f]{10}\.(css|js)$", ref), ref
        published = sample_site.path(ref)
        assert published.is_file(), ref
        if "/tokens." in ref:
            continue  # written by design_tokens from theme/tokens.json
        source = ROOT / "theme" / "static" / re.sub(r"^/theme/|\.[0-9a-f]{10}(?=\.)", "", ref)
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:10]
        assert f".{digest}." in ref
        assert published.read_bytes() == source.read_bytes()


def test_a_changed_file_gets_a_new_name(build_site, tmp_path):
    import shutil

    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    main_css = 'link[rel="stylesheet"][href*="/main."]'
    first = build_site(THEME=str(theme)).html("/").select_one(main_css)["href"]
    with (theme / "static" / "css" / "main.css").open("a") as css:
        css.write("\n/* changed */\n")
    second = build_site(THEME=str(theme)).html("/").select_one(main_css)["href"]
    assert first != second and first.startswith("/theme/css/main.")
