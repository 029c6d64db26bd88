"""Self-tests ("zelftest"): read and check the editor's file, and what the
pages, the site's script and the service need of it (docs/participation.md,
"Self-tests").

A self-test is one Markdown file: front matter (``Title``, ``Kind``, ...), an
introduction, then ``## Question: ...`` sections (an optional hint, a list of
answers, for a knowledge test an explanation) and ``## Result <id>: ...``
sections. The body is read line by line here, so every problem names its
line; each text part is Markdown, converted with the site's settings, and its
``{filename}`` links are resolved when the pages are written (the whole
context is known then).
"""

from __future__ import annotations

import copy
import json
import math
import re
from pathlib import Path

import markdown
from dorpsplein_kit import absolute_url
from pelican.contents import Page

from .common import RASTER, SLUG, FileReader, plain

# Where the pages go in the site.
OUTPUT = "zelftest"
KINDS = ("profile", "knowledge")
COUNTS = ("off", "on")
KEYS = {"title", "slug", "summary", "kind", "counts", "image", "image_alt"}
DEFAULTS = {"counts": "off"}
QUESTIONS_MAX = 20
OPTIONS = (2, 8)
RESULTS = (2, 8)
QUESTION_MAX = 200
POINTS_MAX = 9
# Shares of the results are shown from this many participants on.
SHARES_FROM = 10
# Reading and answering one question takes about this many seconds.
SECONDS_A_QUESTION = 15

HEADING = re.compile(r"^##(?!#)\s*(?P<rest>.*?)\s*#*\s*$")
QUESTION = re.compile(r"^question\s*:\s*(?P<text>.*)$", re.IGNORECASE)
RESULT = re.compile(r"^result\s+(?P<id>[^:\s]+)\s*:\s*(?P<title>.*)$", re.IGNORECASE)
OPTION = re.compile(r"^[ ]{0,3}[-*+]\s+(?P<text>.*)$")
MARK = re.compile(r"^\[(?P<mark>[ xX]?)\]\s*(?P<text>.*)$")
ARROW = re.compile(r"\s+(?:->|→)\s*(?P<points>.*)$")
POINT = re.compile(r"^(?P<id>\S+?)(?:\s*\+\s*(?P<n>\S+))?$")
BAND = re.compile(r"^(?P<min>[0-9]+)(?:-(?P<max>[0-9]+))?$")


def markdown_html(settings: dict, text: str) -> str:
    """Editor-written Markdown as HTML, with the site's Markdown settings."""
    if not text.strip():
        return ""
    config = settings.get("MARKDOWN") or {}
    extensions = config.get("extension_configs") or {}
    return markdown.markdown(text, extensions=list(extensions),
                             extension_configs=copy.deepcopy(extensions),
                             output_format="html5")


def body_lines(path: Path) -> list[tuple[int, str]]:
    """The lines after the front matter (the first empty line), numbered."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not line.strip():
            return [(number, value) for number, value in
                    enumerate(lines[index + 1:], start=index + 2)]
    return []


def _text(lines: list[tuple[int, str]]) -> str:
    return "\n".join(line for _n, line in lines).strip("\n")


class SelfTestReader(FileReader):
    """Reads and checks one self-test file; ``problems`` says what is wrong."""

    DEFAULTS = DEFAULTS

    def missing(self, key: str, example: str) -> None:
        self.problem(None, self._("the self-test has no {key} — add a line such as "
                                  "'{key}: {example}'.").format(key=key.capitalize(),
                                                                example=example))

    def read(self) -> dict | None:
        _ = self._
        page = self.page(Page)
        if page is None:
            return None
        meta = page.metadata
        for key in self.lines:
            if key not in KEYS:
                self.problem(key, _("'{key}' is not a key of a self-test — use Title, Slug, "
                                    "Summary, Kind, Counts, Image or Image_alt.").format(
                    key=self.written(key)))
        title = self.title(meta, _("the self-test has no Title — add a line such as "
                                   "'Title: Hoe wil jij in 2040 in Lindeveld wonen?'."),
                           _("the title is {count} characters long, more than {limit} — "
                             "write it shorter; say more in the introduction."))
        slug, good = self.slug(meta, _("'{slug}' cannot be the self-test's address — write a "
                                       "Slug of lower-case letters, digits and hyphens, such "
                                       "as 'Slug: lindeveld-2040'."))
        if good and slug.endswith("moderatie"):
            # nginx asks the moderators' password for any such path segment.
            self.problem("slug" if "slug" in self.lines else None, _(
                "'{slug}' ends in 'moderatie', which the web server keeps for the moderators "
                "— write another Slug, such as 'Slug: {slug}-test'.").format(slug=slug))
        kind = self.choice(meta, "kind", KINDS, _(
            "'{value}' is not a kind of self-test — write {key}: and one of {allowed}."))
        counts = self.choice(meta, "counts", COUNTS, _(
            "'{value}' is not a setting for counts — write {key}: and one of {allowed}."))
        image = plain(meta.get("image")) or None
        if image and not (Path(self.settings["PATH"]) / image).is_file():
            self.problem("image", _("the image '{image}' is not in content/ — put the file "
                                    "there or correct the name, such as "
                                    "'Image: images/zelftest.png'.").format(image=image))
        intro, questions, results = self.sections(kind)
        self.problems.sort(key=lambda problem: problem.line or 0)
        if self.problems:
            return None
        return {
            "slug": slug,
            "title": title,
            "kind": kind,
            "counts": counts == "on",
            "summary": meta.get("summary") or "",
            "image": image,
            "image_alt": plain(meta.get("image_alt")),
            "source_path": str(self.path),
            "shown_path": self.shown,
            "page": page,
            "intro_html": markdown_html(self.settings, intro),
            "questions": questions,
            "results": results,
        }

    # -- the body -----------------------------------------------------------
    def sections(self, kind: str | None):
        """(the introduction's Markdown, the questions, the results)."""
        _ = self._
        intro: list[tuple[int, str]] = []
        parts: list[tuple[str, int, re.Match, list]] = []
        for number, line in body_lines(self.path):
            heading = HEADING.match(line)
            if heading:
                rest = heading.group("rest")
                question, result = QUESTION.match(rest), RESULT.match(rest)
                if question:
                    parts.append(("question", number, question, []))
                    continue
                if result:
                    parts.append(("result", number, result, []))
                    continue
                self.problem(None, _("'## {heading}' is neither a question nor a result — "
                                     "write '## Question: …' or '## Result id: …'; use ### "
                                     "for a heading inside a text.").format(heading=rest),
                             line=number)
                continue
            (parts[-1][3] if parts else intro).append((number, line))
        questions = [self.question(number, match, lines, kind)
                     for what, number, match, lines in parts if what == "question"]
        results = [self.result(number, match, lines, kind)
                   for what, number, match, lines in parts if what == "result"]
        questions = [q for q in questions if q]
        results = [r for r in results if r]
        first_line = body_lines(self.path)[0][0] if body_lines(self.path) else 1
        count = sum(1 for part in parts if part[0] == "question")
        if not count:
            self.problem(None, _("the self-test has no questions — add one as '## Question: "
                                 "…' followed by its answers, one per line starting with "
                                 "'- '."), line=first_line)
        elif count > QUESTIONS_MAX:
            self.problem(None, _("the self-test has {count} questions, more than {limit} — "
                                 "keep it short: two minutes is what citizens give.").format(
                count=count, limit=QUESTIONS_MAX), line=parts[0][1])
        if kind == "profile":
            self.check_profiles(parts, questions, results, first_line)
        elif kind == "knowledge":
            self.check_bands(parts, results, count, first_line)
        return _text(intro), questions, results

    def question(self, line: int, match: re.Match, lines: list, kind: str | None):
        _ = self._
        text = " ".join(match.group("text").split())
        if not text:
            self.problem(None, _("the question is empty — write it after 'Question:', such as "
                                 "'## Question: Hoe kom je naar het dorpscentrum?'."), line=line)
        elif len(text) > QUESTION_MAX:
            self.problem(None, _("the question is {count} characters long, more than {limit} "
                                 "— write it shorter; explain more in a hint under it.").format(
                count=len(text), limit=QUESTION_MAX), line=line)
        hint: list = []
        explanation: list = []
        options: list[tuple[int, str]] = []
        for number, value in lines:
            option = OPTION.match(value)
            if option and not explanation:
                options.append((number, option.group("text").strip()))
            elif options and value.strip() and value.startswith((" ", "\t")) and \
                    not explanation:
                options[-1] = (options[-1][0], f"{options[-1][1]} {value.strip()}")
            elif options:
                explanation.append((number, value))
            else:
                hint.append((number, value))
        if not options:
            self.problem(None, _("the question has no answers — write each answer on a line "
                                 "of its own starting with '- '."), line=line)
            return None
        if not OPTIONS[0] <= len(options) <= OPTIONS[1]:
            self.problem(None, _("the question needs {least} to {most} answers and has "
                                 "{count} — write each answer on a line of its own starting "
                                 "with '- '.").format(count=len(options), least=OPTIONS[0],
                                                      most=OPTIONS[1]), line=line)
        parsed = [self.option(number, value, kind) for number, value in options]
        if any(p is None for p in parsed):
            return None
        question = {"line": line, "text": text,
                    "hint_html": markdown_html(self.settings, _text(hint)),
                    "options": [{"number": n, "label": p["label"], "points": p["points"],
                                 "right": p["right"], "line": options[n - 1][0]}
                                for n, p in enumerate(parsed, start=1)],
                    "explanation_html": markdown_html(self.settings, _text(explanation))}
        if kind == "knowledge":
            right = [o["number"] for o in question["options"] if o["right"]]
            if len(right) != 1:
                self.problem(None, _("the question has {count} answers marked [x] — mark "
                                     "exactly one, the right one, as '- [x] …' and the others "
                                     "as '- [ ] …'.").format(count=len(right)), line=line)
                return None
            question["correct"] = right[0]
            if not question["explanation_html"]:
                self.problem(None, _("the question has no explanation — write a paragraph "
                                     "after its answers that says why the right answer is "
                                     "right."), line=line)
        elif explanation and _text(explanation).strip():
            self.problem(None, _("text after the answers is only for knowledge tests — move "
                                 "it above the answers as a hint."),
                         line=next(n for n, value in explanation if value.strip()))
        return question

    def option(self, line: int, text: str, kind: str | None) -> dict | None:
        _ = self._
        if kind == "knowledge":
            mark = MARK.match(text)
            if not mark:
                self.problem(None, _("'{answer}' has no box — write '- [x] …' for the right "
                                     "answer and '- [ ] …' for the others.").format(
                    answer=text), line=line)
                return None
            label = mark.group("text").strip()
            if not label:
                self.problem(None, _("an answer is empty — write its text after the box."),
                             line=line)
                return None
            return {"label": label, "points": {}, "right": mark.group("mark") in "xX"
                    and mark.group("mark") != ""}
        arrow = ARROW.search(text)
        if kind == "profile" and not arrow:
            self.problem(None, _("'{answer}' does not say which result it counts for — end "
                                 "the line with '-> ' and a result's id, such as '- Met de "
                                 "fiets -> groen'.").format(answer=text), line=line)
            return None
        label = text[:arrow.start()].strip() if arrow else text
        if not label:
            self.problem(None, _("an answer is empty — write its text before '->'."), line=line)
            return None
        points: dict[str, int] = {}
        for part in (arrow.group("points").split(",") if arrow else []):
            point = POINT.match(part.strip())
            n = point.group("n") if point else None
            if not point or not SLUG.match(point.group("id")) or n is not None and not (
                    n.isascii() and n.isdigit() and 1 <= int(n) <= POINTS_MAX):
                self.problem(None, _("'{part}' is not a result with points — write a "
                                     "result's id, and if it counts more than once, + and a "
                                     "number from 1 to {most}, such as 'groen +2'.").format(
                    part=part.strip(), most=POINTS_MAX), line=line)
                return None
            points[point.group("id")] = points.get(point.group("id"), 0) + int(n or 1)
        return {"label": label, "points": points, "right": False}

    def result(self, line: int, match: re.Match, lines: list, kind: str | None):
        _ = self._
        title = " ".join(match.group("title").split())
        if not title:
            self.problem(None, _("the result has no title — write it after the colon, such "
                                 "as '## Result groen: Jij bent een tuinier'."), line=line)
            return None
        ident = match.group("id").lower()
        result = {"line": line, "id": ident, "title": title,
                  "text_html": markdown_html(self.settings, _text(lines))}
        if kind == "knowledge":
            band = BAND.match(ident)
            if not band:
                self.problem(None, _("'{id}' is not a score band — write the lowest and highest "
                                     "score, such as '## Result 0-2: …', or one score, such as "
                                     "'## Result 5: …'.").format(id=match.group("id")),
                             line=line)
                return None
            low = int(band.group("min"))
            high = int(band.group("max") or low)
            if high < low:
                self.problem(None, _("'{id}' goes down — write the lowest score first, such "
                                     "as '2-4'.").format(id=ident), line=line)
                return None
            result.update(min=low, max=high, id=f"{low}-{high}" if high != low else str(low))
        elif not SLUG.match(ident):
            self.problem(None, _("'{id}' cannot be a result's id — use lower-case letters, "
                                 "digits and hyphens, such as '## Result groen: …'.").format(
                id=match.group("id")), line=line)
            return None
        return result

    def check_profiles(self, parts, questions, results, first_line) -> None:
        _ = self._
        ids = {}
        for result in results:
            if result["id"] in ids:
                self.problem(None, _("there are two results '{id}' — give each result an id of "
                                     "its own.").format(id=result["id"]), line=result["line"])
            ids.setdefault(result["id"], result)
        count = sum(1 for part in parts if part[0] == "result")
        if not RESULTS[0] <= count <= RESULTS[1]:
            self.problem(None, _("a profile test needs {least} to {most} results, this one "
                                 "has {count} — add them as '## Result id: title'.").format(
                least=RESULTS[0], most=RESULTS[1], count=count), line=first_line)
        if count != len(results):
            return
        for question in questions:
            for option in question["options"]:
                for ident in option["points"]:
                    if ident not in ids:
                        self.problem(None, _("'{id}' is not a result of this test — use one of "
                                             "{known}, or add '## Result {id}: …'.").format(
                            id=ident, known=self.either(sorted(ids)) or "…"),
                            line=option["line"])

    def check_bands(self, parts, results, questions: int, first_line) -> None:
        _ = self._
        if sum(1 for part in parts if part[0] == "result") != len(results):
            return
        seen: dict[int, dict] = {}
        for result in results:
            for score in range(result["min"], result["max"] + 1):
                if score > questions:
                    self.problem(None, _("the band '{id}' goes past {count}, the number of "
                                         "questions — end it at {count}.").format(
                        id=result["id"], count=questions), line=result["line"])
                    break
                if score in seen:
                    self.problem(None, _("the score {score} is in two bands ('{one}' and "
                                         "'{two}') — let each score be in one band.").format(
                        score=score, one=seen[score]["id"], two=result["id"]),
                        line=result["line"])
                    break
                seen[score] = result
        missing = [score for score in range(questions + 1) if score not in seen]
        if missing:
            self.problem(None, _("no result covers the score {scores} — add a band such as "
                                 "'## Result {example}: …' so every score from 0 to {count} "
                                 "has one.").format(
                scores=", ".join(str(s) for s in missing),
                example=f"{missing[0]}-{missing[-1]}" if len(missing) > 1 else missing[0],
                count=questions), line=first_line)


# -- what the pages, the script and the service need -------------------------

def complete(settings: dict, test: dict, counted: dict | None) -> None:
    """Everything the templates show of ``test``, worked out once."""
    service = settings["PARTICIPATION_URL"]
    slug = test["slug"]
    url = f"{OUTPUT}/{slug}/"
    total = counted["total"] if counted else 0
    test.update({
        "url": url,
        "absolute_url": absolute_url(settings, url),
        "start_url": f"{service}/zelftest/{slug}/vraag/1",
        "minutes": max(1, math.ceil(len(test["questions"]) * SECONDS_A_QUESTION / 60)),
        "total": total,
        "shares_shown": bool(counted) and total >= SHARES_FROM,
    })
    for result in test["results"]:
        result_url = f"{url}resultaat/{result['id']}/"
        number = (counted or {}).get("results", {}).get(result["id"], 0)
        result.update({
            "url": result_url,
            "absolute_url": absolute_url(settings, result_url),
            "count": number,
            "share": round(100 * number / total) if total else 0,
        })
    test["script_data"] = json.dumps(script_data(settings, test), ensure_ascii=False,
                                     separators=(",", ":")).replace("</", "<\\/")


def script_data(settings: dict, test: dict) -> dict:
    """What js/self_test.js needs to score in the browser: no texts (they are
    in the page), only the points or the right answers, and where each result is."""
    service = settings["PARTICIPATION_URL"]
    slug = test["slug"]
    data = {
        "kind": test["kind"],
        "questions": [{"points": [o["points"] for o in q["options"]]} if test["kind"] ==
                      "profile" else {"correct": q["correct"]} for q in test["questions"]],
        "results": [{"id": r["id"], "url": r["url"], **({"min": r["min"], "max": r["max"]}
                                                        if test["kind"] == "knowledge" else {})}
                    for r in test["results"]],
    }
    if test["counts"]:
        data["form_api"] = f"{service}/api/zelftest/{slug}/form"
        data["result_api"] = f"{service}/api/zelftest/{slug}/resultaat"
    return data


def service_entry(test: dict) -> dict:
    """The test in participation.json, for the service's no-script steps."""
    questions = []
    for q in test["questions"]:
        entry = {"text": q["text"], "hint": q["hint_resolved"],
                 "options": [o["label"] for o in q["options"]]}
        if test["kind"] == "profile":
            entry["points"] = [o["points"] for o in q["options"]]
        else:
            entry["correct"] = q["correct"]
        questions.append(entry)
    results = []
    for r in test["results"]:
        entry = {"id": r["id"], "title": r["title"], "url": r["absolute_url"]}
        if test["kind"] == "knowledge":
            entry.update(min=r["min"], max=r["max"])
        results.append(entry)
    return {"title": test["title"], "kind": test["kind"], "url": test["absolute_url"],
            "counts": test["counts"], "questions": questions, "results": results}


def resolve(test: dict) -> None:
    """Resolve the ``{filename}`` links of every text part (once the whole
    context is known: when the pages are written)."""
    if test.get("resolved"):
        return
    page = test["page"]
    siteurl = page.get_siteurl()

    def links(html: str) -> str:
        return page._update_content(html, siteurl) if html else ""

    test["intro"] = links(test["intro_html"])
    for question in test["questions"]:
        question["hint_resolved"] = links(question["hint_html"])
        question["explanation"] = links(question["explanation_html"])
    for result in test["results"]:
        result["text"] = links(result["text_html"])
    test["resolved"] = True


def counts_of(data) -> dict | None:
    """The service's counts (``GET /api/zelftest/<slug>/counts``), or None."""
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        return None
    results = {str(k): v for k, v in data["results"].items()
               if isinstance(v, int) and not isinstance(v, bool) and v >= 0}
    if len(results) != len(data["results"]):
        return None
    return {"total": sum(results.values()), "results": results}


def preview_image(settings: dict, test: dict) -> tuple[str, tuple]:
    """The test's own picture for share previews (a raster image), or none."""
    from dorpsplein_kit import image_size

    image = test["image"]
    if not image or Path(image).suffix.lower() not in RASTER:
        return "", (0, 0)
    size = image_size(Path(settings["PATH"]) / image) or (0, 0)
    return (absolute_url(settings, image) if size[0] else ""), size
