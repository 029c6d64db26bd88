"""The site_search plugin's settings, their defaults and checks."""

from __future__ import annotations

import re

from dorpsplein_kit import Setting, fail

FOLDER = re.compile(r"[a-z0-9][a-z0-9_-]*")


def folder_name(name, value, settings):
    if not isinstance(value, str) or not FOLDER.fullmatch(value):
        raise fail(name, value, "must be one folder name of lower-case letters, digits, "
                                "'-' or '_', such as \"pagefind\",")
    return value


SETTINGS = (
    # The folder under the output where Pagefind writes its bundle (index,
    # fragments, pagefind.js and its WebAssembly).
    Setting("SITE_SEARCH_BUNDLE", "pagefind", folder_name),
)
