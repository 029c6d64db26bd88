"""Settings for your town's Dorpsplein site.

This is the one file a town fills in. Read it top to bottom and change the
values; every setting says what it does. The build checks them and stops with
a sentence that names the setting when a value is wrong.

Production overrides (the public web address) live in publishconf.py.
"""

# ---------------------------------------------------------------------------
# Who you are
# ---------------------------------------------------------------------------

# The town's name as citizens say it. Used in the header, the footer, page
# titles and the accessible names of social profile links.
TOWN_NAME = "Lindeveld"

# The name of the blog, shown in the header and in every page's <title>.
SITENAME = "Lindeveld in gesprek"

# One sentence under the site name: what this blog is for.
SITESUBTITLE = "Hoe de gemeente Lindeveld communiceert, luistert en samen beslist"

# Who writes when an article names no author (front matter `Authors:`).
AUTHOR = "Communicatiedienst Lindeveld"

# Where the site lives. Leave empty for the local preview; publishconf.py sets
# the public address (for example "https://blog.lindeveld.be").
SITEURL = ""

# The address of the local preview (`invoke serve`). Feeds and share links
# need absolute addresses; while SITEURL is empty they use this one.
PREVIEW_URL = "http://127.0.0.1:8000"

# ---------------------------------------------------------------------------
# How it looks
# ---------------------------------------------------------------------------

# The town's logo: a file under content/ (SVG or PNG), shown in the header.
# Give it a square or landscape shape; it is drawn 48 px high. Leave empty
# ("") for no logo.
TOWN_LOGO = "images/logo.svg"

# The brand colour as a hex code. It colours the header, links and buttons.
# Text in this colour must be readable on white (contrast at least 4.5:1,
# WCAG 2.1 AA); the build checks this and suggests a darker shade if not.
TOWN_BRAND_COLOUR = "#1d5c3a"

# Everything else about the look (text and background colours in light and
# dark mode, type sizes, spacing, corners) is a design token in
# theme/tokens.json. To change some of them for your town, copy those tokens
# into a file of your own under content/ and name it here, e.g.
# TOWN_TOKENS = "town/tokens.json". The build checks every colour pair for
# contrast and names the token to change. "" keeps the theme's look.
TOWN_TOKENS = ""

# ---------------------------------------------------------------------------
# How citizens reach you (shown in every page's footer)
# ---------------------------------------------------------------------------

TOWN_CONTACT = {
    # Name of the service that answers.
    "organisation": "Gemeente Lindeveld — Communicatiedienst",
    # Postal address, one line per entry.
    "address": ["Marktplein 1", "9999 Lindeveld"],
    # Phone number as people dial it; the build makes a tel: link of it.
    "phone": "09 123 45 67",
    # E-mail address for questions about the site and its articles.
    "email": "communicatie@lindeveld.example",
    # Opening hours of the town hall, one line per entry.
    "opening_hours": [
        "maandag tot vrijdag: 9.00 – 12.00 uur",
        "woensdag ook: 14.00 – 19.00 uur",
    ],
}

# The town's social profiles, shown as links in the footer. Keep only the ones
# you have; the keys allowed are facebook, x, linkedin, instagram, mastodon,
# youtube, bluesky. Links only: nothing is loaded from these networks.
TOWN_SOCIAL = {
    "facebook": "https://www.facebook.com/gemeentelindeveld",
    "x": "https://x.com/lindeveld",
    "linkedin": "https://www.linkedin.com/company/gemeente-lindeveld",
    "instagram": "https://www.instagram.com/gemeentelindeveld",
    "mastodon": "https://mastodon.social/@lindeveld",
    "youtube": "https://www.youtube.com/@gemeentelindeveld",
}

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

# ---------------------------------------------------------------------------
# Menu and lists
# ---------------------------------------------------------------------------

# Extra menu entries after "Start": (label, address relative to the site).
# The pages named in MENU_PAGES follow them.
MENUITEMS = (
    ("Thema's", "themas/"),
    ("Archief", "archief/"),
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

# A fixed identifier for this site's feeds, so feed readers recognise every
# article even when the site moves to another address. Set it once to a new
# UUID (python3 -c "import uuid; print(uuid.uuid4())") and never change it.
FEEDGEN_FEEDS_ID_NAMESPACE = "6f1d9a52-3c1e-4c5b-9a55-0c0f7b1f4e21"

# ---------------------------------------------------------------------------
# Sharing (plain links: nothing is loaded from a network until a reader clicks)
# ---------------------------------------------------------------------------

# The share links under every article, in this order. Allowed: facebook, x,
# linkedin, whatsapp, mastodon, bluesky, email. An article can hide them with
# `Share: off` in its front matter.
SHARE_LINKS_NETWORKS = ["facebook", "x", "linkedin", "whatsapp", "mastodon", "bluesky", "email"]

# Hashtags added to posts on X, Mastodon and Bluesky (without #).
SHARE_LINKS_HASHTAGS = ["Lindeveld"]

# The town's X account (without @), shown as "via" in a post on X.
SHARE_LINKS_VIA = "lindeveld"

# Also put share links on pages (Over deze blog, Contact, ...).
SHARE_LINKS_PAGES = False

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
# Comments (the town's own Isso server; see README, "Comments")
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
# Machinery: how content becomes pages. A town rarely changes anything below.
# ---------------------------------------------------------------------------

PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
# Folders under content/ copied as they are (images, downloads, robots.txt).
STATIC_PATHS = ["images", "extra"]
EXTRA_PATH_METADATA = {
    "extra/robots.txt": {"path": "robots.txt"},
}
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
    "responsive_images",
    "asset_hashing",
    "site_search",
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

# Keep a parsed-content cache between local builds (faster previews).
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"

# Drafts (`Status: draft`) and scheduled articles (dated in the future) are
# written to /concepten/<slug>/ in the preview and listed at /concepten/;
# publishconf.py never writes them. A scheduled article goes live with the
# first build after its date (see README: nightly build).
WITH_FUTURE_DATES = False
DRAFTS_URL = "concepten/"
DRAFTS_SAVE_AS = "concepten/index.html"
DRAFT_URL = "concepten/{slug}/"
DRAFT_SAVE_AS = "concepten/{slug}/index.html"
DRAFT_PAGE_URL = "concepten/pagina/{slug}/"
DRAFT_PAGE_SAVE_AS = "concepten/pagina/{slug}/index.html"
