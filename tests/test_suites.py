"""The rendered projects' own test suites, run against the real servers with nothing skipped."""

from __future__ import annotations

import base64
import csv
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from scripts.combinations import describe
from tests.brokers import DedicatedBroker
from tests.buckets import buckets, dealt
from tests.conftest import Servers
from tests.resources import A_PAIR
from tests.template import free_port, render, wait_for_http

pytestmark = pytest.mark.suite
# One rendered suite a bucket: the suite set has 18 combinations today, and these are the
# slowest tests, so the more even their buckets, the sooner both xdist workers are done.
SUITE_BUCKETS = 18


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    """Runs ``command`` in a process group of its own: past ``timeout`` the whole group is
    killed (``uv run`` and the pytest under it), and the test fails with what it printed."""
    with subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            pytest.fail(f"{' '.join(command)} took over {timeout} s:\n{stdout}\n{stderr}")
    assert process.returncode == 0, f"{' '.join(command)} failed:\n{stdout}\n{stderr}"
    return stdout


@buckets(SUITE_BUCKETS, "suite")
def test_rendered_suite_passes_against_real_servers(
    bucket: int,
    suite_set: list[dict[str, object]],
    tmp_path: Path,
    servers: Servers,
    subtests: pytest.Subtests,
    record_property: Callable[[str, object], None],
) -> None:
    """Every pair of option values meets in at least one of the suite set's combinations,
    each with a pair of generated resources; each is a subtest named by its answers, and the
    run's summary lists those that ran."""
    for number, answers in enumerate(dealt(suite_set, bucket, SUITE_BUCKETS)):
        record_property("combination", describe(answers))
        with subtests.test(describe(answers)):
            suite_passes_against_real_servers(answers, tmp_path / str(number), servers)


def suite_passes_against_real_servers(
    answers: dict[str, object], folder: Path, servers: Servers
) -> None:
    project = render(folder / "svc", **answers)
    # These are the resource generator's hosts too: each gains a pair of resources, every
    # type of field among them, and their tests run in its suite.
    for resource in A_PAIR:
        render(project, **resource)
    env = {
        **os.environ,
        "UV_PYTHON_DOWNLOADS": "never",
        "REDIS_URL": servers.redis_database(),
        # Each test of a suite publishes on names of its own (exchange, topics, channels).
        "RABBITMQ_URL": servers.rabbitmq_url,
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka_bootstrap_servers,
    }
    if answers.get("database", "postgres") == "postgres":
        env["DATABASE_URL"] = servers.new_database()
    else:
        env["MONGODB_URL"] = servers.new_mongo_database()
    env.pop("VIRTUAL_ENV", None)
    package = (project / ".copier-answers.yml").read_text().split("package_name: ")[1].split()[0]

    run(["uv", "sync", "--quiet"], project, env)
    run(["uv", "run", "--no-sync", "python", "-c", f"import {package}.main"], project, env)
    run(["uv", "run", "--no-sync", "mypy", "src", "tests", "loadtest"], project, env)
    report = folder / "junit.xml"
    run(["uv", "run", "--no-sync", "pytest", "-q", f"--junitxml={report}"], project, env)

    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    counts = {key: int(suite.get(key, "0")) for key in ("tests", "failures", "errors", "skipped")}
    assert counts["tests"] > 0
    assert counts["skipped"] == 0, "a rendered test was skipped although every server is present"
    assert counts["failures"] == counts["errors"] == 0


def test_the_pre_commit_hooks_pass_a_fresh_service_and_fail_what_the_ci_fails(
    tmp_path: Path,
) -> None:
    """Each hook of ``.pre-commit-config.yaml`` on a change that breaks what it guards."""
    project = render(tmp_path / "svc")
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    hooks = ["uvx", "pre-commit==4.7.0", "run", "--all-files", "--color=never"]
    run(["git", "init", "--quiet"], project, env)
    run(["git", "add", "--all"], project, env)
    passed = run(hooks, project, env)
    assert passed.count("Passed") == 5, passed

    package = (project / ".copier-answers.yml").read_text().split("package_name: ")[1].split()[0]
    scratch = project / "src" / package / "scratch.py"
    scratch.write_text('import os\n\n\ndef answer() -> int:\n    return  "42"\n')
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("dependencies = [", 'dependencies = [\n    "six",', 1)
    )
    contract = project / "contracts" / "openapi.json"
    contract.write_text(contract.read_text().replace('"title"', '"name"', 1))
    run(["git", "add", "--all"], project, env)
    failed = subprocess.run(
        hooks, cwd=project, env=env, capture_output=True, text=True, timeout=600
    )

    assert failed.returncode == 1
    verdicts = {
        line.rsplit(".", 1)[0].rstrip("."): line.rsplit(".", 1)[1]
        for line in failed.stdout.splitlines()
        if line.endswith(("Passed", "Failed"))
    }
    assert verdicts == {
        "ruff check": "Failed",  # os imported, unused
        "ruff format": "Failed",  # two spaces after return
        "mypy (strict)": "Failed",  # a str for an int
        "uv.lock matches pyproject.toml": "Failed",  # six, not locked
        "API contracts match the code": "Failed",  # a contract edited by hand
    }, failed.stdout


@contextmanager
def booted(project: Path, env: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """Installs and migrates ``project``, runs it under uvicorn while the context is open,
    then stops it with SIGTERM. Yields its base URL and, once stopped, its output lines."""
    env = {**env, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    run(["uv", "sync", "--quiet"], project, env)
    run(["uv", "run", "--no-sync", "alembic", "upgrade", "heads"], project, env)
    port = free_port()
    # A file, not a pipe: nobody reads a pipe until the end, and a full one would block
    # the server's logging, and the server with it.
    log = project / "server.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [str(project / ".venv/bin/uvicorn"), "my_service.main:app", "--port", str(port)],
            cwd=project,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    output: list[str] = []
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/health/live")
        yield base, output
    except BaseException:
        # Whatever failed, the service's own account of it goes into the report.
        print(log.read_text()[-30_000:])
        raise
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        output += log.read_text().splitlines()
    # uvicorn drains, runs the lifespan's shutdown, then re-raises the signal it caught.
    assert server.returncode in (0, -signal.SIGTERM), "\n".join(output)
    assert "Application shutdown complete." in "\n".join(output)


def load_test(project: Path, env: dict[str, str], base: str, *names: str) -> dict[str, int]:
    """Runs the service's Locust scenario (``loadtest/``, every style it serves) headless for
    a few seconds against ``base``; fails if a request failed (Locust exits with 1) or one of
    ``names`` (``<type> <name>``, as ``GET /users/{id}``) was never made. Returns the request
    count of each."""
    stats = project / "locust"
    run(
        [
            "uv", "run", "--no-sync", "locust", "-f", "loadtest", "--headless",
            "--users", "6", "--spawn-rate", "6", "--run-time", "8s",
            "--host", base, "--csv", str(stats), "--only-summary",
        ],
        project,
        env,
    )  # fmt: skip
    with stats.with_name("locust_stats.csv").open() as table:
        counts = {
            f"{row['Type']} {row['Name']}": int(row["Request Count"])
            for row in csv.DictReader(table)
            if row["Name"] != "Aggregated"
        }
    assert all(counts.get(name) for name in names), counts
    return counts


def test_the_default_service_boots_serves_and_stops_cleanly(
    tmp_path: Path, servers: Servers
) -> None:
    """The newcomer's path: render the defaults, migrate, run uvicorn, call it, stop it."""
    project = render(tmp_path / "svc")
    env = {
        **os.environ,
        "DATABASE_URL": servers.new_database(),
        "REDIS_URL": servers.redis_database(),
    }
    with booted(project, env) as (base, _):
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
        load_test(project, env, base, "POST /users", "GET /users/{id}", "GET /users?limit")


def test_every_api_style_is_served_by_one_process(tmp_path: Path, servers: Servers) -> None:
    """REST, GraphQL and gRPC from one ``uvicorn`` command, and a clean stop of all three."""
    project = render(tmp_path / "svc", api_styles=["rest", "graphql", "grpc"], cache="none")
    grpc_port = free_port()
    env = {**os.environ, "DATABASE_URL": servers.new_database(), "GRPC_PORT": str(grpc_port)}
    grpc_client = f"""
import asyncio, grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from my_service.api.v1 import users_pb2, users_pb2_grpc

async def main() -> None:
    async with grpc.aio.insecure_channel("127.0.0.1:{grpc_port}") as channel:
        health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert health.status == health_pb2.HealthCheckResponse.SERVING, health
        users = users_pb2_grpc.UserServiceStub(channel)
        listed = await users.ListUsers(users_pb2.ListUsersRequest(email="ada@example.com"))
        print(",".join(user.name for user in listed.users))

asyncio.run(main())
"""
    with booted(project, env) as (base, output):
        created = httpx.post(f"{base}/users", json={"email": "ada@example.com", "name": "Ada"})
        assert created.status_code == 201, created.text
        query = {"query": '{ users(email: "ada@example.com") { edges { node { name } } } }'}
        found = httpx.post(f"{base}/graphql", json=query).json()
        assert found == {"data": {"users": {"edges": [{"node": {"name": "Ada"}}]}}}
        listed = run([str(project / ".venv/bin/python"), "-c", grpc_client], project, env)
        assert listed.strip() == "Ada"
        names = ("GET /users/{id}", "POST graphql users", "grpc GetUser", "grpc ListUsers")
        load_test(project, {**env, "LOADTEST_GRPC_TARGET": f"127.0.0.1:{grpc_port}"}, base, *names)
    assert any("gRPC server stopped" in line for line in output)


def test_a_service_with_rs256_signs_in_over_http_and_needs_a_key_in_production(
    tmp_path: Path, servers: Servers
) -> None:
    """The development key the render wrote to ``.env`` signs; without a key, production
    refuses to start."""
    project = render(tmp_path / "svc", auth="jwt", jwt_algorithm="RS256", cache="none")
    assert "JWT_PRIVATE_KEY=" in (project / ".env").read_text()
    env = {**os.environ, "DATABASE_URL": servers.new_database()}
    with booted(project, env) as (base, _):
        body = {"email": "ada@example.com", "name": "Ada", "password": "correct horse battery"}
        user = httpx.post(f"{base}/users", json=body)
        assert user.status_code == 201, user.text
        form = {"username": "ada@example.com", "password": "correct horse battery"}
        pair = httpx.post(f"{base}/auth/login", data=form).json()
        own = f"{base}/users/{user.json()['id']}"
        assert httpx.get(own).status_code == 401
        bearer = {"Authorization": f"Bearer {pair['access_token']}"}
        assert httpx.get(own, headers=bearer).status_code == 200
        header = pair["access_token"].split(".")[0]
        kid = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
        keys = httpx.get(f"{base}/.well-known/jwks.json").json()["keys"]
        assert [key["kid"] for key in keys] == [kid]

    production = {**env, "ENVIRONMENT": "production", "JWT_PRIVATE_KEY": ""}
    refused = subprocess.run(
        [str(project / ".venv/bin/python"), "-c", "import my_service.main"],
        cwd=project,
        env=production,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "JWT_PRIVATE_KEY must be set" in refused.stderr


SCHEMATHESIS = Path(sys.executable).parent / "st"
SCHEMATHESIS_CONFIG = Path(__file__).parent / "schemathesis.toml"
SCHEMATHESIS_SEED = "98544495678438413036740801892034839483"
"""Fixed, so that a run generates the same requests each time: a failure is the code's."""


def test_the_openapi_document_tells_the_truth(tmp_path: Path, servers: Servers) -> None:
    """Schemathesis, every check and phase (stateful included), against the service of
    every API style signed in as an admin: no 5xx, no status or body the document does not
    list, no request the document allows refused, none it forbids accepted. Strings are
    ASCII: the one constraint JSON Schema cannot say is the password's 72 bytes."""
    project = render(tmp_path / "svc", api_styles=["rest", "graphql", "grpc"], auth="jwt")
    env = {
        **os.environ,
        "DATABASE_URL": servers.new_database(),
        "REDIS_URL": servers.redis_database(),
        "GRPC_PORT": str(free_port()),
        # Schemathesis signs many users up from one address, each with a password hash.
        "LOGIN_SIGN_UPS_PER_ADDRESS": "1000000",
        "PASSWORD_HASH_ROUNDS": "4",
    }
    password = "correct horse battery"
    with booted(project, env) as (base, _):
        admin = {"email": "admin@example.com", "name": "Admin", "password": password}
        assert httpx.post(f"{base}/users", json=admin).status_code == 201
        python = str(project / ".venv/bin/python")
        run([python, "-m", "my_service.roles", "admin@example.com", "admin"], project, env)
        form = {"username": "admin@example.com", "password": password}
        token = httpx.post(f"{base}/auth/login", data=form).json()["access_token"]
        checked = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(SCHEMATHESIS_CONFIG),
                "--no-color",
                "run",
                f"{base}/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--seed",
                SCHEMATHESIS_SEED,
                "--max-examples",
                "30",
                "--generation-codec",
                "ascii",
                "--workers",
                "1",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout[-20_000:] + checked.stderr[-5_000:]
        # The load test of every style, each simulated user the owner of its account.
        target = {**env, "LOADTEST_GRPC_TARGET": f"127.0.0.1:{env['GRPC_PORT']}"}
        names = ("POST /auth/login", "GET /users/{id}", "POST graphql user", "grpc GetUser")
        load_test(project, target, base, *names, "GET /users/{id}/orders", "grpc ListOrders")


def _count(database_url: str, query: str) -> int:
    result = subprocess.run(
        ["psql", database_url, "-tAc", query], capture_output=True, text=True, check=True
    )
    return int(result.stdout.strip())


def _eventually(check: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what}: still not so after {seconds} s"
        time.sleep(0.2)


@pytest.mark.parametrize("broker", ["rabbitmq", "kafka", "redis"])
def test_events_written_during_a_broker_outage_arrive_once_it_is_back(
    broker: str, tmp_path: Path, servers: Servers
) -> None:
    """The real broker is stopped while the service takes writes, then started again: the
    API answers throughout, the events wait in the outbox, and the consumer handles each
    one exactly once (RabbitMQ, Kafka; Redis Pub/Sub is at-most-once: none twice)."""
    project = render(tmp_path / "svc", broker=broker, cache="none", observability=[])
    server = DedicatedBroker(broker, tmp_path / "broker")
    database = servers.new_database()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        server.variable: server.url,
        "EVENTS_RELAY_INTERVAL_SECONDS": "0.1",
        "EVENTS_RECONNECT_SECONDS": "0.3",
        "EVENTS_TIMEOUT_SECONDS": "2",
        "EVENTS_RETRY_FIRST_WAIT_SECONDS": "0.1",
        "EVENTS_BREAKER_RECOVERY_SECONDS": "1",
        # The floor: a rebalance that stalls after the restart (aiokafka's group leader may
        # wait for ever on a metadata update) starts over within 30 s, not 90.
        **({"KAFKA_REBALANCE_PATIENCE_SECONDS": "20"} if broker == "kafka" else {}),
    }
    handled = "SELECT count(*) FROM inbox WHERE consumer = 'welcome'"
    pending = "SELECT count(*) FROM outbox WHERE published_at IS NULL"

    def register(count: int, start: int) -> list[str]:
        ids = []
        for number in range(start, start + count):
            body = {"email": f"user{number}@example.com", "name": f"User {number}"}
            created = httpx.post(f"{base}/users", json=body, timeout=10)
            assert created.status_code == 201, created.text
            ids.append(created.json()["id"])
        return ids

    server.start()
    try:
        with booted(project, env) as (base, output):
            before = register(3, 0)
            _eventually(lambda: _count(database, handled) == 3, "the first 3 handled")

            server.stop()
            during = register(5, 3)
            health = httpx.get(f"{base}/health", timeout=10)
            assert health.status_code == 200
            assert health.json()["status"] == "degraded"
            assert _count(database, pending) == 5, "the events wait in the outbox"

            server.start()
            _eventually(lambda: _count(database, pending) == 0, "the outbox relayed")
            if broker != "redis":
                _eventually(lambda: _count(database, handled) == 8, "all 8 handled")
            time.sleep(1)  # room for a duplicate to show
    finally:
        server.close()

    welcomed = [line.rsplit(" ", 1)[-1] for line in output if "welcome, user" in line]
    assert len(welcomed) == len(set(welcomed)), "no event handled twice"
    if broker != "redis":
        assert sorted(welcomed) == sorted(before + during)
    else:
        assert set(before) <= set(welcomed) <= set(before + during)
