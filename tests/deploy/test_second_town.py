"""A second town adopts the kit: a fresh copy of the repository, `./go town` with
flags (Beekdorp, under a sub-path, its own logo, the samples removed), the public
build, publish to a directory under the sub-path, and the deploy configurations
written from the profile. Then: not one "Lindeveld" anywhere, no broken link,
a valid sitemap, and nginx accepts the generated configuration."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from dorpsplein import deploy_config, town, town_setup
from dorpsplein.build import ROOT, build
from dorpsplein.publish import publish

URL = "https://www.beekdorp.example/blog"
LEAVE_OUT = {".git", ".venv", "node_modules", "output", "var", "cache", "artifacts",
             "__pycache__", ".pytest_cache", "dorpsplein.egg-info"}
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">'
        '<circle cx="20" cy="20" r="18" fill="#0b4f8a"/></svg>')


@pytest.fixture(scope="module")
def beekdorp(tmp_path_factory):
    base = tmp_path_factory.mktemp("beekdorp")
    kit = base / "kit"
    shutil.copytree(ROOT, kit, ignore=lambda folder, names: [n for n in names
                                                             if n in LEAVE_OUT])
    (base / "logo.svg").write_text(LOGO, encoding="utf-8")
    town_setup.setup(kit, {
        "name": "Beekdorp", "site-name": "Beekdorp spreekt",
        "tagline": "Hoe Beekdorp samen beslist", "colour": "#0b4f8a",
        "organisation": "Gemeente Beekdorp — Dienst Communicatie",
        "address": "Kerkplein 3 | 8888 Beekdorp", "phone": "050 11 22 33",
        "email": "info@beekdorp.example", "dpo-email": "dpo@beekdorp.example", "url": URL,
        "mastodon": "https://social.example/@beekdorp",
    }, interactive=False, samples="remove", logo=str(base / "logo.svg"))
    # The town's first article (the samples are gone).
    (kit / "content" / "articles" / "2026-11-eerste-artikel.md").write_text(
        "Title: Ons eerste artikel\nDate: 2026-11-20 10:00\nCategory: Burgerparticipatie\n"
        "Summary: Waarom {{ town.name }} een blog begint.\nTags: blog\n\n"
        "Vanaf vandaag vertelt {{ town.name }} hier hoe beslissingen tot stand komen. "
        "Lees ook [wie we zijn](/over-deze-blog/).\n", encoding="utf-8")
    result = build(kit / "publishconf.py", overrides={
        "OUTPUT_PATH": str(base / "output"), "CACHE_PATH": str(base / "cache")})
    www = base / "www"
    publish(result.output_path, {"method": "directory", "path": str(www / "blog")})
    deploy = base / "deploy"
    deploy_config.render(town.load(kit / "town.toml"), deploy)
    return {"kit": kit, "www": www, "site": www / "blog", "deploy": deploy}


@pytest.mark.slow
def test_not_one_lindeveld_in_the_site_or_the_configurations(beekdorp):
    for folder in (beekdorp["www"], beekdorp["deploy"]):
        files = [p for p in folder.rglob("*") if p.is_file()]
        assert len(files) > 10
        for path in files:
            data = path.read_bytes()
            if path.suffix in (".gz", ".br", ".png", ".pagefind", ".pf_meta", ".pf_index",
                               ".pf_fragment"):
                continue  # compressed copies of files checked as themselves
            assert b"lindeveld" not in data.lower(), path


@pytest.mark.slow
def test_the_profile_reached_pages_feeds_and_configurations(beekdorp):
    site = beekdorp["site"]
    contact = (site / "contact" / "index.html").read_text(encoding="utf-8")
    assert "Kerkplein 3" in contact and "mailto:info@beekdorp.example" in contact
    assert "Beekdorp spreekt" in (site / "index.html").read_text(encoding="utf-8")
    nginx = (beekdorp["deploy"] / "nginx" / "dorpsplein.conf").read_text(encoding="utf-8")
    assert "server_name www.beekdorp.example;" in nginx
    snippet = (beekdorp["deploy"] / "nginx" / "snippets" / "dorpsplein-site.conf").read_text()
    assert "location ^~ /blog/comments/ {" in snippet
    assert "proxy_set_header X-Script-Name /blog/comments;" in snippet
    article = (site / "2026" / "ons-eerste-artikel" / "index.html").read_text(encoding="utf-8")
    assert "Waarom Beekdorp een blog begint." in article
    # The comment server under the blog's own sub-path.
    assert re.search(r'data-isso="(https://www\.beekdorp\.example)?/blog/comments"', article)


def local_target(site: Path, page: Path, link: str) -> Path | None:
    """The file a link on ``page`` leads to, if it stays on this site."""
    parts = urlsplit(link)
    if parts.scheme in ("mailto", "tel", "data", "javascript"):
        return None
    if parts.scheme in ("http", "https"):
        if not link.startswith(URL + "/") and link != URL:
            return None
        path = urlsplit(link).path
    elif link.startswith("/"):
        path = parts.path
    elif link.startswith("#") or not parts.path:
        return None
    else:
        return (page.parent / unquote(parts.path)).resolve()
    assert path.startswith("/blog"), f"{page}: {link} leaves the sub-path"
    target = site / unquote(path[len("/blog"):].lstrip("/"))
    return target


@pytest.mark.slow
def test_no_broken_link_under_the_sub_path(beekdorp):
    site = beekdorp["site"]
    checked = 0
    for page in site.rglob("*.html"):
        doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for element in doc.select("[href], [src]"):
            link = element.get("href") or element.get("src")
            target = local_target(site, page, link)
            if target is None:
                continue
            checked += 1
            if target.is_dir() or link.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(site)}: {link} is broken"
    assert checked > 200


@pytest.mark.slow
def test_the_sitemap_lists_the_pages_under_the_sub_path(beekdorp):
    site = beekdorp["site"]
    from lxml import etree

    tree = etree.parse(str(site / "sitemap.xml"))
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [loc.text for loc in tree.findall(".//s:url/s:loc", namespace)]
    assert urls and all(url.startswith(URL + "/") for url in urls)
    assert f"{URL}/contact/" in urls
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {URL}/sitemap.xml" in robots


@pytest.mark.slow
def test_nginx_accepts_the_generated_configuration(beekdorp, tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed: run ./go test (it installs it).")
    generated = beekdorp["deploy"] / "nginx"
    prefix = tmp_path / "nginx"
    shutil.copytree(generated / "snippets", prefix / "snippets")
    # Test certificates in place of Let's Encrypt's (the only change made).
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=www.beekdorp.example", "-keyout", str(prefix / "key.pem"),
                    "-out", str(prefix / "cert.pem")], check=True, capture_output=True)
    site = (generated / "dorpsplein.conf").read_text(encoding="utf-8")
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


@pytest.mark.parametrize("name", sorted(p.relative_to(deploy_config.TEMPLATES).as_posix()
                                        for p in deploy_config.TEMPLATES.rglob("*")
                                        if p.is_file()))
def test_the_shipped_deploy_folder_is_what_the_profile_gives(tmp_path, name):
    """deploy/ is ./go deploy-config's output for town.toml: run it after a change."""
    deploy_config.render(town.load(ROOT / "town.toml"), tmp_path)
    shipped = ROOT / "deploy" / name
    assert shipped.read_text(encoding="utf-8") == (tmp_path / name).read_text(encoding="utf-8"), \
        f"deploy/{name} is out of date: run ./go deploy-config"
