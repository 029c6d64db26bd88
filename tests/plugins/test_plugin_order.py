"""Plugins talk through declared contracts, never through PLUGINS order: the
sample site built with the plugins in other orders is the same, byte for byte."""

from __future__ import annotations

import random

import pytest
from pelican.settings import read_settings

from dorpsplein.build import ROOT, BuildFailed

pytestmark = pytest.mark.slow


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_shuffled_plugins_give_the_same_site(build_site, tmp_path):
    plugins = list(read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"])
    orders = {
        "as configured": plugins,
        "reversed": plugins[::-1],
        "shuffled": random.Random(13).sample(plugins, len(plugins)),
    }
    built = {}
    for name, order in orders.items():
        output = tmp_path / name.replace(" ", "-")
        build_site(PLUGINS=order, OUTPUT_PATH=str(output))
        built[name] = tree(output)
    expected = built.pop("as configured")
    assert len(expected) > 100
    for name, files in built.items():
        assert sorted(files) == sorted(expected), name
        differ = [path for path in expected if files[path] != expected[path]]
        assert differ == [], f"{name}: {differ[:10]}"


def test_editor_checks_first_still_knows_the_other_plugins_values(build_site, content_copy):
    """Before contracts, editor_checks had to come last to see which values
    `Comments:` and `Share:` accept; now any place in PLUGINS will do."""
    plugins = list(read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"])
    first = ["editor_checks"] + [p for p in plugins if p != "editor_checks"]
    (content_copy / "articles" / "kiezen.md").write_text(
        "Title: Kiezen\nDate: 2026-02-01 10:00\nCategory: Burgerparticipatie\n"
        "Summary: Een test.\nShare: misschien\n\nTekst.\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_site(content=content_copy, PLUGINS=first)
    assert any("kiezen.md:5: 'Share: misschien' is niet mogelijk — schrijf 'Share: on' of "
               "'Share: off'." in line for line in failed.value.problems), failed.value.problems
