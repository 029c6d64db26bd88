"""Build side of the comments: thread ids, states, markup, texts, settings."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import isso
import pytest
from dorpsplein_kit import SettingsError
from isso_comments.settings import merged as merge_settings
from stop_lines import stop_line

from dorpsplein.build import BuildFailed

pytestmark = pytest.mark.slow

ISSO_I18N = Path(isso.__file__).parent / "js" / "app" / "i18n"


def isso_catalogue(lang: str) -> dict[str, str]:
    """Isso's own client translations, read from the installed package."""
    source = (ISSO_I18N / f"{lang}.js").read_text(encoding="utf-8")
    return {key: value for key, value in re.findall(r'"([a-z0-9-]+)":\s*"((?:[^"\\]|\\.)*)"',
                                                  source)}


def loader(doc):
    return doc.select_one('script[src*="/theme/js/isso_comments."]')


def test_every_article_has_a_thread_keyed_by_its_path(sample_site):
    threads = json.loads((sample_site.output / "isso-threads.json").read_text())["threads"]
    articles = sorted(sample_site.output.glob("2026/*/index.html"))
    assert len(articles) >= 8
    for page in articles:
        url = sample_site.url_of(page)
        doc = sample_site.html(url)
        thread = doc.select_one("#reacties #isso-thread")
        assert thread["data-isso-id"] == url
        assert thread["data-title"] == doc.h1.get_text()
        assert threads[url]["title"] == doc.h1.get_text()


def test_closed_article_says_so_and_is_closed_in_the_thread_list(sample_site):
    doc = sample_site.html("/2026/online-burgerbevraging/")
    section = doc.select_one("section#reacties")
    assert "comments--closed" in section["class"]
    assert "Reageren op dit artikel is afgesloten" in section.get_text()
    threads = json.loads((sample_site.output / "isso-threads.json").read_text())["threads"]
    assert threads["/2026/online-burgerbevraging/"]["state"] == "closed"
    assert threads["/2026/x-of-mastodon/"]["state"] == "open"


def test_article_page_loads_nothing_from_the_comment_server(sample_site):
    endpoint = sample_site.settings["ISSO_COMMENTS_URL"]
    html = sample_site.path("/2026/x-of-mastodon/").read_text()
    doc = sample_site.html("/2026/x-of-mastodon/")
    for element in doc.find_all(["script", "link", "img", "iframe"]):
        for attr in ("src", "href"):
            assert not str(element.get(attr, "")).startswith(endpoint), element
    assert "embed.min.js" not in html
    assert loader(doc)["data-isso"] == endpoint
    assert loader(doc).has_attr("defer")


def test_noscript_links_the_house_rules_and_the_button_waits_for_javascript(sample_site):
    doc = sample_site.html("/2026/x-of-mastodon/")
    noscript = doc.select_one("#reacties noscript")
    assert noscript.select_one('a[href="/reageerregels/"]')
    assert noscript.select_one('a[href="mailto:communicatie@lindeveld.example"]')
    button_holder = doc.select_one("#reacties .comments__load")
    assert button_holder.has_attr("hidden")
    assert button_holder.button.get_text() == "Toon reacties en reageer"


def test_isso_css_is_off_and_options_use_isso_names(sample_site):
    script = loader(sample_site.html("/2026/x-of-mastodon/"))
    assert script["data-isso-css"] == "false"
    assert script["data-isso-lang"] == "nl"
    assert script["data-isso-vote"] == "true"
    assert script["data-isso-sorting"] == "oldest"
    assert script["data-isso-require-author"] == "true"
    # The sample site's server only logs (notify "stdout"): no "mail me" box.
    assert script["data-isso-reply-notifications"] == "false"


def test_every_isso_text_missing_from_its_dutch_catalogue_is_supplied_in_dutch(sample_site):
    english, dutch = isso_catalogue("en"), isso_catalogue("nl")
    missing = set(english) - set(dutch)
    assert missing, "Isso's nl catalogue is complete now: this test can be simplified"
    script = loader(sample_site.html("/2026/x-of-mastodon/"))
    supplied = {
        name[len("data-isso-"):-len("-text-nl")]: value
        for name, value in script.attrs.items() if name.endswith("-text-nl")
    }
    assert missing <= set(supplied), f"not supplied: {missing - set(supplied)}"
    for key, value in supplied.items():
        assert value and value != english.get(key), f"{key} is not translated: {value!r}"


def test_list_pages_show_count_links_and_load_the_count_script(sample_site):
    doc = sample_site.html("/")
    links = doc.select("a.card__comments[data-isso-count]")
    assert len(links) == sample_site.settings["DEFAULT_PAGINATION"]
    for link in links:
        assert link["href"] == link["data-isso-count"] + "#reacties"
        assert link.get_text() == "Reacties"
    script = doc.select_one('script[src^="/theme/js/isso_comments_count."]')
    assert script["data-one"] == "1 reactie" and script["data-many"] == "{n} reacties"


def test_thread_id_survives_a_change_of_siteurl(build_site):
    site = build_site(settings_file="publishconf.py", SITEURL="https://www.lindeveld.be/blog")
    doc = site.html("/2026/x-of-mastodon/")
    assert doc.select_one("#isso-thread")["data-isso-id"] == "/2026/x-of-mastodon/"
    # The comment server follows the site's path by default (deploy/: /comments/).
    assert loader(doc)["data-isso"] == "/blog/comments"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"SITEURL": "https://www.lindeveld.be/blog"}, "/blog/comments"),
        ({"SITEURL": "https://www.lindeveld.be/blog/"}, "/blog/comments"),
        ({"SITEURL": "https://www.lindeveld.be/gemeente/blog"}, "/gemeente/blog/comments"),
        ({"SITEURL": "https://blog.lindeveld.be"}, "/comments"),
        ({"SITEURL": "https://blog.lindeveld.be/"}, "/comments"),
        ({"SITEURL": ""}, "http://127.0.0.1:8080"),  # the preview's comment server
        ({}, "http://127.0.0.1:8080"),
    ],
)
def test_the_default_comment_url_follows_the_site_path(settings, expected):
    for unset in ({}, {"ISSO_COMMENTS_URL": None}, {"ISSO_COMMENTS_URL": ""}):
        merged = {**settings, **unset}
        merge_settings(merged)
        assert merged["ISSO_COMMENTS_URL"] == expected, unset
    # A town's own address always wins, also a root path under a sub-path site.
    for own in ("https://reacties.lindeveld.be", "/comments", "/reacties/"):
        merged = {**settings, "ISSO_COMMENTS_URL": own}
        merge_settings(merged)
        assert merged["ISSO_COMMENTS_URL"] == own.rstrip("/")


SMTP = {"host": "smtp.lindeveld.be", "from": "blog@lindeveld.be", "to": "moderatie@lindeveld.be",
        "password": "geheim-123"}


def test_reply_notifications_are_offered_exactly_when_the_server_sends_mail():
    log = {}
    merge_settings(log)
    assert log["ISSO_COMMENTS_CLIENT"]["reply-notifications"] is False
    mail = {"ISSO_COMMENTS_SERVER": {"notify": "smtp", "smtp": SMTP}}
    merge_settings(mail)
    assert mail["ISSO_COMMENTS_CLIENT"]["reply-notifications"] is True
    merge_settings(mail)  # merging again keeps the answer
    assert mail["ISSO_COMMENTS_CLIENT"]["reply-notifications"] is True
    chosen = {"ISSO_COMMENTS_SERVER": {"notify": "smtp", "smtp": SMTP},
              "ISSO_COMMENTS_CLIENT": {"reply-notifications": False}}
    merge_settings(chosen)
    assert chosen["ISSO_COMMENTS_CLIENT"]["reply-notifications"] is False


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"ISSO_COMMENTS_CLIENT": {"reply-notifications": True}},
         "ISSO_COMMENTS_CLIENT['reply-notifications'] = True needs a comment server that "
         "sends mail"),
        ({"ISSO_COMMENTS_SERVER": {"notify": "mail"}},
         "ISSO_COMMENTS_SERVER['notify'] = 'mail' is not a way to notify"),
        ({"ISSO_COMMENTS_SERVER": {"notify": "smtp", "smtp": {**SMTP, "to": ""}}},
         "ISSO_COMMENTS_SERVER['smtp']['to'] = '' must be the moderators' address"),
        ({"ISSO_COMMENTS_SERVER": {"smtp": {**SMTP, "server": "x"}}},
         "ISSO_COMMENTS_SERVER['smtp'] has an unknown key 'server'"),
        ({"ISSO_COMMENTS_SERVER": {"smtp": {**SMTP, "security": "tls"}}},
         "ISSO_COMMENTS_SERVER['smtp']['security'] = 'tls' must be"),
    ],
)
def test_wrong_mail_settings_say_what_to_write(settings, expected):
    with pytest.raises(SettingsError) as error:
        merge_settings(settings)
    assert str(error.value).startswith(expected), str(error.value)
    assert "geheim" not in str(error.value)  # never the SMTP password


def _article(content, name, extra=""):
    (content / "articles" / name).write_text(
        f"Title: Test {name}\nDate: 2026-01-05 10:00\nCategory: Moderatie\n{extra}"
        "Summary: Een test.\n\nGewone tekst van een testartikel.\n",
        encoding="utf-8",
    )


def test_comments_off_shows_nothing_and_is_not_in_the_thread_list(build_site, content_copy):
    _article(content_copy, "stil.md", "Comments: off\nSlug: stil\n")
    site = build_site(content=content_copy)
    doc = site.html("/2026/stil/")
    assert doc.select_one("#reacties") is None and loader(doc) is None
    threads = json.loads((site.output / "isso-threads.json").read_text())["threads"]
    assert "/2026/stil/" not in threads
    listing = site.html("/thema/moderatie/")
    assert not listing.select('a[data-isso-count="/2026/stil/"]')


def test_threads_close_after_the_configured_number_of_days(build_site, content_copy):
    _article(content_copy, "oud.md", "Slug: oud\n")
    _article(content_copy, "oud-open.md", "Slug: oud-open\nComments: open\n")
    now = datetime(2026, 2, 10, 12, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    site = build_site(content=content_copy, ISSO_COMMENTS_CLOSE_AFTER_DAYS=30,
                      ISSO_COMMENTS_NOW=now)
    threads = json.loads((site.output / "isso-threads.json").read_text())["threads"]
    assert threads["/2026/oud/"]["state"] == "closed"  # 36 days old
    assert threads["/2026/oud-open/"]["state"] == "open"  # its own Comments: open wins
    assert threads["/2026/x-of-mastodon/"]["state"] == "open"  # dated after "now"


def test_a_wrong_comments_value_names_file_line_and_fix(build_site, content_copy):
    _article(content_copy, "vraag.md", "Slug: vraag\nComments: misschien\n")
    with pytest.raises(BuildFailed) as failed:
        build_site(content=content_copy)
    [line] = failed.value.problems
    assert re.search(r"articles/vraag\.md:5: 'Comments: misschien' is niet mogelijk — schrijf "
                     r"'Comments: open' of 'Comments: closed' of 'Comments: off'\.$", line)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"ISSO_COMMENTS_DEFAULT": "maybe"}, "ISSO_COMMENTS_DEFAULT = 'maybe' is not"),
        ({"ISSO_COMMENTS_CLIENT": {"colour": "red"}},
         "ISSO_COMMENTS_CLIENT has an unknown option 'colour'"),
        ({"ISSO_COMMENTS_CLIENT": {"sorting": "random"}},
         "ISSO_COMMENTS_CLIENT['sorting'] = 'random' is not an Isso sorting"),
        ({"ISSO_COMMENTS_URL": "comments.example"}, "ISSO_COMMENTS_URL = 'comments.example'"),
        ({"ISSO_COMMENTS_CLOSE_AFTER_DAYS": -1}, "ISSO_COMMENTS_CLOSE_AFTER_DAYS = -1"),
        ({"ISSO_COMMENTS_SERVER": {"listen": "8080"}},
         "ISSO_COMMENTS_SERVER['listen'] = '8080' must be host:port"),
        ({"ISSO_COMMENTS_RULES_PAGE": "regels"}, "ISSO_COMMENTS_RULES_PAGE = 'regels'"),
    ],
)
def test_wrong_comment_settings_stop_the_build(build_site, overrides, expected):
    line = stop_line(build_site, **overrides)
    assert line.startswith(expected), line


def test_the_thread_list_is_replaced_whole_and_only_when_it_changes(build_site, content_copy):
    """The comment server may read isso-threads.json during a build: a new
    file is put in place (os.replace), never rewritten in place."""
    site = build_site(content=content_copy)
    threads = site.output / "isso-threads.json"
    first = threads.stat()
    build_site(content=content_copy)
    again = threads.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)  # unchanged
    _article(content_copy, "nieuw.md", "Slug: nieuw\n")
    build_site(content=content_copy)
    changed = threads.stat()
    assert changed.st_ino != first.st_ino  # a new file, put in place whole
    assert "/2026/nieuw/" in json.loads(threads.read_text())["threads"]
    assert [p.name for p in site.output.glob("isso-threads*")] == ["isso-threads.json"]
    assert changed.st_mode & 0o777 == first.st_mode & 0o777  # as open() made it before
