"""Feed validity rules, as RFC 4287 (Atom) and RSS 2.0 state them and the W3C
feed validator applies them. Each function returns a list of problems (empty
when the feed is valid). Written for our tests: the validator itself cannot
run offline here."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
A = f"{{{ATOM}}}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"

# RFC 3339 date-time, offset required.
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)
# RFC 822 as RSS 2.0 uses it, with a four-digit year and a numeric or named zone.
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} ([+-]\d{4}|GMT|UT)$"
)
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

# The children RFC 4287 (§4.1.1, §4.1.2) and RSS 2.0 define. Anything else must
# be foreign markup / an extension element: in a namespace of its own (RFC 4287
# §6; RSS 2.0: "elements not described on this page, only if those elements
# are defined in a namespace").
ATOM_FEED_CHILDREN = {"author", "category", "contributor", "generator", "icon", "id", "link",
                      "logo", "rights", "subtitle", "title", "updated", "entry"}
ATOM_ENTRY_CHILDREN = {"author", "category", "content", "contributor", "id", "link",
                       "published", "rights", "source", "summary", "title", "updated"}
RSS_CHANNEL_CHILDREN = {"title", "link", "description", "language", "copyright",
                        "managingEditor", "webMaster", "pubDate", "lastBuildDate", "category",
                        "generator", "docs", "cloud", "ttl", "image", "rating", "textInput",
                        "skipHours", "skipDays", "item"}
RSS_ITEM_CHILDREN = {"title", "link", "description", "author", "category", "comments",
                     "enclosure", "guid", "pubDate", "source"}


def _absolute(iri: str) -> bool:
    parts = urlsplit(iri or "")
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return parts.scheme in ("urn", "tag") and bool(parts.path)


def _texts(parent, tag):
    return [el for el in parent if el.tag == tag]


def _unknown_children(parent, own_namespace: str | None, known: set[str], where: str) -> list:
    """Children that are neither the format's own elements nor namespaced extensions."""
    problems = []
    for child in parent:
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        name = etree.QName(child)
        if name.namespace == own_namespace and name.localname not in known:
            problems.append(f"{where}: <{name.localname}> is not an element of this format")
        elif name.namespace is None and own_namespace is not None:
            problems.append(f"{where}: <{name.localname}> has no namespace")
    return problems


# Over 60 lines on purpose: the checklist of RFC 4287's rules, read top to
# bottom like the validator reports them; split, it would hide which rule is where.
def atom_problems(xml: bytes) -> list[str]:
    problems: list[str] = []
    root = etree.fromstring(xml)
    if root.tag != f"{A}feed":
        return ["root element is not atom:feed"]
    lang = root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang and not LANGUAGE.match(lang):
        problems.append(f"xml:lang {lang!r} is not a language tag")

    def single(parent, name, where):
        found = _texts(parent, A + name)
        if len(found) != 1:
            problems.append(f"{where}: must have exactly one atom:{name}, has {len(found)}")
            return None
        return found[0]

    def date(parent, name, where, required=True):
        found = _texts(parent, A + name)
        if not found:
            if required:
                problems.append(f"{where}: atom:{name} is missing")
            return None
        if len(found) > 1:
            problems.append(f"{where}: more than one atom:{name}")
        text = (found[0].text or "").strip()
        if not RFC3339.match(text):
            problems.append(f"{where}: atom:{name} {text!r} is not an RFC 3339 date-time")
            return None
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    def links(parent, where):
        alternates = set()
        for link in _texts(parent, A + "link"):
            href = link.get("href")
            if not href or not _absolute(href):
                problems.append(f"{where}: link href {href!r} is not absolute")
            rel = link.get("rel", "alternate")
            if rel == "alternate":
                key = (link.get("type"), link.get("hreflang"))
                if key in alternates:
                    problems.append(f"{where}: two alternate links with the same type")
                alternates.add(key)
            if rel == "enclosure" and not (link.get("type") and link.get("length")):
                problems.append(f"{where}: enclosure link without type and length")
        return alternates

    problems += _unknown_children(root, ATOM, ATOM_FEED_CHILDREN, "feed")
    feed_id = single(root, "id", "feed")
    if feed_id is not None and not _absolute(feed_id.text or ""):
        problems.append(f"feed: id {feed_id.text!r} is not an absolute IRI")
    single(root, "title", "feed")
    date(root, "updated", "feed")
    links(root, "feed")
    selfs = [lk for lk in _texts(root, A + "link") if lk.get("rel") == "self"]
    if len(selfs) != 1:
        problems.append("feed: needs exactly one link rel='self'")
    elif selfs[0].get("type") != "application/atom+xml":
        problems.append("feed: self link type is not application/atom+xml")
    for name in ("icon", "logo"):
        for element in _texts(root, A + name):
            if not _absolute(element.text or ""):
                problems.append(f"feed: {name} is not absolute")
    feed_has_author = bool(_texts(root, A + "author"))
    ids = set()
    for number, entry in enumerate(_texts(root, A + "entry"), start=1):
        where = f"entry {number}"
        problems += _unknown_children(entry, ATOM, ATOM_ENTRY_CHILDREN, where)
        entry_id = single(entry, "id", where)
        if entry_id is not None:
            if not _absolute(entry_id.text or ""):
                problems.append(f"{where}: id is not an absolute IRI")
            if entry_id.text in ids:
                problems.append(f"{where}: duplicate id {entry_id.text}")
            ids.add(entry_id.text)
        single(entry, "title", where)
        updated = date(entry, "updated", where)
        published = date(entry, "published", where, required=False)
        if updated and published and published > updated:
            problems.append(f"{where}: published is after updated")
        alternates = links(entry, where)
        contents = _texts(entry, A + "content")
        if not alternates and not contents:
            problems.append(f"{where}: needs an alternate link or content")
        for content in contents:
            if content.get("type") not in (None, "text", "html", "xhtml"):
                problems.append(f"{where}: content type {content.get('type')!r} is invalid")
        if not feed_has_author and not _texts(entry, A + "author"):
            problems.append(f"{where}: no author (and the feed has none)")
        for author in _texts(entry, A + "author"):
            if not _texts(author, A + "name"):
                problems.append(f"{where}: author without name")
    return problems


# Over 60 lines on purpose: the RSS 2.0 checklist, in the order of the spec.
def rss_problems(xml: bytes) -> list[str]:
    problems: list[str] = []
    root = etree.fromstring(xml)
    if root.tag != "rss" or root.get("version") != "2.0":
        return ["root element is not <rss version='2.0'>"]
    channels = root.findall("channel")
    if len(channels) != 1:
        return ["rss must have exactly one channel"]
    channel = channels[0]
    problems += _unknown_children(channel, None, RSS_CHANNEL_CHILDREN, "channel")
    for name in ("title", "link", "description"):
        if channel.find(name) is None or not (channel.findtext(name) or "").strip():
            problems.append(f"channel: <{name}> is missing or empty")
    if not _absolute(channel.findtext("link") or ""):
        problems.append("channel: <link> is not an absolute URL")
    language = channel.findtext("language")
    if language and not LANGUAGE.match(language):
        problems.append(f"channel: language {language!r} is not a language tag")
    selfs = [lk for lk in channel.findall(f"{A}link") if lk.get("rel") == "self"]
    if len(selfs) != 1:
        problems.append("channel: needs exactly one atom:link rel='self' (W3C recommendation)")
    elif selfs[0].get("type") != "application/rss+xml":
        problems.append("channel: self link type is not application/rss+xml")
    for name in ("pubDate", "lastBuildDate"):
        text = channel.findtext(name)
        if text is not None and not RFC822.match(text.strip()):
            problems.append(f"channel: {name} {text!r} is not an RFC 822 date")
    image = channel.find("image")
    if image is not None:
        url = image.findtext("url") or ""
        if not re.search(r"\.(png|gif|jpe?g)$", url, re.I):
            problems.append("channel: image must be GIF, JPEG or PNG")
    guids = set()
    for number, item in enumerate(channel.findall("item"), start=1):
        where = f"item {number}"
        problems += _unknown_children(item, None, RSS_ITEM_CHILDREN, where)
        if not (item.findtext("title") or item.findtext("description")):
            problems.append(f"{where}: needs a title or a description")
        link = item.findtext("link")
        if link is not None and not _absolute(link):
            problems.append(f"{where}: link is not absolute")
        guid = item.find("guid")
        if guid is None:
            problems.append(f"{where}: no guid")
        else:
            permalink = guid.get("isPermaLink", "true")
            if permalink == "true" and not urlsplit(guid.text or "").scheme.startswith("http"):
                problems.append(f"{where}: guid is not a URL but isPermaLink is true")
            if guid.text in guids:
                problems.append(f"{where}: duplicate guid")
            guids.add(guid.text)
        date = item.findtext("pubDate")
        if date is None or not RFC822.match(date.strip()):
            problems.append(f"{where}: pubDate {date!r} is not an RFC 822 date")
        else:
            parsedate_to_datetime(date)
        for author in item.findall("author"):
            if "@" not in (author.text or ""):
                problems.append(f"{where}: <author> must be an e-mail address (use dc:creator)")
        for enclosure in item.findall("enclosure"):
            for attr in ("url", "length", "type"):
                if not enclosure.get(attr):
                    problems.append(f"{where}: enclosure without {attr}")
            if not (enclosure.get("length") or "").isdigit():
                problems.append(f"{where}: enclosure length is not a number")
        if len(item.findall("enclosure")) > 1:
            problems.append(f"{where}: more than one enclosure")
    return problems
