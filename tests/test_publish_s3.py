"""PUBLISH_TARGET method "s3" against a real S3 API: moto's standalone server.

moto's ThreadedMotoServer is a real HTTP server speaking the S3 API, started
on 127.0.0.1; the site goes there through dorpsplein.publish.publish, as
`invoke publish` calls it, with the credentials in the environment as the
README says, and is read back with boto3. Requests are counted where the
server logs them (werkzeug's request log), not in our client.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import shutil
import time
import urllib.request
import uuid
from pathlib import Path

import boto3
import brotli
import pytest
from conftest import free_port

from dorpsplein.build import BuildFailed, build
from dorpsplein.publish import PublishError, publish

pytestmark = pytest.mark.slow

REGION = "eu-west-1"
YEAR = "public, max-age=31536000, immutable"

# What a browser must get for each kind of file the build writes. A file kind
# not listed here fails the test: decide its type before it is published.
CONTENT_TYPES = {
    ".html": {"text/html; charset=utf-8"},
    ".css": {"text/css; charset=utf-8"},
    ".js": {"text/javascript; charset=utf-8", "application/javascript"},
    # Feeds are .xml and carry an xml-stylesheet: application/xml (or text/xml)
    # is shown by browsers through it; atom+xml and rss+xml are downloaded.
    ".xml": {"application/xml", "text/xml"},
    ".json": {"application/json"},
    ".txt": {"text/plain; charset=utf-8"},
    ".svg": {"image/svg+xml"},
    ".png": {"image/png"},
    ".wasm": {"application/wasm"},
    # Pagefind's index: gzip inside, unpacked by pagefind.js itself, so no
    # Content-Encoding and no type a browser would act on.
    ".pagefind": {"application/octet-stream"},
    ".pf_fragment": {"application/octet-stream"},
    ".pf_index": {"application/octet-stream"},
    ".pf_meta": {"application/octet-stream"},
    ".pf_filter": {"application/octet-stream"},
}


def expected_cache_control(name: str) -> str:
    """deploy/nginx's rules: hashed CSS/JS a year, pictures a day, feeds an hour."""
    if re.search(r"\.[0-9a-f]{10}\.(css|js)$", name):
        return YEAR
    if re.search(r"\.(png|jpe?g|webp|gif|svg)$", name):
        return "max-age=86400"
    if name.startswith("feeds/"):
        return "max-age=3600"
    return "no-cache"


class RequestLog(logging.Handler):
    """Every request the S3 server answered, as (method, path)."""

    def __init__(self):
        super().__init__()
        self.seen: list[tuple[str, str]] = []

    def emit(self, record):
        # (Answers other than 2xx are wrapped in colour codes: no \b here.)
        found = re.search(r"(GET|HEAD|PUT|POST|DELETE) (/\S*) HTTP/", record.getMessage())
        if found:
            self.seen.append((found.group(1), found.group(2)))

    def take(self) -> list[tuple[str, str]]:
        seen, self.seen = self.seen, []
        return seen


@pytest.fixture(scope="module")
def s3_server():
    """(endpoint, request log) of moto's S3 server on a free port of 127.0.0.1."""
    from moto.server import ThreadedMotoServer  # (only for these tests)

    log = RequestLog()
    werkzeug = logging.getLogger("werkzeug")
    level, propagate = werkzeug.level, werkzeug.propagate
    werkzeug.setLevel(logging.INFO)
    werkzeug.propagate = False  # hundreds of lines, not for pytest's report
    werkzeug.addHandler(log)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}", log
    server.stop()
    werkzeug.removeHandler(log)
    werkzeug.setLevel(level)
    werkzeug.propagate = propagate


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample site built as `invoke publish` builds it (publishconf.py)."""
    root = tmp_path_factory.mktemp("s3-site")
    try:
        result = build("publishconf.py", overrides={
            "OUTPUT_PATH": str(root / "output"), "CACHE_PATH": str(root / "cache"),
            "SITEURL": "https://blog.lindeveld.example",
        })
    except BuildFailed as failed:
        pytest.fail("The sample site does not build:\n" + "\n".join(failed.problems))
    return result.output_path


@pytest.fixture
def site(built, tmp_path) -> Path:
    """A private copy of the built site that a test may change."""
    output = tmp_path / "output"
    shutil.copytree(built, output)
    return output


@pytest.fixture
def credentials(monkeypatch, tmp_path):
    """Credentials only from the environment (no ~/.aws, no profile)."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN",
                 "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_DEFAULT_REGION",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "dorpsplein-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "dorpsplein-test-secret")


@pytest.fixture
def bucket(s3_server, credentials):
    """(boto3 client, a new empty bucket's name, PUBLISH_TARGET for it, request log)."""
    endpoint, log = s3_server
    client = boto3.session.Session().client("s3", endpoint_url=endpoint, region_name=REGION)
    name = f"dorpsplein-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    log.take()
    target = {"method": "s3", "bucket": name, "endpoint": endpoint, "region": REGION}
    return client, name, target, log


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def stored(client, name: str, prefix: str = "") -> dict[str, dict]:
    """Every object under ``prefix``: key → {ETag, LastModified}."""
    objects = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name, Prefix=prefix):
        for item in page.get("Contents", ()):
            objects[item["Key"]] = {"ETag": item["ETag"], "LastModified": item["LastModified"]}
    return objects


def puts(requests, name: str) -> list[str]:
    return [path.removeprefix(f"/{name}/") for method, path in requests
            if method == "PUT" and path.startswith(f"/{name}/")]


def one_sentence(error: PublishError) -> str:
    message = str(error)
    assert "\n" not in message and "Traceback" not in message, message
    assert ". " not in message and message.endswith("."), f"one sentence: {message}"
    assert "PUBLISH_TARGET" in message and "publishconf.py" in message, message
    return message


def test_the_first_publish_puts_every_file_with_its_bytes_type_and_caching(site, bucket):
    client, name, target, log = bucket
    # Pagefind ships its WebAssembly as .pagefind; a plain .wasm must work too.
    (site / "pagefind" / "probe.wasm").write_bytes(b"\0asm\1\0\0\0")
    local = files(site)
    kinds = {Path(key.removesuffix(".gz").removesuffix(".br")).suffix for key in local}
    assert {".html", ".css", ".js", ".xml", ".svg", ".png", ".json", ".pagefind"} <= kinds
    assert sum(key.endswith((".gz", ".br")) for key in local) > 100

    message = publish(site, target)

    sent = puts(log.take(), name)
    assert sorted(sent) == sorted(local), "every file exactly once"
    assert message.startswith(f"Uploaded {len(local)} of {len(local)} files")
    assert set(stored(client, name)) == set(local)
    print(f"\nfirst publish: {len(sent)} PUTs for {len(local)} files")
    for key, body in local.items():
        reply = client.get_object(Bucket=name, Key=key)
        assert reply["Body"].read() == body, key
        original = key.removesuffix(".gz").removesuffix(".br")
        suffix = Path(original).suffix
        assert suffix in CONTENT_TYPES, f"{key}: no Content-Type decided for {suffix!r} files"
        assert reply["ContentType"] in CONTENT_TYPES[suffix], (key, reply["ContentType"])
        assert reply.get("CacheControl") == expected_cache_control(original), key
        if key.endswith(".gz"):
            assert reply.get("ContentEncoding") == "gzip", key
            assert gzip.decompress(body) == local[original], key
        elif key.endswith(".br"):
            assert reply.get("ContentEncoding") == "br", key
            assert brotli.decompress(body) == local[original], key
        else:
            assert not reply.get("ContentEncoding"), key
    # A browser gets the same from the server once the bucket is readable by all.
    client.put_bucket_policy(Bucket=name, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{name}/*"}],
    }))
    with urllib.request.urlopen(f"{target['endpoint']}/{name}/index.html", timeout=10) as page:
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert page.headers["Cache-Control"] == "no-cache"
        assert page.read() == local["index.html"]


def test_a_second_publish_sends_only_what_changed(site, bucket):
    client, name, target, log = bucket
    publish(site, target)
    log.take()
    before = stored(client, name)
    time.sleep(1.1)  # so a needless re-upload would show in LastModified too

    message = publish(site, target)
    assert message.startswith("Uploaded 0 of ") and "deleted 0 " in message, message
    assert puts(log.take(), name) == []

    robots = site / "robots.txt"
    robots.write_bytes(robots.read_bytes() + b"# gewijzigd\n")
    message = publish(site, target)
    sent = puts(log.take(), name)
    print(f"\nre-publish after one change: {len(sent)} PUT ({sent})")
    assert sent == ["robots.txt"]
    assert message.startswith("Uploaded 1 of ") and "deleted 0 " in message, message
    after = stored(client, name)
    assert set(after) == set(before)
    assert [key for key in after if after[key] != before[key]] == ["robots.txt"]
    assert client.get_object(Bucket=name, Key="robots.txt")["Body"].read() == robots.read_bytes()


def test_what_is_gone_from_the_site_is_deleted_under_the_prefix_only(site, bucket):
    client, name, target, log = bucket
    target = {**target, "prefix": "/site/"}
    foreign = {"README.txt": b"van iemand anders", "site-archief/index.html": b"oud",
               "other/site/index.html": b"niet van ons", "site": b"een sleutel, geen map"}
    for key, body in {**foreign, "site/oud-artikel/index.html": b"weg"}.items():
        client.put_object(Bucket=name, Key=key, Body=body)
    log.take()

    message = publish(site, target)
    assert "deleted 1 " in message, message
    assert set(stored(client, name, "site/")) == {f"site/{key}" for key in files(site)}

    page = site / "tag" / "x"
    gone = sorted(f"site/tag/x/{p.name}" for p in page.iterdir())
    assert len(gone) == 3  # index.html and its .gz and .br
    shutil.rmtree(page)
    log.take()
    message = publish(site, target)
    requests = log.take()
    deletes = [path for method, path in requests if method in ("POST", "DELETE")]
    print(f"\nafter removing one page: {len(gone)} keys deleted in {len(deletes)} request(s)")
    assert message.startswith("Uploaded 0 of ") and f"deleted {len(gone)} " in message
    assert puts(requests, name) == []
    objects = stored(client, name)
    assert not set(gone) & set(objects)
    assert {key for key in objects if key.startswith("site/")} == {
        f"site/{key}" for key in files(site)}
    for key, body in foreign.items():
        assert client.get_object(Bucket=name, Key=key)["Body"].read() == body, key


def test_a_bucket_that_does_not_exist_is_named(site, bucket):
    client, _name, target, log = bucket
    with pytest.raises(PublishError) as error:
        publish(site, {**target, "bucket": "geen-emmer"})
    message = one_sentence(error.value)
    print(f"\n{message}")
    assert "'geen-emmer'" in message and "does not exist" in message
    assert puts(log.take(), "geen-emmer") == []
    assert "geen-emmer" not in {b["Name"] for b in client.list_buckets()["Buckets"]}


def test_missing_credentials_or_an_unreachable_server_are_named(site, bucket, monkeypatch):
    _client, _name, target, _log = bucket
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(PublishError) as error:
        publish(site, target)
    message = one_sentence(error.value)
    assert message.startswith("No S3 key") and "AWS_ACCESS_KEY_ID" in message, message
    print(f"\n{message}")

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "dorpsplein-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "dorpsplein-test-secret")
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    with pytest.raises(PublishError) as error:
        publish(site, {**target, "endpoint": nobody})
    message = one_sentence(error.value)
    assert message.startswith(f"Could not list bucket {target['bucket']!r} at {nobody}"), message
    assert "'endpoint'" in message
    print(f"{message} ({time.monotonic() - started:.1f} s)")


@pytest.fixture
def iam_enforced(s3_server):
    """Let the server check signatures and IAM policies (moto's switch), then stop."""
    endpoint, _log = s3_server

    def switch(after: str):
        # (Not form data: the server reads the raw body.)
        request = urllib.request.Request(f"{endpoint}/moto-api/reset-auth", data=after.encode(),
                                         headers={"Content-Type": "text/plain"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.load(reply)

    yield lambda: switch("0")
    switch("inf")


def test_a_refused_upload_is_named_with_the_fix(site, bucket, iam_enforced, monkeypatch):
    client, name, target, log = bucket
    iam = boto3.session.Session().client("iam", endpoint_url=target["endpoint"],
                                         region_name=REGION)
    iam.create_user(UserName="lezer")
    iam.put_user_policy(UserName="lezer", PolicyName="alleen-lezen", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"],
                       "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"]}],
    }))
    key = iam.create_access_key(UserName="lezer")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    iam_enforced()
    log.take()

    with pytest.raises(PublishError) as error:
        publish(site, target)
    message = one_sentence(error.value)
    assert "refused to upload" in message and "AccessDenied" in message, message
    assert "AWS_ACCESS_KEY_ID" in message
    time.sleep(0.2)  # the server logs a request just after it answered it
    assert [method for method, _path in log.take()] == ["GET", "PUT"], "stops at the first"
    print(f"\n{message}")

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "niet-het-geheim")
    with pytest.raises(PublishError) as error:
        publish(site, target)
    message = one_sentence(error.value)
    assert "refused the key" in message and "SignatureDoesNotMatch" in message, message
    print(message)
