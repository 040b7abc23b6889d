"""Runs the unit tests of rendered projects, many of them from one interpreter.

Started by the template's tests with the Python of their shared environment, it imports
the heavy third-party packages once. Then, for each request on its standard input (one
JSON object per line: ``project``, ``package``, ``log``), it forks: the child imports the
project's package, runs its unit tests with everything it prints going to ``log``, and
exits, so no two projects ever share one of their own modules. The parent answers each
request with one line, ``{"status": <the child's exit status>}``.

grpc is not imported ahead: the gRPC core does not support a fork after it has started.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
import traceback
from importlib.metadata import entry_points

AHEAD = [
    "aio_pika",
    "aiohttp",
    "aiokafka",
    "consul.aio",
    "fastapi",
    "fastapi.security",
    "httpx",
    "jwt",
    "pwdlib",
    "pydantic",
    "pydantic_settings",
    "pymongo",
    "prometheus_client",
    "opentelemetry.sdk.trace",
    "opentelemetry.instrumentation.fastapi",
    "pytest",
    "pytest_asyncio",
    "redis.asyncio",
    "sqlalchemy.ext.asyncio",
    "strawberry",
    "strawberry.fastapi",
    "tenacity",
]


def run_unit_tests(project: str, package: str) -> int:
    import pytest

    os.chdir(project)
    sys.path[:0] = [os.path.join(project, "src"), project]
    importlib.import_module(f"{package}.main")
    return int(pytest.main(["-q", "-p", "no:cacheprovider", "tests/unit"]))


def child(request: dict[str, str]) -> None:
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    try:
        status = run_unit_tests(request["project"], request["package"])
    except BaseException:  # whatever happens is reported through the log
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def main() -> None:
    for name in AHEAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    # pytest's own plugins and the installed ones, which every run would import again.
    from _pytest.config import default_plugins

    for name in default_plugins:
        importlib.import_module(f"_pytest.{name}")
    for plugin in entry_points(group="pytest11"):
        with contextlib.suppress(ImportError):
            plugin.load()
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            child(request)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"status": os.waitstatus_to_exitcode(status)}), flush=True)


if __name__ == "__main__":
    main()
