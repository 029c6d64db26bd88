"""Share links and preview metadata, for any page a plugin writes.

The share_links plugin puts them on articles and pages; a plugin that writes
pages of its own (the participation plugin's idea pages) uses the same two
functions, so a shared idea reads like a shared article:

- ``share_links(settings, url, title, summary)`` → ``(links, post)``: plain
  links to each network in ``SHARE_LINKS_NETWORKS`` (nothing loads from a
  network until a reader clicks) and the text of a post (title, address,
  hashtags) for the reader's own Mastodon server;
- ``preview_meta(preview)``: the Open Graph and X card ``<meta>`` tags of a
  preview dict, in page order.

The ``SHARE_LINKS_*`` values are the site's sharing profile; their defaults
live here (``SHARING_DEFAULTS``), the one place, as the town's identity
defaults live in ``identity``, so a page is shared the same way whether or
not the share_links plugin is enabled.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

NETWORKS = ("facebook", "x", "linkedin", "whatsapp", "mastodon", "bluesky", "email")

LABELS = {
    "facebook": "Facebook",
    "x": "X",
    "linkedin": "LinkedIn",
    "whatsapp": "WhatsApp",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "email": "e-mail",
}

SHARING_DEFAULTS = {
    # Which share links a page shows, in this order.
    "SHARE_LINKS_NETWORKS": list(NETWORKS),
    # Hashtags added where a network supports them, without the # sign.
    "SHARE_LINKS_HASHTAGS": [],
    # The town's X account (without @), named as "via" in a post on X.
    "SHARE_LINKS_VIA": "",
    # Where the Mastodon link goes when the reader's own server is not known.
    "SHARE_LINKS_MASTODON_CHOOSER": "https://s2f.kytta.dev/?text={text}",
    # Open Graph locale.
    "SHARE_LINKS_LOCALE": "nl_BE",
}


def sharing(settings, name: str):
    """The site's value of a SHARE_LINKS_* setting, or its default."""
    value = settings.get(name)
    return SHARING_DEFAULTS[name] if value is None else value


def _q(value: str) -> str:
    return quote(value, safe="")


def _params(**values) -> str:
    return urlencode({k: v for k, v in values.items() if v}, quote_via=quote)


def share_links(settings, url: str, title: str, summary: str = "") -> tuple[list[dict], str]:
    """``([{"network", "label", "href"}, ...], post)`` for the page at ``url``."""
    tags = sharing(settings, "SHARE_LINKS_HASHTAGS")
    hashtags = " ".join(f"#{t}" for t in tags)
    post = f"{title} {url}" + (f" {hashtags}" if hashtags else "")
    hrefs = {
        "facebook": "https://www.facebook.com/sharer/sharer.php?" + _params(u=url),
        "x": "https://x.com/intent/post?" + _params(
            text=title, url=url, hashtags=",".join(tags), via=sharing(settings, "SHARE_LINKS_VIA")
        ),
        "linkedin": "https://www.linkedin.com/sharing/share-offsite/?" + _params(url=url),
        "whatsapp": "https://wa.me/?" + _params(text=f"{title} {url}"),
        "mastodon": sharing(settings, "SHARE_LINKS_MASTODON_CHOOSER").replace("{text}", _q(post)),
        "bluesky": "https://bsky.app/intent/compose?" + _params(text=post),
        "email": "mailto:?" + _params(subject=title, body=f"{summary}\n\n{url}".strip()),
    }
    links = [
        {"network": network, "label": LABELS[network], "href": hrefs[network]}
        for network in sharing(settings, "SHARE_LINKS_NETWORKS")
    ]
    return links, post


def preview_meta(preview: dict) -> list[dict]:
    """The Open Graph and X card <meta> tags of ``preview``, in page order.

    ``preview`` has type, title, description, url, site_name, locale, image
    (an absolute address, or "" for none: then no image tags), image_width,
    image_height, image_alt, published and modified (ISO, or "" for a page
    that is not an article) and twitter_card."""
    image = bool(preview.get("image"))
    og = [f"og:{key}" for key in ("type", "title", "description", "url", "site_name",
                                  "locale") + (("image",) if image else ())]
    tags = [("property", name, preview[name[3:]]) for name in og]
    if image:
        tags += [
            ("property", "og:image:width", preview["image_width"]),
            ("property", "og:image:height", preview["image_height"]),
            ("property", "og:image:alt", preview["image_alt"]),
        ]
    if preview.get("published"):
        tags += [("property", "article:published_time", preview["published"]),
                 ("property", "article:modified_time", preview["modified"])]
    card = (("card", "twitter_card"), ("title", "title"), ("description", "description"))
    if image:
        card += (("image", "image"), ("image:alt", "image_alt"))
    tags += [("name", f"twitter:{key}", preview[field]) for key, field in card]
    return [{"attr": attr, "name": name, "content": content} for attr, name, content in tags]
