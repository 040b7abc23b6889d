"""Every valid combination of answers renders a clean project; invalid ones are refused."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.combinations import describe, invalid_combinations, valid_combinations
from tests.template import fast_rendering, leftovers, render, working_copy

COMBINATIONS = valid_combinations()
RUFF = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
BANDIT = shutil.which("bandit") or str(Path(sys.executable).with_name("bandit"))

# Words that must not appear anywhere in a project that did not choose the option.
TRACES: dict[tuple[str, str], str] = {
    ("cache", "redis"): r"redis",
    ("broker", "rabbitmq"): r"rabbit|aio.pika",
    ("broker", "kafka"): r"kafka",
    ("auth", "jwt"): r"jwt|oauth2|bearer|bcrypt|refresh.token",
    ("jwt_algorithm", "HS256"): r"JWT_SECRET",
    ("jwt_algorithm", "RS256"): r"RS256|JWT_PRIVATE_KEY|jwks",
    ("service_discovery", "consul"): r"consul",
    ("database", "mongo"): r"mongo",
    ("database", "postgres"): r"postgres|sqlalchemy|alembic|asyncpg",
    ("api_styles", "graphql"): r"graphql|strawberry",
    ("api_styles", "grpc"): r"grpc|\.proto(?![.\w])",
    ("api_styles", "rest"): r"entrypoints[./]rest\b",
    ("observability", "metrics"): r"prometheus|/metrics",
    ("observability", "tracing"): r"opentelemetry|otel",
    ("deployment", "docker"): r"dockerfile|compose\.yaml|docker compose",
    ("deployment", "kubernetes"): r"kubernetes|kustomiz|k8s",
    ("ci_provider", "github"): r"\.github|github actions",
}


# The combinations whose dependencies, together, cover every other combination's.
SUPERSETS = [
    {
        "database": database,
        "cache": "redis",
        "observability": ["metrics", "tracing"],
        "api_styles": ["rest", "graphql", "grpc"],
    }
    for database in ("postgres", "mongo")
]


@pytest.fixture(scope="session")
def shared_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One environment with every dependency any combination may need (installed from uv's
    cache), so that each combination's import and unit tests run without an install."""
    root = tmp_path_factory.mktemp("shared-env")
    requirements: set[str] = set()
    for answers in SUPERSETS:
        project = render(root / describe(answers), **answers)
        config = tomllib.loads((project / "pyproject.toml").read_text())
        requirements.update(config["project"]["dependencies"])
        requirements.update(config["dependency-groups"]["dev"])
    environment = root / "venv"
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run(["uv", "venv", "-q", "-p", "3.13", str(environment)], check=True, env=env)
    subprocess.run(
        ["uv", "pip", "install", "-q", "-p", str(environment), *sorted(requirements)],
        check=True,
        env=env,
    )
    return environment / "bin" / "python"


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with fast_rendering():
        yield working_copy(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="module", params=COMBINATIONS, ids=describe)
def project(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, template: Path
) -> Path:
    destination = tmp_path_factory.mktemp("render") / "svc"
    return render(destination, template=template, ref=None, **request.param)


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


def python_tree_digest(project: Path) -> str:
    """What the import and the unit tests depend on: the code, the tests and the
    dependencies. Deployment and CI files and the Python version (the shared environment
    has one interpreter) are left out."""
    config = tomllib.loads((project / "pyproject.toml").read_text())
    digest = hashlib.sha256()
    digest.update(repr(config["project"]["dependencies"]).encode())
    digest.update(repr(config["dependency-groups"]).encode())
    for path in sorted(project.glob("[spt]*/**/*")):
        if path.is_file() and path.parts[len(project.parts)] in {"src", "tests", "protos"}:
            digest.update(str(path.relative_to(project)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def tested_trees(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the workers of this run record the trees they took on."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's temp folder sits in one folder per run, shared by them all.
    folder = base.parent / f"tested-trees-{run}" if run else base / "tested-trees"
    folder.mkdir(exist_ok=True)
    return folder


def claim(folder: Path, tree: str) -> bool:
    """True for the one caller, across workers, that first claims ``tree``."""
    try:
        os.close(os.open(folder / tree, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return False
    return True


def test_imports_and_passes_its_unit_tests(
    project: Path, shared_python: Path, tested_trees: Path
) -> None:
    # Combinations that differ only in deployment, CI or Python version render the same
    # code: each distinct tree is imported and unit-tested once, by whichever worker
    # gets to it first.
    if not claim(tested_trees, python_tree_digest(project)):
        return
    package = yaml.safe_load((project / ".copier-answers.yml").read_text())["package_name"]
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    for variable in ("DATABASE_URL", "MONGODB_URL", "REDIS_URL"):
        env.pop(variable, None)
    # One interpreter for both: the import, then the unit tests.
    script = (
        f"import sys, pytest, {package}.main; "
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', 'tests/unit']))"
    )
    result = subprocess.run(
        [str(shared_python), "-c", script], cwd=project, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{result.stdout}{result.stderr}"


def test_bandit_finds_nothing_of_medium_severity_or_more(project: Path, tested_trees: Path) -> None:
    if not claim(tested_trees, "bandit-" + python_tree_digest(project)):
        return
    code = [str(project / name) for name in ("src", "protos", "migrations")]
    result = subprocess.run(
        [BANDIT, "-q", "-r", "--severity-level", "medium", *filter(os.path.exists, code)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_unchosen_options_leave_no_trace(project: Path) -> None:
    answers: dict[str, Any] = yaml.safe_load((project / ".copier-answers.yml").read_text())
    files = {
        str(path.relative_to(project)): path.read_text(errors="replace")
        for path in project.rglob("*")
        if path.is_file() and path.name != ".copier-answers.yml"
    }
    for (key, value), pattern in TRACES.items():
        chosen = answers.get(key)
        if value == chosen or (isinstance(chosen, list) and value in chosen):
            continue
        if key == "broker" and value == "redis":
            continue
        hits = [
            name
            for name, text in files.items()
            if re.search(pattern, text, re.IGNORECASE) or re.search(pattern, name, re.IGNORECASE)
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
