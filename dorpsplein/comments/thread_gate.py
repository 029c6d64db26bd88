"""Thread gate: citizens write only on threads the build published as open.

The build writes ``isso-threads.json`` (every article or page with comments
and its state: open or closed). The gate is asked after Isso has routed the
request, with the route's name, so no spelling of a path or query reaches a
write on a thread that is closed, off, a draft or unknown:

- ``new`` (a comment or a reply): the single ``uri`` must be a published
  thread, and open. Its row is created here with the build's title, so Isso
  never invents a thread (no ``javascript:`` URIs, no titles from a request).
- ``edit``, ``delete``, ``like``, ``dislike``: the comment's own thread must
  be open.
- Moderation (``moderate`` with a signed key, the admin page) is not gated:
  moderators may act on closed threads.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path

from .refusals import Refusal

COMMENT_WRITES = {"edit", "delete", "like", "dislike"}


class ThreadGate:
    def __init__(self, threads_path: str | os.PathLike, database: str | os.PathLike):
        self.threads_path = Path(threads_path)
        self.database = Path(database)
        self._threads: dict = {}
        self._stamp = None
        self._created: set[str] = set()

    def threads(self) -> dict:
        """The build's thread list, re-read whenever the file is replaced.

        While the file is missing, the last list read stays in force: a public
        build empties its folder before it writes the list again, and comments
        must not be refused for those seconds. Before any list was read,
        nothing is open.
        """
        try:
            stat = self.threads_path.stat()
        except FileNotFoundError:
            return self._threads
        stamp = (stat.st_mtime_ns, stat.st_ino, stat.st_size)
        if stamp != self._stamp:
            with self.threads_path.open(encoding="utf-8") as handle:
                self._threads = json.load(handle).get("threads", {})
            self._stamp = stamp
        return self._threads

    def state(self, uri: str) -> str | None:
        thread = self.threads().get(uri)
        return thread.get("state") if thread else None

    def require_open(self, uri: str | None) -> None:
        state = self.state(uri) if uri is not None else None
        if state is None:
            raise Refusal("unknown-thread")
        if state != "open":
            raise Refusal("thread-closed")

    def check_new(self, uri: str) -> None:
        self.require_open(uri)
        self.ensure_thread(uri, self.threads()[uri].get("title") or uri)

    def check_comment_write(self, comment_id: int) -> None:
        self.require_open(self.thread_of(comment_id))

    def thread_of(self, comment_id: int) -> str | None:
        with closing(sqlite3.connect(self.database, timeout=30)) as db:
            row = db.execute("SELECT threads.uri FROM comments JOIN threads "
                             "ON comments.tid = threads.id WHERE comments.id = ?",
                             (comment_id,)).fetchone()
        if row is None:
            raise Refusal("not-found", "Deze reactie bestaat niet.")
        return row[0]

    def ensure_thread(self, uri: str, title: str) -> None:
        """Create the thread row before Isso sees the first comment.

        Isso creates a thread on its first comment; two first comments at the
        same moment in two workers both try, and one gets a 500 (UNIQUE
        constraint on threads.uri). INSERT OR IGNORE is atomic.
        """
        if uri in self._created:
            return
        with closing(sqlite3.connect(self.database, timeout=30)) as db, db:
            db.execute("INSERT OR IGNORE INTO threads (uri, title) VALUES (?, ?)", (uri, title))
        self._created.add(uri)
