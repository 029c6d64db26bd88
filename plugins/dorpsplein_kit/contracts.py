"""What a plugin offers the rest of the house, declared instead of implied.

A plugin package that other parts must know about exposes ``CONTRACT``::

    CONTRACT = Contract(
        front_matter={"comments": ("open", "closed", "off")},  # values it accepts
        listed=("isso_comments",),        # what it puts on articles that list pages show
        preview=update_one_article,       # live preview: redo its files for one article
        shown_elsewhere=("tags",),        # keys whose change alters other articles' pages
    )

The editor checks (at build time and in ``invoke check``) and the live preview
(``dorpsplein/incremental.py``) ask ``declared(settings)`` — the contracts of
the plugins in ``PLUGINS`` — and never name a plugin. Contracts are read after
every plugin is loaded, so the order of ``PLUGINS`` does not matter.

``preview(generators, article)`` is called after the preview has re-read one
article whose change touches only its body (no front-matter key that places
it elsewhere, no ``listed`` value changed) and rewritten its page: it rewrites
the plugin's own files that show that article (feeds, for example).

``shown_elsewhere`` names front-matter keys (``tags``, ``category``, ...) of an
article whose change alters what the plugin shows on other articles' pages
(related articles, for example): the live preview rebuilds everything when one
of them changes, even if it would not place the article elsewhere by itself.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from .settings import SettingsError

Preview = Callable[[list, Any], None]


@dataclass(frozen=True)
class Contract:
    front_matter: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    listed: tuple[str, ...] = ()
    preview: Preview | None = None
    shown_elsewhere: tuple[str, ...] = ()


@dataclass(frozen=True)
class Declared:
    """Every enabled plugin's contract, together."""

    front_matter: dict[str, tuple[str, ...]]
    listed: tuple[str, ...]
    previews: tuple[Preview, ...]
    shown_elsewhere: tuple[str, ...] = ()


def _module(plugin) -> ModuleType | None:
    """The module of a PLUGINS entry: the one Pelican loaded, else imported."""
    if isinstance(plugin, ModuleType):
        return plugin
    for name in (str(plugin), f"pelican.plugins.{plugin}"):
        if name in sys.modules:
            return sys.modules[name]
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


def contracts(settings) -> list[Contract]:
    """The contracts of the plugins in ``settings["PLUGINS"]``, in that order."""
    found = []
    for plugin in settings.get("PLUGINS") or []:
        contract = getattr(_module(plugin), "CONTRACT", None)
        if isinstance(contract, Contract):
            found.append(contract)
    return found


def declared(settings) -> Declared:
    """What the enabled plugins declare; two plugins may not claim one key."""
    front_matter: dict[str, tuple[str, ...]] = {}
    listed: set[str] = set()
    previews = []
    shown_elsewhere: set[str] = set()
    for contract in contracts(settings):
        for key, values in contract.front_matter.items():
            if key in front_matter and front_matter[key] != tuple(values):
                raise SettingsError(
                    f"Two plugins in PLUGINS accept different values for '{key.capitalize()}:'"
                    " — keep one of them in pelicanconf.py."
                )
            front_matter[key] = tuple(values)
        listed.update(contract.listed)
        if contract.preview is not None:
            previews.append(contract.preview)
        shown_elsewhere.update(contract.shown_elsewhere)
    return Declared(dict(sorted(front_matter.items())), tuple(sorted(listed)), tuple(previews),
                    tuple(sorted(shown_elsewhere)))
