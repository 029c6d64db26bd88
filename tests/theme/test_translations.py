"""Every interface string goes through gettext and has a Dutch translation."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from dorpsplein.build import ROOT

THEME = ROOT / "theme"
CATALOGUE = THEME / "translations" / "nl" / "LC_MESSAGES" / "messages.po"


def template_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(THEME / "templates"),
        method_map=[("**.html", "jinja2"), ("**.css", "jinja2")],
        options_map={
            pattern: {"extensions": "jinja2.ext.i18n"} for pattern in ("**.html", "**.css")
        },
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def dutch_catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="nl")


def test_templates_contain_translatable_strings():
    assert len(template_messages()) > 30


def test_every_template_string_has_a_dutch_translation():
    catalogue = dutch_catalogue()
    missing, untranslated = [], []
    for msgid in sorted(template_messages()):
        message = catalogue.get(msgid)
        if message is None:
            missing.append(msgid)
        elif message.fuzzy or not all(message.string if isinstance(message.string, tuple)
                                      else [message.string]):
            untranslated.append(msgid)
    assert not missing, f"not in {CATALOGUE.name} (run invoke translations): {missing}"
    assert not untranslated, f"no Dutch text yet: {untranslated}"


def test_templates_have_no_untranslated_visible_text():
    """Text between tags must come from _() or from data, never be written inline."""
    offenders = []
    for path in (THEME / "templates").rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)  # comments
        source = re.sub(r"\{[{%].*?[%}]\}", "", source, flags=re.S)  # Jinja
        for text in re.findall(r">([^<]+)<", source):
            words = re.sub(r"[\s·›:(),.|/-]+", " ", text).strip()
            if re.search(r"[A-Za-z]{2,}", words):
                offenders.append(f"{path.relative_to(ROOT)}: {words!r}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.slow
def test_no_english_interface_string_reaches_the_site(sample_site):
    catalogue = dutch_catalogue()
    english = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            fixed = re.split(r"%\(\w+\)[sd]", msgid)
            longest = max(fixed, key=len).strip(" .,:“”")
            if len(longest) > 3 and longest not in strings and not any(
                longest in s for s in strings
            ):
                english.add(longest)
    assert "Skip to content" in english
    leaks = []
    for page in sample_site.pages():
        doc = sample_site.html(sample_site.url_of(page))
        for element in doc.select("header.site-header, nav, footer.site-footer, .article-meta, "
                                  ".pagination, .prev-next, .page-title, .skip-link, .page-intro"):
            text = element.get_text(" ")
            labels = " ".join(el.get("aria-label", "") for el in element.find_all(True))
            labels += " " + element.get("aria-label", "")
            for phrase in english:
                if re.search(rf"\b{re.escape(phrase)}\b", text + " " + labels):
                    leaks.append(f"{sample_site.url_of(page)}: {phrase!r}")
    assert not leaks, "\n".join(sorted(set(leaks)))
