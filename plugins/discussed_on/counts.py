"""A post's public counts from Mastodon and Bluesky, asked by the build.

``Counts(settings).of(posts)`` gives every counted post's counts —
``{"replies", "reposts", "likes"}`` — or None:

- a post whose counts were fetched less than ``DISCUSSED_ON_MAX_AGE_HOURS``
  ago is not asked again: its copy in ``CACHE_PATH/discussed_on/`` is used;
- the others are asked all at once (``WORKERS`` threads), every request
  with what is left of one ``DISCUSSED_ON_TIMEOUT`` for all of them: a build
  waits at most about one timeout, however many posts it shows. Every
  thread has ended when ``of`` returns (the build may fork after it), except
  one that is still waiting for the name server (which no timeout bounds):
  it is left behind, its post counted as not answering, and it stops once
  the name server answers;
- a post that does not answer (no network, a timeout, an error, an answer
  that is not a post's counts) keeps its last copy, and is not asked again
  for ``RETRY`` (at most the maximum age): an offline preview waits once.
  Without a copy the post is shown without counts.

Nothing here logs: the strict build would fail on a warning. ``note`` holds
the one line the plugin prints on stderr when a network did not answer.

Mastodon: ``GET {server}/api/v1/statuses/{id}`` → ``replies_count``,
``reblogs_count``, ``favourites_count``. Bluesky (``DISCUSSED_ON_BLUESKY_API``):
a handle is resolved once (``com.atproto.identity.resolveHandle``, the did
is kept with the copy), then ``app.bsky.feed.getPosts?uris=at://…`` →
``replyCount``, ``repostCount``, ``likeCount``. Answers are read up to
``MAX_BYTES``, without redirects, and must have exactly that shape (whole
numbers of 0 or more, the post that was asked); nothing else from them is
kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from dorpsplein_kit import write_if_changed

from .posts import DID, Post

WORKERS = 8
# An answer larger than this is no post's counts.
MAX_BYTES = 512 * 1024
# A thread may take this much longer than the timeout to end (it is between
# two reads when the time is up).
GRACE = 0.25
# After a post did not answer, it is not asked again for this long (at most
# DISCUSSED_ON_MAX_AGE_HOURS): a preview without network waits once, not at
# every save.
RETRY = timedelta(minutes=10)
LARGEST = 10**12
MOMENT = "%Y-%m-%d %H:%M"
USER_AGENT = "Dorpsplein (discussed_on; public counts of a town's posts)"


def N_(message: str) -> str:
    """A message said later, in the editor's language (extracted as a msgid)."""
    return message


# Why a network gave no usable answer (English msgids; said in EDITOR_LANGUAGE).
TIMED_OUT = N_("no answer in time")
NOT_COUNTS = N_("an answer that is not a post's counts")
TOO_LARGE = N_("an answer larger than 512 kB")
GONE = N_("the post is not there any more")


class Unanswered(Exception):
    """No usable answer; the reason is the exception's text."""


def _left(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Unanswered(TIMED_OUT)
    return remaining


def get_json(url: str, deadline: float):
    """The JSON at ``url`` (GET, no redirects), read before ``deadline``
    (``time.monotonic()``), or Unanswered/OSError."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else \
        http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=_left(deadline))
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers={"Accept": "application/json",
                                                   "User-Agent": USER_AGENT})
        # (The response keeps reading from this socket after an HTTP/1.0
        # answer has made the connection let go of it.)
        sock = connection.sock
        sock.settimeout(_left(deadline))
        response = connection.getresponse()
        if response.status != 200:
            raise Unanswered(f"HTTP {response.status}")
        body = bytearray()
        while True:
            sock.settimeout(_left(deadline))
            chunk = response.read1(65536)
            if not chunk:
                break
            body += chunk
            if len(body) > MAX_BYTES:
                raise Unanswered(TOO_LARGE)
    finally:
        connection.close()
    try:
        return json.loads(bytes(body))
    except (ValueError, RecursionError) as error:
        raise Unanswered(NOT_COUNTS) from error


def _counts(data, replies: str, reposts: str, likes: str) -> dict:
    found = {}
    for name, key in (("replies", replies), ("reposts", reposts), ("likes", likes)):
        value = data.get(key) if isinstance(data, dict) else None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LARGEST:
            raise Unanswered(NOT_COUNTS)
        found[name] = value
    return found


def valid_counts(value) -> dict | None:
    try:
        return _counts(value, "replies", "reposts", "likes")
    except Unanswered:
        return None


def ask_mastodon(post: Post, record: dict, api: str, deadline: float) -> dict:
    data = get_json(f"{post.server}/api/v1/statuses/{post.post_id}", deadline)
    if not isinstance(data, dict) or str(data.get("id")) != post.post_id:
        raise Unanswered(NOT_COUNTS)
    return {"counts": _counts(data, "replies_count", "reblogs_count", "favourites_count")}


def ask_bluesky(post: Post, record: dict, api: str, deadline: float) -> dict:
    did = post.actor if DID.match(post.actor) else record.get("did")
    if not did:
        data = get_json(f"{api}/xrpc/com.atproto.identity.resolveHandle?handle="
                        f"{quote(post.actor, safe='')}", deadline)
        did = data.get("did") if isinstance(data, dict) else None
        if not isinstance(did, str) or not DID.match(did):
            raise Unanswered(NOT_COUNTS)
    uri = f"at://{did}/app.bsky.feed.post/{post.post_id}"
    data = get_json(f"{api}/xrpc/app.bsky.feed.getPosts?uris={quote(uri, safe='')}", deadline)
    found = data.get("posts") if isinstance(data, dict) else None
    if found == []:
        raise Unanswered(GONE)
    if not isinstance(found, list) or len(found) != 1 or not isinstance(found[0], dict) \
            or found[0].get("uri") != uri:
        raise Unanswered(NOT_COUNTS)
    return {"counts": _counts(found[0], "replyCount", "repostCount", "likeCount"), "did": did}


ASK = {"mastodon": ask_mastodon, "bluesky": ask_bluesky}


def reason_of(error: BaseException) -> str:
    """One short line: why the question got no answer."""
    if isinstance(error, Unanswered):
        return str(error)
    if isinstance(error, TimeoutError):
        return TIMED_OUT
    text = getattr(error, "strerror", None) or getattr(error, "reason", None) or str(error)
    return " ".join(str(text).split()) or error.__class__.__name__


def ask_all(questions: list, deadline: float) -> list:
    """Run ``questions`` (functions of the deadline) at once, in up to
    ``WORKERS`` threads; each result is ``(True, answer)`` or ``(False, reason)``."""
    results: list = [(False, TIMED_OUT)] * len(questions)
    waiting = deque(enumerate(questions))

    def work() -> None:
        while True:
            try:
                number, question = waiting.popleft()
            except IndexError:
                return
            try:
                results[number] = (True, question(deadline))
            except Exception as error:  # noqa: BLE001 - any failure: no answer
                results[number] = (False, reason_of(error))

    threads = [threading.Thread(target=work, name="discussed_on", daemon=True)
               for _ in range(min(WORKERS, len(questions)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline + GRACE - time.monotonic()))
    waiting.clear()  # a thread left behind asks nothing more
    return list(results)


def _moment(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class Counts:
    """The counts of a build's posts (see the module's text)."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.api = settings["DISCUSSED_ON_BLUESKY_API"]
        self.timeout = settings["DISCUSSED_ON_TIMEOUT"]
        self.max_age = timedelta(hours=settings["DISCUSSED_ON_MAX_AGE_HOURS"])
        self.retry = min(RETRY, self.max_age)
        self.folder = Path(settings.get("CACHE_PATH") or "cache") / "discussed_on"
        self.zone = ZoneInfo(settings.get("TIMEZONE") or "Europe/Brussels")
        # What did not answer: [(host, reason, copied moment or None)].
        self.unanswered: list[tuple[str, str, datetime | None]] = []

    def path(self, url: str) -> Path:
        return self.folder / (hashlib.sha256(url.encode("utf-8")).hexdigest()[:32] + ".json")

    def load(self, url: str) -> dict:
        """The copy kept for ``url``, its fields checked (a broken one is none)."""
        none = {"url": url, "counts": None, "fetched": None, "tried": None, "failed": None}
        try:
            data = json.loads(self.path(url).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return none
        if not isinstance(data, dict) or data.get("url") != url:
            return none
        record = {"url": url, "counts": valid_counts(data.get("counts")),
                  "fetched": _moment(data.get("fetched")), "tried": _moment(data.get("tried")),
                  "failed": data.get("failed") if isinstance(data.get("failed"), str) else None}
        if isinstance(data.get("did"), str) and DID.match(data["did"]):
            record["did"] = data["did"]
        if record["counts"] is None or record["fetched"] is None:
            record["counts"] = record["fetched"] = None
        return record

    def keep(self, record: dict) -> None:
        data = {key: value.isoformat() if isinstance(value, datetime) else value
                for key, value in record.items() if value is not None}
        # A cache that cannot be written costs a question next time, no more.
        with contextlib.suppress(OSError):
            write_if_changed(self.path(record["url"]),
                             json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
                             + "\n")

    def host(self, post: Post) -> str:
        return urlsplit(post.server if post.network == "mastodon" else self.api).netloc

    def of(self, posts: list[Post]) -> dict[str, dict | None]:
        """Every counted post's counts (by address), or None."""
        now = datetime.now(UTC)
        found: dict[str, dict | None] = {}
        asked = []
        unique = {post.url: post for post in posts if post.counted}
        for url, post in unique.items():
            record = self.load(url)
            # (A moment in the future, a copy from a clock that was wrong, is not fresh.)
            if record["counts"] is not None and \
                    timedelta(0) <= now - record["fetched"] < self.max_age:
                found[url] = record["counts"]
            elif record["failed"] and record["tried"] and \
                    timedelta(0) <= now - record["tried"] < self.retry:
                self.missed(post, record["failed"], record)
                found[url] = record["counts"]
            else:
                asked.append((post, record))
        deadline = time.monotonic() + self.timeout
        questions = [lambda deadline, post=post, record=record:
                     ASK[post.network](post, record, self.api, deadline)
                     for post, record in asked]
        for (post, record), (answered, answer) in zip(asked, ask_all(questions, deadline),
                                                      strict=True):
            if answered:
                record = {"url": post.url, "fetched": now, "tried": now, **answer}
            else:
                record = {**record, "tried": now, "failed": answer}
                self.missed(post, answer, record)
            self.keep(record)
            found[post.url] = record["counts"]
        return found

    def missed(self, post: Post, reason: str, record: dict) -> None:
        self.unanswered.append((self.host(post), reason, record.get("fetched")))

    def note(self, _, ngettext) -> str | None:
        """The one line to print when a network did not answer, or None."""
        if not self.unanswered:
            return None
        hosts = ", ".join(sorted({host for host, _reason, _copy in self.unanswered}))
        reason = _(sorted(self.unanswered)[0][1])
        copies = [copy for _host, _reason, copy in self.unanswered if copy is not None]
        without = len(self.unanswered) - len(copies)
        when = min(copies).astimezone(self.zone).strftime(MOMENT) if copies else ""
        if not without:
            line = _("Discussed on: no answer from {hosts} ({reason}): the counts are from "
                     "the copy of {when}.")
        elif not copies:
            line = ngettext("Discussed on: no answer from {hosts} ({reason}): {count} post is "
                            "shown without counts.",
                            "Discussed on: no answer from {hosts} ({reason}): {count} posts are "
                            "shown without counts.", without)
        else:
            line = ngettext("Discussed on: no answer from {hosts} ({reason}): the counts are "
                            "from the copy of {when}, {count} post is shown without them.",
                            "Discussed on: no answer from {hosts} ({reason}): the counts are "
                            "from the copy of {when}, {count} posts are shown without them.",
                            without)
        return line.format(hosts=hosts, reason=reason, when=when, count=without)
