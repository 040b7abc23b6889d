"""Pool-sizing rules from the backend patterns, computed once for every template file.

``pool_size`` covers 80 % of the expected concurrent requests; ``max_overflow`` adds
50 % of the peak as headroom. 25 expected and 60 peak give the seed's 20 and 30.

``budget_error`` checks that every instance's connections, with the reserve, fit in what
the database accepts: 10 instances of 20 + 30 are 500 connections, five times PostgreSQL's
default ``max_connections`` of 100.
"""

from __future__ import annotations

import math
from decimal import Decimal

from jinja2 import Environment
from jinja2.ext import Extension

POOL_SHARE = 0.8
OVERFLOW_SHARE = 0.5
MONGO_POOL = 50
"""PyMongo's ``maxPoolSize`` (``MONGODB_MAX_POOL_SIZE``): a client's connections at most."""


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


def connections_per_instance(database: str, expected: object, peak: object) -> int:
    """The most connections one instance opens: PostgreSQL's pool and its overflow, or
    MongoDB's pool."""
    if database == "postgres":
        return pool_size(int(str(expected))) + max_overflow(int(str(peak)))
    return MONGO_POOL


def budget_error(
    database: str,
    expected: object,
    peak: object,
    replicas: object,
    max_connections: object,
    reserved: object,
) -> str:
    """An error message, with numbers that fit, when the instances' connections and the
    reserve exceed what the database accepts; '' when they fit (or another answer is
    already refused by its own validator)."""
    try:
        per = connections_per_instance(database, expected, peak)
        count, limit, kept = (int(str(value)) for value in (replicas, max_connections, reserved))
    except ValueError:
        return ""
    need = count * per + kept
    if need <= limit:
        return ""
    fitting = (limit - kept) // per
    pool = (
        f"{per} connections ({pool_size(int(str(expected)))} pooled and "
        f"{max_overflow(int(str(peak)))} overflow)"
        if database == "postgres"
        else f"{per} connections (MONGODB_MAX_POOL_SIZE)"
    )
    proposals = [f"a database_max_connections of {need} or more"]
    if fitting >= 1:
        proposals.append(f"at most {fitting} instances (max_replicas)")
    if database == "postgres":
        proposals.append("lower concurrency answers, or PgBouncer in transaction mode")
    return (
        f"{count} instances of {pool} plus {kept} reserved need {need} connections, and the "
        f"database accepts {limit}. Fits: {'; or '.join(proposals)}."
    )


LATENCY_BOUNDS_MS = (5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000)
"""prometheus_client's default histogram buckets, in ms: the alert rules count the requests
within the latency objective from the bucket at it, so the objective must be one."""


def objective_error(value: object) -> str:
    """An error message for an availability objective that is no percentage from 95 to
    99.999, or '' when it is one. Below 95 % the budget is so large that even every request
    failing burns it too slowly to page (14.4 times a budget of 0.07 is more than all)."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not 95 <= number <= 99.999:
        return f"Availability objective must be a percentage from 95 to 99.999; '{text}' is not."
    return ""


def latency_error(value: object) -> str:
    """An error message for a latency objective that is no bound of the request histogram."""
    text = str(value).strip()
    if not text.isdecimal() or int(text) not in LATENCY_BOUNDS_MS:
        bounds = ", ".join(str(bound) for bound in LATENCY_BOUNDS_MS)
        return (
            f"Latency objective must be a bound of the request histogram in ms ({bounds});"
            f" '{text}' is not."
        )
    return ""


def error_budget(objective: object) -> str:
    """The share of requests an availability objective in percent lets fail: 99.9 → 0.001,
    written exactly (as a decimal, not a float's nearest neighbour)."""
    return format((100 - Decimal(str(objective).strip())) / 100, "f")


def bucket_bound(milliseconds: object) -> str:
    """The ``le`` label of the histogram bucket at ``milliseconds``, as prometheus_client
    writes it: 250 → ``0.25``, 1000 → ``1.0``."""
    seconds = Decimal(str(milliseconds).strip()) / 1000
    text = format(seconds.normalize(), "f")
    return text if "." in text else f"{text}.0"


class TuningExtension(Extension):
    """Exposes the pool-sizing rules, and the check of their inputs, as Jinja filters."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["pool_size"] = pool_size
        environment.filters["max_overflow"] = max_overflow
        environment.filters["count_error"] = count_error
        environment.filters["objective_error"] = objective_error
        environment.filters["latency_error"] = latency_error
        environment.filters["error_budget"] = error_budget
        environment.filters["bucket_bound"] = bucket_bound
        environment.globals["budget_error"] = budget_error
        environment.globals["connections_per_instance"] = connections_per_instance
