"""Defaults and checks for the RELATED_READING_* settings."""

from __future__ import annotations

from dorpsplein_kit import Setting, whole_number

SETTINGS = (
    # How many related articles the end of an article shows, at most.
    Setting("RELATED_READING_MAX", 3,
            whole_number(0, "must be a whole number of 0 or more (0 shows none), such as 3,")),
)
