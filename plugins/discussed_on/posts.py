"""What an address under ``Discussed:`` is: a post on which network.

``recognise(url)`` gives a ``Post`` or the reason it is none (``NOT_WEB``,
``NOT_HTTPS``, ``NOT_A_POST``); ``addresses(value)`` splits the front
matter's value as Pelican read it; ``written(text)`` finds the addresses in a
file's front matter with their line numbers (for the editor's messages).

- Mastodon: ``https://<any host>/@<user>/<digits>`` (also ``@user@server``
  for a post seen from another server) and ``/users/<user>/statuses/<digits>``;
- Bluesky: ``https://bsky.app/profile/<handle or did>/post/<rkey>``;
- LinkedIn, Facebook and X: any address on their hosts but the home page;
  shown as links only.

Plain ``http://`` is accepted only for this machine (127.0.0.1, localhost:
a stand-in of a network's API in the tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .settings import LOCAL_HOSTS

NOT_WEB, NOT_HTTPS, NOT_A_POST = "not web", "not https", "not a post"

LABELS = {"mastodon": "Mastodon", "bluesky": "Bluesky", "linkedin": "LinkedIn",
          "facebook": "Facebook", "x": "X"}
# The networks shown as links only, by the host's registered name.
LINKS_ONLY = {"linkedin.com": "linkedin", "facebook.com": "facebook", "fb.com": "facebook",
              "x.com": "x", "twitter.com": "x"}
BLUESKY_HOSTS = ("bsky.app", "www.bsky.app")

_USER = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
_SERVER = rf"{_LABEL}(?:\.{_LABEL})+"
MASTODON_PATHS = (
    re.compile(rf"^/@(?P<user>{_USER}(?:@{_SERVER})?)/(?P<id>[0-9]{{1,20}})/?$"),
    re.compile(rf"^/users/(?P<user>{_USER})/statuses/(?P<id>[0-9]{{1,20}})/?$"),
)
BLUESKY_PATH = re.compile(
    r"^/profile/(?P<actor>[^/]{1,2048})/post/(?P<rkey>[A-Za-z0-9._:~-]{1,512})/?$")
HANDLE = re.compile(rf"^{_SERVER}$")
DID = re.compile(r"^did:[a-z]{1,32}:[A-Za-z0-9._:%-]{1,2000}$")
X_POST = re.compile(r"^/(?!i/)(?P<user>[A-Za-z0-9_]{1,15})/status/[0-9]{1,20}")

# The front matter as Python-Markdown's meta extension reads it.
KEY_LINE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
CONTINUATION = re.compile(r"^[ ]{4,}(?P<value>.*)$")
SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Post:
    network: str  # "mastodon", "bluesky", "linkedin", "facebook", "x"
    url: str
    account: str  # "@lindeveld@mastodon.social", "@lindeveld.bsky.social", or the host
    # Where its counts are asked: Mastodon's server ("https://host:port") and
    # the post's id; Bluesky's profile (a handle or a did) and record key.
    server: str = ""
    post_id: str = ""
    actor: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.network]

    @property
    def counted(self) -> bool:
        return self.network in ("mastodon", "bluesky")


def _registered(host: str) -> str | None:
    """The links-only network's name of ``host`` (www.linkedin.com → linkedin.com)."""
    for name in LINKS_ONLY:
        if host == name or host.endswith("." + name):
            return name
    return None


def recognise(url: str) -> Post | str:
    """The post at ``url``, or why it is none (NOT_WEB, NOT_HTTPS, NOT_A_POST)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return NOT_WEB
    if parts.scheme.lower() not in ("http", "https") or not host or parts.username \
            or parts.password is not None:
        return NOT_WEB
    if parts.scheme.lower() == "http" and host not in LOCAL_HOSTS:
        return NOT_HTTPS
    path = parts.path
    if host in BLUESKY_HOSTS:
        match = BLUESKY_PATH.match(path)
        if not match:
            return NOT_A_POST
        actor = match.group("actor")
        if DID.match(actor):
            account = "bsky.app"
        elif HANDLE.match(actor):
            actor = actor.lower()
            account = f"@{actor}"
        else:
            return NOT_A_POST
        return Post("bluesky", url, account, actor=actor, post_id=match.group("rkey"))
    name = _registered(host)
    if name is not None:
        if path.strip("/") == "":
            return NOT_A_POST
        account = name
        if LINKS_ONLY[name] == "x":
            match = X_POST.match(path)
            account = f"@{match.group('user')}" if match else name
        return Post(LINKS_ONLY[name], url, account)
    for shape in MASTODON_PATHS:
        match = shape.match(path)
        if match:
            user = match.group("user")
            account = f"@{user}" if "@" in user else f"@{user}@{host}"
            netloc = f"[{host}]" if ":" in host else host
            server = f"{parts.scheme.lower()}://{netloc}" + (f":{port}" if port else "")
            return Post("mastodon", url, account, server=server, post_id=match.group("id"))
    return NOT_A_POST


def addresses(value) -> list[str]:
    """The addresses in a ``Discussed:`` value as Pelican read it (a string, or
    a list with one item per line), in order, each once."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        value = ",".join(str(item) for item in value)
    found = [item for item in SEPARATORS.split(str(value)) if item]
    return list(dict.fromkeys(found))


def written(text: str, key: str = "discussed") -> list[tuple[int, str]]:
    """Each address under ``key`` in the front matter of ``text``, with its
    line number (continuation lines included)."""
    found: list[tuple[int, str]] = []
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            break
        match = KEY_LINE.match(line)
        if match:
            inside = match.group("key").lower() == key
            value = match.group("value") if inside else ""
        elif CONTINUATION.match(line):
            value = line if inside else ""
        else:
            break
        found += [(number, item) for item in SEPARATORS.split(value) if item]
    return found
