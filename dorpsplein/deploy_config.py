"""./go deploy-config: the server configurations in deploy/, written from town.toml.

The templates are in dorpsplein/deploy_templates/ (the same tree as
deploy/), with ``[[ name ]]`` where a fact goes; each is rendered with: its host name and sub-path
([web] url), where the site, the comment server and the participation
service live ([hosting]; the participation service's port is
PARTICIPATION_SERVER's default) and, when
comments run on another host ([web] comments_url), that host in the CSP.
deploy/ in this repository is what they give for the sample town; a test
checks it is current.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import town
from .build import ROOT

TEMPLATES = Path(__file__).with_name("deploy_templates")
HEADER = ("# Written by ./go deploy-config from town.toml: change town.toml and run it "
          "again rather than editing this file.\n")


def participation_port() -> int:
    """The port of PARTICIPATION_SERVER['listen']'s default (127.0.0.1:8091)."""
    from participation.settings import SERVER_DEFAULTS

    return int(str(SERVER_DEFAULTS["listen"]).rpartition(":")[2])


def context(profile: dict) -> dict:
    site = urlsplit(profile["web"]["url"])
    comments = urlsplit(town.public_comments_url(profile))
    own = (comments.scheme, comments.netloc) == (site.scheme, site.netloc)
    return {
        "host": site.hostname,
        "base": site.path.rstrip("/"),
        "web_root": profile["hosting"]["web_root"],
        "install_dir": profile["hosting"]["install_dir"],
        "user": profile["hosting"]["user"],
        "comments_port": profile["hosting"]["comments_port"],
        # The participation service's port: PARTICIPATION_SERVER's default
        # listen address (town.toml has no key for it).
        "participation_port": participation_port(),
        # Comments on another host: the browser loads Isso's script from it and
        # talks to it, so the CSP names it; on the site's own host 'self' does.
        "comments_csp": "" if own else f" {comments.scheme}://{comments.netloc}",
    }


def render(profile: dict, target: Path) -> list[Path]:
    """Write every configuration under ``target``; returns the files written."""
    # [[ name ]]: {{ }} is GitHub Actions' own syntax, %{ } Apache's.
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False,
                      variable_start_string="[[", variable_end_string="]]",
                      block_start_string="[%", block_end_string="%]",
                      comment_start_string="[#", comment_end_string="#]")
    values = context(profile)
    written = []
    for source in sorted(p for p in TEMPLATES.rglob("*") if p.is_file()):
        relative = source.relative_to(TEMPLATES).as_posix()
        text = HEADER + env.get_template(relative).render(values)
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(out: str = "", profile_path: str = "") -> list[Path]:
    profile = town.load(Path(profile_path) if profile_path else ROOT / "town.toml")
    target = Path(out) if out else ROOT / "deploy"
    files = render(profile, target)
    print(f"Wrote {len(files)} configurations for {profile['web']['url']} under {target}/.")
    return files
