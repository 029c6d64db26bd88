"""Consultations ("inspraak"): the build half (docs/participation.md).

At ``initialized`` the PARTICIPATION_* settings are merged and checked, and
the consultation folders (``PARTICIPATION_PATHS``) are added to
``ARTICLE_EXCLUDES`` and ``PAGE_EXCLUDES``: a consultation is never read as
an article or a page.

``ParticipationGenerator`` then reads ``content/<folder>/*.md`` with Pelican's
own readers, checks each file's front matter (every wrong value is one line
``content/inspraak/x.md:LINE: problem — fix`` in the editor's language,
logged as an error: the strict build fails and names them all, the other
consultations are still built), and fetches each consultation's board from
``PARTICIPATION_DATA``: the participation service (``GET
{url}/api/<slug>/ideas``, 3 s) or a folder of ``<slug>.json`` files. The
service's last good answer is kept in ``CACHE_PATH/participation/<slug>.json``
and used, with one line printed on stderr (no log warning: the strict build
would fail), when the service does not answer. A
consultation past ``Closes`` without any data stops the build with one
sentence: a results page is never built from nothing.

It writes (only what changed, ``dorpsplein_kit.OutputGenerator``; in a
parallel build each process writes the files ``mine()`` gives it):

- ``inspraak/index.html``: every consultation, open ones first;
- ``inspraak/<slug>/index.html``: the question, phase, dates, rules, context
  and the board as the build saw it;
- ``inspraak/<slug>/idee-<id>/index.html``: one page per approved idea;
- after ``Closes``: ``inspraak/<slug>/resultaten/index.html``,
  ``resultaten.csv`` and ``resultaten.json``;
- ``participation.json``: what the service needs, with ``shell``, the site's
  page with two markers for the service's own HTML.

Data for templates: see README.md.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import logging
import os
import re
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import markdown
from dorpsplein_kit import (
    Contract,
    OutputGenerator,
    OwnPage,
    SettingsError,
    absolute_url,
    offer,
    privacy_page,
    said,
    site_url,
)
from dorpsplein_kit.parallel import mine
from dorpsplein_kit.sharing import preview_meta, share_links
from markupsafe import Markup
from pelican import signals
from pelican.contents import Page
from pelican.generators import Generator
from pelican.readers import Readers

from . import email_follow, privacy, self_test
from .common import (
    LOCALE,
    MOMENT,
    RASTER,
    FileReader,
    Problem,
    Service,
    front_matter_lines,
    now_of,
    plain,
    zone,
)
from .self_test import SelfTestReader
from .settings import merged

logger = logging.getLogger(__name__)

# Where the pages go in the site.
OUTPUT = "inspraak"
DATA_FILE = "participation.json"
TITLE_MARKER = "<!--participation:title-->"
MAIN_MARKER = "<!--participation:main-->"

PHASES = ("ideas", "support", "closed", "results")
VERIFICATIONS = ("indicative", "email")
MODERATIONS = ("before", "after")
DEFAULTS = {"supports": 5, "verification": "indicative", "moderation": "before",
            "comments": "off"}
KEYS = {"title", "slug", "summary", "opens", "closes", "phase", "supports", "verification",
        "moderation", "comments", "image", "image_alt"}
# Comments under each idea (through the comment service, when its plugin is
# on): "open" while the consultation is open, "closed" (readable) after.
COMMENTS = ("open", "closed", "off")
ANSWER = re.compile(r"^answer-(?P<id>[0-9]+)$")
# Addresses the service routes itself (dorpsplein/participation/app.py); nginx
# also puts every path segment ending in "moderatie" behind the moderators'
# password, so such a slug would ask citizens for it.
# "zelftest" holds the self-tests' routes, "volgen" following by e-mail.
RESERVED = {"api", "static", "moderatie", "zelftest", email_follow.ROUTE}

EXCERPT = 200
# The columns of resultaten.csv: the keys of resultaten.json's ideas.
COLUMNS = ("rank", "id", "title", "text", "name", "place", "supports", "answer", "url")


class ParticipationStop(SettingsError):
    """The build cannot go on (results without data); one sentence."""


def configure(pelican) -> None:
    settings = pelican.settings
    merged(settings)
    _check_now(settings)
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES"):
        excludes = list(settings.get(key) or [])
        excludes += [p for p in settings["PARTICIPATION_PATHS"] +
                     settings["PARTICIPATION_SELF_TEST_PATHS"] if p not in excludes]
        settings[key] = excludes


def _check_now(settings: dict) -> None:
    value = settings.get("PARTICIPATION_NOW")
    if value is None or isinstance(value, datetime):
        return
    try:
        datetime.strptime(str(value), MOMENT)
    except ValueError:
        raise SettingsError(
            f"PARTICIPATION_NOW = {value!r} is not a moment: write None (now), a datetime or "
            "'2027-03-01 12:00' in pelicanconf.py.") from None


def excerpt(text: str, limit: int = EXCERPT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:!?") + "…"


def paragraphs(text: str) -> list[str]:
    """A citizen's text as paragraphs (blank lines between them), each one line."""
    parts = re.split(r"\n\s*\n", str(text or "").replace("\r\n", "\n"))
    return [" ".join(part.split()) for part in parts if part.strip()]


class Reader(FileReader):
    """Reads and checks one consultation file; ``problems`` says what is wrong."""

    DEFAULTS = DEFAULTS

    def missing(self, key: str, example: str) -> None:
        self.problem(None, self._("the consultation has no {key} — add a line such as "
                                  "'{key}: {example}'.").format(key=key.capitalize(),
                                                                example=example))

    def moment(self, meta: dict, key: str) -> datetime | None:
        _ = self._
        raw = plain(meta.get(key))
        if not raw:
            self.problem(None, _("the consultation has no {key} — add a line such as "
                                 "'{key}: 2026-11-16 09:00' (Belgian time).").format(
                key=key.capitalize()))
            return None
        try:
            value = datetime.strptime(raw, MOMENT)
        except ValueError:
            self.problem(key, _("'{value}' is not a moment for {key} — write the date and "
                                "the hour as 2026-11-16 09:00 (Belgian time).").format(
                value=raw, key=self.written(key)))
            return None
        return value.replace(tzinfo=zone(self.settings))

    def read(self):
        """The consultation as a dict, or None when its file has problems."""
        _ = self._
        page = self.page(Page)
        if page is None:
            return None
        meta = page.metadata
        for key in self.lines:
            if key not in KEYS and not ANSWER.match(key):
                if key.startswith("answer"):
                    self.problem(key, _("'{key}' is not an answer key — write Answer- and the "
                                        "idea's number, such as 'Answer-3: We doen dit in "
                                        "het voorjaar.'").format(key=self.written(key)))
                else:
                    self.problem(key, _("'{key}' is not a key of a consultation — use Title, "
                                        "Slug, Summary, Opens, Closes, Phase, Supports, "
                                        "Verification, Moderation, Image or Answer-N.").format(
                        key=self.written(key)))
        title = self.title(meta, _("the consultation has no Title — add the question as a line "
                                   "such as 'Title: Hoe maken we het Dorpsplein groener?'."),
                           _("the question is {count} characters long, more than {limit} — "
                             "write it shorter; say more in the text below."))
        slug, good = self.slug(meta, _("'{slug}' cannot be the consultation's address — write a "
                                       "Slug of lower-case letters, digits and hyphens, such as "
                                       "'Slug: dorpsplein-groener'."))
        if good and (slug in RESERVED or slug.endswith("moderatie")):
            self.problem("slug" if "slug" in self.lines else None, _(
                "'{slug}' is taken by the participation service itself (its API, its "
                "stylesheet, the moderators' page, the self-tests or following by e-mail) "
                "— write another Slug, such as 'Slug: {slug}-inspraak'.").format(slug=slug))
        opens = self.moment(meta, "opens")
        closes = self.moment(meta, "closes")
        if opens and closes and not opens < closes:
            self.problem("closes", _("Closes ({closes}) is not after Opens ({opens}) — write "
                                     "a closing moment after the opening one.").format(
                closes=closes.strftime(MOMENT), opens=opens.strftime(MOMENT)))
        phase = self.choice(meta, "phase", PHASES, _(
            "'{value}' is not a phase — write {key}: and one of {allowed}."))
        verification = self.choice(meta, "verification", VERIFICATIONS, _(
            "'{value}' is not a way to check supports — write {key}: and one of {allowed}."))
        moderation = self.choice(meta, "moderation", MODERATIONS, _(
            "'{value}' is not a moderation mode — write {key}: and one of {allowed}."))
        comments = self.choice(meta, "comments", COMMENTS, _(
            "'{value}' is not a comment setting — write {key}: and one of {allowed}."))
        supports = DEFAULTS["supports"]
        if meta.get("supports") is not None:
            raw = plain(meta.get("supports"))
            if raw.isascii() and raw.isdigit() and int(raw) >= 1:
                supports = int(raw)
            else:
                self.problem("supports", _("'{value}' is not a number of supports — write a "
                                           "whole number of 1 or more, such as "
                                           "'{key}: 5'.").format(
                    value=raw, key=self.written("supports")))
        answers = {}
        for key, value in meta.items():
            match = ANSWER.match(key)
            if not match:
                continue
            text = plain(value)
            if not text:
                self.problem(key, _("{key} is empty — write the town's answer to idea "
                                    "{id}, or leave the line out.").format(
                    key=self.written(key), id=int(match.group("id"))))
                continue
            answers[int(match.group("id"))] = text
        image = plain(meta.get("image")) or None
        if image and not (Path(self.settings["PATH"]) / image).is_file():
            self.problem("image", _("the image '{image}' is not in content/ — put the file "
                                    "there or correct the name, such as "
                                    "'Image: images/dorpsplein-groener.svg'.").format(
                image=image))
        if self.problems:
            return None
        return {
            "slug": slug,
            "title": title,
            "source_path": str(self.path),
            "shown_path": self.shown,
            "page": page,
            "summary": meta.get("summary") or "",
            "opens": opens,
            "closes": closes,
            "phase": phase,
            "supports": supports,
            "verification": verification,
            "moderation": moderation,
            "comments": comments,
            "image": image,
            "image_alt": plain(meta.get("image_alt")),
            "answers": answers,
        }


class Boards(Service):
    """Where the ideas come from: the service (with its cached copy) or a folder."""

    def get(self, slug: str) -> tuple[dict | None, str]:
        """(the board, where it came from: "service", "folder", "cache" or "")."""
        _ = said(LOCALE, self.settings).gettext
        return self.fetch(slug, f"api/{slug}/ideas", board_of,
                          _("an answer that is not a board of ideas"),
                          _("The participation service at {url} did not answer ({reason}): "
                            "the board of '{slug}' is the copy of {when}.").replace(
                              "{slug}", slug))


def _moment(value) -> datetime | None:
    """An ISO 8601 moment from the service (an idea's "created"), or None."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _whole(value, minimum: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _text(value, optional: bool = True) -> bool:
    return isinstance(value, str) or (optional and value is None)


def board_of(data) -> dict | None:
    """The approved ideas of an answer in the API's shape, by support then id; None
    when it is not such an answer."""
    if not isinstance(data, dict) or not isinstance(data.get("ideas"), list):
        return None
    ideas = []
    for item in data["ideas"]:
        if not (isinstance(item, dict) and _whole(item.get("id"), 1)
                and _text(item.get("title"), False) and _whole(item.get("supports"))
                and all(_text(item.get(k)) for k in ("text", "name", "place", "created"))):
            return None
        ideas.append({key: item.get(key) for key in ("id", "title", "text", "name", "place",
                                                     "supports", "created")})
    ideas.sort(key=lambda idea: (-idea["supports"], idea["id"]))
    total = data.get("total_supports")
    if not _whole(total):
        total = sum(idea["supports"] for idea in ideas)
    return {"ideas": ideas, "total_supports": total}


class ParticipationGenerator(OutputGenerator, Generator):
    """Reads the consultations, fetches their boards and writes their pages."""

    # Each process of a parallel build writes its own files (dorpsplein_kit.parallel).
    shares_work = True

    def __init__(self, *args, **kwargs):
        # Pelican's Generator: the theme's Jinja environment (with the
        # catalogue, Babel filters and asset() that other plugins install).
        Generator.__init__(self, *args, **kwargs)
        self.consultations: list[dict] = []
        self.self_tests: list[dict] = []

    # -- reading ----------------------------------------------------------
    def files(self, setting: str = "PARTICIPATION_PATHS"):
        return content_files(self.path, self.settings[setting])

    def generate_context(self) -> None:
        settings = self.settings
        now = now_of(settings)
        _ = said(LOCALE, settings).gettext
        found, slugs = [], {}
        for path in self.files():
            reader = Reader(self, path)
            consultation = reader.read()
            if consultation is not None and consultation["slug"] in slugs:
                reader.problem("slug" if "slug" in reader.lines else None, _(
                    "another consultation ({other}) has the address '{slug}' — give this one "
                    "a Slug of its own.").format(other=slugs[consultation["slug"]],
                                                 slug=consultation["slug"]))
                consultation = None
            for problem in reader.problems:
                logger.error("%s", problem)
            if consultation is not None:
                slugs[consultation["slug"]] = reader.shown
                found.append(consultation)
                self.link(consultation, path)
        boards = Boards(settings, now)
        for consultation in found:
            board, source = boards.get(consultation["slug"])
            if consultation["closes"] <= now and board is None and not settings.get("SITEURL"):
                # The preview (or a checkout long after the sample closed):
                # no results page rather than an empty one, and say why.
                print(_("{path}: the consultation has closed, but the build has no ideas for "
                        "its results from {source}: the results page is left out until the "
                        "participation service answers (./go serve starts it).").format(
                    path=consultation["shown_path"], source=boards.source), file=sys.stderr)
            elif consultation["closes"] <= now and board is None:
                # The publish build: never publish results made of missing data.
                raise ParticipationStop(_(
                    "{path}: the consultation closed on {closes}, but the build has no ideas "
                    "for its results from {source} — start the participation service so the "
                    "build can ask it, or set PARTICIPATION_DATA to a folder with "
                    "{slug}.json.").format(path=consultation["shown_path"],
                                           closes=consultation["closes"].strftime(MOMENT),
                                           source=boards.source, slug=consultation["slug"]))
            self.complete(consultation, board, source, now)
        # Open ones first (closing soonest first), then those to come, then the
        # closed ones (the latest first).
        order = {"open": 0, "upcoming": 1, "closed": 2}
        found.sort(key=lambda c: (order[c["state"]],
                                  c["closes"].timestamp() * (-1 if c["state"] == "closed" else 1),
                                  c["slug"]))
        self.consultations = found
        self.context["PARTICIPATION_CONSULTATIONS"] = found
        if found:  # the list: in the sitemap, not in the search index
            offer(self.context, OwnPage(
                url=f"{OUTPUT}/", save_as=f"{OUTPUT}/index.html", title="",
                modified=max(c["closes"] if c["state"] == "closed" else c["opens"]
                             for c in found), searchable=False))
        self.self_tests = self.read_self_tests(boards)
        # Following by e-mail (email_follow.py): the form's data for templates,
        # or None when it is off. Pages and categories are known by now.
        self.context[email_follow.CONTEXT_KEY] = email_follow.form(settings, self.context)

    def refresh_email_follow(self) -> None:
        """Live preview, after an article changed: the form's themes (a new
        category) and participation.json's newest articles, as a full build
        would have them. The context entry is replaced only when it differs,
        so the preview re-renders only the pages that show it then."""
        follow = email_follow.form(self.settings, self.context)
        if follow != self.context.get(email_follow.CONTEXT_KEY):
            self.context[email_follow.CONTEXT_KEY] = follow
        self.emit(DATA_FILE, self.service_file, sync=True)

    def read_self_tests(self, service: Service) -> list[dict]:
        """The self-tests (self_test.py): checked, their counts fetched, offered."""
        _ = said(LOCALE, self.settings).gettext
        tests, slugs = [], {}
        for path in self.files("PARTICIPATION_SELF_TEST_PATHS"):
            reader = SelfTestReader(self, path)
            test = reader.read()
            if test is not None and test["slug"] in slugs:
                reader.problem("slug" if "slug" in reader.lines else None, _(
                    "another self-test ({other}) has the address '{slug}' — give this one a "
                    "Slug of its own.").format(other=slugs[test["slug"]], slug=test["slug"]))
                test = None
            for problem in reader.problems:
                logger.error("%s", problem)
            if test is None:
                continue
            slugs[test["slug"]] = reader.shown
            counted = None
            if test["counts"]:
                slug = test["slug"]
                counted, _source = service.fetch(
                    f"zelftest-{slug}", f"api/zelftest/{slug}/counts", self_test.counts_of,
                    _("an answer that is not the counts of a self-test"),
                    _("The participation service at {url} did not answer ({reason}): the "
                      "counts of the self-test '{slug}' are the copy of {when}.").replace(
                        "{slug}", slug))
            self_test.complete(self.settings, test, counted)
            self.link(test, path, self_test.OUTPUT)
            offer(self.context, OwnPage(url=test["url"], save_as=f"{test['url']}index.html",
                                        title=test["title"]))
            for result in test["results"]:
                offer(self.context, OwnPage(url=result["url"],
                                            save_as=f"{result['url']}index.html",
                                            title=result["title"], searchable=False))
            tests.append(test)
        tests.sort(key=lambda test: test["slug"])
        self.context["PARTICIPATION_SELF_TESTS"] = tests
        return tests

    def link(self, c: dict, path: Path, output: str = OUTPUT) -> None:
        """Make ``{filename}/inspraak/x.md`` links in articles lead to the
        consultation's page, as Pelican does for articles and pages."""
        page = c["page"]
        page.override_url = f"{output}/{c['slug']}/"
        page.override_save_as = f"{output}/{c['slug']}/index.html"
        relative = path.relative_to(self.path).as_posix()
        self.context.setdefault("generated_content", {})[relative] = page

    def complete(self, c: dict, board: dict | None, source: str, now: datetime) -> None:
        """Everything the templates show of consultation ``c``, worked out once."""
        settings = self.settings
        service = settings["PARTICIPATION_URL"]
        slug = c["slug"]
        if now < c["opens"]:
            state = "upcoming"
        elif now < c["closes"]:
            state = "open"
        else:
            state = "closed"
        active = state == "open" and c["phase"] in ("ideas", "support")
        stage = {"upcoming": "upcoming", "closed": "results" if c["phase"] == "results"
                 else "closed"}.get(state, c["phase"])
        url = f"{OUTPUT}/{slug}/"
        c.update({
            "state": state,
            "stage": stage,
            "open": active,
            "can_post": active and c["phase"] == "ideas",
            "can_support": active,
            "url": url,
            "absolute_url": absolute_url(settings, url),
            "results": state == "closed" and board is not None,
            "results_url": f"{url}resultaten/" if state == "closed" and board else None,
            "results_csv": f"{url}resultaten.csv" if state == "closed" and board else None,
            "results_json": f"{url}resultaten.json" if state == "closed" and board else None,
            "service_url": service,
            "live_url": f"{service}/{slug}/",
            "idea_form_url": f"{service}/{slug}/idee",
            "api_url": f"{service}/api/{slug}/ideas",
            "form_api_url": f"{service}/api/{slug}/form",
            # The privacy statement (relative to the site root), for the line
            # under "Share your idea"; "" when the site has none.
            "privacy_url": getattr(privacy_page(self.context), "url", ""),
            "board_source": source,
            "has_board": board is not None,
            "total_supports": board["total_supports"] if board else 0,
        })
        c["answers_html"] = {number: self.answer_html(text)
                             for number, text in c["answers"].items()}
        ideas = []
        for rank, item in enumerate(board["ideas"] if board else [], start=1):
            idea_url = f"{url}idee-{item['id']}/"
            idea = {
                **item,
                "rank": rank,
                "url": idea_url,
                "absolute_url": absolute_url(settings, idea_url),
                "paragraphs": paragraphs(item["text"]),
                "excerpt": excerpt(item["text"] or ""),
                "support_url": f"{service}/{slug}/steun/{item['id']}",
                "report_url": f"{service}/{slug}/meld/{item['id']}",
                "answer": c["answers"].get(item["id"]),
                "answer_html": c["answers_html"].get(item["id"]),
            }
            idea["share_links"] = self.sharing(c, idea["absolute_url"], item["title"],
                                               idea["excerpt"])
            # Offered to the comment plugin (a thread, if the consultation has
            # them: open only while it is), the sitemap and the search index.
            thread = c["comments"] if active or c["comments"] == "off" else "closed"
            idea["thread"] = offer(self.context, OwnPage(
                url=idea_url, save_as=f"{idea_url}index.html", title=item["title"],
                comments=thread, modified=_moment(item.get("created"))))
            ideas.append(idea)
        c["ideas"] = ideas
        c["share_links"] = self.sharing(c, c["absolute_url"], c["title"],
                                        Markup(c["summary"]).striptags())
        offer(self.context, OwnPage(url=url, save_as=f"{url}index.html", title=c["title"],
                                    modified=c["closes"] if state == "closed" else c["opens"]))
        if c["results"]:
            offer(self.context, OwnPage(url=c["results_url"],
                                        save_as=f"{c['results_url']}index.html",
                                        title=c["title"], modified=c["closes"]))
        known = {idea["id"] for idea in ideas}
        for number in sorted(set(c["answers"]) - known if board else ()):
            line = front_matter_lines(Path(c["source_path"])).get(f"answer-{number}", (1,))[0]
            logger.warning("%s", Problem(c["shown_path"], line, said(LOCALE, settings).gettext(
                "there is no approved idea {id} on the board — check the number on the "
                "moderation page; the answer is not shown.").format(id=number)),
                extra={"advisory": True})

    def answer_html(self, text: str) -> Markup:
        """The town's answer (Markdown, one paragraph) as HTML: written by the
        town's editors, so trusted like an article."""
        config = self.settings.get("MARKDOWN") or {}
        extensions = config.get("extension_configs") or {}
        html = markdown.markdown(text, extensions=list(extensions),
                                 extension_configs=copy.deepcopy(extensions),
                                 output_format="html5")
        return Markup(html)

    def sharing(self, c: dict, url: str, title: str, description: str) -> dict:
        """Share links and preview metadata, as share_links gives articles."""
        settings = self.settings
        links, post = share_links(settings, url, title, description)
        image, size = "", (0, 0)
        if c["image"] and os.path.splitext(c["image"])[1].lower() in RASTER:
            from dorpsplein_kit import image_size

            size = image_size(Path(settings["PATH"]) / c["image"]) or (0, 0)
            image = absolute_url(settings, c["image"]) if size[0] else ""
        preview = {
            "type": "website", "title": title, "description": description, "url": url,
            "site_name": settings["SITENAME"],
            "locale": settings.get("SHARE_LINKS_LOCALE") or settings.get("SITE_LOCALE")
            or "nl_BE",
            "image": image, "image_width": size[0], "image_height": size[1],
            "image_alt": c["image_alt"] or f"{settings['SITENAME']}: {c['title']}",
            "published": "", "modified": "",
            "twitter_card": "summary_large_image" if image else "summary",
        }
        return {"url": url, "title": title, "links": links, "mastodon_text": post,
                "preview": preview, "meta": preview_meta(preview), "json_ld": None}

    # -- writing ----------------------------------------------------------
    def render(self, template: str, output: str, **values) -> str:
        context = dict(self.context)
        context.update(output_file=output, **values)
        return self.env.get_template(template).render(context)

    def emit(self, relative: str, make, *, sync: bool = False) -> None:
        """Write the file at ``relative`` when it is this process's, from ``make()``."""
        if mine(relative):
            self.write(relative, make(), sync=sync)

    def generate_output(self, writer) -> None:
        consultations = self.consultations
        self.emit(f"{OUTPUT}/index.html", lambda: self.render(
            "consultations.html", f"{OUTPUT}/index.html", consultations=consultations))
        for c in consultations:
            base = f"{OUTPUT}/{c['slug']}"
            self.emit(f"{base}/index.html", lambda c=c, base=base: self.render(
                "consultation.html", f"{base}/index.html", consultation=c))
            for idea in c["ideas"]:
                path = f"{base}/idee-{idea['id']}/index.html"
                self.emit(path, lambda c=c, idea=idea, path=path: self.render(
                    "idea.html", path, consultation=c, idea=idea))
            if c["results"]:
                self.emit(f"{base}/resultaten/index.html", lambda c=c, base=base: self.render(
                    "consultation_results.html", f"{base}/resultaten/index.html",
                    consultation=c))
                self.emit(f"{base}/resultaten.csv", lambda c=c: results_csv(c))
                self.emit(f"{base}/resultaten.json", lambda c=c: results_json(c))
        for test in self.self_tests:
            self_test.resolve(test)
            start = f"{test['url']}index.html"
            self.emit(start, lambda test=test, start=start: self.render(
                "self_test.html", start, test=test,
                share=self.sharing(test, test["absolute_url"], test["title"],
                                   Markup(test["summary"]).striptags())))
            for result in test["results"]:
                path = f"{result['url']}index.html"
                self.emit(path, lambda test=test, result=result, path=path: self.render(
                    "self_test_result.html", path, test=test, result=result,
                    share=self.sharing(test, result["absolute_url"],
                                       f"{result['title']} · {test['title']}",
                                       Markup(test["summary"]).striptags())))
        # Whole and only when changed; on disk before it appears: the service
        # re-reads it when it changes, maybe while a build runs.
        self.emit(DATA_FILE, self.service_file, sync=True)

    def shell(self) -> str:
        """The site's page with the service's two markers; absolute addresses, no script."""
        html = self.render("participation_shell.html", DATA_FILE,
                           SITEURL=site_url(self.settings),
                           TITLE_MARKER=Markup(TITLE_MARKER), MAIN_MARKER=Markup(MAIN_MARKER))
        if "<script" in html.lower() or TITLE_MARKER not in html or MAIN_MARKER not in html:
            raise SettingsError("theme/templates/participation_shell.html must hold both "
                                "participation markers and no <script>.")
        return html

    def service_file(self) -> str:
        settings = self.settings
        consultations = {}
        for c in sorted(self.consultations, key=lambda c: c["slug"]):
            consultations[c["slug"]] = {
                "title": c["title"],
                "url": c["absolute_url"],
                "opens": c["opens"].isoformat(),
                "closes": c["closes"].isoformat(),
                "phase": c["phase"],
                "supports": c["supports"],
                "verification": c["verification"],
                "moderation": c["moderation"],
                "ideas_built": sorted(idea["id"] for idea in c["ideas"]),
                "idea_url": absolute_url(settings, f"{c['url']}idee-{{id}}/"),
                # The idea form's line links to it ("" when the site has none).
                "privacy_url": absolute_url(settings, c["privacy_url"]) if c["privacy_url"]
                else "",
            }
        tests = {}
        for test in self.self_tests:
            self_test.resolve(test)
            tests[test["slug"]] = self_test.service_entry(test)
        data = {"version": 1, "site_url": site_url(settings), "consultations": consultations,
                "self_tests": tests}
        follow = self.context.get(email_follow.CONTEXT_KEY)
        if follow:
            data["email_follow"] = email_follow.service_entry(settings, self.context, follow)
        data["shell"] = self.shell()
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def results_rows(c: dict) -> list[dict]:
    return [{"rank": idea["rank"], "id": idea["id"], "title": idea["title"],
             "text": idea["text"] or "", "name": idea["name"] or "",
             "place": idea["place"] or "", "supports": idea["supports"],
             "answer": idea["answer"] or "", "url": idea["absolute_url"]}
            for idea in c["ideas"]]


# A cell a spreadsheet would read as a formula (CSV injection: "=HYPERLINK(...)"
# in a citizen's title): such text cells get a leading apostrophe, as OWASP
# advises. Only in the CSV; the JSON and the pages keep the text as written.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def results_csv(c: dict) -> str:
    """Open data for spreadsheets: RFC 4180 (comma, CRLF), UTF-8 with a byte
    order mark so Excel reads the accents; no cell starts a formula."""
    buffer = io.StringIO()
    out = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    out.writeheader()
    out.writerows({key: _cell(value) for key, value in row.items()}
                  for row in results_rows(c))
    return "\ufeff" + buffer.getvalue()


def results_json(c: dict) -> str:
    data = {
        "version": 1,
        "consultation": c["slug"],
        "title": c["title"],
        "url": c["absolute_url"],
        "opens": c["opens"].isoformat(),
        "closes": c["closes"].isoformat(),
        "verification": c["verification"],
        "supports_per_person": c["supports"],
        "ideas_count": len(c["ideas"]),
        "total_supports": c["total_supports"],
        "ideas": results_rows(c),
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def content_files(content, folders) -> list[Path]:
    """The Markdown files in ``folders`` under the content folder."""
    found = []
    for folder in folders:
        root = Path(content) / folder
        if root.is_dir():
            found += sorted(p for p in root.glob("*.md") if p.is_file())
    return found


def check_files(settings) -> list[tuple[str, int | None, str]]:
    """``invoke check``: every consultation's and self-test's problems, in the
    build's words (what the generator logs as it reads them)."""
    settings = dict(settings)
    merged(settings)
    reader = SimpleNamespace(settings=settings, path=settings["PATH"],
                             readers=Readers(settings), context={})
    found = []
    for setting, kind in (("PARTICIPATION_PATHS", Reader),
                          ("PARTICIPATION_SELF_TEST_PATHS", SelfTestReader)):
        for path in content_files(settings["PATH"], settings[setting]):
            file = kind(reader, path)
            file.read()
            found += [(str(path), problem.line, problem.message) for problem in file.problems]
    return found


SLUG_LINE = re.compile(r"^slug:\s*(?P<slug>\S+)\s*$", re.IGNORECASE | re.MULTILINE)


def _slug(path: Path) -> str:
    """The file's Slug: (in its front matter), else its name."""
    head = path.read_text(encoding="utf-8", errors="replace").split("\n\n", 1)[0]
    found = SLUG_LINE.search(head)
    return found.group("slug") if found else path.stem


def outside_data(settings) -> str:
    """What the pages are made of besides the files (dorpsplein/uptodate.py):
    the service's answer for every consultation's board and self-test's
    counts, or the folder's files. A build after a moderator's decision, a
    new support or a counted result is then a build, not "nothing changed"."""
    settings = dict(settings)
    merged(settings)
    service = Service(settings, now_of(settings))
    if not service.service:
        folder = Path(service.source)
        return json.dumps(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                                 for p in folder.glob("*.json")) if folder.is_dir() else [])
    content = settings["PATH"]
    asked = [f"api/{_slug(p)}/ideas"
             for p in content_files(content, settings["PARTICIPATION_PATHS"])]
    asked += [f"api/zelftest/{_slug(p)}/counts"
              for p in content_files(content, settings["PARTICIPATION_SELF_TEST_PATHS"])]
    return json.dumps([service.answer(api) for api in asked])


def get_generators(pelican):
    return ParticipationGenerator


def update_preview(generators, article) -> None:
    """Live preview: an edited article (its title, date, summary or theme) is
    in participation.json's ``email_follow``, and may bring a new theme."""
    for generator in generators:
        if isinstance(generator, ParticipationGenerator):
            generator.refresh_email_follow()


# Consultations and self-tests are not articles: no front-matter key of
# articles, nothing list pages show (an edit of one in the live preview is a
# full build); ``invoke check`` checks their files as the build does; the
# no-change build also compares what the service answers; the live preview
# brings participation.json's articles up to date after an article's edit; the
# feeds offer following by e-mail (email_follow.feed_links); the privacy
# statement says what ideas, supports, followers and self-tests keep
# (privacy.processing).
CONTRACT = Contract(check=check_files, outside=outside_data, preview=update_preview,
                    feed_links=email_follow.feed_links, processing=privacy.processing)


def register() -> None:
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)


__all__ = ["CONTRACT", "ParticipationGenerator", "board_of", "register"]
