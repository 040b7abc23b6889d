"""Sharing a list among buckets leaves out no item and checks none twice."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from tests.buckets import dealt, sliced


@pytest.mark.parametrize("share", [dealt, sliced])
def test_every_item_lands_in_exactly_one_bucket_of_even_size(
    share: Callable[[Sequence[int], int, int], list[int]],
) -> None:
    for length in range(1, 40):
        items = list(range(length))
        for count in range(1, min(length, 12) + 1):
            shares = [share(items, bucket, count) for bucket in range(count)]
            assert sorted(item for part in shares for item in part) == items, (length, count)
            sizes = [len(part) for part in shares]
            assert max(sizes) - min(sizes) <= 1, (length, count, sizes)


@pytest.mark.parametrize("share", [dealt, sliced])
def test_more_buckets_than_items_is_refused(
    share: Callable[[Sequence[int], int, int], list[int]],
) -> None:
    with pytest.raises(AssertionError, match="lower the bucket count to at most 3"):
        share([1, 2, 3], 0, 4)
