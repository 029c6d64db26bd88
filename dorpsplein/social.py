"""`./go social ARTICLE`: a post for each channel, from one published article.

The blog is the home base; each network gets a post in its own register that
points to it: Mastodon (500 characters, any address counts 23), Bluesky (300
grapheme clusters, the whole address counts), X (280, weighted as X counts:
an address is 23 through t.co, emoji and most non-Latin characters 2),
LinkedIn (professional, a question, at most 3 hashtags) and Facebook
(conversational, a question to the neighbours, no hashtags). Then the share
image and its alt text, and what to do after posting: each post's address
goes on the article's ``Discussed:`` line, so the article shows
"Besproken op".

The article is read as the public build reads it: publishconf.py's settings
(the public address from town.toml, never the preview's 127.0.0.1), Pelican's
own readers (with the town's ``{{ placeholders }}`` filled in), ``url`` from
ARTICLE_URL, and the share image the share_links plugin names and draws.
The link is the article's address alone: no tracking parameters, no query.

The posts are written in the article's language and what is said around them
in EDITOR_LANGUAGE, both through the editor catalogue
(``locale/nl/LC_MESSAGES/messages.po``), so a town can reword them. A summary
too long for a network is cut at a sentence or a word (with "…"); addresses
and hashtags are never cut (a hashtag is left out whole when even a short
summary does not fit).
"""

from __future__ import annotations

import difflib
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import regex
from babel.numbers import format_decimal

from .build import ROOT
from .messages import N_, language_of, translations


class SocialError(ValueError):
    """Something the editor can fix; the message is one sentence saying how."""


# -- counting as each network counts --------------------------------------

# An address with its scheme (the only kind Mastodon links), without the
# punctuation that ends a sentence after it.
URL = re.compile(r"https?://[^\s<>\"]*[^\s<>\".,;:!?)\]'’”]")
# A bare domain such as lindeveld.be, which X links too (and counts as 23).
BARE_DOMAIN = re.compile(
    r"(?<![\w@/.:-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}(?![\w-])(?:/\S*)?",
    re.IGNORECASE)
LINK_WEIGHT = 23

# X's weights (twitter-text, version 3): these code points count 1, every
# other 2; an emoji counts 2 however many code points it has.
X_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def clusters(text: str) -> list[str]:
    """``text`` as user-perceived characters (extended grapheme clusters,
    Unicode UAX #29, through the regex package's ``\\X``): 'é' written as e +
    accent is one, a family emoji joined with ZWJ is one, a flag is one."""
    return regex.findall(r"\X", text)


def graphemes(text: str) -> int:
    """How many characters a reader sees (Bluesky's count)."""
    return len(clusters(text))


def mastodon_length(text: str) -> int:
    """Mastodon's count: grapheme clusters, every http(s) address as 23."""
    return graphemes(URL.sub("x" * LINK_WEIGHT, text))


def _x_weight(text: str) -> int:
    total = 0
    for cluster in clusters(text):
        light = all(any(low <= ord(c) <= high for low, high in X_LIGHT) for c in cluster)
        total += len(cluster) if light else 2
    return total


def x_length(text: str) -> int:
    """X's weighted count (twitter-text v3) of ``text`` in NFC: an address is
    23 (t.co), a bare domain at least 23, an emoji 2, a Latin letter 1."""
    text = unicodedata.normalize("NFC", text)
    total, rest, position = 0, [], 0
    spans = [m.span() for m in URL.finditer(text)]
    spans += [m.span() for m in BARE_DOMAIN.finditer(text)
              if not any(start <= m.start() < end for start, end in spans)]
    for start, end in sorted(spans):
        rest.append(text[position:start])
        total += LINK_WEIGHT if text[start:end].lower().startswith(("http://", "https://")) \
            else max(LINK_WEIGHT, _x_weight(text[start:end]))
        position = end
    rest.append(text[position:])
    return total + sum(_x_weight(part) for part in rest)


# -- the networks -----------------------------------------------------------

@dataclass(frozen=True)
class Network:
    name: str  # as --network takes it
    label: str
    limit: int | None  # characters, as ``length`` counts them
    length: Callable[[str], int]
    hashtags: int  # at most this many
    text: str  # the post (msgid): {title}, {summary}, {link}, {hashtags}, {town}


NETWORKS = (
    Network("mastodon", "Mastodon", 500, mastodon_length, 5, N_(
        "New on our blog: {title}\n\n{summary}\n\nRead it here: {link}\n\n{hashtags}")),
    Network("bluesky", "Bluesky", 300, graphemes, 2, N_(
        "{summary}\n\nMore on our blog: {link}\n\n{hashtags}")),
    Network("x", "X", 280, x_length, 2, N_(
        "{title}\n\n{summary}\n\n{link} {hashtags}")),
    Network("linkedin", "LinkedIn", 3000, graphemes, 3, N_(
        "{title}\n\n{summary}\n\nAs the town of {town} we share openly how we work and why we "
        "choose as we do. The article on our blog tells our approach and what we learned on "
        "the way: {link}\n\nHow does your organisation go about this? We would like to read "
        "your experience in the comments.\n\n{hashtags}")),
    Network("facebook", "Facebook", None, graphemes, 0, N_(
        "{title}\n\n{summary}\n\nWhat do you think, as someone who lives in {town}? Tell us in "
        "the comments: we read along and answer.\n\nThe whole article is on our blog: {link}")),
)
BY_NAME = {network.name: network for network in NETWORKS}
# A summary cut shorter than this loses a hashtag first (when the post has one).
SHORTEST_SUMMARY = 40


def hashtag(word: str) -> str:
    """A tag as a hashtag word: CamelCase, letters and digits only, Latin
    letters without their accents ('sociale media' → 'SocialeMedia',
    'geïntegreerde aanpak' → 'GeintegreerdeAanpak'); "" when nothing usable
    is left (a hashtag needs a letter and two characters)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", word)
                    if not unicodedata.combining(c))
    parts = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", plain))
    tag = "".join(part[:1].upper() + part[1:] for part in parts)
    return tag if len(tag) >= 2 and any(c.isalpha() for c in tag) else ""


def hashtags(tags: list[str], town_tags: list[str]) -> list[str]:
    """The article's tags and the town's own hashtags (SHARE_LINKS_HASHTAGS),
    taken in turn (so a post with two has one of each), each once."""
    words, seen = [], set()
    for index in range(max(len(tags), len(town_tags))):
        for source in (tags, town_tags):
            tag = hashtag(source[index]) if index < len(source) else ""
            if tag and tag.lower() not in seen:
                seen.add(tag.lower())
                words.append(tag)
    return words


def _tidy(text: str) -> str:
    lines = [re.sub(r"[ \t]{2,}", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def shorten(text: str, fits: Callable[[str], bool]) -> str | None:
    """The longest start of ``text`` that ``fits``: whole sentences when that
    keeps most of it, else whole words and "…"; None when not even one word
    does."""
    if fits(text):
        return text
    words = text.split()

    def cut(count: int) -> str:
        return " ".join(words[:count]).rstrip(",;:.!?–—- ") + "…"

    low, high = 0, len(words) - 1  # the longest cut that fits: binary search
    while low < high:
        middle = (low + high + 1) // 2
        if fits(cut(middle)):
            low = middle
        else:
            high = middle - 1
    by_word = cut(low) if low and fits(cut(low)) else None
    sentences = re.split(r"(?<=[.!?…])\s+", text.strip())
    by_sentence = None
    for count in range(len(sentences) - 1, 0, -1):
        candidate = " ".join(sentences[:count])
        if fits(candidate):
            by_sentence = candidate
            break
    if by_sentence and (by_word is None or len(by_sentence) >= len(by_word) * 2 / 3):
        return by_sentence
    return by_word


@dataclass
class Draft:
    network: str
    label: str
    text: str
    length: int
    limit: int | None


def draft(network: Network, template: str, title: str, summary: str, link: str,
          tags: list[str], town: str) -> Draft:
    """The post for ``network``, shortened to its limit: the summary first,
    then hashtags left out whole, then the title; the link stays whole."""

    def render(title: str, summary: str, tags: list[str]) -> str:
        return _tidy(template.format(title=title, summary=summary, link=link, town=town,
                                     hashtags=" ".join(f"#{tag}" for tag in tags)))

    def fits(text: str) -> bool:
        return network.limit is None or network.length(text) <= network.limit

    tags = tags[:network.hashtags]
    text = _fitted(tags, lambda s, kept: render(title, s, kept), summary, fits)
    if text is None:  # no room for a summary worth the name: the title, cut if need be
        text = _fitted(tags, lambda t, kept: render(t, "", kept), title, fits, last=True)
    if text is None:
        text = render("", "", [])
    return Draft(network.name, network.label, text, network.length(text), network.limit)


def _fitted(tags: list[str], render, words: str, fits, last: bool = False) -> str | None:
    """``render(words cut to fit, hashtags)`` with as many hashtags as leave
    at least SHORTEST_SUMMARY characters of ``words`` (with ``last``, any
    cut at all once no hashtag is left); None when none does."""
    for count in range(len(tags), -1, -1):
        kept = tags[:count]
        short = shorten(words, lambda text, kept=kept: fits(render(text, kept)))
        if short is not None and (short == words or len(short) >= SHORTEST_SUMMARY
                                  or last and count == 0):
            return render(short, kept)
    return None


# -- the article --------------------------------------------------------------

def _shown(path: Path) -> str:
    path = Path(path)
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _front_matter(path: Path) -> dict[str, str]:
    """The first lines' ``Key: value`` pairs, lower-case keys (enough to find a slug)."""
    found: dict[str, str] = {}
    text = path.read_text(encoding="utf-8", errors="replace")
    for line in text.splitlines()[:40]:
        if not line.strip():
            break
        key, colon, value = line.partition(":")
        if colon and key.strip() and " " not in key.strip():
            found.setdefault(key.strip().lower(), value.strip())
    return found


def _slug(path: Path, settings: dict) -> str:
    from dorpsplein_kit import facts, fill
    from pelican.utils import slugify

    meta = _front_matter(path)
    if meta.get("slug"):
        return meta["slug"]
    return slugify(fill(meta.get("title", ""), facts(settings)),
                   regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
                   preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
                   use_unicode=settings.get("SLUGIFY_USE_UNICODE", False))


def find(given: str, settings: dict, _) -> Path:
    """The article file ``given`` names: a file under ARTICLE_PATHS, a file
    name without .md, a slug, or an article's address (its last part)."""
    content = Path(settings["PATH"])
    folders = [(content / folder).resolve() for folder in settings.get("ARTICLE_PATHS") or []]
    files = sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.md"))
    example = _shown(files[-1]) if files else "content/articles/2026-11-titel.md"
    given = given.strip()
    candidate = Path(given)
    for path in ([candidate] if candidate.is_absolute() else [candidate, ROOT / candidate]):
        if path.is_file():
            path = path.resolve()
            if path.suffix.lower() != ".md" or not any(path.is_relative_to(f) for f in folders):
                raise SocialError(_("{path} is not an article — give an article's file, such "
                                    "as {example}, or its slug.").format(path=given,
                                                                        example=example))
            return path
    if given.lower().endswith(".md") or not given:
        names = difflib.get_close_matches(candidate.name, [p.name for p in files], n=1)
        hint = next((_shown(p) for p in files if names and p.name == names[0]), example)
        raise SocialError(_("There is no file {path} — check the name under content/articles/ "
                            "(for example {example}).").format(path=given or "''", example=hint))
    slug = given.rstrip("/").rsplit("/", 1)[-1]
    slugs = {path: _slug(path, settings) for path in files}
    found = [path for path, value in slugs.items() if slug in (value, path.stem)]
    if len(found) > 1:
        raise SocialError(_("More than one article has the slug '{slug}' ({paths}) — give "
                            "the file instead.").format(slug=slug, paths=", ".join(
                                _shown(p) for p in found)))
    if not found:
        close = difflib.get_close_matches(slug, list(slugs.values()), n=1)
        if close:
            raise SocialError(_("There is no article '{given}' — did you mean ./go social "
                                "{slug}?").format(given=given, slug=close[0]))
        raise SocialError(_("There is no article '{given}' — give an article's file (such as "
                            "{example}) or its slug.").format(given=given, example=example))
    return found[0]


def _refuse_broken(path: Path, settings: dict) -> None:
    """Stop at the first error the content checks find in the file: their
    one line (file:line: what is wrong — what to write)."""
    from editor_checks.checks import Checker

    errors = [f for f in Checker(settings, root=ROOT).check_file(path)
              if f.severity == "error"]
    if errors:
        raise SocialError(str(errors[0]))


def read(path: Path, settings: dict, _):
    """The article as Pelican reads it for the public build."""
    from pelican.contents import Article
    from pelican.plugins import signals
    from pelican.readers import Readers
    from town_identity.town_identity import use_placeholders

    _refuse_broken(path, settings)
    use_placeholders(settings)  # {{ town.name }} in the title and summary
    relative = Path(path).resolve().relative_to(Path(settings["PATH"]).resolve())
    context = {"generated_content": {}, "static_content": {}, "static_links": set()}
    # A scheduled article (dated in the future) is read as published, at its
    # own address: the posts can be ready before it goes online.
    settings = {**settings, "WITH_FUTURE_DATES": True}
    try:
        # Pelican's readers alone: a plugin a build in this process registered
        # (the tests build) must not act on this article with its own settings.
        with signals.readers_init.muted(), signals.content_object_init.muted():
            article = Readers(settings).read_file(base_path=settings["PATH"],
                                                  path=str(relative), content_class=Article,
                                                  context=context)
    except Exception as exc:  # noqa: BLE001 - said as one sentence
        raise SocialError(_("{path}: Pelican could not read the article ({error}) — run "
                            "./go check to see what is wrong.").format(
            path=_shown(path), error=" ".join(str(exc).split()) or type(exc).__name__)) from None
    if article.status == "draft":
        raise SocialError(_("{path} is a draft (Status: draft) — remove that line and publish "
                            "the article (./go publish) before you post about it.").format(
            path=_shown(path)))
    return article


@dataclass
class Image:
    path: str  # where the file is (after ./go publish-build for a drawn one)
    alt: str
    exists: bool


def share_image(article, settings: dict, url: str, summary: str) -> Image | None:
    """The image a network shows with the link, as the share_links plugin
    chooses it (the article's own PNG or JPEG, else the one it draws); None
    when the article has none (``Share: off``, or ``Status: hidden``)."""
    from dorpsplein_kit import merge
    from share_links import share_links
    from share_links.settings import SETTINGS

    off = str(article.metadata.get("share", "")).strip().lower() == "off"
    if off or article.status == "hidden":
        return None
    merge(settings, SETTINGS)
    preview = share_links.preview(article, settings, url, summary, False)
    if preview["image_generated"]:
        path = Path(settings["OUTPUT_PATH"]) / preview["image_generated"]
    else:
        path = Path(settings["PATH"]) / preview["image_path"]
    return Image(_shown(path), preview["image_alt"], path.is_file())


# -- the whole ---------------------------------------------------------------

@dataclass
class Posts:
    source: str
    title: str
    url: str
    drafts: list[Draft]
    image: Image | None
    notes: list[str] = field(default_factory=list)
    checklist: list[str] = field(default_factory=list)


def load_settings(settings_file: str = "publishconf.py") -> dict:
    """The settings as ./go check and ./go new read them (EDITOR_LANGUAGE
    checked): a wrong value is a ValueError with one sentence."""
    from .editor import _settings

    return _settings(settings_file)


def posts(given: str, settings: dict) -> Posts:
    """Every draft for the article ``given`` names, with ``settings`` (the
    public build's, publishconf.py); SocialError when the editor has
    something to fix."""
    from dorpsplein_kit import absolute_url
    from markupsafe import Markup

    _ = translations(language_of(settings)).gettext
    path = find(given, settings, _)
    article = read(path, settings, _)
    said = translations(getattr(article, "lang", None) or settings.get("DEFAULT_LANG")).gettext
    url = absolute_url(settings, article.url)
    title = " ".join(str(article.title).split())
    summary = " ".join(Markup(article.summary or "").striptags().split())
    tags = hashtags([str(tag) for tag in getattr(article, "tags", None) or []],
                    list(settings.get("SHARE_LINKS_HASHTAGS") or []))
    town = str(settings.get("TOWN_NAME") or "")
    drafts = [draft(network, said(network.text), title, summary, url, tags, town)
              for network in NETWORKS]
    result = Posts(_shown(path), title, url, drafts, share_image(article, settings, url, summary))
    if article.date > datetime.now(article.date.tzinfo):
        result.notes.append(_("This article is scheduled for {date}: it is online only after "
                              "the first build after that moment — post it then.").format(
            date=f"{article.date:%Y-%m-%d %H:%M}"))
    if result.image is None:
        result.notes.append(_("This article has no share image (Share: off or Status: hidden) "
                              "— post without one, or add a picture of your own."))
    result.checklist = _checklist(article, settings, result.source, _)
    return result


def _checklist(article, settings: dict, source: str, _) -> list[str]:
    profiles = settings.get("TOWN_SOCIAL") or {}
    channels = ", ".join(f"{n.label} ({profiles[n.name]})" if profiles.get(n.name) else n.label
                         for n in NETWORKS)
    mastodon = profiles.get("mastodon") or "https://mastodon.social/@…"
    example = (f"Discussed: {mastodon.rstrip('/')}/1234, "
               "https://www.linkedin.com/feed/update/…")
    named = article.metadata.get("discussed") or ""
    if not isinstance(named, str):
        named = " ".join(str(url) for url in named)
    discussed = [url for url in re.split(r"[,\s]+", named) if url]
    line = (_("Add those addresses to the Discussed: line of {path}, separated by commas (it "
              "names {count} already); the article then shows them under \"Discussed on\":")
            if discussed else
            _("Add those addresses to the front matter of {path}, on a Discussed: line, "
              "separated by commas; the article then shows them under \"Discussed on\":"))
    return [
        _("Post each draft on its channel, with the image and its alt text: {channels}.").format(
            channels=channels),
        _("Copy the address of each post (in the post's menu: Copy link)."),
        line.format(path=source, count=len(discussed)) + "\n" + example,
        _("Publish again: ./go publish"),
        _("Answer reactions where they are: on each network, and under the article."),
    ]


def report(result: Posts, language: str = "nl") -> str:
    """What ``./go social`` prints: each draft under a heading with its count,
    the image and its alt text, the checklist (in ``language``)."""
    _ = translations(language).gettext

    def number(value: int) -> str:
        return format_decimal(value, locale=language)

    lines = [_("Posts for {title}").format(title=result.title), result.url, ""]
    lines += [f"! {note}" for note in result.notes] + ([""] if result.notes else [])
    for item in result.drafts:
        heading = (_("{network} ({count} of {limit} characters)") if item.limit else
                   _("{network} ({count} characters)")).format(
            network=item.label, count=number(item.length),
            limit=number(item.limit or 0))
        lines += [heading, "-" * len(heading), item.text, ""]
    if result.image:
        where = (_("Image: {path}") if result.image.exists else
                 _("Image: {path} (./go publish-build makes it)")).format(path=result.image.path)
        lines += [where, _("Alt text: {alt}").format(alt=result.image.alt), ""]
    lines.append(_("After posting:"))
    for number_, item in enumerate(result.checklist, start=1):
        first, *rest = item.split("\n")
        lines.append(f"{number_}. {first}")
        lines += [f"   {more}" for more in rest]
    return "\n".join(lines)


def main(given: str, settings_file: str = "publishconf.py", network: str = "",
         as_json: bool = False) -> int:
    """Print the drafts (all, or one network's text alone); 1 with one
    sentence when the editor has something to fix."""
    try:
        settings = load_settings(settings_file)
        language = language_of(settings)
        _ = translations(language).gettext
        chosen = network.strip().lower()
        if chosen and chosen not in BY_NAME:
            raise SocialError(_("'{network}' is not one of the networks — choose one of: "
                                "{networks}.").format(network=network,
                                                      networks=", ".join(BY_NAME)))
        result = posts(given, settings)
    except ValueError as exc:  # SocialError, or a settings error: its one sentence
        print(exc, file=sys.stderr)
        return 1
    if chosen:
        result.drafts = [d for d in result.drafts if d.network == chosen]
    if as_json:
        print(json.dumps(asdict(result), ensure_ascii=False, indent=2))
    elif chosen:
        print(result.drafts[0].text)
    else:
        print(report(result, language))
    return 0
