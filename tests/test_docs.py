"""The documentation tells the truth about commands and links.

Every `./go <task>` (or `invoke <task>`) that README.md and docs/*.md name is
a task of tasks.py (`invoke --help <task>` exits 0), and every --option
written after it is one of that task's options; every relative link leads to
a file in the repository (and a #fragment to a heading there); the README
stays short.
"""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from dorpsplein.build import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 150

# ./go serve, /srv/dorpsplein/go publish, .venv/bin/invoke build, invoke check.
COMMAND = re.compile(r"(?:/go|\binvoke)[ \t]+(?:--help[ \t]+)?(?P<task>[a-z][a-z0-9_-]*)")
# `invoke build` on its own: nobody has invoke on their PATH (./go, or .venv/bin/invoke).
BARE_INVOKE = re.compile(r"(?<![\w/.-])(?<!-m )invoke[ \t]+(?=[a-z])")
# What ends a command's arguments on its line: a code span, a comment, a table cell, ...
END_OF_COMMAND = re.compile(r"[`#;|)]|&&")
OPTION = re.compile(r"(?<![\w-])--(?P<name>[a-z][a-z0-9-]*)")
HELP_OPTION = re.compile(r"--(?P<negatable>\[no-\])?(?P<name>[a-z][a-z0-9-]*)")
# Invoke's own options, valid after any task.
CORE_OPTIONS = {"help", "list"}

LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
FENCE = re.compile(r"^[ \t]*(```|~~~)")
CODE_SPAN = re.compile(r"`[^`\n]*`")


def shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def commands() -> dict[str, list[tuple[str, set[str]]]]:
    """task -> [(where, options written after it)] for every command in the docs."""
    found: dict[str, list[tuple[str, set[str]]]] = {}
    for doc in DOCS:
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1):
            for match in COMMAND.finditer(line):
                rest = END_OF_COMMAND.split(line[match.end():], maxsplit=1)[0]
                options = {m.group("name") for m in OPTION.finditer(rest)} - CORE_OPTIONS
                found.setdefault(match.group("task"), []).append(
                    (f"{shown(doc)}:{number}", options))
    return found


COMMANDS = commands()


@cache
def task_help(task: str) -> subprocess.CompletedProcess:
    """invoke's help for one task, without running it: `invoke --help <task>`.
    (Not `invoke <task> --help`: a task with a positional argument, such as
    `new` or `comments-restore`, takes "--help" as that argument and runs.)"""
    python = ROOT / ".venv" / "bin" / "python"
    return subprocess.run([str(python if python.exists() else sys.executable), "-m", "invoke",
                           "--help", task], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def task_options(help_text: str) -> set[str]:
    options = set()
    for match in HELP_OPTION.finditer(help_text):
        options.add(match.group("name"))
        if match.group("negatable"):
            options.add("no-" + match.group("name"))
    return options


def test_the_docs_name_commands():
    assert {"serve", "test", "new", "check", "publish", "town", "deploy-config"} <= set(COMMANDS)


@pytest.mark.parametrize("task", sorted(COMMANDS))
def test_every_command_in_the_docs_is_a_task_with_those_options(task):
    places = ", ".join(where for where, _ in COMMANDS[task])
    run = task_help(task)
    assert run.returncode == 0, (
        f"'./go {task}' ({places}) is not a task of tasks.py: "
        f"{(run.stderr or run.stdout).strip()}")
    known = task_options(run.stdout)
    for where, options in COMMANDS[task]:
        unknown = sorted(options - known)
        assert not unknown, (f"{where}: './go {task}' has no option "
                             f"{', '.join('--' + o for o in unknown)} (./go --help {task})")


def test_a_task_that_does_not_exist_fails():
    assert task_help("no-such-task").returncode != 0


def test_commands_are_written_as_go_not_bare_invoke():
    bare = [f"{shown(doc)}:{number}: {line.strip()}"
            for doc in DOCS
            for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1)
            if BARE_INVOKE.search(line)]
    assert not bare, "write ./go <task> (invoke is not on a reader's PATH):\n" + "\n".join(bare)


def outside_fences(text: str) -> list[tuple[int, str]]:
    """The numbered lines that are not fenced code."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append((number, line))
    return lines


def anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.replace("`", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {anchor(line.lstrip("#")) for _, line in outside_fences(
        path.read_text(encoding="utf-8")) if re.match(r"^#{1,6} ", line)}


def broken_links(doc: Path) -> list[str]:
    broken = []
    for number, line in outside_fences(doc.read_text(encoding="utf-8")):
        # Links in code are examples (an editor's {filename} link, /2026/…/).
        for match in LINK.finditer(CODE_SPAN.sub("", line)):
            target = match.group("target")
            if SCHEME.match(target):
                continue
            path_part, _, fragment = target.partition("#")
            path = (doc.parent / path_part).resolve() if path_part else doc
            where = f"{shown(doc)}:{number}: '{target}'"
            if not path.is_relative_to(ROOT):
                broken.append(f"{where} points outside the repository")
            elif not path.exists():
                broken.append(f"{where} points at a file that does not exist")
            elif fragment and path.suffix == ".md" and fragment not in anchors(path):
                broken.append(f"{where} names no heading of {shown(path)}")
    return broken


@pytest.mark.parametrize("doc", DOCS, ids=shown)
def test_every_relative_link_leads_to_a_file_in_the_repository(doc):
    broken = broken_links(doc)
    assert not broken, "\n".join(broken)


def test_the_readme_is_short():
    lines = len((ROOT / "README.md").read_text(encoding="utf-8").splitlines())
    assert lines <= README_MAX_LINES, (
        f"README.md has {lines} lines; keep it at {README_MAX_LINES} or fewer and move "
        "the rest to docs/redactie.md (editors), docs/hosting.md (hosting) or "
        "docs/architecture.md (developers).")
