"""What the comment service keeps about a commenter, for the privacy statement
(``Contract(processing=...)``, dorpsplein_kit/privacy.py).

Declared whenever the plugin is on, even if every thread is "off" now: the
comment database keeps what was posted before, and the statement must say
so until it is gone. Every number comes from the settings the comment
service runs with (ISSO_COMMENTS_SERVER, ISSO_COMMENTS_CLIENT).
"""

from __future__ import annotations

import math

from dorpsplein_kit import Processing

from .settings import duration_seconds


def processing(context) -> list[Processing]:
    server = context["ISSO_COMMENTS_SERVER"]
    client = context["ISSO_COMMENTS_CLIENT"]
    return [Processing("comments", {
        "moderated": bool(server["moderation"]),
        "purge_days": math.ceil(duration_seconds(server["purge_after"]) / 86400),
        "keep_email_days": server["keep_email_days"],
        "edit_minutes": math.ceil(duration_seconds(server["max_age"]) / 60),
        "name_required": bool(client.get("require-author")),
        "email_required": bool(client.get("require-email")),
        "reply_mails": bool(client.get("reply-notifications")),
        "moderator_mails": server["notify"] == "smtp",
        "votes": bool(client.get("vote")),
        "backup_days": server["keep_backups_days"],
    })]
