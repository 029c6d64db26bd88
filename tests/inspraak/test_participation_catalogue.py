"""Every word the service shows exists in Dutch, and small parts behave."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from dorpsplein.participation import i18n
from dorpsplein.participation.guard import network_of
from dorpsplein.participation.i18n import LOCALE
from dorpsplein.participation.input_check import Fields
from dorpsplein.participation.origin_guard import origin_of

PACKAGE = LOCALE.parent
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extracted() -> set:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            PACKAGE, METHODS, keywords=KEYWORDS,
            options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}}):
        found.add(message if isinstance(message, str) else tuple(m for m in message if m))
    return found


def test_every_message_has_a_dutch_translation():
    with (LOCALE / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="nl")
    translated = {}
    for message in catalogue:
        if message.id:
            key = message.id if isinstance(message.id, str) else tuple(message.id)
            strings = [message.string] if isinstance(message.string, str) else message.string
            translated[key] = all(strings) and not message.fuzzy
    messages = extracted()
    assert len(messages) > 100
    missing = sorted(str(m) for m in messages if not translated.get(m))
    assert missing == []
    unused = sorted(str(k) for k in translated if k not in messages)
    assert unused == []


def test_dates_are_belgian_time_in_dutch():
    from datetime import UTC, datetime

    language = i18n.Language("nl", "Europe/Brussels")
    winter = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 21, 30, tzinfo=UTC)
    assert language.moment(winter) == {"date": "16 november 2026", "time": "9.00"}
    assert language.moment(summer) == {"date": "1 juli 2026", "time": "23.30"}
    assert language.gettext("The consultation opens on {date} at {time}.",
                            **language.moment(winter)) == \
        "De inspraak begint op 16 november 2026 om 9.00 uur."


def test_networks():
    assert network_of("192.0.2.77") == "192.0.2.0/24"
    assert network_of("::ffff:192.0.2.77") == "192.0.2.0/24"
    assert network_of("2001:db8:abcd:1234::1") == "2001:db8:abcd::/48"
    assert network_of("fe80::1%eth0") == "fe80::/48"
    assert network_of("geen adres") == "unknown"


def test_origins():
    assert origin_of("https://WWW.Lindeveld.be/inspraak/") == "https://www.lindeveld.be"
    assert origin_of("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    for wrong in ("null", "", "javascript:alert(1)", "https://", "http://x:99999", "ftp://a.be"):
        assert origin_of(wrong) is None, wrong


def test_fields_are_trimmed_normalised_and_bounded():
    i18n.use(i18n.Language("nl"))
    fields = Fields({"title": "  Cafe\u0301 op het plein \r\n", "text": "regel 1\r\nregel 2 ok",
                     "name": "An\x07", "place": "p" * 81, "email": "Jan@Voorbeeld.BE"})
    assert fields.text("title") == "Café op het plein"
    assert fields.text("text", multiline=True) == "regel 1\nregel 2 ok"
    fields.text("name")
    fields.text("place", required=False)
    assert fields.email() == "jan@voorbeeld.be"
    assert set(fields.errors) == {"name", "place"}
    assert "stuurtekens" in fields.errors["name"] and "80" in fields.errors["place"]
