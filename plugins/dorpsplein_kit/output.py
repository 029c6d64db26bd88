"""Writing files into the output: only when they changed, and whole.

``write_if_changed`` leaves a file alone when its bytes are already there (the
preview's watcher, browser caches and the comment server see no change that
is not one) and otherwise replaces it whole: a temporary file in the same
folder, then ``os.replace``, so a reader (the comment server re-reading the
thread list during a build) sees the old file or the new one, never half.

``copy_if_stale`` is the one rule for copies (hashed assets, share images,
resized pictures): copy when the target is missing or its size differs from
the source's. Sources that change get a new name (a hash in it), so a size
check is enough and costs one ``stat``.

``OutputGenerator`` is the base of a generator that only writes files: Pelican
calls ``generate_context`` (nothing to add) and then ``generate_output``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path


def write_if_changed(target: str | os.PathLike, data: bytes | str, *, sync: bool = False) -> bool:
    """Write ``data`` (str as UTF-8) to ``target`` unless it holds exactly that.

    Returns whether it wrote. ``sync``: flush to disk before the file appears
    (for a file another process relies on after a crash). The temporary name
    starts with the file's own name, so a web server rule that hides the file
    hides it too; it is created with the mode ``open()`` would give (0666 less
    the umask).
    """
    target = Path(target)
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        if target.read_bytes() == data:
            return False
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return True


def copy_if_stale(source: str | os.PathLike, target: str | os.PathLike) -> bool:
    """Copy ``source`` to ``target`` when the target is missing, differs in
    size, or is older than the source (an editor may replace a picture with
    another of the same size); returns whether it copied."""
    source, target = Path(source), Path(target)
    with contextlib.suppress(FileNotFoundError):
        have, want = target.stat(), source.stat()
        if have.st_size == want.st_size and have.st_mtime_ns >= want.st_mtime_ns:
            return False
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return True


class OutputGenerator:
    """A Pelican generator that only writes files (no context of its own).

    Subclasses implement ``generate_output(writer)`` and use ``write`` and
    ``copy`` with paths relative to the output folder.
    """

    def __init__(self, context, settings, path, theme, output_path, *args, **kwargs):
        self.context = context
        self.settings = settings
        self.path = path
        self.theme = theme
        self.output_path = output_path

    def generate_context(self) -> None:
        """Nothing to add: these generators only write."""

    def generate_output(self, writer) -> None:
        raise NotImplementedError

    def target(self, relative: str | os.PathLike) -> Path:
        return Path(self.output_path) / relative

    def write(self, relative: str | os.PathLike, data: bytes | str, *, sync: bool = False) -> bool:
        return write_if_changed(self.target(relative), data, sync=sync)

    def copy(self, source: str | os.PathLike, relative: str | os.PathLike) -> bool:
        return copy_if_stale(source, self.target(relative))
