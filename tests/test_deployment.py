"""Deployment and CI files, validated offline on every render that includes them.

hadolint for the Dockerfile, check-jsonschema's bundled schemas for the compose file and
the GitHub workflow, kubernetes-validate for the manifests, promtool (Debian's prometheus
package) for the alert rules, their tests and the dashboard's queries, tsc and Grafana's
published schema types (@grafana/schema) for the dashboard. The renders are the
pairwise set's combinations; each test takes its share in buckets, each combination a
subtest.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.combinations import Answers, describe
from tests.buckets import buckets, dealt
from tests.template import render

BIN = Path(sys.executable).parent
TOOLS = Path(__file__).parent.parent / ".tools"
# Each test's shares of the pairwise set (16 combinations today, 5 of them with Kubernetes).
BUCKETS = 4


def with_docker(combinations: list[Answers]) -> list[Answers]:
    return [answers for answers in combinations if "docker" in answers["deployment"]]


def with_kubernetes(combinations: list[Answers]) -> list[Answers]:
    return [answers for answers in combinations if "kubernetes" in answers["deployment"]]


def with_metrics(combinations: list[Answers]) -> list[Answers]:
    return [answers for answers in combinations if "metrics" in answers["observability"]]


def with_github(combinations: list[Answers]) -> list[Answers]:
    return [answers for answers in combinations if answers["ci_provider"] == "github"]


def tool(name: str) -> str:
    return shutil.which(name) or str(BIN / name)


def check(*command: str, cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def project_of(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Answers], Path]:
    """Each combination is rendered once per module, whichever test asks first."""
    rendered: dict[str, Path] = {}

    def project(answers: Answers) -> Path:
        key = describe(answers)
        if key not in rendered:
            rendered[key] = render(tmp_path_factory.mktemp("deploy") / "svc", **answers)
        return rendered[key]

    return project


def answers_of(project: Path) -> dict[str, Any]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


@buckets(BUCKETS, "pairwise")
def test_files_follow_the_answers(
    bucket: int,
    pairwise_set: list[Answers],
    project_of: Callable[[Answers], Path],
    subtests: pytest.Subtests,
) -> None:
    for combination in dealt(pairwise_set, bucket, BUCKETS):
        with subtests.test(describe(combination)):
            project = project_of(combination)
            answers = answers_of(project)
            assert (project / "Dockerfile").exists() == ("docker" in answers["deployment"])
            assert (project / "compose.yaml").exists() == ("docker" in answers["deployment"])
            assert (project / "k8s").exists() == ("kubernetes" in answers["deployment"])
            workflow = project / ".github/workflows/ci.yml"
            assert workflow.exists() == (answers["ci_provider"] == "github")
            rules = project / "monitoring/rules.yml"
            assert rules.exists() == ("metrics" in answers["observability"])


@buckets(BUCKETS, "pairwise")
def test_dockerfile_passes_hadolint(
    bucket: int,
    pairwise_set: list[Answers],
    project_of: Callable[[Answers], Path],
    subtests: pytest.Subtests,
) -> None:
    for combination in dealt(with_docker(pairwise_set), bucket, BUCKETS):
        with subtests.test(describe(combination)):
            project = project_of(combination)
            check(tool("hadolint"), "--failure-threshold", "info", "Dockerfile", cwd=project)


@buckets(BUCKETS, "pairwise")
def test_compose_file_is_valid_and_has_exactly_the_chosen_servers(
    bucket: int,
    pairwise_set: list[Answers],
    project_of: Callable[[Answers], Path],
    subtests: pytest.Subtests,
) -> None:
    for combination in dealt(with_docker(pairwise_set), bucket, BUCKETS):
        with subtests.test(describe(combination)):
            compose_file_has_exactly_the_chosen_servers(project_of(combination))


def compose_file_has_exactly_the_chosen_servers(project: Path) -> None:
    check(
        tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.compose-spec",
        "compose.yaml",
        cwd=project,
    )
    answers = answers_of(project)
    services = set(yaml.safe_load((project / "compose.yaml").read_text())["services"])
    expected = (
        {"app", "postgres", "migrate"} if answers["database"] == "postgres" else {"app", "mongo"}
    )
    if answers["cache"] == "redis" or answers["broker"] == "redis":
        expected.add("redis")
    if answers["broker"] in ("rabbitmq", "kafka"):
        expected.add(answers["broker"])
    if answers["service_discovery"] == "consul":
        expected.add("consul")
    assert services == expected


@buckets(BUCKETS, "pairwise")
def test_workflow_is_valid(
    bucket: int,
    pairwise_set: list[Answers],
    project_of: Callable[[Answers], Path],
    subtests: pytest.Subtests,
) -> None:
    for combination in dealt(with_github(pairwise_set), bucket, BUCKETS):
        with subtests.test(describe(combination)):
            workflow_is_valid(project_of(combination))


def workflow_is_valid(project: Path) -> None:
    workflow = project / ".github/workflows/ci.yml"
    update = project / ".github/workflows/template-update.yml"
    contracts = project / ".github/workflows/contracts.yml"
    check(
        tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        str(workflow),
        str(update),
        str(contracts),
        cwd=project,
    )
    steps = yaml.safe_load(update.read_text())["jobs"]["update"]["steps"]
    script = next(step["run"] for step in steps if step.get("id") == "update")
    assert "python .github/template_update.py" in script
    assert (project / ".github/template_update.py").is_file()
    services = yaml.safe_load(workflow.read_text())["jobs"]["test"].get("services", {})
    answers = answers_of(project)
    assert ("postgres" in services) == (answers["database"] == "postgres")
    assert ("redis" in services) == ("redis" in (answers["cache"], answers["broker"]))
    assert ("rabbitmq" in services) == (answers["broker"] == "rabbitmq")
    assert ("consul" in services) == (answers["service_discovery"] == "consul")
    # Every change is linted for security and its locked dependencies audited.
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    lint = "\n".join(step.get("run", "") for step in jobs["lint"]["steps"])
    assert re.search(r"^uvx bandit==[\d.]+ -r src -ll", lint, re.MULTILINE), lint
    assert re.search(r"^uv export --frozen .* -o requirements.txt$", lint, re.MULTILINE), lint
    assert re.search(r"^uvx pip-audit==[\d.]+ --strict .*-r requirements.txt$", lint, re.M), lint
    # Kafka runs from a step (its container needs its KRaft settings on the command line).
    steps = yaml.safe_load(workflow.read_text())["jobs"]["test"]["steps"]
    assert any("apache/kafka" in step.get("run", "") for step in steps) == (
        answers["broker"] == "kafka"
    )


@buckets(BUCKETS, "pairwise")
def test_kubernetes_manifests_are_valid(
    bucket: int,
    pairwise_set: list[Answers],
    project_of: Callable[[Answers], Path],
    subtests: pytest.Subtests,
) -> None:
    for combination in dealt(with_kubernetes(pairwise_set), bucket, BUCKETS):
        with subtests.test(describe(combination)):
            kubernetes_manifests_are_valid(project_of(combination))


def kubernetes_manifests_are_valid(project: Path) -> None:
    base = project / "k8s/base"
    manifests = sorted(
        str(path) for path in base.glob("*.yaml") if path.name != "kustomization.yaml"
    )
    check(tool("kubernetes-validate"), "--strict", "--quiet", *manifests, cwd=project)
    # What kustomize builds, the generated ConfigMaps included, is valid too.
    built = project / "k8s" / "production.yaml"
    built.write_text(check(tool("kubectl"), "kustomize", "k8s/overlays/production", cwd=project))
    try:
        check(tool("kubernetes-validate"), "--strict", "--quiet", str(built), cwd=project)
        kinds = {
            (document["kind"], document["metadata"]["name"])
            for document in yaml.safe_load_all(built.read_text())
        }
    finally:
        built.unlink()
    slug = answers_of(project)["project_slug"]
    monitoring = {("ConfigMap", f"{slug}-alert-rules"), ("ConfigMap", f"{slug}-dashboard")}
    assert (monitoring <= kinds) == ("metrics" in answers_of(project)["observability"]), kinds
    for kustomization in project.glob("k8s/**/kustomization.yaml"):
        spec = yaml.safe_load(kustomization.read_text())
        for entry in spec.get("resources", []) + [
            patch["path"] for patch in spec.get("patches", [])
        ]:
            assert (kustomization.parent / entry).exists(), f"{kustomization}: {entry} is missing"


@buckets(BUCKETS, "pairwise")
def test_alert_rules_are_valid_and_their_tests_pass(
    bucket: int,
    pairwise_set: list[Answers],
    project_of: Callable[[Answers], Path],
    subtests: pytest.Subtests,
) -> None:
    for combination in dealt(with_metrics(pairwise_set), bucket, BUCKETS):
        with subtests.test(describe(combination)):
            alert_rules_pass_promtool(project_of(combination))


def alert_rules_pass_promtool(project: Path) -> None:
    monitoring = project / "monitoring"
    check(tool("promtool"), "check", "rules", "rules.yml", cwd=monitoring)
    check(tool("promtool"), "test", "rules", "rules.test.yml", cwd=monitoring)


@buckets(BUCKETS, "pairwise")
def test_the_dashboard_queries_parse_and_read_metrics_the_service_exports(
    bucket: int,
    pairwise_set: list[Answers],
    project_of: Callable[[Answers], Path],
    subtests: pytest.Subtests,
) -> None:
    for combination in dealt(with_metrics(pairwise_set), bucket, BUCKETS):
        with subtests.test(describe(combination)):
            project = project_of(combination)
            dashboard_is_valid(project, (project / "monitoring/dashboard.json").read_text())


def dashboard_is_valid(project: Path, text: str) -> None:
    """Grafana's schema, panels that do not overlap, and queries that promtool parses (as
    recording rules, Grafana's variables given values) over series the service exports or
    its rules record."""
    matches_grafana_schema(text)
    dashboard = json.loads(text)
    assert {"title", "uid", "schemaVersion", "panels", "templating"} <= dashboard.keys()
    panels = dashboard["panels"]
    assert len({panel["id"] for panel in panels}) == len(panels)
    cells = [
        (x, y)
        for panel in panels
        for x in range(panel["gridPos"]["x"], panel["gridPos"]["x"] + panel["gridPos"]["w"])
        for y in range(panel["gridPos"]["y"], panel["gridPos"]["y"] + panel["gridPos"]["h"])
    ]
    assert len(cells) == len(set(cells)), "panels overlap"
    exprs = [target["expr"] for panel in panels for target in panel["targets"]]
    assert all(panel["targets"] and panel["datasource"]["type"] == "prometheus" for panel in panels)
    source = "\n".join(path.read_text() for path in (project / "src").rglob("*.py"))
    recorded = set(re.findall(r"record: (\S+)", (project / "monitoring/rules.yml").read_text()))
    for expr in exprs:
        for name in re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{", expr):
            exported = re.sub(r"_(total|bucket|count|sum)$", "", name)
            assert name in recorded or f'"{exported}"' in source, f"{name} is nowhere: {expr}"
    queries = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {
                        "record": f"dashboard:query_{number}",
                        "expr": expr.replace("$__rate_interval", "5m").replace("$instance", ".+"),
                    }
                    for number, expr in enumerate(exprs)
                ],
            }
        ]
    }
    checked = project / "monitoring/dashboard-queries.yml"
    checked.write_text(yaml.safe_dump(queries))
    try:
        check(tool("promtool"), "check", "rules", checked.name, cwd=checked.parent)
    finally:
        checked.unlink()


@functools.cache
def matches_grafana_schema(text: str) -> None:
    """tsc checks the dashboard, as an object literal, against the ``Dashboard`` type that
    Grafana publishes (@grafana/schema, generated from its own schema): an unknown field, a
    wrong type or a value outside an enum fails. The file sits under ``.tools/`` so that
    the import resolves. Each distinct dashboard once a worker: tsc takes seconds, and many
    combinations render the same one (a failure is not cached)."""
    folder = Path(tempfile.mkdtemp(dir=TOOLS))
    try:
        (folder / "dashboard.ts").write_text(
            'import type { Dashboard } from "@grafana/schema";\n\n'
            f"export const dashboard: Dashboard = {text};\n"
        )
        check(
            str(TOOLS / "node_modules/.bin/tsc"),
            *("--noEmit", "--strict", "--skipLibCheck", "--target", "es2022"),
            *("--module", "esnext", "--moduleResolution", "bundler", "dashboard.ts"),
            cwd=folder,
        )
    finally:
        shutil.rmtree(folder)


def test_a_dashboard_that_is_not_grafanas_or_reads_a_series_nobody_exports_is_caught(
    tmp_path: Path,
) -> None:
    project = render(tmp_path / "svc", broker="kafka")
    text = (project / "monitoring/dashboard.json").read_text()
    dashboard_is_valid(project, text)
    for right, wrong in [
        ("db_pool_wait_seconds_bucket", "db_pool_wait_second_bucket"),
        ("sum by (consumer, outcome)", "sum by (consumer, outcome"),
        # Caught by Grafana's schema: a misspelt field, a number as a string, a variable
        # type Grafana does not have.
        ('"fieldConfig"', '"fieldConfg"'),
        ('"schemaVersion": 39', '"schemaVersion": "39"'),
        ('"type": "datasource"', '"type": "data source"'),
    ]:
        assert right in text
        with pytest.raises(AssertionError):
            dashboard_is_valid(project, text.replace(right, wrong))


def test_the_objectives_answered_are_the_rules_and_each_rule_test_can_fail(
    tmp_path: Path,
) -> None:
    """99.95 % leaves a budget of 0.0005, and 100 ms is the histogram's 0.1 bucket. Each
    alert's tests catch a rule that fires too late, and a rule that fires when it should not."""
    project = render(
        tmp_path / "svc",
        broker="rabbitmq",
        availability_objective="99.95",
        latency_objective_ms="100",
    )
    rules = project / "monitoring/rules.yml"
    text = rules.read_text()
    assert 'job:requests_failed:ratio_rate1h{job="my-service"} > (14.4 * 0.0005)' in text
    assert 'le="0.1"' in text
    alert_rules_pass_promtool(project)

    broken: dict[str, list[tuple[str, str]]] = {
        "a fast burn rate ten times too high": [("(14.4 * 0.0005)", "(144 * 0.0005)")],
        "a slower burn rate ten times too high": [("(6 * 0.0005)", "(60 * 0.0005)")],
        "a ticket's burn rates ten times too high": [
            ("(3 * 0.01)", "(30 * 0.01)"),
            ('ratio_rate3d{job="my-service"} > 0.01', 'ratio_rate3d{job="my-service"} > 0.1'),
        ],
        "health probes counted": [('route!~"/health.*|/metrics"', 'route!~"/metrics"')],
        "a saturation that never fires": [("> 0.9", "> 1.1")],
        "an outbox age that always fires": [("> 300", "> 0")],
        "a breaker alert on a moment open": [('state="closed"}[5m]', 'state="closed"}[1m]')],
        "a consumer's first failures missed": [("offset 15m", "offset 1m")],
        "failing checkouts counted whatever the traffic": [("> 0.1", "> 0")],
    }
    for mistake, replacements in broken.items():
        mistaken = text
        for right, wrong in replacements:
            assert right in mistaken, mistake
            mistaken = mistaken.replace(right, wrong)
        rules.write_text(mistaken)
        result = subprocess.run(
            [tool("promtool"), "test", "rules", "rules.test.yml"],
            cwd=project / "monitoring",
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode != 0, f"the tests pass with {mistake}"
    rules.write_text(text)
