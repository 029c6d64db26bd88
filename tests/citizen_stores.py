"""Seeding the comment store as a citizen does, through Isso's own database
code (``isso.db.SQLite3``, ``Comments.add``): shared by the privacy and the
retention tests."""

from __future__ import annotations

from pathlib import Path


def isso_database(path: Path):
    from isso import config, db

    conf = config.load(config.default_file())
    conf.set("general", "dbpath", str(path))
    return db.SQLite3(str(path), conf)


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
