"""What the site does with personal data, declared by the plugins that do it.

The privacy statement must never claim what the site does not do, nor leave
out what it does. So nobody writes its tables by hand: every plugin that
stores or sends something about a citizen declares it in its contract
(``Contract(processing=...)``), from its own settings, and the
``privacy_statement`` plugin turns what the enabled plugins declare into the
statement's tables and the register of processing activities. A feature
switched off declares nothing, and its table is gone. Declare by what is
switched on, not by what the content shows today: a service's database
keeps what citizens sent while the feature was used.

``processing(context)`` is asked at ``all_generators_finalized``, in any
order of PLUGINS: it reads what its own generator found while reading
(``generate_context``) or works it out, never what another handler of that
signal adds. It gives ``Processing`` records: ``kind`` says what it
is, so the theme can say it in the site's language
(``theme/templates/components/privacy_processing.html``); ``values`` are the facts the
words need (retention in days, switches), always from the settings the
feature runs with. The kinds the theme knows:

- ``comments``: a comment (``moderated``, ``purge_days``, ``keep_email_days``,
  ``edit_minutes``, ``name_required``, ``email_required``, ``reply_mails``,
  ``moderator_mails``, ``votes``, ``backup_days``);
- ``ideas``: a consultation's ideas (``moderated_before``,
  ``keep_unapproved_days``, ``keep_reports_days``, ``backup_days``);
- ``supports``: support for ideas (``cookie_days``, ``email_verified``,
  ``link_hours``, ``keep_unconfirmed_days``, ``backup_days``);
- ``email-follow``: following by e-mail (``keep_deliveries_days``,
  ``link_hours``, ``mails_per_address``, ``backup_days``);
- ``self-tests``: self-tests (``tests``), of which ``counted`` count results.

A kind the theme does not know stops the build (the statement would be
silent about it).

The statement is the page whose front matter says ``Template: privacy``
(else the page with the slug ``privacyverklaring``); ``{{ privacy.processing }}``
in it says where the tables go (else they follow its text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PRIVACY_TEMPLATE = "privacy"
PRIVACY_SLUG = "privacyverklaring"
# What the {{ privacy.processing }} placeholder becomes in the page's HTML:
# the privacy template puts the tables there.
PROCESSING_MARKER = '<div data-dorpsplein-processing=""></div>'


@dataclass(frozen=True)
class Processing:
    """One kind of personal data the site keeps or sends, with the facts
    (days, switches) the theme's words for it need."""

    kind: str
    values: Mapping[str, Any] = field(default_factory=dict)


def privacy_page(context):
    """The privacy statement page (``Template: privacy``, else the slug
    ``privacyverklaring``), or None when the site has none."""
    pages = list(context.get("pages") or []) + list(context.get("hidden_pages") or [])
    for page in pages:
        if getattr(page, "template", None) == PRIVACY_TEMPLATE:
            return page
    return next((page for page in pages if getattr(page, "slug", None) == PRIVACY_SLUG), None)
