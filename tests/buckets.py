"""Tests over a list that takes seconds to work out, each taking a share of it.

Pytest parametrizes a test when it collects it, so parametrizing over such a list (every valid
combination, a pairwise or covering set) would work it out at every collection, and once more
in each xdist worker, even to run one unrelated test. Instead such a test is parametrized
over a fixed number of buckets, and each bucket takes its share of the list from a session
fixture that works it out the first time a test needs it. Every item lands in exactly one
bucket; a test checks each item of its share, the item named in any failure.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest


def buckets(count: int, what: str) -> pytest.MarkDecorator:
    """Parametrizes a test over ``bucket``, 0 to ``count - 1``; each id says which share of
    ``what`` the bucket takes (``suite-03-of-18``)."""
    width = len(str(count))
    return pytest.mark.parametrize(
        "bucket", range(count), ids=[f"{what}-{n + 1:0{width}}-of-{count}" for n in range(count)]
    )


def _enough(items: Sequence[object], count: int) -> None:
    """A bucket with nothing to check would pass without checking anything."""
    assert len(items) >= count, (
        f"{count} buckets share only {len(items)} items: lower the bucket count to at most "
        f"{len(items)}"
    )


def dealt[T](items: Sequence[T], bucket: int, count: int) -> list[T]:
    """The bucket's items dealt round-robin: every ``count``-th, from the bucket's number on.
    Neighbours in a list tend to cost alike, so the buckets do too, give or take one item."""
    _enough(items, count)
    return list(items[bucket::count])


def sliced[T](items: Sequence[T], bucket: int, count: int) -> list[T]:
    """The bucket's run of consecutive items, as many as any other bucket's, give or take one;
    for lists whose neighbours share work that a bucket does once."""
    _enough(items, count)
    return list(items[len(items) * bucket // count : len(items) * (bucket + 1) // count])
