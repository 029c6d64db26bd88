"""The house's layout rules that a grep can check.

Nothing edits the import path: the application, its developer tools and the
plugins are installed packages (pyproject.toml), and a settings file that
extends pelicanconf.py reads it by its path (see publishconf.py). So no
tracked Python, TOML, shell, systemd or CI file may change `sys.path` or set
`PYTHONPATH` (nor pytest's `pythonpath` option); reading them is fine.
"""

from __future__ import annotations

import re
import subprocess

from dorpsplein.build import ROOT

SUFFIXES = {".py", ".pyi", ".toml", ".cfg", ".ini", ".in", ".sh", ".bash", ".service",
            ".timer", ".socket", ".yml", ".yaml", ".conf"}
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "output", "cache", "var", "artifacts",
             "public", "__pycache__"}

EDITS = [
    # sys.path.insert(...), .append, .extend, ..., sys.path = ..., sys.path[:] = ...
    re.compile(r"\bsys\s*\.\s*path\s*(?:\.\s*(?:insert|append|extend|remove|pop|clear)\b"
               r"|\[[^\]]*\]\s*=(?!=)|[+-]?=(?!=))"),
    re.compile(r"\bsite\s*\.\s*addsitedir\b"),
    # PYTHONPATH=... (shell, unit, keyword argument), "PYTHONPATH": ... (dict, YAML),
    # os.environ["PYTHONPATH"] = ..., os.environ.setdefault("PYTHONPATH", ...)
    re.compile(r"\bPYTHONPATH[\"']?\s*(?:=(?!=)|:)"),
    re.compile(r"\[\s*[\"']PYTHONPATH[\"']\s*\]\s*=(?!=)"),
    re.compile(r"\b(?:setdefault|putenv)\s*\(\s*[\"']PYTHONPATH\b"),
    # pytest's ini option that prepends folders to sys.path.
    re.compile(r"^\s*pythonpath\s*="),
]


def project_files():
    """Tracked files and new ones not ignored; a walk when this is not a git checkout."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
        paths = [ROOT / name for name in listed if name]
    except (OSError, subprocess.CalledProcessError):
        paths = [p for p in ROOT.rglob("*")
                 if not SKIP_DIRS.intersection(p.relative_to(ROOT).parts)]
    return sorted(p for p in paths if p.is_file() and is_code(p))


def is_code(path):
    if path.suffix in SUFFIXES:
        return True
    if path.suffix:
        return False
    with path.open("rb") as handle:  # an extension-less script such as ./go
        return handle.read(2) == b"#!"


def test_nothing_edits_the_import_path():
    found = []
    for path in project_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith(("#", ";")):
                continue
            if any(pattern.search(line) for pattern in EDITS):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, (
        "sys.path or PYTHONPATH is changed here; install the package (pyproject.toml) or "
        "read the file by its path instead:\n" + "\n".join(found))
