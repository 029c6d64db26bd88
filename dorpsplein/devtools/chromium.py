"""Debian's Chromium, as every browser-driving command here starts it."""

from __future__ import annotations

import os
import shutil

# As root Chromium needs --no-sandbox; the rest keep it from calling home on
# a closed network (where it would stall).
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def executable() -> str | None:
    """Path of the system Chromium (or $CHROMIUM); never a downloaded browser."""
    return (os.environ.get("CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))
