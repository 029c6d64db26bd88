"""What the participation service keeps about a citizen, for the privacy
statement (``Contract(processing=...)``, dorpsplein_kit/privacy.py).

Each feature is declared only when the site has it: ideas and supports when
there is a consultation, following by e-mail when its form is on, self-tests
when there is one. Read from what this plugin's generator found while
reading the content (``generate_context``), never from what another
plugin's ``all_generators_finalized`` adds. The numbers are the service's
settings (PARTICIPATION_SERVER).
"""

from __future__ import annotations

from dorpsplein_kit import Processing

from . import email_follow
from .settings import SUPPORT_COOKIE_DAYS


def processing(context) -> list[Processing]:
    server = context["PARTICIPATION_SERVER"]
    records = []
    consultations = context.get("PARTICIPATION_CONSULTATIONS") or []
    if consultations:
        records.append(Processing("ideas", {
            "moderated_before": any(c["moderation"] == "before" for c in consultations),
            "keep_unapproved_days": server["keep_unapproved_days"],
            "keep_reports_days": server["keep_reports_days"],
            "backup_days": server["keep_backups_days"],
        }))
        records.append(Processing("supports", {
            "cookie_days": SUPPORT_COOKIE_DAYS,
            "email_verified": any(c["verification"] == "email" for c in consultations),
            "link_hours": server["email_link_hours"],
            "keep_unconfirmed_days": server["keep_unconfirmed_days"],
            "backup_days": server["keep_backups_days"],
        }))
    if context.get(email_follow.CONTEXT_KEY):
        records.append(Processing("email-follow", {
            "link_hours": server["email_link_hours"],
            "mails_per_address": server["follow_mails_per_address"],
            "keep_deliveries_days": server["keep_deliveries_days"],
            "backup_days": server["keep_backups_days"],
        }))
    tests = context.get("PARTICIPATION_SELF_TESTS") or []
    if tests:
        records.append(Processing("self-tests", {
            "tests": len(tests),
            "counted": sum(1 for test in tests if test.get("counts")),
        }))
    return records
