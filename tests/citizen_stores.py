"""Seeding the comment store as a citizen does, through Isso's own database
code (``isso.db.SQLite3``, ``Comments.add``): shared by the privacy and the
retention tests."""

from __future__ import annotations

from pathlib import Path


def isso_database(path: Path, fixes: bool = False):
    """Isso's own database classes on ``path``; with ``fixes``, our storage
    corrections installed as the comment service installs them
    (``dorpsplein.comments.app.TownIsso``: ``isso_fixes.OwnRowComments``)."""
    from isso import config, db

    conf = config.load(config.default_file())
    conf.set("general", "dbpath", str(path))
    isso = db.SQLite3(str(path), conf)
    if fixes:
        from dorpsplein.comments.isso_fixes import OwnRowComments

        isso.comments.__class__ = OwnRowComments
    return isso


def add_comment(isso, uri, title, email, author, text, parent=None, notification=0, mode=1,
                created=None, remote_addr="192.0.2.0"):
    """A comment through Isso's ``Comments.add``; its id. ``created`` (a Unix
    time) is Isso's own field: None is now."""
    if uri not in isso.threads:
        isso.threads.new(uri, title)
    return isso.comments.add(uri, {
        "text": text, "author": author, "email": email, "website": f"https://{author}.example",
        "parent": parent, "mode": mode, "remote_addr": remote_addr,
        "notification": notification, "created": created})["id"]
