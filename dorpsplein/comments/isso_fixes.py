"""Two corrections to Isso 0.14's storage, applied to our app's instance.

``OwnRowComments.add``: Isso answers a new comment with
``SELECT *, MAX(c.id) FROM comments ... ON threads.uri = ?`` -- the newest row
in the whole database, not the row it inserted. With two workers (each with
its own lock) a poster could receive another citizen's comment and a valid
edit cookie for it. Here the answer is the row this INSERT created
(``cursor.lastrowid`` of the same statement), whatever other workers do.

``OwnRowComments.delete``: Isso keeps a deleted comment that has replies
(mode 4) with its text, name and website cleared but its e-mail address,
shortened IP address, reply-mail choice and voters' filter still there. Here
those go too, as the privacy tool and retention clear them
(``dorpsplein.comment_rows``).

``TownGuard``: Isso's rate limits, unchanged in what they count, but the
refusal says *which* limit in one of our codes (``too-soon:<seconds>``,
``too-many-comments``), so the citizen can be told what happened and when
to try again.
"""

from __future__ import annotations

import time

from isso.db.comments import Comments
from isso.db.spam import Guard
from isso.utils import Bloomfilter

from ..comment_rows import CLEAR_CONTACT, DELETED_MODE, EMPTY_VOTERS


class OwnRowComments(Comments):
    def _parent_in_thread(self, uri, parent):
        """Isso's rule: a parent must be in the same thread; replies to
        replies hang under the top-level comment."""
        if parent in ("0", 0, None):
            return None
        found = self.get(parent)
        if found is None:
            return None
        same = self.db.execute(
            "SELECT 1 FROM comments INNER JOIN threads ON comments.tid = threads.id "
            "WHERE threads.uri = ? AND comments.id = ?", (uri, parent)).fetchone()
        if same is None:
            return None
        return self._parent_in_thread(uri, found.get("parent")) or parent

    def add(self, uri, c):
        if c.get("parent") is not None:
            c["parent"] = self._parent_in_thread(uri, c["parent"])
        cursor = self.db.execute(
            "INSERT INTO comments (tid, parent, created, modified, mode, remote_addr, text, "
            "author, email, website, voters, notification) "
            "SELECT threads.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM threads "
            "WHERE threads.uri = ?",
            (c.get("parent"), c.get("created") or time.time(), None, c["mode"],
             c["remote_addr"], c["text"], c.get("author"), c.get("email"), c.get("website"),
             memoryview(Bloomfilter(iterable=[c["remote_addr"]]).array),
             c.get("notification"), uri))
        row = self.db.execute(
            "SELECT * FROM comments AS c INNER JOIN threads ON threads.id = c.tid "
            "WHERE c.id = ?", (cursor.lastrowid,)).fetchone()
        return dict(zip(Comments.fields, row, strict=False))  # threads' columns follow

    def delete(self, id):
        """Isso's delete; a comment kept for its replies (mode 4) also loses
        its contact data. Returns what Isso returns (the kept row, or None)."""
        kept = super().delete(id)
        if kept is None:
            return None
        self.db.execute(f"UPDATE comments SET {CLEAR_CONTACT} WHERE id = ? AND mode = ?",
                        (memoryview(EMPTY_VOTERS), id, DELETED_MODE))
        return self.get(id)


class TownGuard(Guard):
    def _limit(self, uri, comment):
        now = time.time()
        recent = self.db.execute(
            "SELECT created FROM comments WHERE remote_addr = ? AND ? - created < 60 "
            "ORDER BY created", (comment["remote_addr"], now)).fetchall()
        if len(recent) >= self.conf.getint("ratelimit"):
            return False, f"too-soon:{max(1, int(recent[0][0] + 60 - now) + 1)}"
        if comment["parent"] is None:
            count = self.db.execute(
                "SELECT COUNT(*) FROM comments WHERE tid = (SELECT id FROM threads "
                "WHERE uri = ?) AND remote_addr = ? AND parent IS NULL",
                (uri, comment["remote_addr"])).fetchone()[0]
            if count >= self.conf.getint("direct-reply"):
                return False, "too-many-comments"
        elif self.conf.getboolean("reply-to-self") is False:
            row = self.db.execute(
                "SELECT created FROM comments WHERE remote_addr = ? AND id = ? "
                "AND ? - created < ?",
                (comment["remote_addr"], comment["parent"], now, self.max_age)).fetchone()
            if row is not None:
                return False, f"too-soon:{max(1, int(row[0] + self.max_age - now) + 1)}"
        if self.conf.getboolean("require-email") and not comment.get("email"):
            return False, "email-required"
        if self.conf.getboolean("require-author") and not comment.get("author"):
            return False, "author-required"
        return True, ""
