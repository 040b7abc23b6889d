"""The rendered projects' own test suites, run against the real servers with nothing skipped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from scripts.combinations import describe, pairwise, valid_combinations
from tests.conftest import Servers
from tests.template import render, wait_for_http

pytestmark = pytest.mark.suite


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


# Every pair of option values meets in at least one of these; the ids say which ran.
@pytest.mark.parametrize("answers", pairwise(valid_combinations()), ids=describe)
def test_rendered_suite_passes_against_real_servers(
    answers: dict[str, object], tmp_path: Path, servers: Servers
) -> None:
    project = render(tmp_path / "svc", **answers)
    env = {
        **os.environ,
        "UV_PYTHON_DOWNLOADS": "never",
        "REDIS_URL": servers.redis_database(),
    }
    if answers.get("database", "postgres") == "postgres":
        env["DATABASE_URL"] = servers.new_database()
    else:
        env["MONGODB_URL"] = servers.new_mongo_database()
    env.pop("VIRTUAL_ENV", None)
    package = (project / ".copier-answers.yml").read_text().split("package_name: ")[1].split()[0]

    run(["uv", "sync", "--quiet"], project, env)
    run(["uv", "run", "--no-sync", "python", "-c", f"import {package}.main"], project, env)
    run(["uv", "run", "--no-sync", "mypy", "src", "tests"], project, env)
    report = tmp_path / "junit.xml"
    run(["uv", "run", "--no-sync", "pytest", "-q", f"--junitxml={report}"], project, env)

    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    counts = {key: int(suite.get(key, "0")) for key in ("tests", "failures", "errors", "skipped")}
    assert counts["tests"] > 0
    assert counts["skipped"] == 0, "a rendered test was skipped although every server is present"
    assert counts["failures"] == counts["errors"] == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_default_service_boots_serves_and_stops_cleanly(
    tmp_path: Path, servers: Servers
) -> None:
    """The newcomer's path: render the defaults, migrate, run uvicorn, call it, stop it."""
    project = render(tmp_path / "svc")
    env = {
        **os.environ,
        "UV_PYTHON_DOWNLOADS": "never",
        "DATABASE_URL": servers.new_database(),
        "REDIS_URL": servers.redis_database(),
    }
    env.pop("VIRTUAL_ENV", None)
    run(["uv", "sync", "--quiet"], project, env)
    run(["uv", "run", "--no-sync", "alembic", "upgrade", "head"], project, env)
    port = free_port()
    server = subprocess.Popen(
        [str(project / ".venv/bin/uvicorn"), "my_service.main:app", "--port", str(port)],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/health/live")
        health = httpx.get(f"{base}/health")
        assert health.status_code == 200, health.text
        assert health.json()["checks"] == {"postgres": "ok", "redis": "ok"}
        created = httpx.post(f"{base}/users", json={"email": "ada@example.com", "name": "Ada"})
        assert created.status_code == 201
        assert httpx.get(f"{base}/users/{created.json()['id']}").status_code == 200
        metrics = httpx.get(f"{base}/metrics").text
        assert (
            'http_requests_total{method="GET",route="/users/{user_id}",status="200"} 1.0' in metrics
        )
        assert 'db_pool_connections{pool="postgres",state="size"}' in metrics
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    # uvicorn drains, runs the lifespan's shutdown, then re-raises the signal it caught.
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
