"""The look, from design tokens: ``theme/tokens.json`` (+ the town's ``TOWN_TOKENS``).

At ``initialized`` the tokens are read, resolved and checked for contrast
(``dorpsplein_kit.tokens``); a wrong token stops the build with one sentence
naming the token, the file and a shade that passes. Templates get:

- ``DESIGN_TOKENS_STYLESHEET``: ``theme/css/tokens.<hash>.css``, every token
  as a CSS custom property (light, and dark under prefers-color-scheme),
  linked from ``base.html`` before ``main.css``, which uses only these;
- ``DESIGN_TOKENS``: ``{"color.text": {"light", "dark", "property"}}`` for
  files that cannot use custom properties (the feed stylesheet).
"""

from __future__ import annotations

import hashlib

from dorpsplein_kit import Contract, OutputGenerator, merge
from dorpsplein_kit.tokens import design_tokens
from pelican import signals

from .settings import SETTINGS

# Shows nothing per article; declared so the editor checks know the plugin.
CONTRACT = Contract()


def configure(pelican) -> None:
    settings = merge(pelican.settings, SETTINGS)
    tokens = design_tokens(settings)
    css = tokens.css()
    # The name carries a hash of the content: cached for a year, yet new the
    # day a token changes.
    digest = hashlib.sha256(css.encode()).hexdigest()[:10]
    settings["DESIGN_TOKENS_STYLESHEET"] = f"theme/css/tokens.{digest}.css"
    settings["DESIGN_TOKENS"] = tokens.as_context()


class TokensStylesheetGenerator(OutputGenerator):
    """Writes the tokens stylesheet into the output folder (only when it changed)."""

    def generate_output(self, writer) -> None:
        self.write(self.settings["DESIGN_TOKENS_STYLESHEET"],
                   design_tokens(self.settings).css())


def get_generators(pelican):
    return TokensStylesheetGenerator


def register() -> None:
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)
