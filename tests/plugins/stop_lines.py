"""A build that must stop: the one line it stops with."""

from __future__ import annotations

import pytest

from dorpsplein.build import BuildFailed


def stop_line(build_site, **overrides) -> str:
    """Build with settings overrides that must stop the build; return the one
    line it stops with (one problem, one line, no traceback)."""
    with pytest.raises(BuildFailed) as failed:
        build_site(**overrides)
    assert len(failed.value.problems) == 1, failed.value.problems
    [line] = failed.value.problems
    assert "Traceback" not in line and "\n" not in line
    return line
