"""Design tokens are the single source of the look: every colour, size and space
the theme's CSS uses is a token, a town changes tokens (never CSS), and every
text/background pair is checked for WCAG 2.1 AA contrast in both modes."""

from __future__ import annotations

import json
import re

import pytest
from dorpsplein_kit.colours import contrast_ratio, parse_hex
from dorpsplein_kit.settings import SettingsError
from dorpsplein_kit.tokens import CONTRAST_PAIRS, design_tokens
from stop_lines import stop_line

from dorpsplein.build import ROOT

THEME = ROOT / "theme"
CSS_FILES = sorted((THEME / "static" / "css").rglob("*.css"))


def tokens_for(tmp_path=None, colour="#1d5c3a", town_file=None):
    settings = {"THEME": str(THEME), "PATH": str(tmp_path or ROOT / "content"),
                "TOWN_BRAND_COLOUR": colour}
    if town_file:
        settings["TOWN_TOKENS"] = town_file
    return design_tokens(settings)


def test_the_theme_css_uses_only_tokens():
    """No colour literal in the theme's CSS, and no custom property that is not
    a token (or a component's own, declared in the same file)."""
    properties = {t.property for t in tokens_for().tokens.values()}
    assert len(CSS_FILES) >= 3
    for path in CSS_FILES:
        css = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
        declared_here = set(re.findall(r"(--[a-z0-9-]+)\s*:", css))
        used = set(re.findall(r"var\((--[a-z0-9-]+)", css))
        assert used - properties - declared_here == set(), path.name
        print_rules = css.split("@media print", 1)[0]  # print is black on white paper
        assert re.findall(r"#[0-9a-fA-F]{3,8}\b", print_rules) == [], path.name


def test_every_contrast_pair_passes_in_both_modes_for_many_brand_colours():
    for colour in ("#1d5c3a", "#0b4f8a", "#8a1d1d", "#6b2d8a", "#555555", "#000000"):
        tokens = tokens_for(colour=colour)
        for fore, back, minimum in CONTRAST_PAIRS:
            for mode in ("light", "dark"):
                ratio = contrast_ratio(parse_hex(tokens.value(fore, mode)),
                                       parse_hex(tokens.value(back, mode)))
                assert ratio >= minimum, (colour, fore, back, mode, ratio)


def test_dark_mode_keeps_the_towns_colour_in_the_header():
    tokens = tokens_for(colour="#0b4f8a")
    dark_header = parse_hex(tokens.value("color.header-bg", "dark"))
    assert dark_header != parse_hex(tokens.value("color.bg", "dark"))
    red, green, blue = dark_header
    assert blue > red and blue > 40, "the dark header is a shade of the town's blue, not black"


def test_stylesheet_has_every_token_and_the_dark_values(build_site):
    site = build_site()
    href = site.html("/").select_one('link[href^="/theme/css/tokens."]')["href"]
    css = site.path(href).read_text()
    light, _, dark = css.partition("@media (prefers-color-scheme: dark)")
    tokens = tokens_for()
    for token in tokens.tokens.values():
        assert f"{token.property}: {token.light};" in light
        if token.dark != token.light:
            assert f"{token.property}: {token.dark};" in dark
    # The tokens come first: main.css only uses them.
    links = [link["href"] for link in site.html("/").select('link[rel="stylesheet"]')]
    assert links[0] == href and "/main." in links[1]


def test_a_town_file_changes_the_look_without_css(build_site, content_copy):
    (content_copy / "town").mkdir()
    (content_copy / "town" / "tokens.json").write_text(json.dumps({
        "color": {"text": {"$value": "#102030", "$extensions": {"org.dorpsplein.dark": "#f0f0f0"}}},
        "radius": {"m": {"$value": {"value": 0, "unit": "px"}}},
    }), encoding="utf-8")
    site = build_site(content=content_copy, TOWN_TOKENS="town/tokens.json")
    href = site.html("/").select_one('link[href^="/theme/css/tokens."]')["href"]
    css = site.path(href).read_text()
    assert "--color-text: #102030;" in css and "--color-text: #f0f0f0;" in css
    assert "--radius-m: 0px;" in css
    assert "--color-bg: #ffffff;" in css  # everything else stays the theme's


@pytest.mark.parametrize(("town_tokens", "expected"), [
    ({"color": {"text-muted": {"$value": "#9aa0a6"}}},
     r"The design token color\.text-muted \(#9aa0a6\) has a contrast of 2\.\d\d:1 on "
     r"color\.bg \(#ffffff\) in light mode, but text needs 4\.5:1 \(WCAG 2\.1 AA\): set "
     r"color\.text-muted in .*town/tokens\.json to a shade such as '(#[0-9a-f]{6})'\."),
    ({"color": {"focus": {"$value": "#b3541e", "$extensions": {"org.dorpsplein.dark": "#552200"}}}},
     r"The design token color\.focus \(#552200\) has a contrast of 1\.\d\d:1 on color\.bg "
     r"\(#121314\) in dark mode, but a focus outline or a control's edge needs 3:1 .*"
     r"color\.focus \(dark mode\) in .*such as '(#[0-9a-f]{6})'\."),
    ({"color": {"txt": {"$value": "#000000"}}},
     r".*town/tokens\.json: color\.txt is not one of the theme's tokens: check the spelling.*"),
    ({"color": {"brand": {"base": {"$value": "#ff0000"}}}},
     r".*town/tokens\.json: color\.brand\.base is computed from TOWN_BRAND_COLOUR.*"),
    ({"color": {"link": {"$value": "{color.linc}"}}},
     r".*color\.link refers to \{color\.linc\}, which is not a token.*"),
    ({"space": {"m": {"$value": {"value": 1, "unit": "furlong"}}}},
     r".*space\.m has the dimension .*write \{\"value\": 1\.5, \"unit\": \"rem\"\}.*"),
])
def test_a_wrong_town_token_stops_the_build_naming_token_and_file(
        build_site, content_copy, town_tokens, expected):
    (content_copy / "town").mkdir()
    (content_copy / "town" / "tokens.json").write_text(json.dumps(town_tokens), "utf-8")
    line = stop_line(build_site, content=content_copy, TOWN_TOKENS="town/tokens.json")
    match = re.fullmatch(expected, line)
    assert match, line
    if match.groups():  # the suggested shade really passes
        back = "#ffffff" if "light mode" in line else "#121314"
        minimum = 3.0 if "focus" in line else 4.5
        assert contrast_ratio(parse_hex(match.group(1)), parse_hex(back)) >= minimum


def test_a_broken_tokens_file_names_its_line(tmp_path):
    (tmp_path / "tokens.json").write_text('{\n  "color": {\n    "text": {"$value": "#000"},,\n',
                                          encoding="utf-8")
    with pytest.raises(SettingsError, match=r"tokens\.json:3:\d+: this is not valid JSON"):
        tokens_for(tmp_path, town_file="tokens.json")


def test_a_missing_town_file_is_named(tmp_path):
    with pytest.raises(SettingsError, match=r"TOWN_TOKENS = 'nope\.json' is not a file"):
        tokens_for(tmp_path, town_file="nope.json")
