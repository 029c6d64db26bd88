"""Design tokens: the single source of the look, in the W3C Design Tokens format.

``theme/tokens.json`` holds every colour (light and dark), the type scale,
spacing, radii, focus and sizes. A town overrides any of them in its own file
(``TOWN_TOKENS``); the brand colour is ``TOWN_BRAND_COLOUR`` and its shades
are computed and offered as ``color.brand.*`` tokens (base, strong, tint,
light, deep, night), so the theme file refers to them, e.g.
``"$value": "{color.brand.base}"``.

The format, as far as we use it (https://www.designtokens.org/tr/drafts/format/):

- a token is an object with ``$value``; other objects are groups, and a
  group's ``$type`` applies to the tokens inside it;
- ``{group.token}`` refers to another token;
- a dimension is ``{"value": 1.5, "unit": "rem"}`` (or the string "1.5rem"),
  a fontFamily a list of names;
- the dark-mode value sits in ``$extensions["org.dorpsplein.dark"]`` (the
  format has no modes yet; tools keep extensions they do not know).

``design_tokens(settings)`` gives the resolved ``Tokens``: every token's CSS
value in light and dark mode, its CSS custom property (``color.text`` →
``--color-text``), and the stylesheet. Every text/background pair the theme
uses is checked for WCAG 2.1 AA contrast in both modes; a failing pair stops
the build with one sentence naming the token, the file and a shade that
passes.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .colours import contrast_ratio, palette, parse_hex, shade_for, to_hex
from .identity import town
from .settings import SettingsError

DARK = "org.dorpsplein.dark"
REFERENCE = re.compile(r"^\{([^{}]+)\}$")

# What the theme puts on what, and the contrast WCAG 2.1 AA asks of it:
# 4.5:1 for text (1.4.3), 3:1 for focus indicators and control edges (1.4.11).
CONTRAST_PAIRS = (
    ("color.text", "color.bg", 4.5),
    ("color.text", "color.surface", 4.5),
    ("color.text", "color.accent-bg", 4.5),
    ("color.text-muted", "color.bg", 4.5),
    ("color.text-muted", "color.surface", 4.5),
    ("color.link", "color.bg", 4.5),
    ("color.link", "color.surface", 4.5),
    ("color.link", "color.accent-bg", 4.5),
    ("color.link-hover", "color.bg", 4.5),
    ("color.accent-text", "color.accent-bg", 4.5),
    ("color.header-text", "color.header-bg", 4.5),
    ("color.button-text", "color.button-bg", 4.5),
    ("color.button-text", "color.button-hover-bg", 4.5),
    ("color.warning-text", "color.warning-bg", 4.5),
    ("color.error", "color.bg", 4.5),
    ("color.error", "color.surface", 4.5),
    ("color.focus", "color.bg", 3.0),
    ("color.border-strong", "color.bg", 3.0),
    ("color.border-strong", "color.surface", 3.0),
)
BRAND_SETTING = "TOWN_BRAND_COLOUR"


@dataclass(frozen=True)
class Token:
    name: str  # "color.text"
    type: str  # "color", "dimension", ...
    light: str  # the CSS value
    dark: str
    source: str  # the file that set the light value, or TOWN_BRAND_COLOUR
    dark_source: str  # the same for the dark value

    @property
    def property(self) -> str:
        return "--" + self.name.replace(".", "-")


@dataclass(frozen=True)
class Tokens:
    tokens: dict[str, Token]
    sources: tuple[str, ...]

    def __getitem__(self, name: str) -> Token:
        return self.tokens[name]

    def value(self, name: str, mode: str = "light") -> str:
        return getattr(self.tokens[name], mode)

    def css(self) -> str:
        """Every token as a CSS custom property; dark values where they differ."""
        lines = [f"/* Written at build from {' + '.join(self.sources)}: edit the tokens, "
                 "not this file. */", ":root {"]
        lines += [f"  {t.property}: {t.light};" for t in self.tokens.values()]
        lines.append("}")
        dark = [t for t in self.tokens.values() if t.dark != t.light]
        if dark:
            lines += ["@media (prefers-color-scheme: dark) {", "  :root {"]
            lines += [f"    {t.property}: {t.dark};" for t in dark]
            lines += ["  }", "}"]
        return "\n".join(lines) + "\n"

    def as_context(self) -> dict:
        """``{"color.text": {"light": …, "dark": …, "property": "--color-text"}}``."""
        return {name: {"light": t.light, "dark": t.dark, "property": t.property}
                for name, t in self.tokens.items()}


def load(path: Path) -> dict:
    """A tokens file as a dict; a JSON mistake names the file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SettingsError(f"{path}: cannot be read ({error.strerror}): check the path "
                            "in TOWN_TOKENS in pelicanconf.py.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SettingsError(f"{path}:{error.lineno}:{error.colno}: this is not valid JSON "
                            f"({error.msg}): check the commas and quotes around that "
                            "place.") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: a tokens file is one JSON object ({{...}}), "
                            "with groups such as \"color\" inside.")
    return data


def is_token(node) -> bool:
    return isinstance(node, dict) and "$value" in node


def flatten(tree: dict, source: str, inherited: str = "", prefix: str = ""):
    """Yield (name, type, node, source) for every token in a group tree."""
    group_type = tree.get("$type", inherited)
    for key, node in tree.items():
        if key.startswith("$"):
            continue
        name = f"{prefix}{key}"
        if is_token(node):
            yield name, node.get("$type", group_type), node, source
        elif isinstance(node, dict):
            yield from flatten(node, source, group_type, name + ".")
        else:
            raise SettingsError(f"{source}: {name} is neither a token (an object with "
                                "\"$value\") nor a group (an object of tokens): write "
                                f"\"{key}\": {{\"$value\": …}}.")


def brand_tokens(colour: str) -> dict:
    """The color.brand.* tokens computed from the town's brand colour."""
    shades = palette(colour)
    names = {"base": "brand", "strong": "brand_dark", "tint": "brand_tint",
             "light": "brand_on_dark", "deep": "brand_deep", "night": "brand_night"}
    return {f"color.brand.{name}": ("color", {"$value": shades[key]}, BRAND_SETTING)
            for name, key in names.items()}


def css_value(name: str, kind: str, value, source: str) -> str:
    if kind == "dimension" and isinstance(value, dict):
        number, unit = value.get("value"), value.get("unit")
        if not isinstance(number, (int, float)) or unit not in ("px", "rem", "em", "%"):
            raise SettingsError(f"{source}: {name} has the dimension {value!r}: write "
                                "{\"value\": 1.5, \"unit\": \"rem\"} (units px, rem, em).")
        return f"{number:g}{unit}"
    if kind == "fontFamily" and isinstance(value, list):
        return ", ".join(f'"{part}"' if " " in part else part for part in value)
    if kind == "color":
        try:
            return to_hex(parse_hex(str(value)))
        except ValueError:
            raise SettingsError(f"{source}: {name} = {value!r} is not a colour: write a hex "
                                "code such as \"#1f2328\".") from None
    if isinstance(value, (dict, list)):
        raise SettingsError(f"{source}: {name} has a value this theme cannot use "
                            f"({value!r}): write a plain value such as \"1rem\".")
    return str(value)


def resolve(raw: dict) -> dict[str, Token]:
    """Follow references and turn every value into CSS, in both modes."""
    done: dict[tuple[str, str], tuple[str, str]] = {}

    def value_of(name: str, mode: str, trail: tuple[str, ...]) -> tuple[str, str]:
        """(CSS value, where it was set) of token ``name`` in ``mode``."""
        if (name, mode) in done:
            return done[name, mode]
        if name in trail:
            raise SettingsError(f"{raw[name][2]}: the tokens {' → '.join(trail + (name,))} "
                                "refer to each other in a circle: give one of them a value.")
        kind, node, source = raw[name]
        value = node["$value"]
        if mode == "dark":
            value = (node.get("$extensions") or {}).get(DARK, value)
        match = REFERENCE.match(value) if isinstance(value, str) else None
        if match:
            target = match.group(1)
            if target not in raw:
                raise SettingsError(f"{source}: {name} refers to {{{target}}}, which is not "
                                    "a token: check the spelling (the theme's tokens are in "
                                    "theme/tokens.json).")
            result = value_of(target, mode, trail + (name,))
            # A reference to a brand shade is, for the reader, the brand colour.
            result = (result[0], result[1] if result[1] == BRAND_SETTING else source)
        else:
            result = (css_value(name, kind, value, source), source)
        done[name, mode] = result
        return result

    tokens = {}
    for name, (kind, _node, _source) in raw.items():
        light, source = value_of(name, "light", ())
        dark, dark_source = value_of(name, "dark", ())
        tokens[name] = Token(name, kind, light, dark, source, dark_source)
    return tokens


def merge_town(raw: dict, town_file: dict, source: str) -> None:
    """Let a town's tokens replace the theme's; anything else is a mistake."""
    for name, kind, node, _ in flatten(town_file, source):
        if name.startswith("color.brand."):
            raise SettingsError(f"{source}: {name} is computed from TOWN_BRAND_COLOUR: set "
                                "the brand colour there in pelicanconf.py and remove "
                                f"{name} from this file.")
        if name not in raw:
            raise SettingsError(f"{source}: {name} is not one of the theme's tokens: check "
                                "the spelling (the theme's tokens are in theme/tokens.json).")
        theme_kind = raw[name][0]
        raw[name] = (kind or theme_kind, copy.deepcopy(node), source)


def check_contrast(tokens: dict[str, Token]) -> None:
    for fore, back, minimum in CONTRAST_PAIRS:
        for mode in ("light", "dark"):
            colour, background = getattr(tokens[fore], mode), getattr(tokens[back], mode)
            ratio = contrast_ratio(parse_hex(colour), parse_hex(background))
            if ratio >= minimum:
                continue
            kind = "text" if minimum > 3 else "a focus outline or a control's edge"
            better = shade_for(colour, background, minimum)
            source = tokens[fore].source if mode == "light" else tokens[fore].dark_source
            where = (f"{BRAND_SETTING} in pelicanconf.py" if source == BRAND_SETTING
                     else f"{fore}{' (dark mode)' if mode == 'dark' else ''} in {source}")
            raise SettingsError(
                f"The design token {fore} ({colour}) has a contrast of {ratio:.2f}:1 on "
                f"{back} ({background}) in {mode} mode, but {kind} needs {minimum:g}:1 "
                f"(WCAG 2.1 AA): set {where} to a shade such as '{better}'.")


_cache: dict[tuple, Tokens] = {}


def design_tokens(settings) -> Tokens:
    """The theme's tokens, the town's overrides and the brand shades, resolved and checked."""
    theme_file = Path(settings.get("THEME") or "theme") / "tokens.json"
    town_name = settings.get("TOWN_TOKENS") or ""
    town_file = (Path(settings.get("PATH") or "content") / town_name) if town_name else None
    files = [f for f in (theme_file, town_file) if f is not None]
    stamp = tuple((str(f), f.stat().st_mtime_ns if f.is_file() else None) for f in files)
    key = (stamp, town(settings).colour)
    if key in _cache:
        return _cache[key]
    if not theme_file.is_file():
        raise SettingsError(f"The theme has no design tokens ({theme_file} is missing): "
                            "THEME in pelicanconf.py must be Dorpsplein's theme or a copy "
                            "of it.")
    if town_file is not None and not town_file.is_file():
        raise SettingsError(f"TOWN_TOKENS = {town_name!r} is not a file under "
                            f"{settings.get('PATH') or 'content'}/: check the name in "
                            "pelicanconf.py (or set TOWN_TOKENS = \"\").")
    raw: dict[str, tuple[str, dict, str]] = {}
    try:
        raw.update(brand_tokens(town(settings).colour))
    except ValueError:
        raise SettingsError(f"{BRAND_SETTING} = {town(settings).colour!r} is not a colour: "
                            "write a hex code such as '#1d5c3a' in pelicanconf.py.") from None
    for name, kind, node, source in flatten(load(theme_file), str(theme_file)):
        raw[name] = (kind, node, source)
    if town_file is not None:
        merge_town(raw, load(town_file), str(town_file))
    missing = {name for pair in CONTRAST_PAIRS for name in pair[:2]} - set(raw)
    if missing:
        raise SettingsError(f"{theme_file} lacks the tokens {', '.join(sorted(missing))}, "
                            "which the theme's contrast checks need: add them.")
    tokens = resolve(raw)
    check_contrast(tokens)
    result = Tokens(tokens, tuple(str(f) for f in files))
    _cache.clear()
    _cache[key] = result
    return result
