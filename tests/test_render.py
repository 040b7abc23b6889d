"""Every valid combination of answers renders a clean project; invalid ones are refused."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.combinations import describe, invalid_combinations, valid_combinations
from tests.template import JINJA_LEFTOVER, fast_rendering, render, working_copy

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
        # RS256 needs PyJWT's crypto extra, a superset of HS256's plain PyJWT.
        "auth": "jwt",
        "jwt_algorithm": "RS256",
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
def combination(request: pytest.FixtureRequest) -> dict[str, Any]:
    answers: dict[str, Any] = request.param
    return answers


@pytest.fixture(scope="module")
def project(
    combination: dict[str, Any], tmp_path_factory: pytest.TempPathFactory, template: Path
) -> Path:
    """The combination rendered without its tasks: the checks that run on every
    combination read the templates' output, not what the tasks generate from it."""
    destination = tmp_path_factory.mktemp("render") / "svc"
    return render(destination, template=template, ref=None, skip_tasks=True, **combination)


@pytest.fixture(scope="module")
def complete_project(
    combination: dict[str, Any], tmp_path_factory: pytest.TempPathFactory, template: Path
) -> Path:
    """The combination rendered as a user gets it, tasks run (gRPC stubs generated)."""
    destination = tmp_path_factory.mktemp("complete") / "svc"
    return render(destination, template=template, ref=None, **combination)


@pytest.fixture(scope="module")
def files(project: Path) -> dict[str, str]:
    """Every rendered file of the project by its relative path."""
    return {
        str(path.relative_to(project)): path.read_text(errors="replace")
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


@functools.cache
def has_leftovers(text: str) -> bool:
    return JINJA_LEFTOVER.search(text) is not None


def test_nothing_is_left_unrendered(files: dict[str, str]) -> None:
    unrendered = [name for name in files if name.endswith(".jinja")]
    unrendered += [name for name, text in files.items() if has_leftovers(text)]
    assert unrendered == []


def content_key(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


@pytest.fixture(scope="session")
def linted(tested_trees: Path) -> Path:
    folder = tested_trees / "linted"
    folder.mkdir(exist_ok=True)
    return folder


def unlinted(project: Path, files: dict[str, str], linted: Path) -> list[str]:
    """The Python files of ``project`` that no worker has linted yet in this exact form.

    Ruff judges each file on its own, given its path and the ``[tool.ruff]`` settings, so
    a file that is byte for byte the same, at the same path, under the same settings, as
    one linted in another combination gets the same verdict: most of the thousands of
    combinations share most of their files, and only the new ones are handed to ruff.
    """
    config = tomllib.loads(files["pyproject.toml"])["tool"]["ruff"]
    settings = repr(sorted(config.items()))
    return [
        name
        for name, text in files.items()
        if name.endswith(".py") and claim(linted, content_key(settings, name, text))
    ]


def test_ruff_check_and_format(project: Path, files: dict[str, str], linted: Path) -> None:
    new = unlinted(project, files, linted)
    if not new:
        return
    for command in (["check"], ["format", "--check", "--diff"]):
        result = subprocess.run(
            [RUFF, *command, "--no-cache", "--force-exclude", *new],
            cwd=project,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr


@functools.cache
def compiles(name: str, text: str) -> bool:
    compile(text, name, "exec", dont_inherit=True)
    return True


def test_byte_compiles(files: dict[str, str]) -> None:
    for name, text in files.items():
        if name.endswith(".py"):
            assert compiles(name, text)


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


@pytest.fixture(scope="session")
def unit_tests(shared_python: Path) -> Iterator[Callable[[Path, str], tuple[int, str]]]:
    """Runs a project's import and unit tests in a fork of one long-lived interpreter of
    the shared environment (``tests/forkserver.py``), which imported the third-party
    packages once: a fresh interpreter per project would spend most of its time there."""
    env = dict(os.environ)
    for variable in ("DATABASE_URL", "MONGODB_URL", "REDIS_URL", "PYTHONPATH"):
        env.pop(variable, None)
    server = subprocess.Popen(
        [str(shared_python), str(Path(__file__).with_name("forkserver.py"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert server.stdin is not None
    assert server.stdout is not None

    def run(project: Path, package: str) -> tuple[int, str]:
        log = project.parent / "unit-tests.log"
        request = {"project": str(project), "package": package, "log": str(log)}
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        reply = json.loads(server.stdout.readline())
        return reply["status"], log.read_text()

    yield run
    server.stdin.close()
    server.wait(timeout=60)


def test_imports_and_passes_its_unit_tests(
    project: Path,
    tested_trees: Path,
    unit_tests: Callable[[Path, str], tuple[int, str]],
    request: pytest.FixtureRequest,
) -> None:
    # Combinations that differ only in deployment, CI or Python version render the same
    # code: each distinct tree is imported and unit-tested once, by whichever worker
    # gets to it first.
    if not claim(tested_trees, python_tree_digest(project)):
        return
    complete: Path = request.getfixturevalue("complete_project")
    package = yaml.safe_load((complete / ".copier-answers.yml").read_text())["package_name"]
    status, output = unit_tests(complete, package)
    assert status == 0, output


def test_bandit_finds_nothing_of_medium_severity_or_more(
    project: Path, files: dict[str, str], linted: Path
) -> None:
    # Bandit, like ruff, judges each file on its own: each distinct file is scanned once.
    # The generated gRPC stubs (protoc's output, not the template's) are not among them.
    code = [
        name
        for name, text in files.items()
        if name.endswith(".py")
        and name.split("/")[0] in {"src", "protos", "migrations", "scripts"}
        and claim(linted, content_key("bandit", text))
    ]
    if not code:
        return
    result = subprocess.run(
        [BANDIT, "-q", "--severity-level", "medium", *code],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@functools.cache
def traces_in(name: str, text: str) -> frozenset[tuple[str, str]]:
    """The options whose words appear in the file (its name or its text)."""
    return frozenset(
        option
        for option, pattern in TRACES.items()
        if re.search(pattern, text, re.IGNORECASE) or re.search(pattern, name, re.IGNORECASE)
    )


def test_unchosen_options_leave_no_trace(files: dict[str, str]) -> None:
    answers: dict[str, Any] = yaml.safe_load(files[".copier-answers.yml"])
    found = {
        name: traces_in(name, text) for name, text in files.items() if name != ".copier-answers.yml"
    }
    for (key, value), pattern in TRACES.items():
        chosen = answers.get(key)
        if value == chosen or (isinstance(chosen, list) and value in chosen):
            continue
        if key == "broker" and value == "redis":
            continue
        hits = [name for name, options in found.items() if (key, value) in options]
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
