"""What the comment service keeps about a commenter, for the privacy statement
(``Contract(processing=...)``, dorpsplein_kit/privacy.py).

Declared only when some page of the site can show a thread (an article,
page or offered page whose comments are not "off"): a site with comments off
everywhere says nothing about comments. Every number comes from the settings
the comment service runs with (ISSO_COMMENTS_SERVER, ISSO_COMMENTS_CLIENT).
"""

from __future__ import annotations

import math

from dorpsplein_kit import Processing, offered

from .settings import duration_seconds


def _has_threads(context, state_of, now) -> bool:
    for article in context.get("articles") or ():
        if state_of(article, context, now) != "off":
            return True
    for page in list(context.get("pages") or ()) + list(context.get("hidden_pages") or ()):
        if state_of(page, context, now, is_page=True) != "off":
            return True
    return any(page.comments != "off" for page in offered(context))


def processing(context) -> list[Processing]:
    # The plugin's own rule for an article's thread, asked here rather than
    # read from what attach() puts on articles: this may run before it.
    from .isso_comments import _now, state_of

    if not _has_threads(context, state_of, _now(context)):
        return []
    server = context["ISSO_COMMENTS_SERVER"]
    client = context["ISSO_COMMENTS_CLIENT"]
    return [Processing("comments", {
        "moderated": bool(server["moderation"]),
        "purge_days": math.ceil(duration_seconds(server["purge_after"]) / 86400),
        "keep_email_days": server["keep_email_days"],
        "edit_minutes": math.ceil(duration_seconds(server["max_age"]) / 60),
        "email_required": bool(client.get("require-email")),
        "reply_mails": bool(client.get("reply-notifications")),
        "moderator_mails": server["notify"] == "smtp",
        "votes": bool(client.get("vote")),
        "backup_days": server["keep_backups_days"],
    })]
