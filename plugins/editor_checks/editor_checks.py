"""Runs the editor checks (checks.py) at the start of every build.

Errors are logged as errors (the strict build fails and names them) and the
files that have them are left out of the build, so the rest of the site is
still built — in the local preview, a good article next to a bad one still
shows. Warnings are logged as advisory: printed, never failing a build
(`invoke check --strict` fails on them).

Other plugins tell the checks which front-matter keys they read and which
values those accept through their contract (``CONTRACT.front_matter``, see
``dorpsplein_kit.contracts``); every plugin is loaded before ``initialized``,
so the place of ``editor_checks`` in PLUGINS does not matter.

The findings are said in ``EDITOR_LANGUAGE`` ("nl", or "en"; checked here,
a wrong value stops the build naming it) through this plugin's catalogue,
``locale/nl/LC_MESSAGES/messages.po``.

Settings: ``EDITOR_CHECKS_SUMMARY_MAX`` (200 characters),
``EDITOR_CHECKS_MAX_BYTES`` (1,000,000), ``EDITOR_LANGUAGE`` ("nl").
"""

from __future__ import annotations

import glob
import logging

from dorpsplein_kit import EDITOR_LANGUAGE, Setting, merge
from pelican import signals

from .checks import Checker

logger = logging.getLogger(__name__)

SETTINGS = (
    # Longer summaries get a warning: social previews cut them.
    Setting("EDITOR_CHECKS_SUMMARY_MAX", 200),
    Setting("EDITOR_CHECKS_MAX_BYTES", 1_000_000),
    # The language of the findings: "nl" or "en" (shared with the build and the preview).
    EDITOR_LANGUAGE,
)


def run_checks(pelican) -> None:
    settings = merge(pelican.settings, SETTINGS)
    checker = Checker(settings)
    for finding in checker.run():
        if finding.severity == "error":
            logger.error("%s", finding)
        else:
            logger.warning("%s", finding, extra={"advisory": True})
    ignore = list(settings.get("IGNORE_FILES", []))
    for path in sorted(checker.broken):
        pattern = glob.escape(path.name)
        if pattern not in ignore:
            ignore.append(pattern)
    settings["IGNORE_FILES"] = ignore


def register() -> None:
    signals.initialized.connect(run_checks)
