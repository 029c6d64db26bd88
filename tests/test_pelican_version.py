"""Says clearly when the installed Pelican is not the release the build was tested with."""

from __future__ import annotations

from importlib.metadata import version

from pelican.contents import Content

from dorpsplein.build import TESTED_PELICAN


def test_the_installed_pelican_is_the_tested_release():
    installed = version("pelican")
    assert installed == TESTED_PELICAN or installed.startswith(TESTED_PELICAN + "."), (
        f"Pelican {installed} is installed, but Dorpsplein's build runner was tested with "
        f"Pelican {TESTED_PELICAN}. Run the whole suite (./go test); if it passes, set "
        "TESTED_PELICAN in dorpsplein/build.py to the new release. The runner relies on "
        "Pelican.run(), the all_generators_finalized and get_writer signals, "
        "pelican.log.console, and the get_content/get_summary memo caches on Content."
    )


def test_the_memo_caches_the_preview_empties_are_still_there():
    """dorpsplein.build._forget_memoised_content clears them between builds;
    without them a long preview session would keep every old page in memory."""
    for name in ("get_content", "get_summary"):
        assert hasattr(getattr(Content, name), "cache"), name
