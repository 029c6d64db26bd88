"""The town's facts in articles and pages: ``{{ town.name }}`` in Markdown.

A Python-Markdown preprocessor, run before the front matter is read (Meta,
priority 27), so placeholders work in the title and summary too. The values
come from the town profile (dorpsplein_kit.facts); a name that is not a fact
is left as it is and reported by the editor checks (file, line, the right
name), so a typo never turns into an empty sentence unseen.
"""

from __future__ import annotations

from dorpsplein_kit import fill
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor


class FactsPreprocessor(Preprocessor):
    def __init__(self, md, values: dict[str, str]):
        super().__init__(md)
        self.values = values

    def run(self, lines: list[str]) -> list[str]:
        return fill("\n".join(lines), self.values).split("\n")


class TownFacts(Extension):
    def __init__(self, **kwargs):
        self.config = {"values": [{}, "placeholder name -> text"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        md.preprocessors.register(FactsPreprocessor(md, self.getConfig("values")),
                                  "dorpsplein_town_facts", 30)
