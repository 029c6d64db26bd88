"""Settings for your town's Dorpsplein site.

The facts about your town are in town.toml (read below). This file holds how
the site works: language, menu, categories, feeds, sharing, comments. Read it
top to bottom; every setting says what it does. The build checks them and
stops with a sentence that names the setting when a value is wrong.

Production overrides (the public web address) live in publishconf.py.
"""

# ---------------------------------------------------------------------------
# Who you are: the town profile
# ---------------------------------------------------------------------------

# Every fact about the town (name, site name, tagline, brand colour, logo,
# contact details, data-protection officer, social profiles, public address,
# feed identifier) is in town.toml, beside this file: change them there (or
# run ./go town). They become these settings: TOWN_NAME, SITENAME,
# SITESUBTITLE, AUTHOR, TOWN_BRAND_COLOUR, TOWN_LOGO, TOWN_TOKENS,
# TOWN_CONTACT, TOWN_PRIVACY, TOWN_SOCIAL, SHARE_LINKS_HASHTAGS,
# SHARE_LINKS_VIA, FEEDGEN_FEEDS_ID_NAMESPACE, TOWN_PUBLIC_URL and
# TOWN_COMMENTS_URL.
from pathlib import Path as _Path  # noqa: E402 - the profile first, then the rest

from dorpsplein import town as _town  # noqa: E402

globals().update(_town.settings(_town.load(_Path(__file__).with_name("town.toml"))))

# Where the site lives. Empty for the local preview; publishconf.py sets the
# public address from town.toml.
SITEURL = ""

# The address of the local preview (`./go serve`). Feeds and share links
# need absolute addresses; while SITEURL is empty they use this one.
PREVIEW_URL = "http://127.0.0.1:8000"

# ---------------------------------------------------------------------------
# Language and time
# ---------------------------------------------------------------------------

# The interface language. "nl" ships with Dorpsplein; for another language
# add theme/translations/<code>/LC_MESSAGES/messages.po (copy the Dutch one).
DEFAULT_LANG = "nl"

# The locale used for dates and numbers ("26 november 2026"), through Babel:
# nl_BE for Flanders, nl_NL for the Netherlands.
SITE_LOCALE = "nl_BE"

# The time zone of the dates in your articles' front matter.
TIMEZONE = "Europe/Brussels"

# The language of the messages the editor reads: ./go check, ./go new, the
# build's "file:line: problem — fix" lines, and ./go serve (the terminal and
# the problem panel in the browser). "nl" for Dutch, "en" for English.
EDITOR_LANGUAGE = "nl"

# ---------------------------------------------------------------------------
# Menu and lists
# ---------------------------------------------------------------------------

# Extra menu entries after "Start": (label, address relative to the site).
# The pages named in MENU_PAGES follow them.
MENUITEMS = (
    ("Thema's", "themas/"),
    ("Archief", "archief/"),
    # The consultations (content/inspraak/, see "Inspraak" below).
    ("Inspraak", "inspraak/"),
)

# Pages (by slug, from content/pages/) that appear in the main menu, in this
# order. The other pages are linked from the footer.
MENU_PAGES = ["over-deze-blog", "contact"]

# Pages linked in the footer, by slug.
FOOTER_PAGES = [
    "volg-ons",
    "privacyverklaring",
    "toegankelijkheidsverklaring",
    "reageerregels",
]

# The categories an article may have (front matter `Category:`).
CATEGORIES = [
    "Sociale media",
    "Burgerparticipatie",
    "Communicatiestrategie",
    "Moderatie",
]

# How many articles one page of the home page lists.
DEFAULT_PAGINATION = 6

# ---------------------------------------------------------------------------
# Pictures in articles
# ---------------------------------------------------------------------------

# Drop photos in content/images/ as they come from the camera: the build makes
# smaller copies of these widths (in pixels) for phones and tablets...
RESPONSIVE_IMAGES_WIDTHS = [480, 800, 1200]

# ...and never publishes a photo wider than this, or heavier than this many
# bytes, as it was: it is resized and recompressed first.
RESPONSIVE_IMAGES_MAX_WIDTH = 1600
RESPONSIVE_IMAGES_MAX_BYTES = 600_000

# ---------------------------------------------------------------------------
# Feeds (Atom and RSS, for feed readers; listed on the "Volg ons" page)
# ---------------------------------------------------------------------------

# Which formats every feed is written in: "atom", "rss" or both.
FEEDGEN_FEEDS_TYPES = ["atom", "rss"]

# How many of the newest articles a feed holds.
FEEDGEN_FEEDS_MAX_ITEMS = 20

# "full": readers get the whole article; "summary": only the summary, with a
# link to the site.
FEEDGEN_FEEDS_CONTENT = "full"

# Also write a feed for every category and every tag.
FEEDGEN_FEEDS_CATEGORIES = True
FEEDGEN_FEEDS_TAGS = True


# ---------------------------------------------------------------------------
# Sharing (plain links: nothing is loaded from a network until a reader clicks)
# ---------------------------------------------------------------------------

# The share links under every article, in this order. Allowed: facebook, x,
# linkedin, whatsapp, mastodon, bluesky, email. An article can hide them with
# `Share: off` in its front matter.
SHARE_LINKS_NETWORKS = ["facebook", "x", "linkedin", "whatsapp", "mastodon", "bluesky", "email"]

# Hashtags and the X account for shared posts are in town.toml ([social]).


# Also put share links on pages (Over deze blog, Contact, ...).
SHARE_LINKS_PAGES = False

# "Besproken op" under an article: where it was posted or discussed, from its
# front matter (`Discussed:` with the addresses of the posts; see
# docs/redactie.md). Plain links; for Mastodon and Bluesky the build asks
# their public APIs (no login) for the replies and reposts, and never waits
# long: without an answer it shows the last counts it had, or the links alone.
# False: never ask, show the links only.
DISCUSSED_ON_FETCH = True
# How long a build waits for those answers, in seconds, for all posts
# together (they are asked at the same time).
DISCUSSED_ON_TIMEOUT = 2
# Counts younger than this many hours are shown without asking again (kept in
# cache/discussed_on/). 0 asks at every build.
DISCUSSED_ON_MAX_AGE_HOURS = 6
# Where Bluesky's public API answers.
DISCUSSED_ON_BLUESKY_API = "https://public.api.bsky.app"

# ---------------------------------------------------------------------------
# Search (Pagefind, run at the end of every full build; see
# plugins/site_search/README.md)
# ---------------------------------------------------------------------------

# The folder in the site where the search index is written. Only article and
# page text is indexed (never menus, share links or comments). The search
# page is at SEARCH_URL below; readers without JavaScript are sent to the
# archive instead.
SITE_SEARCH_BUNDLE = "pagefind"

# ---------------------------------------------------------------------------
# Related articles ("Lees ook" at the end of every article)
# ---------------------------------------------------------------------------

# How many related articles an article shows at most: those sharing the most
# tags, then the same category, then the newest. 0 shows none.
RELATED_READING_MAX = 3

# ---------------------------------------------------------------------------
# Search engines: sitemap.xml and robots.txt (plugins/site_sitemap)
# ---------------------------------------------------------------------------

# The build writes sitemap.xml (every published article and page, with the
# date of its `Modified:` line, else its `Date:`) and robots.txt, which names
# the sitemap at its full address. These are the lines of robots.txt above
# that Sitemap line. A site under a sub-path (SITEURL "https://example.org/blog"):
# search engines read robots.txt only at the root of the domain, so add the
# Sitemap line to that one too (see docs/hosting.md, "Under a sub-path").
SITE_SITEMAP_ROBOTS = ["User-agent: *", "Allow: /"]

# The list pages the sitemap names as well: "index" (the home page),
# "archives", "categories" (the themes and each theme's page), "tags",
# "authors". Leave one out to keep those pages out of the sitemap.
SITE_SITEMAP_LISTS = ["index", "archives", "categories", "tags", "authors"]

# ---------------------------------------------------------------------------
# Comments (the town's own Isso server; see docs/hosting.md)
# ---------------------------------------------------------------------------

# Where the browser reaches the comment server. For the local preview this is
# the server `invoke serve` starts; publishconf.py sets the public address.
ISSO_COMMENTS_URL = "http://127.0.0.1:8080"

# Comments under an article whose front matter has no `Comments:` line:
# "open", "closed" (existing comments shown, no new ones) or "off" (nothing).
ISSO_COMMENTS_DEFAULT = "open"

# Close an article's comments this many days after its date, unless its
# front matter says `Comments: open`. 0 keeps them open.
ISSO_COMMENTS_CLOSE_AFTER_DAYS = 0

# The page with the house rules for comments (its slug), linked from every
# comment section.
ISSO_COMMENTS_RULES_PAGE = "reageerregels"

# Isso's own client options, named as its data-isso-* attributes (see Isso's
# documentation). Anything left out keeps Dorpsplein's default: language nl,
# votes on, oldest first, a name required, e-mail optional, no avatars.
ISSO_COMMENTS_CLIENT = {
    "vote": True,
    "sorting": "oldest",
    "require-author": True,
    "require-email": False,
    # Neighbours on one network may answer each other's fresh comments.
    "reply-to-self": True,
}

# The comment server itself, used by `invoke comments` and `invoke serve`
# to write isso.cfg. The database lives under var/ (never in git).
# How long personal data is kept: purge_after and keep_* (plugins/isso_comments/settings.py).
ISSO_COMMENTS_SERVER = {
    "listen": "127.0.0.1:8080",
    "database": "var/isso/comments.db",
    # New comments wait for approval; publishconf.py turns this on.
    "moderation": False,
    # Rate limits. Isso counts per network (IPv4 /24, IPv6 /48), and on a
    # library's Wi-Fi, a school or a mobile network many neighbours share one:
    # keep these generous. New comments per minute from one network:
    "ratelimit": 5,
    # Top-level comments on one article from one network (replies not counted):
    "direct_reply": 20,
}

# ---------------------------------------------------------------------------
# Inspraak: consultations (plugins/participation, docs/participation.md)
# ---------------------------------------------------------------------------

# A consultation is one Markdown file in content/inspraak/ (see
# docs/redactie.md, "Een inspraakronde organiseren"). The build writes its
# pages under /inspraak/; citizens post ideas, support and report them through
# the town's participation service beside the site (./go serve starts it).

# The folders under content/ that hold consultations. They are never read as
# articles or pages. [] switches consultations off (and the privacy statement
# then says nothing about ideas and supports).
PARTICIPATION_PATHS = ["inspraak"]

# The folders under content/ that hold self-tests ("zelftest": a short quiz or
# profile test, one question a page; docs/redactie.md, "Een zelftest
# schrijven"). Pages under /zelftest/; without JavaScript the participation
# service asks the questions, and stores nothing unless a test says Counts: on.
PARTICIPATION_SELF_TEST_PATHS = ["zelftest"]

# Following by e-mail ("Volg ons per e-mail"): a short form under every
# article and a full one on the "Volg ons" page. Citizens choose all new
# articles or some themes, confirm by mail, and the server's mail job
# (./go mail-new) mails each new article once. The service must be able to
# send mail (PARTICIPATION_SERVER's "smtp"). False: no form, nothing sent, and
# the nightly ./go retention deletes every follower's address.
PARTICIPATION_EMAIL_FOLLOW = True

# Where the reader's browser reaches the participation service. None: the
# local preview's service (http://127.0.0.1:8091), or /participatie under the
# public address once SITEURL is set (publishconf.py; the web server in
# deploy/ hands that path to the service).
PARTICIPATION_URL = None

# Where the build reads the approved ideas and their support: None asks the
# service (at PARTICIPATION_SERVER's address, 3 seconds at most, keeping the
# last answer in cache/participation/ for when it does not answer); or a
# folder with one <slug>.json per consultation (a copy, or the tests).
PARTICIPATION_DATA = None

# The service itself (`./go serve` and the systemd unit start it): its
# address, database, spam limits and outgoing mail. Anything left out keeps
# the default in plugins/participation/settings.py (SERVER_DEFAULTS), where
# every key is explained.
# How long personal data is kept: the keep_* keys there (SERVER_DEFAULTS, ./go retention).
PARTICIPATION_SERVER = {
    "listen": "127.0.0.1:8091",
    "database": "var/participation/participation.db",
    # Ideas, supports and reports per network per hour: a library's Wi-Fi
    # or a school is one network, so keep it generous.
    "writes_per_hour": 120,
}

# ---------------------------------------------------------------------------
# Privacy (plugins/privacy_statement, docs/hosting.md "Privacy requests")
# ---------------------------------------------------------------------------

# The privacy statement (content/pages/privacyverklaring.md, `Template:
# privacy`) gets its tables of what the site keeps, why, how long and who sees
# it from the features that are on and their settings: where the page says
# {{ privacy.processing }}. How long each thing is kept is set by the keep_*
# keys of ISSO_COMMENTS_SERVER and PARTICIPATION_SERVER (./go retention
# applies them every night). The register of processing activities for the
# data-protection officer is published at this address ("" for none):
PRIVACY_REGISTER_URL = "privacyverklaring/verwerkingsregister/"

# ---------------------------------------------------------------------------
# Machinery: how content becomes pages. A town rarely changes anything below.
# ---------------------------------------------------------------------------

PATH = "content"
# Where the local preview is built (./go build, ./go serve). publishconf.py
# builds the public site into a folder of its own, output/public/, so a
# publish never changes the preview an editor has open. Both are git-ignored.
OUTPUT_PATH = "output/preview"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
# Folders under content/ copied as they are (images, downloads).
STATIC_PATHS = ["images", "extra"]
# Where a copied file goes instead, e.g. {"extra/favicon.ico": {"path": "favicon.ico"}}.
# Not robots.txt: the build writes it (see "Search engines" above).
EXTRA_PATH_METADATA = {}
THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = [
    "town_identity",
    "design_tokens",
    "site_i18n",
    "site_menu",
    "reading_time",
    "neighbors",
    "isso_comments",
    "feedgen_feeds",
    "share_links",
    "related_reading",
    # "Besproken op": where an article was posted or discussed (its `Discussed:`).
    "discussed_on",
    "responsive_images",
    # Site-address links (/over-deze-blog/) keep working under a sub-path.
    "site_links",
    "asset_hashing",
    "site_search",
    "site_sitemap",
    # Consultations: their pages, results and participation.json (see "Inspraak").
    "participation",
    # The privacy statement's tables and the register of processing
    # activities, from what the features above keep (see "Privacy" above).
    "privacy_statement",
    # Checks every article and page before the build (plugins/editor_checks).
    # The order of this list does not matter: plugins talk through contracts.
    "editor_checks",
]

# Clean addresses: /2026/facebookpagina-starten/ instead of .html files.
ARTICLE_URL = "{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "thema/{slug}/"
CATEGORY_SAVE_AS = "thema/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
AUTHOR_URL = "auteur/{slug}/"
AUTHOR_SAVE_AS = "auteur/{slug}/index.html"
CATEGORIES_URL = "themas/"
CATEGORIES_SAVE_AS = "themas/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
AUTHORS_URL = "auteurs/"
AUTHORS_SAVE_AS = "auteurs/index.html"
INDEX_URL = ""
ARCHIVES_URL = "archief/"
ARCHIVES_SAVE_AS = "archief/index.html"
DIRECT_TEMPLATES = ["index", "categories", "tags", "authors", "archives", "404", "drafts", "search"]
# The search page (theme/templates/search.html, plugins/site_search).
SEARCH_URL = "zoeken/"
SEARCH_SAVE_AS = "zoeken/index.html"
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/pagina/{number}/", "{base_name}/pagina/{number}/index.html"),
)
# Year and month archives are not generated: the archive page lists all.
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
# Pages are shown through MENU_PAGES and FOOTER_PAGES instead.
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False

# Links start at the site root (/2026/...), so the preview works on any
# host and port; publishconf.py makes them absolute.
RELATIVE_URLS = False

# Feeds are written by the feedgen_feeds plugin (see "Feeds" above);
# Pelican's own feed writer stays off.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# Jinja: escape every value by default; trusted HTML (article content) is
# marked safe in the theme's one place for it.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}

# Python-Markdown extensions for articles and pages.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {"permalink": False},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}

# Keep a parsed-content cache between local builds (faster previews). With
# the caches on, a build with nothing changed since the last one writes
# nothing and says so (dorpsplein/uptodate.py); publishconf.py turns them off.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
# A full build converts and renders on every CPU it may use, at most 4
# (dorpsplein/parallel.py); the output is the same. 1 renders in one process.
# BUILD_PROCESSES = 2

# Drafts (`Status: draft`) and scheduled articles (dated in the future) are
# written to /concepten/<slug>/ in the preview and listed at /concepten/;
# publishconf.py never writes them. A scheduled article goes live with the
# first build after its date (see docs/redactie.md: the nightly build).
WITH_FUTURE_DATES = False
DRAFTS_URL = "concepten/"
DRAFTS_SAVE_AS = "concepten/index.html"
DRAFT_URL = "concepten/{slug}/"
DRAFT_SAVE_AS = "concepten/{slug}/index.html"
DRAFT_PAGE_URL = "concepten/pagina/{slug}/"
DRAFT_PAGE_SAVE_AS = "concepten/pagina/{slug}/index.html"
