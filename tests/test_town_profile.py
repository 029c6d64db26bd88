"""The town profile (town.toml) is the one place for the town's facts: the settings,
the pages (placeholders) and the deploy configurations come from it, and a
mistake in it is one sentence naming the file, the key and the fix."""

from __future__ import annotations

import re
import tomllib

import pytest

from dorpsplein import town
from dorpsplein.build import ROOT, BuildFailed


def profile_text() -> str:
    return (ROOT / "town.toml").read_text(encoding="utf-8")


def test_the_shipped_profile_gives_the_settings():
    profile = town.load(ROOT / "town.toml")
    settings = town.settings(profile)
    assert settings["TOWN_NAME"] == "Lindeveld"
    assert settings["TOWN_CONTACT"]["address"] == ["Marktplein 1", "9999 Lindeveld"]
    assert settings["TOWN_SOCIAL"]["mastodon"].startswith("https://")
    assert settings["TOWN_PUBLIC_URL"] == "https://blog.lindeveld.example"
    assert settings["TOWN_COMMENTS_URL"] == ""
    assert town.public_comments_url(profile) == "https://blog.lindeveld.example/comments"


def test_pelicanconf_has_no_town_facts_of_its_own():
    """Every fact lives in town.toml: pelicanconf.py names none of them."""
    conf = (ROOT / "pelicanconf.py").read_text(encoding="utf-8")
    code = "\n".join(line for line in conf.splitlines() if not line.lstrip().startswith("#"))
    for fact in ("Lindeveld", "lindeveld", "Marktplein", "09 123 45 67", "#1d5c3a",
                 "6f1d9a52"):
        assert fact not in code, fact


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace('name = "Lindeveld"', 'name = "Lindeveld'),
     r"town\.toml:\d+: this is not valid TOML \(.*\): text goes in \"quotes\", lists in "
     r"\[brackets\]\."),
    (lambda t: t.replace("[contact]", "[contatc]"),
     r"town\.toml: 'contatc' is not a section of the town profile — did you mean 'contact'\?"),
    (lambda t: t.replace("phone =", "fone ="),
     r"town\.toml: 'fone' is not a key of \[contact\] — did you mean 'phone'\?"),
    (lambda t: t.replace('phone = "09 123 45 67"', "phone = 91234567"),
     r"town\.toml: \[contact\] phone = 91234567 must be text in \"quotes\"\."),
    (lambda t: t.replace('url = "https://blog.lindeveld.example"', 'url = "blog.lindeveld.be"'),
     r"town\.toml: \[web\] url = 'blog\.lindeveld\.be' must be the blog's full address, .*"),
    (lambda t: re.sub(r'feed_id_namespace = "[^"]*"', 'feed_id_namespace = "123"', t),
     r"town\.toml: \[web\] feed_id_namespace = '123' is not a UUID — use a new one such as "
     r"\"[0-9a-f-]{36}\" .*"),
    (lambda t: t.replace('site_name = "Lindeveld in gesprek"', 'site_name = ""'),
     r"town\.toml: \[town\] site_name is empty — fill it in\."),
    (lambda t: t.replace("comments_port = 8080", "comments_port = 80"),
     r"town\.toml: \[hosting\] comments_port = 80 must be a port between 1024 and 65535.*"),
])
def test_a_mistake_in_the_profile_is_one_sentence(tmp_path, change, expected):
    path = tmp_path / "town.toml"
    path.write_text(change(profile_text()), encoding="utf-8")
    with pytest.raises(town.ProfileError) as error:
        town.load(path)
    message = str(error.value)
    assert "\n" not in message
    assert re.fullmatch(expected, message), message


def test_a_profile_mistake_stops_the_build_in_one_line(build_site, tmp_path):
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "town.toml").write_text(profile_text().replace("[social]", "[socail]"), "utf-8")
    (folder / "pelicanconf.py").write_text(
        (ROOT / "pelicanconf.py").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_site(settings_file=str(folder / "pelicanconf.py"))
    [line] = failed.value.problems
    assert "Traceback" not in line and "\n" not in line
    assert "town.toml: 'socail' is not a section of the town profile — did you mean 'social'?" \
        in line


def test_every_key_of_the_profile_is_documented_in_it():
    data = tomllib.loads(profile_text())
    text = profile_text()
    for section, keys in town.SCHEMA.items():
        assert f"[{section}]" in text
        for key in keys:
            if key in data.get(section, {}):
                # The line before each key (or its block) is a comment.
                before = text.split(f"\n{key} =", 1)[0].rstrip().splitlines()[-1]
                assert before.startswith("#") or "=" in before, (section, key)


@pytest.mark.slow
def test_pages_take_the_facts_from_the_profile(sample_site):
    contact = sample_site.html("/contact/")
    text = contact.get_text(" ", strip=True)
    assert "Gemeentehuis Lindeveld" in text and "Marktplein 1" in text
    assert contact.select_one('a[href="mailto:communicatie@lindeveld.example"]')
    privacy = sample_site.html("/privacyverklaring/")
    assert privacy.select_one('a[href="mailto:dpo@lindeveld.example"]')
    for page in sample_site.output.rglob("*.html"):
        assert "{{" not in page.read_text(encoding="utf-8"), page
