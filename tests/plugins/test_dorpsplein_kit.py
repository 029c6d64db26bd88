"""The shared kit: its copy rule (an output copy is refreshed whenever its source
changed), the feeds' links in the contracts, the switch check."""

from __future__ import annotations

import os

import pytest
from dorpsplein_kit import copy_if_stale


def test_a_copy_is_made_when_missing_and_not_repeated_when_current(tmp_path):
    source, target = tmp_path / "foto.jpg", tmp_path / "out" / "foto.jpg"
    source.write_bytes(b"A" * 100)
    assert copy_if_stale(source, target) is True
    assert target.read_bytes() == source.read_bytes()
    assert copy_if_stale(source, target) is False


def test_a_replaced_source_of_the_same_size_is_copied_again(tmp_path):
    source, target = tmp_path / "foto.jpg", tmp_path / "out" / "foto.jpg"
    source.write_bytes(b"A" * 100)
    copy_if_stale(source, target)
    old = target.stat().st_mtime_ns
    source.write_bytes(b"B" * 100)  # another picture, the same number of bytes
    os.utime(source, ns=(old + 1_000_000_000, old + 1_000_000_000))
    assert copy_if_stale(source, target) is True
    assert target.read_bytes() == b"B" * 100


def test_declared_collects_every_plugins_feed_links_whatever_the_order():
    """The feeds ask ``Declared.links_for_feeds``: each enabled plugin's links
    for the feed (None) or one article, once per (rel, address), comment
    threads first, the same in any PLUGINS order."""
    import sys
    import types

    from dorpsplein_kit import Contract, FeedLink, declared

    follow = FeedLink(rel="related", href="https://x.example/volg-ons/#mail", kind="email-follow")

    def first(content, context):
        return [follow] + ([FeedLink("replies", f"https://x.example{content}#r", "replies")]
                           if content else [])

    def second(content, context):
        return [follow, FeedLink("related", "https://social.example/1", "discussed", "Mastodon")]

    for name, links in (("kit_test_first", first), ("kit_test_second", second),
                        ("kit_test_none", None)):
        module = types.ModuleType(name)
        module.CONTRACT = Contract(feed_links=links)
        sys.modules[name] = module
    try:
        found = declared({"PLUGINS": ["kit_test_first", "kit_test_none", "kit_test_second"]})
        assert found.feed_links == (first, second)
        assert [link.kind for link in found.links_for_feeds(None, {})] == [
            "email-follow", "discussed"]
        article = found.links_for_feeds("/2026/a/", {})
        assert [(link.rel, link.href) for link in article] == [
            ("replies", "https://x.example/2026/a/#r"),
            ("related", "https://x.example/volg-ons/#mail"),
            ("related", "https://social.example/1")]
        assert article[2].name == "Mastodon" and article[2].type == "text/html"
        reversed_order = declared({"PLUGINS": ["kit_test_second", "kit_test_first"]})
        assert reversed_order.feed_links == (second, first)
        assert reversed_order.links_for_feeds("/2026/a/", {}) == article
        assert reversed_order.links_for_feeds(None, {}) == found.links_for_feeds(None, {})
        assert declared({"PLUGINS": ["kit_test_none"]}).links_for_feeds(None, {}) == []
    finally:
        for name in ("kit_test_first", "kit_test_second", "kit_test_none"):
            sys.modules.pop(name, None)


def test_true_or_false_takes_only_the_two_booleans():
    from dorpsplein_kit import SettingsError, true_or_false

    check = true_or_false("must be True or False,")
    assert check("X_ON", True, {}) is True and check("X_ON", False, {}) is False
    for value in (1, 0, "yes", None):
        with pytest.raises(SettingsError) as error:
            check("X_ON", value, {})
        assert str(error.value) == f"X_ON = {value!r} must be True or False, in pelicanconf.py."
