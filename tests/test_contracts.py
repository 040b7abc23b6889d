"""The rendered contract gate on real changes: each one that breaks a client fails it, each
additive one passes, and a break the pull request accepts passes. The events contract is valid
AsyncAPI 3.0 for each broker, as the official schema (npm's ``@asyncapi/specs``) says.

The gate is the rendered service's own ``python -m <package>.contracts breaking BASE``, as its
CI runs it: its OpenAPI comparison, graphql-core's ``find_breaking_changes`` and
``buf breaking`` (scripts/install.sh installs buf under .tools/).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.template import ROOT, render

BUF = ROOT / ".tools" / "node_modules" / ".bin" / "buf"
USERS_PROTO = Path("protos/my_service/api/v1/users.proto")
ASYNCAPI = ROOT / ".tools/node_modules/@asyncapi/specs/schemas/3.0.0-without-$id.json"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
Edit = Callable[[Path], None]


def edit_openapi(change: Callable[[dict[str, Any]], None]) -> Edit:
    def edit(project: Path) -> None:
        path = project / "contracts" / "openapi.json"
        document = json.loads(path.read_text())
        change(document)
        path.write_text(json.dumps(document, indent=2))

    return edit


def edit_text(path: str | Path, old: str, new: str) -> Edit:
    def edit(project: Path) -> None:
        file = project / path
        text = file.read_text()
        assert old in text, f"{old!r} is not in {path}"
        file.write_text(text.replace(old, new, 1))

    return edit


def edit_asyncapi(change: Callable[[dict[str, Any]], None]) -> Edit:
    def edit(project: Path) -> None:
        path = project / "contracts" / "asyncapi.yaml"
        document = yaml.safe_load(path.read_text())
        change(document)
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    return edit


def drop_user_name(document: dict[str, Any]) -> None:
    user = document["components"]["schemas"]["UserResponse"]
    del user["properties"]["name"]
    user["required"].remove("name")


def add_user_nickname(document: dict[str, Any]) -> None:
    user = document["components"]["schemas"]["UserResponse"]
    user["properties"]["nickname"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}


def order_parameter(*values: str) -> Callable[[dict[str, Any]], None]:
    """``GET /users`` with an ``order`` query parameter of these values."""

    def change(document: dict[str, Any]) -> None:
        parameters = document["paths"]["/users"]["get"]["parameters"]
        parameters[:] = [p for p in parameters if p["name"] != "order"]
        schema = {"type": "string", "enum": list(values)}
        parameters.append({"name": "order", "in": "query", "required": False, "schema": schema})

    return change


def drop_user_name_from_data(document: dict[str, Any]) -> None:
    user = document["components"]["schemas"]["User"]
    del user["properties"]["name"]
    user["required"].remove("name")


def add_user_nickname_to_data(document: dict[str, Any]) -> None:
    user = document["components"]["schemas"]["User"]
    user["properties"]["nickname"] = {"type": "string"}


def rename_user_id(document: dict[str, Any]) -> None:
    """``/users/{user_id}`` as ``/users/{id}``: the same URL to a client."""
    item = document["paths"].pop("/users/{user_id}")
    for operation in item.values():
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "user_id":
                parameter["name"] = "id"
    document["paths"]["/users/{id}"] = item


BREAKING: dict[str, tuple[list[Edit], list[Edit], str]] = {
    # name: (edits of the base, edits of the head, a line the gate must print)
    "a field removed from a REST response": (
        [],
        [edit_openapi(drop_user_name)],
        "GET /users/{user_id} response 200: field 'name' removed",
    ),
    "a REST request enum narrowed": (
        [edit_openapi(order_parameter("newest", "oldest"))],
        [edit_openapi(order_parameter("newest"))],
        "GET /users: query parameter 'order': no longer accepts \"oldest\"",
    ),
    "a proto field retyped": (
        [],
        [edit_text(USERS_PROTO, "string name = 3;", "int64 name = 3;")],
        'Field "3" with name "name" on message "User" changed type from "string" to "int64".',
    ),
    "a field removed from a published event": (
        [],
        [edit_asyncapi(drop_user_name_from_data)],
        "event user.registered.data: field 'name' removed",
    ),
    "a GraphQL field removed": (
        [],
        [edit_text("contracts/schema.graphql", "  userId: UUID!\n", "")],
        "GraphQL: Field Order.userId was removed.",
    ),
}
ADDITIVE: dict[str, tuple[list[Edit], list[Edit]]] = {
    "a field added to a REST response": ([], [edit_openapi(add_user_nickname)]),
    "a REST path parameter renamed": ([], [edit_openapi(rename_user_id)]),
    "a field added to a published event": ([], [edit_asyncapi(add_user_nickname_to_data)]),
    "a REST request enum widened": (
        [edit_openapi(order_parameter("newest"))],
        [edit_openapi(order_parameter("newest", "oldest"))],
    ),
    "a proto field added": (
        [],
        [edit_text(USERS_PROTO, "string name = 3;", "string name = 3;\n  string nickname = 90;")],
    ),
    "a GraphQL field added": (
        [],
        [
            edit_text(
                "contracts/schema.graphql", "  userId: UUID!\n", "  userId: UUID!\n  note: String\n"
            )
        ],
    ),
}


def service_env() -> dict[str, str]:
    """The environment for ``uv`` in the rendered service: its own ``.venv``, not ours."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    return env


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A service of every API style, with events, its contracts written by the render's task."""
    assert BUF.exists(), "buf is missing: run scripts/install.sh"
    project = render(
        tmp_path_factory.mktemp("contracts") / "svc",
        api_styles=["rest", "graphql", "grpc"],
        broker="rabbitmq",
    )
    assert {path.name for path in (project / "contracts").iterdir()} >= {
        "openapi.json",
        "schema.graphql",
        "asyncapi.yaml",
    }, "the render's task wrote the contracts"
    env = service_env()
    subprocess.run(["uv", "sync", "--quiet"], cwd=project, env=env, check=True)
    return project


def checkout(service: Path, folder: Path, edits: list[Edit]) -> Path:
    """What the gate reads of a checkout of ``service``, edited."""
    for part in ("contracts", "protos"):
        shutil.copytree(service / part, folder / part)
    shutil.copy(service / "pyproject.toml", folder / "pyproject.toml")
    for edit in edits:
        edit(folder)
    return folder


def gate(
    service: Path, base: Path, head: Path, *options: str, buf: Path = BUF
) -> subprocess.CompletedProcess[str]:
    env = {**service_env(), "BUF": str(buf)}
    command = ["uv", "run", "--no-sync", "python", "-m", "my_service.contracts"]
    return subprocess.run(
        [*command, "--project", str(head), "breaking", str(base), *options],
        cwd=service,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_each_breaking_change_fails_the_gate_and_each_additive_one_passes(
    service: Path, tmp_path: Path, subtests: pytest.Subtests
) -> None:
    unchanged = gate(
        service, checkout(service, tmp_path / "base", []), checkout(service, tmp_path / "head", [])
    )
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    assert unchanged.stdout == ""

    for number, (name, (base_edits, head_edits, line)) in enumerate(BREAKING.items()):
        with subtests.test(name):
            base = checkout(service, tmp_path / f"b{number}", base_edits)
            head = checkout(service, tmp_path / f"h{number}", [*base_edits, *head_edits])
            result = gate(service, base, head)
            assert result.returncode == 1, result.stdout + result.stderr
            assert line in result.stdout, result.stdout
            assert "accepted-breaks.txt" in result.stderr

    for number, (name, (base_edits, head_edits)) in enumerate(ADDITIVE.items()):
        with subtests.test(name):
            base = checkout(service, tmp_path / f"ab{number}", base_edits)
            head = checkout(service, tmp_path / f"ah{number}", [*base_edits, *head_edits])
            result = gate(service, base, head)
            assert result.returncode == 0, result.stdout + result.stderr
            assert "BREAKING" not in result.stdout


def test_a_break_the_pull_request_accepts_passes_and_only_that_one(
    service: Path, tmp_path: Path
) -> None:
    base = checkout(service, tmp_path / "base", [])
    head = checkout(service, tmp_path / "head", [edit_openapi(drop_user_name)])
    breaks = [
        line.removeprefix("BREAKING: ") for line in gate(service, base, head).stdout.splitlines()
    ]
    assert len(breaks) == 5, breaks  # the user's name, in each answer that holds a user

    accepted = head / "contracts" / "accepted-breaks.txt"
    accepted.write_text(accepted.read_text() + "\n".join(breaks[1:]) + "\n")
    one_left = gate(service, base, head)
    assert one_left.returncode == 1
    assert f"BREAKING: {breaks[0]}" in one_left.stdout
    assert one_left.stdout.count("accepted: ") == 4

    accepted.write_text(accepted.read_text() + breaks[0] + "\n")
    assert gate(service, base, head).returncode == 0
    # The label breaking-change: the CI passes --report-only.
    labelled = gate(
        service,
        base,
        checkout(service, tmp_path / "h2", [edit_openapi(drop_user_name)]),
        "--report-only",
    )
    assert labelled.returncode == 0
    assert labelled.stdout.count("BREAKING: ") == 5


def test_a_gate_that_cannot_compare_fails_saying_why(service: Path, tmp_path: Path) -> None:
    head = checkout(service, tmp_path / "head", [edit_openapi(drop_user_name)])
    (tmp_path / "empty").mkdir()
    no_base = gate(service, tmp_path / "empty", head)
    assert no_base.returncode == 2
    assert "is not a checkout of the service" in no_base.stderr

    without_buf = gate(
        service, checkout(service, tmp_path / "base", []), head, buf=tmp_path / "no-buf"
    )
    assert without_buf.returncode == 2
    assert "not compared: buf is not installed" in without_buf.stderr
    assert "field 'name' removed" in without_buf.stdout, "the other styles are still compared"


def test_a_stale_contract_fails_naming_the_command_that_rewrites_it(service: Path) -> None:
    env = service_env()
    document = service / "contracts" / "openapi.json"
    committed = document.read_text()
    command = ["uv", "run", "--no-sync", "python", "-m", "my_service.contracts"]
    try:
        edit_openapi(add_user_nickname)(service)
        stale = subprocess.run(
            [*command, "check"], cwd=service, env=env, capture_output=True, text=True, check=False
        )
        assert stale.returncode == 1
        rewrite = "run `uv run python -m my_service.contracts write`"
        assert f"contracts/openapi.json differs from the code: {rewrite}" in stale.stderr

        subprocess.run([*command, "write"], cwd=service, env=env, check=True)
        assert document.read_text() == committed
    finally:
        document.write_text(committed)


def valid_asyncapi(document: Path) -> subprocess.CompletedProcess[str]:
    assert ASYNCAPI.exists(), "@asyncapi/specs is missing: run scripts/install.sh"
    command = [str(CHECK_JSONSCHEMA), "--schemafile", str(ASYNCAPI), str(document)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    ("broker", "api_styles", "channel"),
    [
        ("rabbitmq", None, "user.registered"),
        ("kafka", ["grpc"], "user"),
        ("redis", ["graphql"], "events.user.registered"),
    ],
)
def test_the_events_contract_is_valid_asyncapi_for_each_broker(
    broker: str,
    api_styles: list[str] | None,
    channel: str,
    service: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    project = (
        service
        if api_styles is None
        else render(tmp_path_factory.mktemp(broker) / "svc", api_styles=api_styles, broker=broker)
    )
    path = project / "contracts" / "asyncapi.yaml"
    result = valid_asyncapi(path)
    assert result.returncode == 0, result.stdout + result.stderr

    document = yaml.safe_load(path.read_text())
    assert document["channels"][channel]["address"] == channel
    published = document["operations"]["publish.user.registered"]
    assert published == {
        "action": "send",
        "channel": {"$ref": f"#/channels/{channel}"},
        "summary": "Published through the outbox once the change commits.",
        "messages": [{"$ref": f"#/channels/{channel}/messages/user.registered"}],
    }
    assert document["operations"][f"consume.welcome.{channel}"]["action"] == "receive"


def test_the_asyncapi_schema_refuses_what_asyncapi_3_does_not_allow(
    service: Path, tmp_path: Path
) -> None:
    """The validator reads the document for real: AsyncAPI 2's ``publish`` action, or a
    RabbitMQ binding it does not define, fails it."""
    document = yaml.safe_load((service / "contracts" / "asyncapi.yaml").read_text())
    operation = document["operations"]["publish.user.registered"]
    binding = document["channels"]["user.registered"]["bindings"]["amqp"]
    for name, (part, key, value) in {
        "an AsyncAPI 2 action": (operation, "action", "publish"),
        "an unknown binding field": (binding, "partitions", 3),
    }.items():
        before = part.get(key)
        part[key] = value
        path = tmp_path / "asyncapi.yaml"
        path.write_text(yaml.safe_dump(document))
        assert valid_asyncapi(path).returncode == 1, name
        if before is None:
            del part[key]
        else:
            part[key] = before
