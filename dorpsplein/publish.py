"""invoke publish: build with publishconf.py and put the site on the town's host.

PUBLISH_TARGET in publishconf.py says where::

    {"method": "directory", "path": "/var/www/dorpsplein"}        # this machine
    {"method": "rsync", "destination": "deploy@host:/var/www/dorpsplein/",
     "options": ["-e", "ssh -p 22"]}                               # over SSH
    {"method": "github-pages", "remote": "origin", "branch": "gh-pages",
     "cname": "blog.yourtown.be"}                                  # ghp-import
    {"method": "s3", "bucket": "blog", "endpoint": "https://s3.example",
     "region": "eu-west-1"}                                        # boto3

The build already wrote .gz and .br copies next to every text file and
content-hashed CSS and JS names (see deploy/ for the matching server config).
"""

from __future__ import annotations

import filecmp
import mimetypes
import os
import shutil
import subprocess
from pathlib import Path

METHODS = ("directory", "rsync", "github-pages", "s3")


class PublishError(ValueError):
    """PUBLISH_TARGET is wrong or the upload failed; the message says what to do."""


def check_target(target) -> dict:
    if not isinstance(target, dict) or target.get("method") not in METHODS:
        raise PublishError(
            f"PUBLISH_TARGET = {target!r}: set it in publishconf.py to a dictionary whose "
            f"'method' is one of {', '.join(METHODS)} (see the README, Hosting)."
        )
    needs = {"directory": "path", "rsync": "destination", "s3": "bucket"}
    key = needs.get(target["method"])
    if key and not target.get(key):
        raise PublishError(
            f"PUBLISH_TARGET for {target['method']!r} needs {key!r}: add it in publishconf.py."
        )
    return target


def mirror(source: Path, destination: Path) -> None:
    """Make ``destination`` an exact copy of ``source`` (extra files removed)."""
    destination.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        wanted.add(relative)
        target = destination / relative
        if path.is_dir():
            target.mkdir(exist_ok=True)
        elif not target.exists() or not filecmp.cmp(path, target, shallow=False):
            shutil.copy2(path, target)
    for path in sorted(destination.rglob("*"), reverse=True):
        if path.relative_to(destination) not in wanted:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def rsync(source: Path, destination: str, options=()) -> None:
    if not shutil.which("rsync"):
        raise PublishError("rsync is not installed: apt-get install rsync (or use the "
                           "'directory' method).")
    command = ["rsync", "--archive", "--delete", "--checksum", "--human-readable",
               *options, f"{source}/", destination]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode:
        raise PublishError(f"rsync to {destination} failed: {run.stderr.strip()}")


def github_pages(source: Path, target: dict) -> None:
    from ghp_import import GhpError, ghp_import

    try:
        ghp_import(str(source), mesg="Publish the site", remote=target.get("remote", "origin"),
                   branch=target.get("branch", "gh-pages"), push=target.get("push", True),
                   force=True, nojekyll=True, cname=target.get("cname"))
    except GhpError as exc:
        raise PublishError(f"ghp-import failed: {exc.message}") from exc


def s3(source: Path, target: dict) -> None:
    try:
        import boto3
    except ImportError as exc:
        raise PublishError("The 's3' method needs boto3: .venv/bin/pip install boto3.") from exc
    client = boto3.client("s3", endpoint_url=target.get("endpoint"),
                          region_name=target.get("region"))
    bucket = target["bucket"]
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        key = path.relative_to(source).as_posix()
        extra = {"ContentType": mimetypes.guess_type(path.name)[0] or "application/octet-stream"}
        if path.suffix in (".gz", ".br"):
            original = path.with_suffix("")
            extra = {"ContentType": mimetypes.guess_type(original.name)[0] or
                     "application/octet-stream",
                     "ContentEncoding": "gzip" if path.suffix == ".gz" else "br"}
        client.upload_file(str(path), bucket, key, ExtraArgs=extra)


def publish(output: Path, target: dict) -> str:
    target = check_target(target)
    method = target["method"]
    if method == "directory":
        mirror(output, Path(os.path.expanduser(target["path"])))
        return f"Copied {output} to {target['path']}"
    if method == "rsync":
        rsync(output, target["destination"], target.get("options", ()))
        return f"Sent {output} to {target['destination']} with rsync"
    if method == "github-pages":
        github_pages(output, target)
        return f"Published {output} to the {target.get('branch', 'gh-pages')} branch"
    s3(output, target)
    return f"Uploaded {output} to bucket {target['bucket']}"
