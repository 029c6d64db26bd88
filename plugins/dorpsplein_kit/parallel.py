"""Which process renders which file, when a full build renders in several.

The build (``dorpsplein/parallel.py``) may fork worker processes once the
shared context is built; every process then runs the output phase over the
same context and renders only the files that are *its own*. Pelican's writer
is shared that way by the build itself. A generator that writes files of its
own (feeds, share images, resized pictures) takes part by saying so with
``shares_work = True`` and asking ``mine(path)`` for each file; any other
generator runs in the first process only.

``mine`` decides by a stable hash of the output path, so every process agrees
without talking, and the files come out the same whichever process wrote
them. With one process (the default outside a full build) everything is
``mine``.
"""

from __future__ import annotations

import os
import zlib

_share = {"worker": 0, "workers": 1}


def share(worker: int, workers: int) -> None:
    """Set this process's part: worker ``worker`` of ``workers`` (the build does this)."""
    _share.update(worker=worker, workers=workers)


def owner(path: str | os.PathLike, workers: int) -> int:
    """Which of ``workers`` processes renders the file at ``path`` (relative to the output)."""
    key = os.fspath(path).replace(os.sep, "/").lstrip("/").encode("utf-8")
    return zlib.crc32(key) % workers


def mine(path: str | os.PathLike) -> bool:
    """True when this process renders the file at ``path`` (relative to the output)."""
    count = _share["workers"]
    return count == 1 or owner(path, count) == _share["worker"]
