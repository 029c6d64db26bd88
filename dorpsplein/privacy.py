"""Answering a citizen's privacy request (GDPR articles 15 and 17): everything
stored for one e-mail address, and erasing it (``./go privacy-export`` and
``./go privacy-erase``, docs/hosting.md "Privacy requests").

The stores:

- comments: Isso's database (``comments.email``). Erasing a comment with
  replies keeps its place in the thread the way Isso itself deletes one
  (mode 4, author and website gone) with the text "verwijderd op verzoek";
  one without replies is deleted (its likes live in its own row).
- the participation database: a follower by e-mail (``email_followers``,
  with its deliveries), supports and pending confirmations given with
  e-mail verification (``person`` is the keyed hash of the canonical address,
  ``people.People.email``), reports of ideas under that same hash (``reports``;
  the service stores a report under a cookie or a network, so mostly none), and
  the day's count of confirmation mails for the address (``rate_counts``).
  Ideas store a name and place but no address, and supports by cookie no
  address either: the export says so.

Each run gets a random request id (``new_request``): the export's file names
and the printed lines carry it, never the address nor anything computed from
it (a hash of the address would let anyone holding a log line or a file
name confirm that this address made a request). The officer's register of
requests links the id to the citizen.

Both databases are changed in one ``BEGIN IMMEDIATE`` transaction each, with
a busy timeout, so this runs while the services do. Erasing twice changes
nothing the second time.
"""

from __future__ import annotations

import html
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from .comment_rows import CLEAR_CONTACT, DELETED_MODE, EMPTY_VOTERS, exists, remove_stale
from .comment_rows import connect as _connect
from .participation.config import PUBLISH_REQUEST
from .participation.input_check import EMAIL, folded_email, invisible, sendable_email
from .participation.people import People
from .participation.store import DAILY, request_publish, transaction_and_close, utc_now

ERASED_TEXT = "verwijderd op verzoek"
IDEAS_NOTE = ("Ideeën worden niet aan een e-mailadres gekoppeld (alleen een naam en een "
              "woonplaats): vraag de burger naar de titel van het idee. / Ideas are not linked "
              "to an e-mail address; ask the citizen for the idea's title.")
COOKIE_NOTE = ("Steun die zonder e-mailbevestiging (met een cookie) is gegeven, is niet aan "
               "een e-mailadres gekoppeld.")
FOLLOW_SHOWN = "niet publiek getoond; nieuwe artikels worden naar dit adres gemaild"
SUPPORT_SHOWN = ("niet publiek getoond als persoon; telt mee in het aantal steunbetuigingen "
                 "bij het idee")
REPORT_SHOWN = ("niet publiek getoond; de moderator ziet het aantal meldingen bij het idee, "
                "niet wie meldde")
REPORTS_NOTE = ("Een melding van een idee wordt bewaard met een cookie of een ingekort "
                "netwerkadres, meestal niet met een e-mailadres: alleen meldingen die aan dit "
                "adres gekoppeld zijn, staan hierboven.")
IP_NOTE = ("Bij elke reactie wordt een ingekort IP-adres bewaard (het laatste deel is "
           "weggelaten): het staat bij de reactie als ip_address. Het wordt gebruikt tegen "
           "misbruik en na de bewaartermijn gewist.")


class PrivacyError(ValueError):
    """The request cannot be answered; the message says why in one sentence."""


@dataclass
class Stores:
    comments: Path | None  # Isso's SQLite database
    participation: Path | None  # the participation service's SQLite database
    participation_state: Path | None  # its state folder (secret, publish request)
    site_url: str = ""  # where comment threads are shown (SITEURL)


def checked_address(address: str) -> str:
    """The address trimmed, or PrivacyError when it is not an e-mail address."""
    value = (address or "").strip()
    if (not value or invisible(value) or not sendable_email(value).isascii()
            or not EMAIL.match(folded_email(value))):
        raise PrivacyError(f"{value!r} is not a valid e-mail address: give the address "
                           "the citizen used, e.g. --email naam@example.org.")
    return value


def new_request() -> str:
    """A random id for one privacy request (one run): 10 hex digits."""
    return secrets.token_hex(5)


def _spellings(address: str) -> list[str]:
    """The lower-cased spellings an address may be stored in."""
    return sorted({address.strip().lower(), sendable_email(address).lower()})


def _person(stores: Stores, address: str) -> str | None:
    """The keyed hash the participation service stores for this address, or
    None without the service's secret (then no support can be found)."""
    if stores.participation_state is None:
        return None
    secret = Path(stores.participation_state) / "secret"
    if not secret.is_file():
        return None
    value = secret.read_text(encoding="utf-8").strip()
    return People(value.encode("ascii")).email(sendable_email(address))


def _match(column: str, spellings: list[str]) -> tuple[str, list[str]]:
    marks = ", ".join("?" for _ in spellings)
    return f"lower(trim({column})) IN ({marks})", spellings


# -- export --------------------------------------------------------------------------------


def _comment_rows(db, address: str):
    where, args = _match("c.email", _spellings(address))
    return db.execute(
        "SELECT c.*, t.uri, t.title FROM comments c JOIN threads t ON t.id = c.tid "
        f"WHERE {where} ORDER BY c.id", args).fetchall()


def _export_comments(stores: Stores, address: str) -> list[dict]:
    if not exists(stores.comments):
        return []
    db = _connect(stores.comments)
    try:
        rows = _comment_rows(db, address)
    finally:
        db.close()
    base = stores.site_url.rstrip("/")
    items = []
    for row in rows:
        url = f"{base}{row['uri']}"
        items.append({
            "id": row["id"], "thread": row["title"] or row["uri"], "url": url,
            "author": row["author"], "website": row["website"], "text": row["text"],
            "created": _utc(row["created"]),
            "status": {1: "gepubliceerd", 2: "wacht op moderatie",
                       4: "verwijderd"}.get(row["mode"], str(row["mode"])),
            "reply_to": row["parent"],
            "shown": f"{url}#isso-{row['id']}", "notification": bool(row["notification"]),
            "ip_address": row["remote_addr"] or None,
        })
    return items


def _utc(stamp) -> str:
    return utc_now(float(stamp)) if stamp else ""


def _export_participation(stores: Stores, address: str) -> tuple[list, list, list, list]:
    if not exists(stores.participation):
        return [], [], [], []
    person = _person(stores, address)
    db = _connect(stores.participation)
    try:
        where, args = _match("address", _spellings(address))
        follow = [{"topics": "alles" if row["topics"] == "*" else row["topics"],
                   "confirmed": row["confirmed"],
                   "mails": db.execute("SELECT COUNT(*) FROM email_follow_deliveries WHERE "
                                       "follower = ?", (row["id"],)).fetchone()[0],
                   "shown": FOLLOW_SHOWN}
                  for row in db.execute(f"SELECT * FROM email_followers WHERE {where} "
                                        "ORDER BY id", args)]
        supports, pending, reports = [], [], []
        if person is not None:
            supports = [{"idea": row["title"], "idea_id": row["idea"],
                         "consultation": row["consultation"], "created": row["created"],
                         "shown": SUPPORT_SHOWN}
                        for row in db.execute(
                            "SELECT s.*, i.title FROM supports s JOIN ideas i ON i.id = s.idea "
                            "WHERE s.person = ? ORDER BY s.created", (person,))]
            pending = [{"idea": row["title"], "idea_id": row["idea"],
                        "consultation": row["consultation"],
                        "expires": _utc(row["expires"]),
                        "confirmed": _utc(row["confirmed"]) if row["confirmed"] else None,
                        "shown": "niet getoond (bevestigingslink die per e-mail werd "
                                 "verstuurd)"}
                       for row in db.execute(
                           "SELECT c.*, i.title FROM confirmations c JOIN ideas i ON "
                           "i.id = c.idea WHERE c.person = ? ORDER BY c.expires", (person,))]
            reports = [{"idea": row["title"], "idea_id": row["idea"],
                        "consultation": row["consultation"], "created": row["created"],
                        "shown": REPORT_SHOWN}
                       for row in db.execute(
                           "SELECT r.idea, r.created, i.title, i.consultation FROM reports r "
                           "JOIN ideas i ON i.id = r.idea WHERE r.person = ? "
                           "ORDER BY r.created", (person,))]
    finally:
        db.close()
    return follow, supports, pending, reports


def export(address: str, stores: Stores) -> dict:
    """Everything stored for ``address``, per store, each item with where it is shown."""
    address = checked_address(address)
    follow, supports, pending, reports = _export_participation(stores, address)
    notes = [COOKIE_NOTE, REPORTS_NOTE, IP_NOTE]
    if exists(stores.participation) and _person(stores, address) is None:
        notes.append("Het geheim van de participatiedienst ontbreekt: steun en meldingen "
                     "met e-mailbevestiging konden niet worden opgezocht.")
    return {
        "address": address,
        "request": new_request(),
        "generated": utc_now(),
        "stores": {
            "comments": _export_comments(stores, address),
            "email_follow": follow,
            "supports": supports,
            "support_confirmations": pending,
            "reports": reports,
            "ideas": {"note": IDEAS_NOTE},
            "notes": notes,
        },
    }


TITLES = {
    "comments": "Reacties",
    "email_follow": "Volgen per e-mail",
    "supports": "Steun (met e-mailbevestiging)",
    "support_confirmations": "Bevestigingslinks voor steun",
    "reports": "Meldingen van ideeën",
}


def to_html(data: dict) -> str:
    """A small accessible Dutch page: a table per store, every value escaped."""
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="nl">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>Gegevens opgeslagen voor een e-mailadres</title>",
             "<style>body{font-family:sans-serif;max-width:60rem;margin:1rem auto;"
             "padding:0 1rem;line-height:1.5}table{border-collapse:collapse;width:100%}"
             "th,td{border:1px solid #555;padding:.3rem;text-align:left;vertical-align:top}"
             "caption{text-align:left;font-weight:bold}</style>",
             "</head>", "<body>", "<main>",
             "<h1>Gegevens opgeslagen voor een e-mailadres</h1>",
             f"<p>Adres: <strong>{e(data['address'])}</strong>. Opgemaakt op "
             f"<time>{e(data['generated'])}</time> (UTC). Verzoek "
             f"<strong>{e(data.get('request', ''))}</strong>.</p>"]
    stores = data["stores"]
    for key, title in TITLES.items():
        items = stores.get(key) or []
        parts.append(f"<h2>{e(title)}</h2>")
        if not items:
            parts.append("<p>Niets opgeslagen.</p>")
            continue
        columns = list(items[0])
        parts.append(f"<table><caption>{e(title)}: {len(items)}</caption><thead><tr>")
        parts += [f'<th scope="col">{e(column)}</th>' for column in columns]
        parts.append("</tr></thead><tbody>")
        for item in items:
            cells = "".join(f"<td>{e('' if item.get(c) is None else str(item.get(c)))}</td>"
                            for c in columns)
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</tbody></table>")
    parts.append("<h2>Ideeën</h2>")
    parts.append(f"<p>{e(stores['ideas']['note'])}</p>")
    parts += [f"<p>{e(note)}</p>" for note in stores.get("notes", [])]
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def write_export(data: dict, folder: Path) -> tuple[Path, Path]:
    """The JSON and the HTML, 0600 in a 0700 folder, named by the request id
    and the date (UTC), never the address."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    request = data.setdefault("request", new_request())
    stem = f"privacy-{request}-{time.strftime('%Y%m%d', time.gmtime())}"
    written = []
    for suffix, text in ((".json", json.dumps(data, ensure_ascii=False, indent=2) + "\n"),
                         (".html", to_html(data))):
        path = folder / f"{stem}{suffix}"
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(partial, 0o600)
        os.replace(partial, path)
        written.append(path)
    return written[0], written[1]


# -- erase ---------------------------------------------------------------------------------


def _transaction(path: Path, action):
    """``action(db)`` in one BEGIN IMMEDIATE transaction on the database at ``path``."""
    return transaction_and_close(_connect(path), action)


def _erase_comments(db, address: str) -> dict:
    deleted = anonymised = 0
    # Newest first: a reply of theirs goes before the comment it answers, so
    # a comment whose only replies were their own is deleted, not kept.
    for row in reversed(_comment_rows(db, address)):
        replies = db.execute("SELECT 1 FROM comments WHERE parent = ? LIMIT 1",
                             (row["id"],)).fetchone()
        if replies is None:
            db.execute("DELETE FROM comments WHERE id = ?", (row["id"],))
            deleted += 1
        else:
            db.execute("UPDATE comments SET mode = ?, text = ?, author = NULL, "
                       f"website = NULL, {CLEAR_CONTACT} WHERE id = ?",
                       (DELETED_MODE, ERASED_TEXT, EMPTY_VOTERS, row["id"]))
            anonymised += 1
    # As Isso's own delete: a deleted comment left without replies goes too.
    stale = remove_stale(db)
    return {"comments_deleted": deleted, "comments_anonymised": anonymised,
            "deleted_comments_without_replies_removed": stale}


def _erase_participation(db, address: str, person: str | None) -> dict:
    where, args = _match("address", _spellings(address))
    followers = [row["id"] for row in db.execute(
        f"SELECT id FROM email_followers WHERE {where}", args)]
    deliveries = 0
    for follower in followers:
        deliveries += db.execute("DELETE FROM email_follow_deliveries WHERE follower = ?",
                                 (follower,)).rowcount
        db.execute("DELETE FROM email_followers WHERE id = ?", (follower,))
    supports = confirmations = reports = rate = 0
    if person is not None:
        supports = db.execute("DELETE FROM supports WHERE person = ?", (person,)).rowcount
        confirmations = db.execute("DELETE FROM confirmations WHERE person = ?",
                                   (person,)).rowcount
        reports = db.execute("DELETE FROM reports WHERE person = ?", (person,)).rowcount
        rate = db.execute("DELETE FROM rate_counts WHERE network = ?",
                          (DAILY + person,)).rowcount
    return {"email_followers": len(followers), "email_follow_deliveries": deliveries,
            "supports": supports, "support_confirmations": confirmations,
            "reports": reports, "rate_counts": rate}


def erase(address: str, stores: Stores) -> dict:
    """Remove or anonymise every item stored for ``address``; what was done, per
    store (all zeros when run again)."""
    address = checked_address(address)
    report: dict = {"request": new_request(), "comments": {}, "participation": {},
                    "notes": []}
    if exists(stores.comments):
        report["comments"] = _transaction(stores.comments,
                                          lambda db: _erase_comments(db, address))
    else:
        report["notes"].append("no comment database")
    if exists(stores.participation):
        person = _person(stores, address)
        if person is None:
            report["notes"].append("the participation service's secret is missing: supports "
                                   "given with e-mail verification could not be found")
        counts = _transaction(stores.participation,
                              lambda db: _erase_participation(db, address, person))
        report["participation"] = counts
        if counts["supports"] and stores.participation_state is not None:
            # The idea pages show support counts: ask for a publish, as a
            # moderator's decision does (app.ParticipationApp.request_publish).
            request_publish(Path(stores.participation_state) / PUBLISH_REQUEST)
            report["notes"].append("support counts changed: a publish was requested")
    else:
        report["notes"].append("no participation database")
    return report


def describe(report: dict, address: str | None = None) -> str:
    """What erase did, one line per store, under the request's random id.
    ``address`` is not printed (nor anything made from it)."""
    lines = [f"Privacy request {report.get('request') or new_request()}:"]
    for store in ("comments", "participation"):
        counts = report.get(store) or {}
        if counts:
            lines.append(f"  {store}: " + ", ".join(f"{key} {value}"
                                                    for key, value in counts.items()))
    lines += [f"  note: {note}" for note in report.get("notes", [])]
    return "\n".join(lines)
