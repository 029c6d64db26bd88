"""The developer and editor commands: listed, documented, and the preview works."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FROM_PELICANCONF, fetch, fetch_when_ready, free_port

from dorpsplein.build import ROOT

TASKS = ["build", "serve", "clean", "publish-build", "test", "comments", "participation",
         "participation-backup", "participation-restore", "bench-inspraak", "social"]


def test_every_task_is_listed_with_a_one_line_docstring():
    run = subprocess.run([sys.executable, "-m", "invoke", "--list"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    listed = {}
    for line in run.stdout.splitlines():
        parts = line.split(None, 1)
        if line.startswith("  ") and len(parts) == 2 and not line.startswith("    "):
            listed[parts[0]] = parts[1]
    for name in TASKS:
        assert listed.get(name, "").strip(), f"invoke {name} has no docstring"




@pytest.mark.slow
def test_preview_rebuilds_after_an_edit_and_injects_the_reload_script(tmp_path, content_copy):
    settings = tmp_path / "preview.py"
    settings.write_text(
        FROM_PELICANCONF +
        f"PATH = {str(content_copy)!r}\nOUTPUT_PATH = {str(tmp_path / 'out')!r}\n"
        f"CACHE_PATH = {str(tmp_path / 'cache')!r}\n"
        f"THEME = {str(ROOT / 'theme')!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n",
        encoding="utf-8",
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "dorpsplein.preview", str(settings), str(port), "--no-comments",
         "--no-participation"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/2026/x-of-mastodon/"
    try:
        page = fetch_when_ready(url)
        assert page is not None, "the preview did not start"
        assert "livereload.js" in page
        assert "Nieuw in de preview" not in page

        article = Path(content_copy) / "articles" / "2026-09-x-of-mastodon.md"
        article.write_text(
            article.read_text(encoding="utf-8") + "\n\nNieuw in de preview.\n", encoding="utf-8"
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "Nieuw in de preview" not in page:
            time.sleep(0.3)
            page = fetch(url)
        assert "Nieuw in de preview" in page, "the edit did not reach the preview"
    finally:
        server.terminate()
        server.wait(timeout=10)
