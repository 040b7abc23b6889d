"""The rendered projects' own test suites, run against the real servers with nothing skipped."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scripts.combinations import describe, pairwise, valid_combinations
from tests.conftest import Servers
from tests.template import render

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
