"""Defaults and checks for the design-token settings."""

from __future__ import annotations

from dorpsplein_kit import Setting, fail


def file_name(name, value, settings):
    if not isinstance(value, str) or value.startswith("/") or ".." in value.split("/"):
        raise fail(name, value, "must be the name of a JSON file under content/, such as "
                   "'town/tokens.json', or \"\" for none,")
    return value


SETTINGS = (
    # The town's own design tokens, overriding the theme's (theme/tokens.json):
    # a file under content/ in the W3C Design Tokens format, or "" for none.
    Setting("TOWN_TOKENS", "", file_name),
)
