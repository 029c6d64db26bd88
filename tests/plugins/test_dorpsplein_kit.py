"""The shared kit's copy rule: an output copy is refreshed whenever its source changed."""

from __future__ import annotations

import os

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
