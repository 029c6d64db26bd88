"""The shipped systemd units: private files, production settings, no PYTHONPATH.

Parsed with configparser (systemd's unit syntax is close enough with
strict=False); systemd itself is not run here.
"""

from __future__ import annotations

import configparser
import importlib.util
import inspect
import os
import shlex
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from dorpsplein.build import ROOT

UNITS = ROOT / "deploy" / "systemd"
SERVER = "dorpsplein-comments.service"
BACKUP = "dorpsplein-comments-backup.service"
TIMER = "dorpsplein-comments-backup.timer"
MAIL_NEW = "dorpsplein-mail-new.service"
MAIL_NEW_TIMER = "dorpsplein-mail-new.timer"
PARTICIPATION_BACKUP = "dorpsplein-participation-backup.service"
HOME = PurePosixPath("/srv/dorpsplein")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None,
                                       comment_prefixes=("#", ";"), empty_lines_in_values=False)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((UNITS / name).read_text(encoding="utf-8"), source=name)
    return parser


def command(name: str) -> list[str]:
    return shlex.split(unit(name)["Service"]["ExecStart"])


def environment(name: str) -> str:
    service = unit(name)["Service"]
    return " ".join(value for key, value in service.items() if key.startswith("Environment"))


def covered(path: PurePosixPath, writable: list[str]) -> bool:
    return any(path == PurePosixPath(w) or PurePosixPath(w) in path.parents for w in writable)


@pytest.mark.parametrize("name", [SERVER, BACKUP, MAIL_NEW])
def test_everything_a_unit_creates_is_private(name):
    service = unit(name)["Service"]
    # 0077: the database, its journal, isso-production.cfg, the salt and the
    # backups are created 0600 (folders 0700).
    assert service["UMask"] == "0077"
    assert service["User"] == "dorpsplein"
    assert service["WorkingDirectory"] == str(HOME)


@pytest.mark.parametrize("name", [SERVER, BACKUP, MAIL_NEW])
def test_no_unit_sets_pythonpath(name):
    # configparser keeps only the last of repeated keys: read the lines too.
    lines = (UNITS / name).read_text(encoding="utf-8").splitlines()
    assert not [line for line in lines
                if "PYTHONPATH" in line and not line.lstrip().startswith("#")]
    assert "PYTHONPATH" not in environment(name)
    assert "PYTHONPATH" not in unit(name)["Service"]["ExecStart"]


def test_the_comment_server_runs_the_package_with_production_settings():
    assert command(SERVER) == [
        f"{HOME}/.venv/bin/python", "-m", "dorpsplein.comments",
        "--settings", "publishconf.py", "--production", "--bind", "127.0.0.1:8080",
    ]


def test_the_backup_uses_the_production_database_and_keeps_30():
    argv = command(BACKUP)
    assert argv[0] == f"{HOME}/.venv/bin/invoke"
    assert argv[1] == "comments-backup"
    assert "--production" in argv
    assert argv[argv.index("--keep") + 1] == "30"
    assert unit(TIMER)["Timer"]["OnCalendar"]


def _tasks():
    spec = importlib.util.spec_from_file_location("dorpsplein_tasks_for_units", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", [SERVER, BACKUP])
def test_the_writable_paths_hold_the_database_and_the_backups(name):
    """ProtectSystem=strict makes everything else read-only: var/ must stay writable."""
    from pelican.settings import read_settings

    service = unit(name)["Service"]
    assert service["ProtectSystem"] == "strict"
    writable = service["ReadWritePaths"].split()
    database = read_settings(str(ROOT / "publishconf.py"))["ISSO_COMMENTS_SERVER"]["database"]
    backups = inspect.signature(_tasks().comments_backup.body).parameters["to"].default
    for relative in (database, str(PurePosixPath(database).parent), backups):
        path = PurePosixPath(relative)
        path = path if path.is_absolute() else HOME / path
        assert covered(path, writable), f"{name}: {path} is not under {writable}"
    if name == BACKUP:
        assert "--to" not in command(BACKUP)  # the default folder, checked above


def test_the_module_the_unit_starts_takes_the_units_flags():
    """`python -m dorpsplein.comments` exists, with --settings/--production/--bind.

    Needs the comment server's new home (dorpsplein/comments/__main__.py).
    """
    module = command(SERVER)[2]
    assert importlib.util.find_spec(module + ".__main__") is not None, \
        f"python -m {module} has no __main__ module yet"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-m", module, "--help"], cwd=Path("/"), env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    for flag in ("--settings", "--production", "--bind"):
        assert flag in run.stdout


def test_the_publish_units_watch_the_file_the_participation_service_writes():
    """dorpsplein-publish.path starts dorpsplein-publish.service while the
    service's publish request exists; the publish takes it away first, so a
    request made during a publish starts one more."""
    from dorpsplein.participation.cli import parser
    from dorpsplein.participation.config import PUBLISH_REQUEST

    state_dir = parser().get_default("state_dir")
    wanted = HOME / state_dir / PUBLISH_REQUEST
    path = unit("dorpsplein-publish.path")
    assert path["Path"]["PathExists"] == str(wanted)
    assert path["Path"]["Unit"] == "dorpsplein-publish.service"
    service = unit("dorpsplein-publish.service")["Service"]
    assert service["User"] == "dorpsplein" and service["WorkingDirectory"] == str(HOME)
    assert shlex.split(service["ExecStartPre"]) == ["/bin/rm", "-f", str(wanted)]
    assert shlex.split(service["ExecStart"]) == [f"{HOME}/.venv/bin/invoke", "publish"]
    assert hasattr(_tasks(), "publish")


def test_the_mail_job_runs_in_production_with_the_backups_hardening():
    """dorpsplein-mail-new.service: the ./go task with --production, as the
    participation backup runs, hardened the same way, plus the network for SMTP."""
    argv = command(MAIL_NEW)
    assert argv == [f"{HOME}/.venv/bin/invoke", "mail-new", "--production"]
    assert "production" in inspect.signature(_tasks().mail_new.body).parameters
    service, backup = unit(MAIL_NEW)["Service"], unit(PARTICIPATION_BACKUP)["Service"]
    assert service["Type"] == "oneshot"
    for key in ("User", "Group", "WorkingDirectory", "UMask", "NoNewPrivileges",
                "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices",
                "ReadWritePaths", "ProtectKernelTunables", "ProtectKernelModules",
                "ProtectControlGroups"):
        assert service[key] == backup[key], key
    assert set(service["RestrictAddressFamilies"].split()) == {"AF_INET", "AF_INET6", "AF_UNIX"}
    # The SMTP password comes from an override, as for the service; empty here.
    assert unit(MAIL_NEW)["Service"]["Environment"] == "PARTICIPATION_SMTP_PASSWORD="


def test_the_mail_job_writes_where_the_service_keeps_its_state():
    """The database and the job's lock file (the state folder) are writable."""
    from participation.settings import SERVER_DEFAULTS

    from dorpsplein.participation.cli import DEFAULT_STATE
    from dorpsplein.participation.mail_new import LOCK_NAME

    writable = unit(MAIL_NEW)["Service"]["ReadWritePaths"].split()
    for relative in (SERVER_DEFAULTS["database"], f"{DEFAULT_STATE}/{LOCK_NAME}"):
        assert covered(HOME / relative, writable), relative
    # The task reads the service's own state folder (no --state-dir in the unit).
    assert "--state-dir" not in command(MAIL_NEW)


def test_the_mail_job_runs_every_quarter_hour_and_catches_up():
    timer = unit(MAIL_NEW_TIMER)["Timer"]
    assert timer["OnCalendar"] == "*:0/15"
    assert timer["Persistent"] == "true"
    assert 0 < int(timer["RandomizedDelaySec"]) <= 120
    assert unit(MAIL_NEW_TIMER)["Install"]["WantedBy"] == "timers.target"
    # No Unit=: a timer starts the service of its own name.
    assert "Unit" not in timer


def test_the_mail_job_module_takes_the_flags_the_task_passes():
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-m", "dorpsplein.participation", "mail-new",
                          "--help"], cwd=Path("/"), env=env, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    for flag in ("--state-dir", "--production"):
        assert flag in run.stdout
