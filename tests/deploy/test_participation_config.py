"""The participation service in deploy/: its systemd units (private files,
production settings, both passwords from an override, the backup), and the
web server rules under a sub-path. systemd itself is not run here (the unit
files are parsed as tests/deploy/test_units.py does); nginx reads the
generated sub-path configuration for real."""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath

import pytest
from test_units import HOME, UNITS, covered, unit

from dorpsplein import deploy_config, town
from dorpsplein.build import ROOT

SERVER = "dorpsplein-participation.service"
BACKUP = "dorpsplein-participation-backup.service"
TIMER = "dorpsplein-participation-backup.timer"
COMMENTS = "dorpsplein-comments.service"


def command(name: str) -> list[str]:
    return shlex.split(unit(name)["Service"]["ExecStart"])


def environment_lines(name: str) -> list[str]:
    """Every Environment= line (configparser keeps only the last of repeated keys)."""
    return [line.strip() for line in (UNITS / name).read_text(encoding="utf-8").splitlines()
            if line.startswith("Environment")]


def _tasks():
    spec = importlib.util.spec_from_file_location("dorpsplein_tasks_for_participation",
                                                  ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_service_runs_the_package_with_production_settings_on_its_port():
    from participation.settings import SERVER_DEFAULTS

    assert command(SERVER) == [
        f"{HOME}/.venv/bin/python", "-m", "dorpsplein.participation",
        "--settings", "publishconf.py", "--production", "--bind", SERVER_DEFAULTS["listen"],
    ]


@pytest.mark.parametrize("name", [SERVER, BACKUP])
def test_it_is_hardened_like_the_comment_server(name):
    service, comments = unit(name)["Service"], unit(COMMENTS)["Service"]
    assert service["UMask"] == "0077"
    assert service["User"] == service["Group"] == "dorpsplein"
    assert service["WorkingDirectory"] == str(HOME)
    for key in ("NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp",
                "PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules",
                "ProtectControlGroups", "ReadWritePaths"):
        assert service[key] == comments[key], key
    if name == SERVER:
        assert service["MemoryMax"] == comments["MemoryMax"]
        assert service["Restart"] == "on-failure"
        assert unit(name)["Install"]["WantedBy"] == "multi-user.target"
    text = (UNITS / name).read_text(encoding="utf-8")
    assert not [line for line in text.splitlines()
                if "PYTHONPATH" in line and not line.lstrip().startswith("#")]


def test_both_passwords_come_from_an_override_never_from_git():
    lines = environment_lines(SERVER)
    # Empty here: `systemctl edit` sets them; the service refuses to start
    # without the moderators' password in production.
    assert "Environment=PARTICIPATION_ADMIN_PASSWORD=" in lines
    assert "Environment=PARTICIPATION_SMTP_PASSWORD=" in lines
    assert all(line.endswith("=") for line in lines)
    text = (UNITS / SERVER).read_text(encoding="utf-8")
    assert "systemctl edit dorpsplein-participation" in text


@pytest.mark.parametrize("name", [SERVER, BACKUP])
def test_the_writable_paths_hold_the_database_and_the_backups(name):
    from participation.settings import SERVER_DEFAULTS
    from pelican.settings import read_settings

    writable = unit(name)["Service"]["ReadWritePaths"].split()
    server = {**SERVER_DEFAULTS,
              **(read_settings(str(ROOT / "publishconf.py")).get("PARTICIPATION_SERVER") or {})}
    database = server["database"]
    backups = inspect.signature(_tasks().participation_backup.body).parameters["to"].default
    for relative in (database, str(PurePosixPath(database).parent), backups):
        path = PurePosixPath(relative)
        path = path if path.is_absolute() else HOME / path
        assert covered(path, writable), f"{name}: {path} is not under {writable}"


def test_the_backup_uses_the_production_database_daily_and_keeps_30():
    argv = command(BACKUP)
    assert argv[0] == f"{HOME}/.venv/bin/invoke"
    assert argv[1] == "participation-backup"
    assert "--production" in argv and "--to" not in argv
    assert argv[argv.index("--keep") + 1] == "30"
    assert unit(BACKUP)["Service"]["Type"] == "oneshot"
    timer = unit(TIMER)
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    # Not at the same minute as the comment backup.
    assert timer["Timer"]["OnCalendar"] != unit(
        "dorpsplein-comments-backup.timer")["Timer"]["OnCalendar"]


def test_the_module_the_unit_starts_takes_the_units_flags():
    module = command(SERVER)[2]
    if importlib.util.find_spec(module + ".cli") is None:
        pytest.fail(f"python -m {module} has no runner yet (dorpsplein/participation/cli.py)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-m", module, "--help"], cwd=Path("/"), env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    for flag in ("--settings", "--production", "--bind", "--site", "--state-dir",
                 "--database", "--origin", "--workers"):
        assert flag in run.stdout, flag


def test_nginx_proxies_the_service_with_the_citizens_address_and_a_small_body_limit():
    snippet = (ROOT / "deploy" / "nginx" / "snippets" / "dorpsplein-site.conf").read_text()
    block = snippet[snippet.index("location ^~ /participatie/ {"):]
    assert "proxy_pass http://dorpsplein_participation/;" in block
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in block
    assert "client_max_body_size 32k;" in block
    site = (ROOT / "deploy" / "nginx" / "dorpsplein.conf").read_text()
    assert re.search(r"upstream dorpsplein_participation \{\s*#[^\n]*\n\s*#[^\n]*\n"
                     r"\s*server 127\.0\.0\.1:8091;", site), site


def sub_path_profile(tmp_path: Path) -> Path:
    """town.toml with [web] url under /blog."""
    text = (ROOT / "town.toml").read_text(encoding="utf-8")
    profile = tomllib.loads(text)
    old = profile["web"]["url"]
    path = tmp_path / "town.toml"
    path.write_text(text.replace(f'"{old}"', '"https://www.beekdorp.example/blog"', 1),
                    encoding="utf-8")
    assert town.load(path)["web"]["url"] == "https://www.beekdorp.example/blog"
    return path


@pytest.fixture(scope="module")
def under_blog(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("subpath")
    deploy_config.render(town.load(sub_path_profile(folder)), folder / "deploy")
    return folder / "deploy"


def test_under_a_sub_path_every_rule_moves_under_it(under_blog):
    snippet = (under_blog / "nginx" / "snippets" / "dorpsplein-site.conf").read_text()
    assert "location ^~ /blog/participatie/ {" in snippet
    assert "proxy_set_header X-Forwarded-Prefix /blog/participatie;" in snippet
    assert "location ~* ^/blog/participatie/(.*/)?[^/]*moderatie(/|$) {" in snippet
    assert "rewrite ^/blog/participatie(/.*)$ $1 break;" in snippet
    assert "location ~* participation\\.json {" in snippet
    apache = (under_blog / "apache" / "dorpsplein.conf").read_text()
    assert "ProxyPass        /blog/participatie/ http://127.0.0.1:8091/" in apache
    assert '<LocationMatch "(?i)^/blog/participatie/(.*/)?[^/]*moderatie(/|$)">' in apache
    assert '<LocationMatch "(?i)participation\\.json">' in apache
    headers = (under_blog / "netlify" / "_headers").read_text()
    assert "/blog/participation.json\n  X-Robots-Tag: noindex" in headers


@pytest.mark.slow
def test_nginx_accepts_the_sub_path_configuration(under_blog, tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed: run ./go test (it installs it).")
    prefix = tmp_path / "nginx"
    shutil.copytree(under_blog / "nginx" / "snippets", prefix / "snippets")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=www.beekdorp.example", "-keyout", str(prefix / "key.pem"),
                    "-out", str(prefix / "cert.pem")], check=True, capture_output=True)
    site = (under_blog / "nginx" / "dorpsplein.conf").read_text(encoding="utf-8")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {prefix}/cert.pem;", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {prefix}/key.pem;", site)
    (prefix / "site.conf").write_text(site, encoding="utf-8")
    (prefix / "modules").symlink_to("/usr/lib/nginx/modules")
    (prefix / "nginx.conf").write_text(f"""
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
include /etc/nginx/modules-enabled/*.conf;
events {{ worker_connections 16; }}
http {{
    include /etc/nginx/mime.types;
    include {prefix}/site.conf;
}}
""", encoding="utf-8")
    test = subprocess.run([nginx, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                          capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
