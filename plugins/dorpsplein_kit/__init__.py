"""dorpsplein_kit: the small kit every local plugin may import (it imports no plugin).

- ``Setting``, ``merge``, ``SettingsError`` (+ ``whole_number``, ``one_of``, ``true_or_false``,
  ``dictionary``, ``reject_unknown``, ``fail``): declare a plugin's settings
  with defaults and checks; the one error a wrong value raises.
- ``OutputGenerator``, ``write_if_changed``, ``copy_if_stale``: generators
  that only write files; write only what changed, copy only what is stale.
- ``site_url``, ``absolute_url``: absolute addresses (SITEURL, else the
  preview's address).
- ``image_size``, ``svg_size``: a picture's natural size.
- ``sharing.share_links``, ``sharing.preview_meta``: share links and Open
  Graph / X card tags for any page (share_links' articles, participation's
  ideas), with the SHARE_LINKS_* defaults in one place.
- ``parse_hex``, ``palette``, ``contrast_ratio``: colours.
- ``town``: the town's identity (name, logo, palette, publisher, e-mail);
  ``facts``/``fill``: its facts as placeholders (``{{ town.name }}``) in content.
- ``EDITOR_LANGUAGE``, ``editor_language``, ``translations``: the language
  of the messages editors read ("nl" or "en") and gettext catalogues compiled
  in memory with Babel (English msgids, one ``locale/`` folder per part).
- ``OwnPage``, ``offer``, ``offered``: pages a plugin writes itself (a
  consultation, its ideas), offered to the comment plugin, the sitemap and
  the search index.
- ``Contract``, ``declared``: what a plugin offers (front-matter values, data
  list pages show, the live preview's one-article update, ``FeedLink``s for
  the feeds, ``Processing`` records of personal data), read by the editor
  checks, the live preview, the feeds and the privacy statement.
- ``privacy_page``: the privacy statement page, for links to it.

Not a Pelican plugin itself: it is never listed in PLUGINS. The name cannot
clash with an upstream ``pelican.plugins.*`` namespace plugin.
"""

from .colours import contrast_ratio, palette, parse_hex
from .contracts import Contract, Declared, FeedLink, declared
from .identity import PLACEHOLDER, Town, facts, fill, town
from .images import image_size, svg_size
from .language import EDITOR_LANGUAGE, EDITOR_LANGUAGES, editor_language, said, translations
from .output import OutputGenerator, copy_if_stale, write_if_changed
from .own_pages import OWN_PAGES, OwnPage, offer, offered
from .privacy import PROCESSING_MARKER, Processing, privacy_page
from .settings import (
    Setting,
    SettingsError,
    dictionary,
    fail,
    merge,
    one_of,
    reject_unknown,
    true_or_false,
    whole_number,
)
from .urls import absolute_url, site_url

__all__ = [
    "EDITOR_LANGUAGE", "EDITOR_LANGUAGES", "OWN_PAGES", "PLACEHOLDER", "Contract",
    "Declared", "FeedLink", "OwnPage", "PROCESSING_MARKER", "Processing", "offer", "offered",
    "privacy_page",
    "OutputGenerator", "Setting", "SettingsError", "Town", "absolute_url", "contrast_ratio",
    "copy_if_stale", "declared", "dictionary", "editor_language", "facts", "fail", "fill",
    "image_size", "merge", "one_of", "palette", "parse_hex", "reject_unknown", "said",
    "site_url", "svg_size", "town", "translations", "true_or_false", "whole_number",
    "write_if_changed",
]
