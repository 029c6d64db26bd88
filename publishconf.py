"""Production settings: what changes when the site goes public.

Used by `invoke publish-build`. Everything else comes from pelicanconf.py.
"""

import os
import runpy
from pathlib import Path

# Start from every setting in pelicanconf.py, the file beside this one. Pelican
# reads a settings file by its path, not as an importable module, so this file
# reads pelicanconf.py by its path too (from any folder). Pelican takes the
# upper-case names as settings; town_profile itself is not one.
town_profile = runpy.run_path(str(Path(__file__).with_name("pelicanconf.py")))
globals().update((name, value) for name, value in town_profile.items() if name.isupper())

# The public address of the site, without a trailing slash: [web] url in
# town.toml. Feeds, share previews and canonical links need it absolute. Can
# be overridden with the DORPSPLEIN_SITEURL environment variable (for example
# in a CI workflow; an empty one keeps this).
SITEURL = os.environ.get("DORPSPLEIN_SITEURL") or town_profile["TOWN_PUBLIC_URL"]

# Absolute links in production: every page names its own full address.
RELATIVE_URLS = False

# The public site's own folder, apart from the preview's (output/preview/):
# a publish never changes the preview an editor has open.
OUTPUT_PATH = "output/public"

# Start from an empty output folder so nothing stale is published.
DELETE_OUTPUT_DIRECTORY = True

# Build from scratch: no content cache in production builds.
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

# Drafts and scheduled articles are never published (nor their list).
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFTS_SAVE_AS = ""

# The comment server, reached on the site's own address through the web
# server (see deploy/). Moderation is on: new comments wait for approval.
# None: under SITEURL's own path, "/comments" for a site at a host's root and
# "/blog/comments" for SITEURL "https://example.org/blog" (plugins/isso_comments).
# [web] comments_url in town.toml, or DORPSPLEIN_COMMENTS_URL, names another
# address (an empty one keeps this).
ISSO_COMMENTS_URL = (os.environ.get("DORPSPLEIN_COMMENTS_URL")
                     or town_profile["TOWN_COMMENTS_URL"] or None)
ISSO_COMMENTS_SERVER = {**town_profile["ISSO_COMMENTS_SERVER"], "moderation": True}

# Write .gz and .br copies of every text file, for servers that send them
# as they are (deploy/nginx: gzip_static, brotli_static).
PLUGINS = [*town_profile["PLUGINS"], "precompress"]
PRECOMPRESS_GZIP = True
PRECOMPRESS_BROTLI = True
PRECOMPRESS_ZOPFLI = False
PRECOMPRESS_ZSTANDARD = False
# Which files get copies, by extension: pelican-precompress's default list
# (2.4) without .json. The only JSON file the build writes is isso-threads.json,
# which is for the comment server and must not be on the web under any name;
# the plugin has no per-file exclusion, and leaving the extension out is its
# supported way (cleaner than deleting the copies after it ran). Other JSON
# you add is still compressed by nginx on the fly (gzip_types).
PRECOMPRESS_TEXT_EXTENSIONS = {".atom", ".css", ".htm", ".html", ".ini", ".js", ".py",
                               ".rss", ".txt", ".xml", ".xsl"}

# Where `./go publish` puts the built site. One of (see docs/hosting.md):
#   {"method": "directory", "path": "/var/www/dorpsplein"}      this machine
#   {"method": "rsync", "destination": "deploy@web.example:/var/www/dorpsplein/"}
#   {"method": "github-pages", "remote": "origin", "branch": "gh-pages"}
#   {"method": "s3", "bucket": "...", "endpoint": "https://...", "region": "...",
#    "prefix": ""}    the key in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, never here
PUBLISH_TARGET = {
    "method": "directory",
    "path": os.environ.get("DORPSPLEIN_PUBLISH_PATH", "public"),
}
