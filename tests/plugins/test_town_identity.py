"""TOWN_* settings reach the page, and wrong values stop the build with a sentence."""

from __future__ import annotations

import re

import pytest
from stop_lines import stop_line
from town_identity.settings import (
    contrast_ratio,
    darker_shade,
    parse_hex,
)

WHITE = (255, 255, 255)


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio((0, 0, 0), WHITE) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, WHITE) == pytest.approx(1.0)
    # #767676 is the classic lightest grey that passes 4.5:1 on white.
    assert contrast_ratio(parse_hex("#767676"), WHITE) == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio(parse_hex("#777777"), WHITE) < 4.5


@pytest.mark.parametrize("colour", ["#7fbf7f", "#ffcc00", "#3fa9f5", "#e2001a"])
def test_suggested_darker_shade_passes_and_stays_close(colour):
    shade = darker_shade(parse_hex(colour))
    ratio = contrast_ratio(parse_hex(shade), WHITE)
    assert 4.5 <= ratio < 5.0, f"{shade} should be just dark enough, got {ratio:.2f}"


@pytest.mark.slow
def test_branding_settings_reach_the_page(build_site):
    site = build_site(
        TOWN_NAME="Beekdorp",
        SITENAME="Beekdorp spreekt",
        SITESUBTITLE="De blog van Beekdorp",
        TOWN_BRAND_COLOUR="#0b4f8a",
        TOWN_SOCIAL={"mastodon": "https://social.example/@beekdorp"},
    )
    doc = site.html("/")
    href = doc.select_one('link[href^="/theme/css/tokens."]')["href"]
    assert re.fullmatch(r"/theme/css/tokens\.[0-9a-f]{10}\.css", href)
    tokens_css = site.path(href).read_text()
    assert re.search(r"--color-brand-base:\s*#0b4f8a;", tokens_css)
    assert re.search(r"--color-header-bg:\s*#0b4f8a;", tokens_css)
    assert doc.select_one(".site-header__name").get_text() == "Beekdorp spreekt"
    assert doc.select_one(".home-intro__lead").get_text() == "De blog van Beekdorp"
    logo = doc.select_one("svg.site-header__logo")  # inline: no request, no layout shift
    assert logo["width"] == "48" and logo["aria-hidden"] == "true"
    assert doc.select_one('link[rel="icon"]')["href"].startswith("data:image/svg+xml,%3Csvg")
    assert [a.get_text() for a in doc.select('footer a[rel="me"]')] == ["Beekdorp op Mastodon"]


@pytest.mark.slow
def test_site_without_logo_or_profiles_builds(build_site):
    doc = build_site(TOWN_LOGO="", TOWN_SOCIAL={}).html("/")
    assert doc.select_one(".site-header__logo") is None
    assert doc.select('footer a[rel="me"]') == []


def test_brand_colour_with_poor_contrast_stops_the_build_with_a_darker_suggestion(build_site):
    line = stop_line(build_site, TOWN_BRAND_COLOUR="#7fbf7f")
    assert line.startswith("TOWN_BRAND_COLOUR = '#7fbf7f' has a contrast of 2.17:1")
    suggestion = re.search(r"such as '(#[0-9a-f]{6})'", line).group(1)
    assert contrast_ratio(parse_hex(suggestion), WHITE) >= 4.5


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"TOWN_BRAND_COLOUR": "green"}, "TOWN_BRAND_COLOUR = 'green' is not a colour"),
        ({"TOWN_NAME": " "}, "TOWN_NAME is empty"),
        ({"TOWN_LOGO": "images/nope.svg"}, "TOWN_LOGO = 'images/nope.svg' does not exist"),
        ({"TOWN_SOCIAL": {"myspace": "https://myspace.com/x"}},
         "TOWN_SOCIAL has an unknown network 'myspace'"),
        ({"TOWN_SOCIAL": {"facebook": "facebook.com/x"}},
         "TOWN_SOCIAL['facebook'] = 'facebook.com/x' is not a full https:// address"),
        ({"TOWN_CONTACT": {"email": "info(at)town"}},
         "TOWN_CONTACT['email'] = 'info(at)town' is not an e-mail address"),
        ({"MENU_PAGES": ["contactt"]}, "MENU_PAGES names 'contactt'"),
        ({"SITE_LOCALE": "xx_YY"}, "SITE_LOCALE = 'xx_YY' is not a locale"),
        ({"DEFAULT_LANG": "fr"}, "DEFAULT_LANG = 'fr' has no catalogue"),
        ({"READING_TIME_WPM": 0}, "READING_TIME_WPM = 0 must be a whole number"),
    ],
)
def test_wrong_setting_stops_the_build_naming_it(build_site, overrides, expected):
    line = stop_line(build_site, **overrides)
    assert line.startswith(expected), line


@pytest.mark.parametrize("colour", ["#1d5c3a", "#0b4f8a", "#6a1b9a", "#b3261e", "#000000"])
def test_dark_mode_shade_reads_on_every_dark_background(colour):
    from town_identity.settings import check_colour

    shade = parse_hex(check_colour(colour)["brand_on_dark"])
    for background in ((18, 18, 18), (28, 30, 32)):  # --bg and --surface in dark mode
        assert contrast_ratio(shade, background) >= 4.5
