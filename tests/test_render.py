"""Every valid combination of answers renders a clean project; invalid ones are refused."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.combinations import describe, invalid_combinations, valid_combinations
from tests.template import leftovers, render

COMBINATIONS = valid_combinations()
RUFF = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))

# Words that must not appear anywhere in a project that did not choose the option.
TRACES: dict[tuple[str, str], str] = {
    ("cache", "redis"): r"redis",
    ("broker", "rabbitmq"): r"rabbit|aio.pika",
    ("broker", "kafka"): r"kafka",
    ("auth", "jwt"): r"jwt|oauth2|bearer",
    ("service_discovery", "consul"): r"consul",
    ("database", "mongo"): r"mongo",
    ("database", "postgres"): r"postgres|sqlalchemy|alembic|asyncpg",
    ("api_styles", "graphql"): r"graphql|strawberry",
    ("api_styles", "grpc"): r"grpc",
    ("observability", "metrics"): r"prometheus|/metrics",
    ("observability", "tracing"): r"opentelemetry|otel",
    ("deployment", "docker"): r"dockerfile|compose\.yaml|docker compose",
    ("deployment", "kubernetes"): r"kubernetes|kustomiz|k8s",
    ("ci_provider", "github"): r"\.github|github actions",
}


@pytest.fixture(scope="module", params=COMBINATIONS, ids=describe)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("render") / "svc", **request.param)


def test_nothing_is_left_unrendered(project: Path) -> None:
    assert leftovers(project) == []


def test_ruff_check(project: Path) -> None:
    result = subprocess.run(
        [RUFF, "check", "--no-cache", "."], cwd=project, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format(project: Path) -> None:
    result = subprocess.run(
        [RUFF, "format", "--check", "--diff", "--no-cache", "."],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_byte_compiles(project: Path) -> None:
    for path in project.rglob("*.py"):
        compile(path.read_text(), str(path), "exec", dont_inherit=True)


def test_unchosen_options_leave_no_trace(project: Path) -> None:
    answers: dict[str, Any] = yaml.safe_load((project / ".copier-answers.yml").read_text())
    for (key, value), pattern in TRACES.items():
        chosen = answers.get(key)
        if value == chosen or (isinstance(chosen, list) and value in chosen):
            continue
        if key == "broker" and value == "redis":
            continue
        hits = [
            str(path.relative_to(project))
            for path in project.rglob("*")
            if path.is_file()
            and path.name != ".copier-answers.yml"
            and (
                re.search(pattern, path.read_text(errors="replace"), re.IGNORECASE)
                or re.search(pattern, str(path.relative_to(project)), re.IGNORECASE)
            )
        ]
        assert hits == [], f"{key}={value} was not chosen, yet {pattern!r} appears in {hits}"


@pytest.mark.parametrize(
    ("answers", "message"),
    invalid_combinations(),
    ids=lambda v: describe(v) if isinstance(v, dict) else "",
)
def test_invalid_combinations_are_refused(
    tmp_path: Path, answers: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        render(tmp_path / "svc", **answers)
    assert not (tmp_path / "svc" / "pyproject.toml").exists()
