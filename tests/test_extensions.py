import subprocess
from pathlib import Path

import pytest
import yaml
from jinja2 import Environment, nodes

from extensions.history import database_change_error
from extensions.naming import package_name_error, project_name_error, slug_error, slugify
from extensions.packs import (
    PACKS_FOLDER,
    manifests,
    pack_imports,
    parts,
    settings_groups,
    settings_imports,
)
from extensions.tuning import budget_error, max_overflow, pool_size

ROOT = PACKS_FOLDER.parent


@pytest.mark.parametrize(
    ("expected", "peak", "size", "overflow"),
    [(25, 60, 20, 30), (10, 10, 8, 5), (1, 1, 1, 1), (3, 7, 3, 4), (100, 250, 80, 125)],
)
def test_pool_sizing_rule(expected: int, peak: int, size: int, overflow: int) -> None:
    assert pool_size(expected) == size
    assert max_overflow(peak) == overflow


def test_a_connection_budget_fits_or_names_numbers_that_do() -> None:
    assert budget_error("postgres", 25, 60, 10, 600, 10) == ""
    assert budget_error("postgres", 25, 60, 10, 510, 10) == "", "exactly full fits"
    refused = budget_error("postgres", 25, 60, 10, 100, 10)
    assert "need 510 connections, and the database accepts 100" in refused
    assert "a database_max_connections of 510 or more" in refused
    assert "at most 1 instances" in refused
    assert "PgBouncer" in refused
    hopeless = budget_error("postgres", 100, 250, 2, 100, 10)
    assert "at most" not in hopeless, "no instance count fits: none is proposed"
    assert "PgBouncer" not in budget_error("mongo", 25, 60, 30, 1000, 10)
    assert budget_error("postgres", "abc", 60, 10, 100, 10) == "", "its own validator says"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("My Service", "my-service"),
        ("  Billing API v2 ", "billing-api-v2"),
        ("Café Órders", "cafe-orders"),
        ("42 Things", "things"),
        ("***", "service"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug
    assert slug_error(slug) == ""


@pytest.mark.parametrize("name", ["My Service", "Orders — EU", "a"])
def test_good_project_names(name: str) -> None:
    assert project_name_error(name) == ""


@pytest.mark.parametrize("package", ["my_service", "orders2", "billing_api"])
def test_good_package_names(package: str) -> None:
    assert package_name_error(package) == ""


# What a pack reads from ``Parts`` that another pack sets in its ``start``.
SET_BEFORE = [
    ("metrics", "cache"),  # parts.metrics, for the cache's hit and miss counts
    ("metrics", "grpc"),  # parts.grpc_interceptors, for the call metrics
    ("auth", "cache"),  # parts.passwords, for the cached user service
    ("events", "consul"),  # on shutdown, the instance deregisters before consumers leave
    ("cache", "grpc"),  # breakers and services exist before the server starts
]
EVERYTHING = {
    "api_styles": ["rest", "graphql", "grpc"],
    "auth": "jwt",
    "broker": "kafka",
    "cache": "redis",
    "database": "mongo",
    "observability": ["metrics", "tracing"],
    "service_discovery": "consul",
}


@pytest.mark.parametrize(("first", "then"), SET_BEFORE)
def test_packs_start_in_an_order_that_sets_what_later_ones_read(first: str, then: str) -> None:
    order = [part.name for part in manifests()]
    assert order.index(first) < order.index(then)


def test_every_manifest_has_only_known_keys_of_the_right_kinds() -> None:
    kinds = {
        "when": str,
        "order": int,
        "pack": str,
        "settings": dict,
        "trace": str,
        "files": list,
        "fixtures": str,
        "server": str,
        "server_env": str,
    }
    for path in sorted(PACKS_FOLDER.glob("*/pack.yml")):
        manifest = yaml.safe_load(path.read_text())
        assert set(manifest) <= set(kinds), path
        for key, value in manifest.items():
            assert isinstance(value, kinds[key]), (path, key)


def test_every_manifest_is_complete_and_its_orders_unique() -> None:
    found = manifests()
    assert len({part.order for part in found}) == len(found)
    for part in found:
        assert part.when, part.name
        assert part.trace or part.pack or part.settings or part.has("pyproject.jinja"), part.name


def test_the_answers_choose_the_packs_and_imports_sort_like_ruff() -> None:
    everything = parts(**EVERYTHING, having="pack")
    assert [part.pack for part in everything] == [
        "MetricsPack",
        "EventsPack",
        "ConsulPack",
        "AuthPack",
        "CachePack",
        "TracingPack",
        "RestPack",
        "GraphQLPack",
        "GrpcPack",
    ]
    minimal = {
        **EVERYTHING,
        "api_styles": ["grpc"],
        "auth": "none",
        "broker": "none",
        "cache": "none",
        "observability": [],
        "service_discovery": "none",
    }
    assert [part.name for part in parts("pyproject.jinja", **minimal)] == ["mongo", "grpc"]
    imports = pack_imports(everything)
    assert [module for module, _ in imports] == sorted(module for module, _ in imports)
    assert ("local", "local_packs") in imports


def test_settings_are_imported_once_per_module_with_the_shared_base() -> None:
    groups = settings_groups(parts("settings", **{**EVERYTHING, "broker": "redis"}))
    assert [group.field for group in groups] == [
        "database",
        "metrics",
        "redis",
        "events",
        "consul",
        "jwt",
        "passwords",
        "login",
        "cache",
        "graphql",
        "grpc",
    ]
    assert settings_imports(groups) == [
        ("auth", "JwtSettings, LoginSettings, PasswordSettings"),
        ("base", "ServiceSettings"),
        ("cache", "CacheSettings"),
        ("consul", "ConsulSettings"),
        ("events", "EventSettings"),
        ("graphql", "GraphQLSettings"),
        ("grpc", "GrpcSettings"),
        ("metrics", "MetricsSettings"),
        ("mongo", "MongoSettings"),
        ("redis", "RedisSettings"),
    ]


def test_a_template_that_leaves_out_an_answer_its_packs_read_is_told() -> None:
    without_broker = {key: value for key, value in EVERYTHING.items() if key != "broker"}
    with pytest.raises(
        ValueError, match=r"parts\('compose.jinja'\) needs the answers \['broker'\]"
    ):
        parts("compose.jinja", **without_broker)
    assert [
        part.name
        for part in parts(
            "readme.jinja",
            api_styles=["rest"],
            auth="none",
            broker="none",
            cache="none",
            ci_provider="none",
            database="postgres",
            deployment=[],
            observability=[],
            service_discovery="none",
        )
    ] == ["postgres", "rest"]


def test_the_database_a_service_was_rendered_with_stays(tmp_path: Path) -> None:
    conf = {"dst_path": tmp_path, "answers_file": ".copier-answers.yml"}
    assert database_change_error("mongo", conf) == "", "a new service has no answers yet"
    assert database_change_error("mongo", None) == "", "outside Copier, no service either"
    (tmp_path / ".copier-answers.yml").write_text("_commit: 0.8.0\ndatabase: postgres\n")
    assert database_change_error("postgres", conf) == ""
    refused = database_change_error("mongo", conf)
    assert "rendered with database=postgres; an update cannot change it to mongo" in refused
    (tmp_path / ".copier-answers.yml").write_text(": not yaml [")
    assert database_change_error("mongo", conf) == "", "an unreadable file records nothing"


def _named_choices(when: str) -> set[tuple[str, str]]:
    """The ``(question, value)`` pairs a pack's condition names: ``question == 'value'``,
    ``question != 'value'`` and ``'value' in question``."""
    named: set[tuple[str, str]] = set()
    for compare in Environment().parse(f"{{{{ {when} }}}}").find_all(nodes.Compare):
        left, operand = compare.expr, compare.ops[0]
        if isinstance(left, nodes.Name) and isinstance(operand.expr, nodes.Const):
            named.add((left.name, operand.expr.value))
        elif isinstance(left, nodes.Const) and isinstance(operand.expr, nodes.Name):
            named.add((operand.expr.name, left.value))
    return named


def _choices() -> dict[str, set[str]]:
    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    found: dict[str, set[str]] = {}
    for key, question in config.items():
        if isinstance(question, dict) and "choices" in question:
            choices = question["choices"]
            found[key] = {
                str(value) for value in (choices.values() if isinstance(choices, dict) else choices)
            }
    return found


def test_the_manifests_and_the_questions_name_the_same_options() -> None:
    """Every value a pack's condition names is a choice of its question, and every choice of
    a question the packs read brings a pack, except ``none``: an option added to
    ``copier.yml`` without its pack, or a manifest naming a choice that is gone, fails."""
    choices = _choices()
    named = {pair for part in manifests() for pair in _named_choices(part.when)}
    assert {
        (question, value) for question, value in named if value not in choices.get(question, ())
    } == set()
    read = {question for question, _ in named}
    unbrought = {
        (question, value)
        for question in read
        for value in choices[question]
        if value != "none" and (question, value) not in named
    }
    assert unbrought == set()


def test_the_readme_table_lists_every_choice_of_every_question() -> None:
    rows = {
        line.split("|")[1].strip(): line.split("|")[2]
        for line in (ROOT / "README.md").read_text().splitlines()
        if line.startswith("| `")
    }
    missing = {
        (question, value)
        for question, values in _choices().items()
        for value in values
        if f"`{value}`" not in rows.get(f"`{question}`", "")
    }
    assert missing == set()


def test_the_servers_script_runs_what_the_manifests_name_and_exports_their_variables() -> None:
    """``scripts/servers.sh`` starts the servers the manifests name: a pack's server is
    exported under its ``server_env``, and the template's tests read exactly those."""
    from tests.conftest import SERVER_VARIABLES, Servers

    named = {part.server: part.server_env for part in manifests() if part.server}
    assert all(named.values()), "a server needs its variable"
    printed = subprocess.run(
        ["bash", "scripts/servers.sh", "env"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    exported = [line.removeprefix("export ").split("=")[0] for line in printed.splitlines()]
    assert sorted(exported) == sorted(named.values()) == sorted(SERVER_VARIABLES)
    assert {name.removeprefix("TEST_").lower() for name in exported} == set(
        Servers.__dataclass_fields__
    )


def test_a_server_the_script_cannot_start_stops_it_with_the_reason(tmp_path: Path) -> None:
    packs = tmp_path / "packs" / "etcd"
    packs.mkdir(parents=True)
    (packs / "pack.yml").write_text("server: etcd\nserver_env: TEST_ETCD_URL\n")
    (tmp_path / "scripts").mkdir()
    script = tmp_path / "scripts" / "servers.sh"
    script.write_text((ROOT / "scripts" / "servers.sh").read_text())
    run = subprocess.run(["bash", str(script), "env"], capture_output=True, text=True)
    assert run.returncode == 1
    assert "names the server 'etcd', but" in run.stderr
    assert "has no env_etcd" in run.stderr
    assert subprocess.run(["bash", str(script), "missing"], capture_output=True).returncode == 1
