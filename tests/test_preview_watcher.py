"""The live preview's watcher: told by the operating system, not by scanning."""

from __future__ import annotations

import time

from dorpsplein.preview import Watcher


def wait_for(watcher, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        changed = watcher.changed()
        if changed:
            return changed
        time.sleep(0.01)
    return []


def test_it_hears_content_and_settings_and_ignores_the_rest(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / ".git").mkdir()
    settings = tmp_path / "pelicanconf.py"
    settings.write_text("A = 1\n", encoding="utf-8")
    watcher = Watcher([content], [settings])
    try:
        assert watcher.changed() == []
        (content / ".git" / "index").write_text("x", encoding="utf-8")
        (content / "articles" / "nieuw.md~").write_text("x", encoding="utf-8")
        (content / "articles" / ".#nieuw.md").write_text("x", encoding="utf-8")
        (content / "articles" / "nieuw.md").write_text("Title: x\n", encoding="utf-8")
        assert wait_for(watcher) == [content / "articles" / "nieuw.md"]
        # An editor that saves by writing a copy and renaming it over the file.
        copy = tmp_path / "pelicanconf.py.tmp"
        copy.write_text("A = 2\n", encoding="utf-8")
        copy.replace(settings)
        assert wait_for(watcher) == [settings]
        (tmp_path / "elders.txt").write_text("x", encoding="utf-8")
        time.sleep(0.5)
        assert watcher.changed() == []
    finally:
        watcher.stop()


def test_a_save_during_a_rebuild_is_kept_for_the_next_look(tmp_path):
    watcher = Watcher([tmp_path], [])
    try:
        first = tmp_path / "een.md"
        first.write_text("1", encoding="utf-8")
        assert wait_for(watcher) == [first]
        second = tmp_path / "twee.md"
        second.write_text("2", encoding="utf-8")  # while "rebuilding": nobody looks
        time.sleep(0.5)
        assert watcher.changed() == [second]
    finally:
        watcher.stop()
