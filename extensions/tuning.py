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


def count_error(value: object, what: str, low: int, high: int) -> str:
    """An error message for an answer that is not a whole number from ``low`` to ``high``,
    or '' when it is one (the questions take text, so that a typo gets this message rather
    than a failed conversion)."""
    text = str(value).strip()
    if not text.isdecimal() or not low <= int(text) <= high:
        return f"{what} must be a whole number between {low} and {high}; '{text}' is not."
    return ""


class TuningExtension(Extension):
    """Exposes the pool-sizing rules, and the check of their inputs, as Jinja filters."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["pool_size"] = pool_size
        environment.filters["max_overflow"] = max_overflow
        environment.filters["count_error"] = count_error
