"""invoke publish: build with publishconf.py and put the site on the town's host.

PUBLISH_TARGET in publishconf.py says where::

    {"method": "directory", "path": "/var/www/dorpsplein"}        # this machine
    {"method": "rsync", "destination": "deploy@host:/var/www/dorpsplein/",
     "options": ["-e", "ssh -p 22"]}                               # over SSH
    {"method": "github-pages", "remote": "origin", "branch": "gh-pages",
     "cname": "blog.yourtown.be"}                                  # ghp-import
    {"method": "s3", "bucket": "blog", "endpoint": "https://s3.example",
     "region": "eu-west-1", "prefix": "site"}                      # boto3

The build already wrote .gz and .br copies next to every text file and
content-hashed CSS and JS names (see deploy/ for the matching server config).
The 's3' method signs with the key in AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY (or any boto3 credential source), uploads only the files
whose MD5 differs from the stored ETag, and deletes what the site no longer
has: under 'prefix' only ("" or left out: the whole bucket is the site's).
"""

from __future__ import annotations

import filecmp
import hashlib
import mimetypes
import os
import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath

METHODS = ("directory", "rsync", "github-pages", "s3")


class PublishError(ValueError):
    """PUBLISH_TARGET is wrong or the upload failed; the message says what to do."""


def check_target(target) -> dict:
    if not isinstance(target, dict) or target.get("method") not in METHODS:
        raise PublishError(
            f"PUBLISH_TARGET = {target!r}: set it in publishconf.py to a dictionary whose "
            f"'method' is one of {', '.join(METHODS)} (see docs/hosting.md)."
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


# What the 's3' method stores with each file: the type a browser needs (an
# object store sends what it was given) and how long a browser may keep it,
# as deploy/nginx says. Other names: mimetypes, else application/octet-stream
# (Pagefind's .pagefind and .pf_* files, which Pagefind unpacks itself).
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json",
    ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml",
    # Feeds too: application/atom+xml would make browsers download them instead
    # of showing them through their stylesheet.
    ".xml": "application/xml", ".wasm": "application/wasm",
}
CACHE_CONTROL = (
    (re.compile(r"\.[0-9a-f]{10}\.(css|js)$"), "public, max-age=31536000, immutable"),
    (re.compile(r"\.(png|jpe?g|webp|gif|svg)$", re.IGNORECASE), "max-age=86400"),
    (re.compile(r"^feeds/"), "max-age=3600"),
)


def s3_headers(name: str) -> dict:
    """Content-Type, Cache-Control (and Content-Encoding) for a site-relative name."""
    headers = {}
    if name.endswith((".gz", ".br")):  # the build's compressed copy of ``name``
        headers["ContentEncoding"] = "gzip" if name.endswith(".gz") else "br"
        name = name[:-3]
    suffix = PurePosixPath(name).suffix.lower()
    headers["ContentType"] = (CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0]
                              or "application/octet-stream")
    headers["CacheControl"] = next((value for pattern, value in CACHE_CONTROL
                                    if pattern.search(name)), "no-cache")
    return headers


def s3(source: Path, target: dict) -> str:
    """Upload what changed (MD5 against the stored ETag), delete what is gone."""
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
    except ImportError as exc:
        raise PublishError("The 's3' method needs boto3: .venv/bin/pip install -e '.[s3]'.") \
            from exc
    bucket, prefix = target["bucket"], target.get("prefix", "").strip("/")
    prefix = f"{prefix}/" if prefix else ""
    files = {path.relative_to(source).as_posix(): path
             for path in sorted(source.rglob("*")) if path.is_file()}
    where = f"bucket {bucket!r} at {target.get('endpoint') or 'AWS'}"
    doing = f"list {where}"
    try:
        # A new session: the credentials as they are now, not as a caller's
        # earlier boto3 call cached them.
        session = boto3.session.Session(region_name=target.get("region"))
        client = session.client("s3", endpoint_url=target.get("endpoint"))
        stored = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                                      Prefix=prefix):
            stored.update((item["Key"], item["ETag"].strip('"'))
                          for item in page.get("Contents", ()))
        uploaded = 0
        for name, path in files.items():
            body = path.read_bytes()
            if stored.get(prefix + name) == hashlib.md5(body, usedforsecurity=False).hexdigest():
                continue
            doing = f"upload {prefix + name} to {where}"
            client.put_object(Bucket=bucket, Key=prefix + name, Body=body, **s3_headers(name))
            uploaded += 1
        gone = sorted(set(stored) - {prefix + name for name in files})
        for start in range(0, len(gone), 1000):  # DeleteObjects takes 1000 keys at most
            doing = f"delete {gone[start]} from {where}"
            reply = client.delete_objects(Bucket=bucket, Delete={
                "Objects": [{"Key": key} for key in gone[start:start + 1000]], "Quiet": True})
            for error in reply.get("Errors", ())[:1]:
                raise ClientError({"Error": error}, "DeleteObjects")
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "?"), error.get("Message", "")
        if code == "NoSuchBucket":
            raise PublishError(f"PUBLISH_TARGET names {where}, which does not exist: create the "
                               "bucket or correct 'bucket' in publishconf.py.") from exc
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch"):
            raise PublishError(f"The S3 server refused the key in AWS_ACCESS_KEY_ID ({code}) "
                               f"when asked to {doing}: set AWS_ACCESS_KEY_ID and "
                               "AWS_SECRET_ACCESS_KEY to a key of the server that 'endpoint' in "
                               "PUBLISH_TARGET (publishconf.py) names.") from exc
        raise PublishError(f"The S3 server refused to {doing} ({code}: {message}): give the "
                           "key in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY the right to "
                           "list, upload and delete there, or correct PUBLISH_TARGET in "
                           "publishconf.py.") from exc
    except NoCredentialsError as exc:
        raise PublishError(f"No S3 key to {doing}: set AWS_ACCESS_KEY_ID and "
                           "AWS_SECRET_ACCESS_KEY in the environment of ./go publish "
                           "(PUBLISH_TARGET in publishconf.py holds no secrets).") from exc
    except BotoCoreError as exc:
        raise PublishError(f"Could not {doing} ({exc}): check 'endpoint' and 'region' in "
                           "PUBLISH_TARGET in publishconf.py and the credentials "
                           "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).") from exc
    return (f"Uploaded {uploaded} of {len(files)} files to {where}"
            f"{f' under {prefix}' if prefix else ''} (the others were unchanged) and deleted "
            f"{len(gone)} that the site no longer has")


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
    return s3(output, target)
