"""Pool-sizing rules from the backend patterns, computed once for every template file.

``pool_size`` covers 80 % of the expected concurrent requests; ``max_overflow`` adds
50 % of the peak as headroom. 25 expected and 60 peak give the seed's 20 and 30.
"""

from __future__ import annotations

import math

from jinja2 import Environment
from jinja2.ext import Extension

POOL_SHARE = 0.8
OVERFLOW_SHARE = 0.5


def pool_size(expected_concurrency: int) -> int:
    """Connections kept open: 80 % of the expected concurrent requests, at least one."""
    return max(1, math.ceil(POOL_SHARE * int(expected_concurrency)))


def max_overflow(peak_concurrency: int) -> int:
    """Extra connections allowed at peak: 50 % of the peak concurrency."""
    return max(0, math.ceil(OVERFLOW_SHARE * int(peak_concurrency)))


class TuningExtension(Extension):
    """Exposes the pool-sizing rules as Jinja filters."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["pool_size"] = pool_size
        environment.filters["max_overflow"] = max_overflow
