"""What the participation service keeps about a citizen, for the privacy
statement (``Contract(processing=...)``, dorpsplein_kit/privacy.py).

Declared by what is switched on, not by what the content uses today, since
the service's database keeps what citizens sent before: ideas and supports
while ``PARTICIPATION_PATHS`` names a folder for consultations (``[]``: none),
following by e-mail while ``PARTICIPATION_EMAIL_FOLLOW`` is on (off, the
nightly ``./go retention`` deletes every follower). Self-tests keep nothing
personal: their section, which says so, is there when the site has one.
What the consultations say (moderation, e-mail verification) is read from
what this plugin's generator found (``generate_context``), never from what
another plugin's ``all_generators_finalized`` adds. The numbers are the
service's settings (PARTICIPATION_SERVER).
"""

from __future__ import annotations

from dorpsplein_kit import Processing

from .settings import SUPPORT_COOKIE_DAYS


def processing(context) -> list[Processing]:
    server = context["PARTICIPATION_SERVER"]
    records = []
    consultations = context.get("PARTICIPATION_CONSULTATIONS") or []
    if context.get("PARTICIPATION_PATHS"):
        records.append(Processing("ideas", {
            # Without a consultation yet: the one a new one gets by default.
            "moderated_before": any(c["moderation"] == "before" for c in consultations)
            or not consultations,
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
    if context.get("PARTICIPATION_EMAIL_FOLLOW"):
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
