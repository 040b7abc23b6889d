"""Sharing a list among buckets leaves out no item and checks none twice."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from tests.buckets import dealt, sliced


@pytest.mark.parametrize("share", [dealt, sliced])
def test_every_item_lands_in_exactly_one_bucket_of_even_size(
    share: Callable[[Sequence[int], int, int], list[int]],
) -> None:
    for length in range(40):
        items = list(range(length))
        for count in range(1, 12):
            shares = [share(items, bucket, count) for bucket in range(count)]
            assert sorted(item for part in shares for item in part) == items, (length, count)
            sizes = [len(part) for part in shares]
            assert max(sizes) - min(sizes) <= 1, (length, count, sizes)
