"""./go town: set the kit up for a town, by questions in Dutch or by flags.

Writes town.toml (keeping its comments), can remove the sample town's
articles and pictures, checks what it can at once (the brand colour's
contrast, the addresses, the e-mail addresses, the logo file) and prints the
next three steps. Asked questions re-ask after a wrong answer; with flags
(``--yes`` asks nothing) a wrong value stops with one sentence.
"""

from __future__ import annotations

import re
import shutil
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from dorpsplein_kit.colours import MIN_CONTRAST, WHITE, contrast_ratio, parse_hex, shade_for

from . import town
from .build import ROOT

# The sample town's own files: removed when a town starts with its own content.
SAMPLE_ARTICLES = (
    "2026-09-facebookpagina-starten.md", "2026-09-x-of-mastodon.md",
    "2026-10-geintegreerde-kanaalaanpak.md", "2026-10-linkedin-lokaal-bestuur.md",
    "2026-10-online-burgerbevraging.md", "2026-11-bereik-meten-zonder-volgen.md",
    "2026-11-debat-modereren.md", "2026-11-schrijven-voor-het-web.md",
)
SAMPLE_CONSULTATIONS = ("dorpsplein-groener.md",)
SAMPLE_SELF_TESTS = ("lindeveld-2040.md",)
SAMPLE_IMAGES = ("facebookpagina-starten.svg", "geintegreerde-kanaalaanpak.svg",
                 "online-burgerbevraging.svg", "dorpsplein-groener.svg", "logo.svg")
SAMPLE_FEED_NAMESPACE = "6f1d9a52-3c1e-4c5b-9a55-0c0f7b1f4e21"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SetupError(ValueError):
    """One answer is wrong; the message says what to give instead."""


def check_text(value: str) -> str:
    if not value.strip():
        raise SetupError("Vul dit in.")
    return value.strip()


def check_optional(value: str) -> str:
    return value.strip()


def check_colour(value: str) -> str:
    value = value.strip().lower()
    try:
        rgb = parse_hex(value)
    except ValueError:
        raise SetupError("Schrijf de kleur als hexcode, bijvoorbeeld #1d5c3a.") from None
    ratio = contrast_ratio(rgb, WHITE)
    if ratio < MIN_CONTRAST:
        raise SetupError(f"Tekst in {value} is te licht op wit ({ratio:.2f}:1, minstens "
                         f"{MIN_CONTRAST}:1 nodig): neem een donkerder tint, zoals "
                         f"{shade_for(value, '#ffffff', MIN_CONTRAST)}.")
    return value


def check_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if not town.is_site_url(value):
        raise SetupError("Geef het volledige adres, zoals https://blog.jouwgemeente.be of "
                         "https://www.jouwgemeente.be/blog.")
    return value


def check_optional_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if value and not re.match(r"^https?://[^/\s]+", value):
        raise SetupError("Geef een volledig adres dat begint met https://, of laat leeg.")
    return value


def check_email(value: str) -> str:
    value = value.strip()
    if value and not EMAIL.match(value):
        raise SetupError("Dat is geen e-mailadres: schrijf het als naam@gemeente.be.")
    return value


def check_lines(value: str) -> list[str]:
    return [line.strip() for line in value.split("|") if line.strip()]


@dataclass(frozen=True)
class Question:
    key: tuple[str, str]  # (section, key) in town.toml
    flag: str
    ask: str  # the question, in Dutch
    check: Callable[[str], object]


QUESTIONS = (
    Question(("town", "name"), "name", "Hoe heet je gemeente?", check_text),
    Question(("town", "site_name"), "site-name", "Hoe heet de blog?", check_text),
    Question(("town", "tagline"), "tagline",
             "Waarover gaat de blog, in één zin?", check_optional),
    Question(("town", "brand_colour"), "colour",
             "De kleur van je huisstijl (hexcode, zoals #1d5c3a)?", check_colour),
    Question(("contact", "organisation"), "organisation",
             "Welke dienst beantwoordt vragen over de blog?", check_optional),
    Question(("contact", "address"), "address",
             "Het adres (regels gescheiden door |, zoals Dorpsstraat 1 | 9999 Beekdorp)?",
             check_lines),
    Question(("contact", "phone"), "phone", "Het telefoonnummer?", check_optional),
    Question(("contact", "email"), "email", "Het e-mailadres voor vragen?", check_email),
    Question(("privacy", "officer_email"), "dpo-email",
             "Het e-mailadres van de functionaris voor gegevensbescherming?", check_email),
    Question(("web", "url"), "url",
             "Het adres van de blog (zoals https://blog.jouwgemeente.be)?", check_url),
    Question(("web", "comments_url"), "comments-url",
             "Het adres van de reactieserver als die op een andere server draait "
             "(leeg: op het adres van de blog)?", check_optional_url),
)


def answer(question: Question, current, given: str | None, interactive: bool, ask=input):
    """The checked answer: the flag's value, else asked (current as default)."""
    if given is not None:
        try:
            return question.check(given)
        except SetupError as error:
            raise SetupError(f"--{question.flag}: {error}") from None
    if not interactive:
        return current
    shown = " | ".join(current) if isinstance(current, list) else current
    while True:
        reply = ask(f"{question.ask} [{shown}] ").strip()
        try:
            return question.check(reply) if reply else current
        except SetupError as error:
            print(f"  {error}")


def remove_samples(content: Path) -> list[Path]:
    removed = []
    for folder, names in (("articles", SAMPLE_ARTICLES), ("inspraak", SAMPLE_CONSULTATIONS),
                          ("zelftest", SAMPLE_SELF_TESTS), ("images", SAMPLE_IMAGES)):
        for name in names:
            path = content / folder / name
            if path.exists():
                path.unlink()
                removed.append(path)
    return removed


def use_logo(source: str, content: Path) -> str:
    """Copy the town's logo into content/images/; its name for [town] logo."""
    path = Path(source).expanduser()
    if not path.is_file():
        raise SetupError(f"--logo: {source} bestaat niet: geef het pad naar een SVG- of "
                         "PNG-bestand.")
    if path.suffix.lower() not in (".svg", ".png"):
        raise SetupError("--logo: het logo moet een SVG- of PNG-bestand zijn.")
    target = content / "images" / f"logo{path.suffix.lower()}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if path.resolve() != target.resolve():
        shutil.copyfile(path, target)
    return f"images/{target.name}"


def setup(root: Path = ROOT, values: dict[str, str] | None = None, *, interactive: bool = True,
          samples: str = "ask", logo: str | None = None, ask=input) -> Path:
    """Write root/town.toml from the answers; returns its path."""
    values = values or {}
    path = root / "town.toml"
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    current = town.check(document.unwrap(), path.name)
    content = root / "content"
    before = current["town"]["name"]
    for question in QUESTIONS:
        section, key = question.key
        value = answer(question, current[section][key], values.get(question.flag),
                       interactive, ask)
        document[section][key] = value
    new_name = str(document["town"]["name"])
    if new_name != before:
        # A new town: its own feed identifiers, no sample profiles or hashtags.
        if str(document["web"]["feed_id_namespace"]) == SAMPLE_FEED_NAMESPACE:
            document["web"]["feed_id_namespace"] = str(uuid.uuid4())
        for network in town.NETWORKS:
            if network in document["social"] and network not in values:
                del document["social"][network]
        document["social"]["hashtags"] = [re.sub(r"\W", "", new_name)]
        document["social"]["x_account"] = ""
        if "officer" in document["privacy"]:
            document["privacy"]["officer"] = (
                f"de functionaris voor gegevensbescherming van gemeente {new_name}")
        if not values.get("author"):
            document["town"]["author"] = f"Communicatiedienst {new_name}"
    for network in town.NETWORKS:
        if values.get(network):
            document["social"][network] = check_optional_url(values[network])
    remove = samples == "remove" or (samples == "ask" and interactive and ask(
        "De voorbeeldartikels van Lindeveld verwijderen? [J/n] ").strip().lower() in ("", "j",
                                                                                     "ja", "y"))
    if remove:
        remove_samples(content)
        if str(document["town"]["logo"]) == "images/logo.svg" and logo is None:
            document["town"]["logo"] = ""
    if logo is not None:
        document["town"]["logo"] = use_logo(logo, content) if logo else ""
    town.check(document.unwrap(), path.name)  # the whole profile, once more
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return path


NEXT_STEPS = """\
Klaar: {path} is geschreven.

Volgende stappen:
  1. Bekijk de site: ./go serve (open http://127.0.0.1:8000/).
  2. Schrijf je eerste artikel: ./go new "Titel van het artikel".
  3. Zet de site online: ./go deploy-config schrijft de serverinstellingen in deploy/
     (zie docs/hosting.md), ./go publish zet de site op de server.
"""


def main(values: dict[str, str], *, yes: bool, samples: str, logo: str | None) -> int:
    try:
        path = setup(ROOT, values, interactive=not yes, samples=samples, logo=logo)
    except (SetupError, town.ProfileError) as error:
        print(error, file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\nGestopt: town.toml is niet veranderd.", file=sys.stderr)
        return 1
    print(NEXT_STEPS.format(path=path.relative_to(ROOT)))
    return 0
