"""site_i18n's remembered gettext gives what jinja2.ext.i18n (newstyle) gives."""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime, timedelta, timezone

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from jinja2 import DictLoader, Environment
from markupsafe import Markup
from site_i18n.site_i18n import _filters, gettext_callables


def catalogue() -> gettext.GNUTranslations:
    catalog = Catalog(locale="nl")
    catalog.add("Comments", "Reacties")
    catalog.add("Home & away", "Thuis & weg")
    catalog.add("<b>%(name)s</b> wrote", "<b>%(name)s</b> schreef")
    catalog.add("50%% done", "50%% klaar")
    catalog.add("%(num)d minute read", ("%(num)d minuut lezen", "%(num)d minuten lezen"))
    catalog.add(("%(num)d minute read", "%(num)d minutes read"),
                ("%(num)d minuut lezen", "%(num)d minuten lezen"))
    catalog.add(("Try again in %(num)s second.", "Try again in %(num)s seconds."),
                ("Probeer over %(num)s seconde.", "Probeer over %(num)s seconden."))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


TEMPLATES = {
    "page.html": """
{{ _("Comments") }}|{{ _("Comments") }}|{{ _("Not translated") }}|{{ _("Home & away") }}
{{ _("<b>%(name)s</b> wrote", name=who) }}|{{ _("<b>%(name)s</b> wrote", name=safe) }}
{{ _("50%% done") }}|{{ gettext("Comments") }}
{% for n in numbers %}{{ ngettext("%(num)d minute read", "%(num)d minutes read", n) }};{% endfor %}
{{ ngettext("Try again in %(num)s second.", "Try again in %(num)s seconds.", 2) }}
{{ ngettext("Try again in %(num)s second.", "Try again in %(num)s seconds.", 2, num="{n}") }}
{{ ngettext("Try again in %(num)s second.", "Try again in %(num)s seconds.", 2.0) }}
{{ ngettext("Try again in %(num)s second.", "Try again in %(num)s seconds.", true) }}
{% set attr = _("Home & away") %}<a title="{{ attr }}">{{ attr|forceescape }}</a>
{% autoescape false %}{{ _("Home & away") }}|{{ _("<b>%(name)s</b> wrote", name=who) }}
{{ _("50%% done") }}
{{ ngettext("%(num)d minute read", "%(num)d minutes read", 3) }}{% endautoescape %}
{{ _("Home & away") }}
{% trans %}Comments{% endtrans %}|{% trans name=who %}<b>{{ name }}</b> wrote{% endtrans %}
{% trans count=3 %}{{ count }} minute read{% pluralize %}{{ count }} minutes read{% endtrans %}
""",
}
VALUES = {"who": "Jan <script>", "safe": Markup("<i>Jan</i>"), "numbers": [1, 2, 1, 7, 2]}


def environment(memoised: bool, autoescape: bool = True) -> Environment:
    env = Environment(loader=DictLoader(TEMPLATES), autoescape=autoescape,
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(catalogue(), newstyle=True)
    if memoised:
        callables = gettext_callables(catalogue())
        env.globals.update(callables)
        env.globals["_"] = callables["gettext"]
    return env


# 2.0 and true: a number of another type prints differently, so is not
# served from what an int printed.
@pytest.mark.filterwarnings("ignore:Plural value must be an integer")
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_same_output_as_jinjas_newstyle_gettext(autoescape):
    stock = environment(False, autoescape).get_template("page.html")
    ours = environment(True, autoescape).get_template("page.html")
    expected = stock.render(VALUES)
    assert "Reacties" in expected
    assert ("Jan &lt;script&gt;" if autoescape else "Jan <script>") in expected
    # Twice: the second time every string comes from the memory.
    assert ours.render(VALUES) == expected
    assert ours.render(VALUES) == expected


def test_results_keep_their_type():
    env = environment(True)
    gettext_, ngettext_ = env.globals["gettext"], env.globals["ngettext"]
    context = env.from_string("").new_context()
    for _ in range(2):
        text = context.call(gettext_, "Home & away")
        assert isinstance(text, Markup) and text == "Thuis & weg"
        assert context.call(gettext_, "<b>%(name)s</b> wrote", name="<x>") == (
            "<b>&lt;x&gt;</b> schreef")
        assert context.call(ngettext_, "%(num)d minute read", "%(num)d minutes read", 1) == (
            "1 minuut lezen")


def test_a_missing_placeholder_still_fails():
    env = environment(True)
    with pytest.raises(KeyError):
        env.from_string('{{ _("<b>%(name)s</b> wrote") }}').render()
    with pytest.raises(KeyError):
        env.from_string('{{ _("<b>%(name)s</b> wrote") }}').render()


def test_dates_are_formatted_once_and_the_same():
    filters = _filters("nl_BE")
    brussels = timezone(timedelta(hours=1))
    moment = datetime(2026, 11, 26, 23, 30, tzinfo=brussels)
    for _ in range(2):
        assert filters["format_date"](moment) == "26 november 2026"
        assert filters["format_date"](moment.date()) == "26 november 2026"
        assert filters["format_date"](date(2026, 11, 26), "d MMMM") == "26 november"
