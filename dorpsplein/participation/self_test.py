"""Self-tests ("zelftest"): the answers a reader gave, and the result they lead to.

A reader without JavaScript takes a test one question a page; the answers
travel in the address (``v1`` ... ``vN``, each the chosen option's number,
from 1) and nowhere else. ``answers`` reads them: a value that is not one
of the question's option numbers -- or a field given twice -- is ignored,
as if not answered. ``outcome`` scores them as docs/participation.md says:

- profile: each chosen option adds its points; the most points win, a tie
  goes to the result written first;
- knowledge: one point per right answer; the band that holds the score.

``SelfTestViews`` answers the routes (mixed into ``ParticipationApp``, whose
checks, tokens and store they use). Nothing is stored but, with ``counts``
on, one more for the result (``Store.count_result``), never the answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from .i18n import _
from .input_check import hidden, option_number
from .pages import json_response
from .policy import Result, SelfTest
from .refusals import Refusal

STEPS = ("volgende", "vorige")  # the buttons' values: next, previous
# A self-test's form tokens are its own, never a consultation's (no slug has a colon).
SCOPE = "zelftest:"


def answers(test: SelfTest, values: Callable[[str], list[str]]) -> dict[int, int]:
    """{question number: option number} for every valid answer; ``values(name)``
    is every value sent under ``name`` (a query's ``getlist``)."""
    given = {}
    for number, question in enumerate(test.questions, 1):
        sent = values(f"v{number}")
        choice = option_number(sent[0], len(question.options)) if len(sent) == 1 else None
        if choice is not None:
            given[number] = choice
    return given


def form_values(form: dict[str, str]) -> Callable[[str], list[str]]:
    """``values`` for a form body (each field there at most once)."""
    return lambda name: [form[name]] if name in form else []


def step(sent: list[str]) -> str | None:
    """Which button was pressed: "volgende", "vorige", or None (just show the question)."""
    return sent[0] if len(sent) == 1 and sent[0] in STEPS else None


def unanswered(test: SelfTest, given: dict[int, int]) -> list[int]:
    return [number for number in range(1, len(test.questions) + 1) if number not in given]


def query(given: dict[int, int]) -> str:
    """The answers as they travel: "v1=2&v3=1", in question order."""
    return urlencode([(f"v{number}", str(choice)) for number, choice in sorted(given.items())])


def question_path(test: SelfTest, number: int, given: dict[int, int]) -> str:
    """A question's address in this service (below its prefix), answers kept."""
    path = f"/zelftest/{test.slug}/vraag/{number}"
    return f"{path}?{query(given)}" if given else path


def outcome(test: SelfTest, given: dict[int, int]) -> Result:
    """The result every question's answer leads to (all must be answered)."""
    if test.kind == "profile":
        totals = {result.id: 0 for result in test.results}
        for number, question in enumerate(test.questions, 1):
            for profile, points in question.points[given[number] - 1]:
                totals[profile] += points
        best = max(totals.values())
        return next(result for result in test.results if totals[result.id] == best)
    score = sum(1 for number, question in enumerate(test.questions, 1)
                if given[number] == question.correct)
    return next(result for result in test.results if result.min <= score <= result.max)


class SelfTestViews:
    """The self-test routes of ``ParticipationApp`` (docs/participation.md)."""

    def view_self_test_question(self, request, form, slug, n):
        test = self.consultations.self_test(slug)
        if n > len(test.questions):
            raise Refusal("unknown")
        if request.method == "POST":
            return self.self_test_count(request, form, test, n)
        given = answers(test, request.args.getlist)
        pressed = step(request.args.getlist("stap"))
        if pressed == "vorige":
            return self.self_test_back(request, test, n, given)
        if pressed == "volgende" and n not in given:
            return self.self_test_page(request, test, n, given, missing=True)
        if pressed == "volgende" and n < len(test.questions):
            return self.see(request, question_path(test, n + 1, given))
        if pressed == "volgende":
            missing = unanswered(test, given)
            if missing:  # an earlier answer was lost (an edited address)
                return self.see(request, question_path(test, missing[0], given))
            return self.go(outcome(test, given).url)
        return self.self_test_page(request, test, n, given)

    def self_test_back(self, request, test, n, given):
        if n == 1:
            return self.go(test.url)
        return self.see(request, question_path(test, n - 1, given))

    def self_test_page(self, request, test, n, given, missing=False, summary=(), token=None,
                       status=None):
        counting = test.counts and n == len(test.questions)
        if counting and token is None:
            token = self.tokens.issue(SCOPE + test.slug)
        question = test.question(n)
        caption = _("Question {n} of {total}", n=n, total=len(test.questions))
        title = f"{caption} – {question.text} – {test.title}"
        error = _("Choose an answer.") if missing else ""
        summary = list(summary) + ([(f"v{n}-1", error)] if missing else [])
        if summary:
            title = _("Error: {title}", title=title)
        return self.page(request, "self_test_question.html", title,
                         status or (422 if missing else 200), test=test, n=n,
                         question=question, caption=caption, given=given,
                         carried=[(k, v) for k, v in sorted(given.items()) if k != n],
                         error=error, summary=summary, counting=counting, token=token)

    def self_test_count(self, request, form, test, n):
        """The last question's POST (counts on): count the result once, then show it."""
        if not test.counts or n != len(test.questions):
            raise Refusal("method")
        given = answers(test, form_values(form))
        if step([form["stap"]] if "stap" in form else []) == "vorige":
            return self.self_test_back(request, test, n, given)
        scope = SCOPE + test.slug
        token = hidden(form, "token")
        self.check_honeypot(form, None)
        missing = unanswered(test, given)
        if missing and missing[0] != n:
            return self.see(request, question_path(test, missing[0], given))
        if missing:
            return self.self_test_page(request, test, n, given, missing=True,
                                       token=self.fresh_token(scope, token, Refusal("invalid")))
        result = outcome(test, given)
        try:
            at = time.time()
            nonce = self.tokens.check(token, scope, at)
            self.store.write(lambda db: self.count_self_test(db, request, test, result, nonce, at))
        except Refusal as refusal:
            if refusal.reason in ("form", "too_fast"):  # expired, used, or very quick
                return self.self_test_page(request, test, n, given,
                                           summary=[("", refusal.message)],
                                           token=self.fresh_token(scope, token, refusal),
                                           status=refusal.status)
            if refusal.reason != "rate_limited":
                raise
            # Not counted; the reader still gets the result (it stores nothing).
        return self.go(result.url)

    def count_self_test(self, db, request, test, result, nonce, at) -> None:
        """Inside a write: the guards, then one more for ``result``. The writes
        per network are counted apart from ideas and supports (``SCOPE``): a
        school class taking a test leaves its network's ideas alone."""
        self.write_guards(db, request, nonce, at, bucket=SCOPE)
        self.store.count_result(db, test.slug, result.id)

    def view_api_self_test_form(self, request, form, slug):
        test = self.consultations.self_test(slug, counted=True)
        return json_response({"ok": True, "token": self.tokens.issue(SCOPE + test.slug),
                              "not_before": self.tokens.time_trap})

    def view_api_self_test_result(self, request, form, slug):
        """The site's script sends the answers; the result is computed and counted here."""
        test = self.consultations.self_test(slug, counted=True)
        self.check_honeypot(form, None)
        given = answers(test, form_values(form))
        missing = unanswered(test, given)
        if missing:
            raise Refusal("invalid", fields={f"v{k}": _("Choose an answer.") for k in missing})
        at = time.time()
        nonce = self.tokens.check(hidden(form, "token"), SCOPE + test.slug, at)
        result = outcome(test, given)
        self.store.write(lambda db: self.count_self_test(db, request, test, result, nonce, at))
        # Not the counts: a reader polling them around a neighbour's answer
        # would learn that neighbour's result (the build alone reads them).
        return json_response({"ok": True, "result": result.id, "url": result.url})

    def view_api_self_test_counts(self, request, form, slug):
        test = self.consultations.self_test(slug, counted=True)
        stored = self.store.result_counts(test.slug)
        results = {r.id: stored.get(r.id, 0) for r in test.results}
        return json_response({"self_test": test.slug, "total": sum(results.values()),
                              "results": results})
