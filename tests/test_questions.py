"""The questions: defaults, computed values, and every validator with good and bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.combinations import choices, questions
from tests.template import render

DESIGN_KEYS = {
    "project_name",
    "project_slug",
    "package_name",
    "api_styles",
    "database",
    "cache",
    "broker",
    "auth",
    "jwt_algorithm",
    "service_discovery",
}


def answers_of(project: Path) -> dict[str, Any]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def test_every_public_key_is_asked() -> None:
    assert set(questions()) >= DESIGN_KEYS


def test_defaults(tmp_path: Path) -> None:
    answers = answers_of(render(tmp_path / "svc"))

    assert answers["project_name"] == "My Service"
    assert answers["project_slug"] == "my-service"
    assert answers["package_name"] == "my_service"
    assert answers["api_styles"] == ["rest"]
    assert (answers["database"], answers["cache"], answers["broker"]) == (
        "postgres",
        "redis",
        "none",
    )
    assert (answers["auth"], answers["service_discovery"]) == ("none", "none")
    assert answers["python_version"] == "3.13"
    assert "_src_path" in answers
    assert "db_pool_size" not in answers, "computed values are not stored"


def test_names_derive_from_the_project_name(tmp_path: Path) -> None:
    answers = answers_of(render(tmp_path / "svc", project_name="Billing API v2"))
    assert (answers["project_slug"], answers["package_name"]) == (
        "billing-api-v2",
        "billing_api_v2",
    )


def test_a_budget_that_fits_renders_its_numbers(tmp_path: Path) -> None:
    project = render(
        tmp_path / "svc",
        max_replicas="4",
        database_max_connections="250",
        database_reserved_connections="5",
        deployment=["docker", "kubernetes"],
    )
    assert 'max_connections=250"' in (project / "compose.yaml").read_text()
    hpa = (project / "k8s/base/hpa.yaml").read_text()
    assert "minReplicas: 2" in hpa
    assert "maxReplicas: 4" in hpa
    readme = (project / "README.md").read_text()
    assert (
        "| \N{MULTIPLICATION SIGN} 4 instances at most (the autoscaler's `maxReplicas`) | 200 |"
        in readme
    )
    assert "| = needed, of the 250 the database accepts" in readme
    assert readme.split("= needed")[1].split("\n")[0].endswith("| 205 |")


@pytest.mark.parametrize(
    ("expected", "peak", "pool", "overflow"), [(25, 60, 20, 30), (10, 12, 8, 6)]
)
def test_pool_sizes_are_computed_from_the_tuning_answers(
    tmp_path: Path, expected: int, peak: int, pool: int, overflow: int
) -> None:
    project = render(tmp_path / "svc", expected_concurrency=expected, peak_concurrency=peak)
    settings = (project / "src/my_service/settings/postgres.py").read_text()
    assert f"pool_size: int = Field(default={pool}, ge=1)" in settings
    assert f"max_overflow: int = Field(default={overflow}, ge=0)" in settings


BAD_ANSWERS = [
    ({"project_name": ""}, "must not be empty"),
    ({"project_name": "   "}, "must not be empty"),
    ({"project_name": "Tab\there"}, "printable"),
    ({"project_name": " padded"}, "start or end with spaces"),
    ({"project_name": "x" * 81}, "at most 80"),
    ({"project_slug": "My-Service"}, "not a valid slug"),
    ({"project_slug": "1service"}, "not a valid slug"),
    ({"project_slug": "my_service"}, "not a valid slug"),
    ({"project_slug": "service-"}, "trailing or doubled"),
    ({"project_slug": "my--service"}, "trailing or doubled"),
    ({"package_name": "my-service"}, "not a valid Python identifier"),
    ({"package_name": "2fast"}, "not a valid Python identifier"),
    ({"package_name": "MyService"}, "lower case"),
    ({"package_name": "class"}, "keyword"),
    ({"package_name": "match"}, "keyword"),
    ({"package_name": "json"}, "standard-library module"),
    ({"package_name": "asyncio"}, "standard-library module"),
    ({"package_name": "fastapi"}, "module of a dependency"),
    *(
        ({"package_name": name}, "module of a dependency")
        for name in ("jwt", "grpc", "google", "strawberry", "pytest", "asyncpg", "httpx")
    ),
    *(
        ({"package_name": name}, "module of a dependency")
        for name in ("pymongo", "pydantic_settings", "prometheus_client", "uvloop")
    ),
    ({"package_name": "tests"}, "folder of the rendered project"),
    ({"project_name": "My <script>alert(1)</script>"}, "'<' or '>'"),
    ({"project_slug": "fastapi"}, "depend on itself"),
    ({"project_slug": "pydantic-settings"}, "depend on itself"),
    *(({"project_slug": word}, "boolean or null in YAML") for word in ("yes", "true", "null")),
    ({"project_slug": "s" + "-x" * 32}, "63 characters at most"),
    ({"author_name": "Ada\nLovelace"}, "one line of printable characters"),
    ({"author_email": "ada@example.com\n"}, "one line of printable characters"),
    ({"description": " "}, "must not be empty"),
    ({"author_email": "nobody"}, "not an e-mail address"),
    ({"api_styles": []}, "at least one API style"),
    ({"api_styles": ["soap"]}, "Invalid choice"),
    ({"database": "mysql"}, "Invalid choice"),
    ({"python_version": "3.10"}, "Invalid choice"),
    ({"expected_concurrency": 0}, "between 1 and 10000"),
    ({"expected_concurrency": "abc"}, "whole number between 1 and 10000; 'abc' is not"),
    ({"peak_concurrency": "1e3"}, "whole number between 1 and 20000"),
    ({"peak_concurrency": 10}, "at least the expected concurrency (25)"),
    ({"max_replicas": "0"}, "Max replicas must be a whole number between 1 and 1000"),
    ({"database_max_connections": "many"}, "whole number between 1 and 1000000"),
    ({"database_reserved_connections": "-1"}, "whole number between 0 and 100000"),
    ({"max_replicas": "12"}, "12 instances of 50 connections (20 pooled and 30 overflow)"),
    ({"max_replicas": "12"}, "database_max_connections of 610 or more; or at most 11"),
    ({"database_max_connections": "100"}, "need 510 connections, and the database accepts 100"),
    ({"database_max_connections": "100"}, "at most 1 instances"),
    (
        {"database": "mongo", "max_replicas": "20"},
        "20 instances of 50 connections (MONGODB_MAX_POOL_SIZE)",
    ),
    ({"expected_concurrency": 1000, "peak_concurrency": 2000}, "need 18010 connections"),
    ({"availability_objective": "99.9%"}, "percentage from 95 to 99.999; '99.9%' is not"),
    ({"availability_objective": "90"}, "percentage from 95 to 99.999"),
    ({"availability_objective": "100"}, "percentage from 95 to 99.999"),
    ({"latency_objective_ms": "300"}, "bound of the request histogram in ms (5, 10, 25"),
    ({"latency_objective_ms": "0.25"}, "'0.25' is not"),
]


@pytest.mark.parametrize(("answers", "message"), BAD_ANSWERS, ids=lambda v: str(v)[:40])
def test_bad_answers_are_refused_with_a_reason(
    tmp_path: Path, answers: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=r"Validation error|Invalid choice") as error:
        render(tmp_path / "svc", **answers)
    assert message in str(error.value)
    assert not (tmp_path / "svc" / "pyproject.toml").exists()


def test_every_default_is_an_enabled_choice() -> None:
    for key, question in questions().items():
        if "choices" not in question:
            continue
        enabled, _ = choices(question)
        default = question["default"]
        for value in default if isinstance(default, list) else [default]:
            assert value in enabled, f"{key}: default {value!r} is not available"
