"""What retention, the privacy tool and our Isso storage share about comment
rows in Isso 0.14's database (``isso/db/comments.py``), in one place.

- ``DELETED_MODE``: the mark Isso gives a deleted comment it keeps for its
  replies (mode 4, text, author and website cleared).
- ``CLEAR_CONTACT``/``EMPTY_VOTERS``: what such a row must no longer hold:
  the e-mail address (NULL), the reply-mail choice (0), the shortened IP
  address ('' and not NULL: Isso hashes ``email or remote_addr`` when it
  renders a comment) and the voters' filter (the hashed addresses of who
  liked it, the author's own among them: an empty ``isso.utils.Bloomfilter``
  array, 256 zero bytes).
- ``remove_stale``: Isso's ``Comments._remove_stale``, counting.
- ``connect``/``exists``: a database opened for a short write beside the
  running services (autocommit, so ``BEGIN IMMEDIATE`` is ours; a busy
  timeout), and whether there is one at all yet.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

DELETED_MODE = 4  # Isso: a deleted comment kept for its replies
EMPTY_VOTERS = bytes(256)  # isso.utils.Bloomfilter().array: 256 zero bytes
# SET clause; its one parameter is EMPTY_VOTERS.
CLEAR_CONTACT = "email = NULL, notification = 0, remote_addr = '', voters = ?"
BUSY_TIMEOUT = 30.0  # seconds a write waits for a service's lock


def remove_stale(db) -> int:
    """Delete deleted comments (mode 4) left without replies, until none is
    left, as Isso does after every delete; how many went."""
    removed = 0
    while True:
        gone = db.execute(f"DELETE FROM comments WHERE mode = {DELETED_MODE} AND id NOT IN "
                          "(SELECT parent FROM comments WHERE parent IS NOT NULL)").rowcount
        if not gone:
            return removed
        removed += gone


def exists(path) -> bool:
    return path is not None and Path(path).is_file()


def connect(path, busy_timeout: float = BUSY_TIMEOUT) -> sqlite3.Connection:
    """``path`` opened in autocommit mode with rows by name and a busy timeout."""
    db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    return db
