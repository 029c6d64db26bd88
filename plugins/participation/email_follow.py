"""Following by e-mail ("volgen"): the build half (docs/participation.md,
"Following by e-mail").

With ``PARTICIPATION_EMAIL_FOLLOW`` on (the default) the participation
generator asks this module, once the pages are known:

- ``form(settings, context)``: what the templates need for the follow form
  (``EMAIL_FOLLOW`` in the context; ``components/email_follow.html`` shows it
  under every article and on the "Volg ons" page);
- ``service_entry(settings, context)``: ``participation.json``'s
  ``email_follow`` (the town, the addresses a mail names, the themes and the
  50 newest articles with plain-text summaries) for the service and the mail
  job;
- ``feed_links(content, context)``: the e-mail option as a feed link (the
  feeds plugin asks every contract for them; dorpsplein_kit.FeedLink).

Off: no ``EMAIL_FOLLOW``, no ``email_follow`` key, no feed link.
"""

from __future__ import annotations

from dorpsplein_kit import FeedLink, absolute_url, facts, privacy_page, site_url, town
from markupsafe import Markup

# The service's routes under PARTICIPATION_URL (docs/participation.md).
ROUTE = "volgen"
# The id of the full form on the "Volg ons" page (components/email_follow.html);
# feeds and mails link there.
ANCHOR = "volg-per-e-mail"
# How many of the newest articles participation.json lists.
ARTICLES = 50
# The page the form and the mails point to, by slug or template (the
# privacy statement is dorpsplein_kit.privacy_page's).
FOLLOW_SLUG = "volg-ons"
FOLLOW_TEMPLATE = "feeds"


def _pages(context) -> list:
    return list(context.get("pages") or []) + list(context.get("hidden_pages") or [])


def _page(context, slug: str, template: str | None = None):
    """The page with ``template`` (first), else the one with ``slug``, else None."""
    pages = _pages(context)
    if template:
        for page in pages:
            if getattr(page, "template", None) == template:
                return page
    return next((page for page in pages if getattr(page, "slug", None) == slug), None)


def themes(context) -> list[dict]:
    """Every category, in the site's order, as {"slug", "name"}."""
    return [{"slug": category.slug, "name": category.name}
            for category, _articles in context.get("categories") or []]


def form(settings, context) -> dict | None:
    """The follow form's data for templates, or None when following is off::

        {"action": "/participatie/volgen", "anchor": "volg-per-e-mail",
         "themes": [{"slug", "name"}], "privacy_url": "privacyverklaring/" or "",
         "follow_url": "volg-ons/" or ""}

    ``privacy_url`` and ``follow_url`` are relative to the site root, as page
    URLs are in templates; ``action`` is the service's address as
    ``PARTICIPATION_URL`` gives it."""
    if not settings.get("PARTICIPATION_EMAIL_FOLLOW"):
        return None
    privacy = privacy_page(context)
    follow = _page(context, FOLLOW_SLUG, FOLLOW_TEMPLATE)
    return {
        "action": f"{settings['PARTICIPATION_URL']}/{ROUTE}",
        "anchor": ANCHOR,
        "themes": themes(context),
        "privacy_url": privacy.url if privacy else "",
        "follow_url": follow.url if follow else "",
    }


def follow_url(settings, data: dict) -> str:
    """The absolute address of the "Volg ons" page, else of the site."""
    return absolute_url(settings, data["follow_url"])


def one_line(value) -> str:
    """Plain text on one line: tags stripped, every run of whitespace (a line
    break an editor or an entity such as ``&#10;`` left in a title) one space.
    These become a mail's Subject and From, where a line break is refused."""
    return " ".join(Markup(str(value or "")).striptags().split())


def plain_summary(article) -> str:
    return one_line(getattr(article, "summary", ""))


def articles(context, limit: int = ARTICLES) -> list:
    """The ``limit`` newest published articles, newest first."""
    found = sorted(context.get("articles") or [], key=lambda a: a.date, reverse=True)
    return found[:limit]


def service_entry(settings, context, data: dict) -> dict:
    """``participation.json``'s ``email_follow`` (docs/participation.md)."""
    return {
        "town": one_line(town(settings).name),
        "site_name": one_line(settings.get("SITENAME")),
        "site_url": site_url(settings),
        "follow_url": follow_url(settings, data),
        "privacy_url": absolute_url(settings, data["privacy_url"]) if data["privacy_url"]
        else "",
        "postal_address": one_line(facts(settings)["contact.address"]),
        "themes": data["themes"],
        "articles": [{
            "url": absolute_url(settings, article.url),
            "title": one_line(article.title),
            "date": article.date.isoformat(),
            "summary": plain_summary(article),
            "theme": article.category.slug,
            "theme_name": one_line(article.category.name),
        } for article in articles(context)],
    }


# The context key the generator sets (templates read it; the feeds' link below).
CONTEXT_KEY = "EMAIL_FOLLOW"


def feed_links(content, context) -> list[FeedLink]:
    """The e-mail option for the feed and for every entry: the form on the
    "Volg ons" page (else the site), when following by e-mail is on."""
    data = context.get(CONTEXT_KEY) if context is not None else None
    if not data:
        return []
    href = f"{follow_url(context, data)}#{ANCHOR}" if data["follow_url"] else \
        follow_url(context, data)
    return [FeedLink(rel="related", href=href, kind="email-follow")]
