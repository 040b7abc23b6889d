from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import pytest
from plumbum import local

from extensions.packs import manifests
from scripts.combinations import SUITE_EVERY_VALUE_OF, Answers, pairwise, valid_combinations
from tests.template import compiled_once

# Every ``uv lock`` of this run (the render task's and the update's, in services copied and
# updated minutes apart) resolves against the index as it was when the run began: a release
# published during the run otherwise makes a service's lock differ from a fresh copy's that
# the update tests compare it with. xdist's workers inherit the controller's. Copier runs
# its tasks in plumbum's copy of the environment, taken when a plugin first imported it.
os.environ.setdefault("UV_EXCLUDE_NEWER", datetime.now(UTC).replace(microsecond=0).isoformat())
local.env["UV_EXCLUDE_NEWER"] = os.environ["UV_EXCLUDE_NEWER"]

collect_ignore = ["recipes"]
"""A rendered service's files (tests/test_recipes.py), tests included: not this suite's."""


def pytest_configure(config: pytest.Config) -> None:
    """One mypy cache for every rendered service an xdist worker checks (and the worker of
    that name in the next run, under ``.pytest_cache``). The services share their
    third-party modules, which are most of what mypy reads: checking one with a warm cache
    takes about a tenth of the time. mypy revalidates each cached module by its source's
    hash, so services of other answers checked one after another stay correct. Two mypy
    processes on one cache do not: one can read a module's metadata, the other rewrite its
    data, and the first crash on what it then reads (python/mypy#14521, a fix still open in
    #20205). Hence a cache a worker, set in the worker; xdist's controller runs no test."""
    cache = getattr(config, "cache", None)  # None with ``-p no:cacheprovider``
    if "MYPY_CACHE_DIR" in os.environ or cache is None:
        return
    worker = getattr(config, "workerinput", {}).get("workerid")
    if worker is None and getattr(config.option, "numprocesses", None):
        return
    os.environ["MYPY_CACHE_DIR"] = str(cache.mkdir(f"mypy-{worker or 'main'}"))


@pytest.fixture(scope="session", autouse=True)
def _templates_compiled_once() -> Iterator[None]:
    """Every render and update of the run, of this tree or of a past release, compiles
    each distinct template source once (``tests.template.compiled_once``)."""
    with compiled_once():
        yield


@dataclass(frozen=True)
class Servers:
    """The real servers started by ``scripts/servers.sh``.

    Each rendered suite gets a database of its own; suites on one xdist worker run one after
    another, so each worker owns one Redis database number (the suites flush it per test).
    """

    postgres_url: str
    redis_url: str
    mongodb_url: str
    rabbitmq_url: str
    kafka_bootstrap_servers: str

    def new_database(self) -> str:
        name = f"suite_{uuid.uuid4().hex[:12]}"
        subprocess.run(
            ["psql", self.postgres_url, "-qc", f"CREATE DATABASE {name}"],
            check=True,
            capture_output=True,
        )
        return urlunsplit(urlsplit(self.postgres_url)._replace(path=f"/{name}"))

    def new_mongo_database(self) -> str:
        return f"{self.mongodb_url.rstrip('/')}/suite_{uuid.uuid4().hex[:12]}"

    def redis_database(self) -> str:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
        return f"{self.redis_url.rstrip('/')}/{1 + int(worker) % 15}"


SERVER_VARIABLES = tuple(part.server_env for part in manifests() if part.server_env)
"""What ``scripts/servers.sh start`` exports: a variable per server the packs' manifests name
(``TEST_POSTGRES_URL`` fills ``Servers.postgres_url``)."""


@pytest.fixture(scope="session")
def servers() -> Servers:
    missing = [name for name in SERVER_VARIABLES if not os.environ.get(name)]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not set: run the tests with scripts/test.sh, or start the "
            "servers with `eval $(scripts/servers.sh start)` first",
            pytrace=False,
        )
    return Servers(
        **{name.removeprefix("TEST_").lower(): os.environ[name] for name in SERVER_VARIABLES}
    )


@pytest.fixture(scope="session")
def combinations() -> list[Answers]:
    """Every valid combination. Worked out the first time a test needs it (once per xdist
    worker), not at collection: the tests over it take their shares (``tests.buckets``)."""
    return valid_combinations()


@pytest.fixture(scope="session")
def pairwise_set(combinations: list[Answers]) -> list[Answers]:
    """Combinations in which every pair of option values meets at least once."""
    return pairwise(combinations)


@pytest.fixture(scope="session")
def suite_set(combinations: list[Answers]) -> list[Answers]:
    """The combinations whose rendered suites run: the pairwise set, and each answer to the
    questions in ``SUITE_EVERY_VALUE_OF``."""
    return pairwise(combinations, every_value_of=SUITE_EVERY_VALUE_OF)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Says which combinations ran their suites against the real servers (each suite test
    records its combinations as the ``combination`` property)."""
    ran = {
        value
        for report in terminalreporter.stats.get("passed", [])
        + terminalreporter.stats.get("failed", [])
        if report.when == "call"
        and "test_rendered_suite_passes_against_real_servers[" in report.nodeid
        for name, value in report.user_properties
        if name == "combination"
    }
    if ran:
        terminalreporter.section("combinations whose suites ran against the real servers")
        for combination in sorted(ran):
            terminalreporter.write_line(combination)
