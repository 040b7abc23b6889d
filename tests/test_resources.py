"""The resource generator: ``copier copy <template> . -d resource=... -d fields=...`` in a
service renders one resource, which passes the service's own checks and suite against the
real database; bad answers are refused with the reason and render nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml

from extensions.resources import (
    access_error,
    fields_error,
    fields_of,
    graphql_name,
    host_error,
    plural_of,
    resource_error,
    service_resources,
)
from extensions.resources import resource_names_error as names_error
from tests.conftest import Servers
from tests.resources import EVERY_TYPE
from tests.template import ROOT, render
from tests.test_recipes import (
    a_service_passes_its_checks,
    a_service_with_products_passes_its_checks,
)
from tests.test_render import RUFF
from tests.test_suites import run
from tests.test_update import commit_all, copy, copy_this_tree, git

DEFAULT_SERVICE = {
    "package_name": "my_service",
    "api_styles": ["rest"],
    "database": "postgres",
    "cache": "redis",
}


def test_plurals_and_names() -> None:
    assert [plural_of(name) for name in ("product", "category", "box", "day")] == [
        "products",
        "categories",
        "boxes",
        "days",
    ]
    assert names_error("product", "products") == ""
    assert "taken by the service" in names_error("user", "users")
    assert "lower-case Python identifier" in names_error("Product", "products")
    assert "at most 20 characters" in names_error("a" * 21, "a" * 22)
    assert "must differ" in names_error("sheep", "sheep")
    for taken in ("metadata", "rest", "metrics", "docs", "health", "session_factories"):
        assert "taken by the service" in names_error("thing", taken), taken


def test_every_type_of_field_is_accepted_and_spelled_for_each_layer() -> None:
    assert fields_error(EVERY_TYPE) == ""
    fields = {field.name: field for field in fields_of(EVERY_TYPE, "product")}
    assert fields["seller_id"].index, "a reference is always indexed"
    assert fields["status"].enum == "ProductStatus"
    assert fields["price"].migration_type == "sa.Numeric(precision=10, scale=2)"
    assert fields["sku"].column == ["String(40)"], "unique: the table's constraint"
    assert fields["launch_at"].graphql == "datetime"
    assert fields["stock"].graphql == "BigInt", "64 bits: past what a JSON number holds exactly"
    bounded = {"name": "a", "type": "int", "min": -(2**31), "max": 2**31 - 1}
    wider = bounded | {"max": 2**31}
    assert [field.graphql for field in fields_of([bounded, wider], "product")] == [
        "int",
        "SafeInt",
    ], "GraphQL's Int has 32 bits"
    assert graphql_name("launch_at") == "launchAt"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ("name: str", "YAML list of mappings"),
        ({"name": "title", "type": "str"}, "YAML list of mappings"),
        ([], "at least one field"),
        ([{"name": "title"}], "the type of 'title' must be one of"),
        ([{"name": "Title", "type": "str"}], "lower-case Python identifier"),
        ([{"name": True, "type": "bool"}], "lower-case Python identifier"),  # YAML's `on`
        ([{"name": "id", "type": "uuid"}], "reserved"),
        ([{"name": "a", "type": "str"}, {"name": "a", "type": "int"}], "appears twice"),
        # A reference is its column (``seller_id``) and, in GraphQL, the row (``seller``).
        (
            [{"name": "seller", "type": "ref", "to": "user"}, {"name": "seller", "type": "str"}],
            "twice",
        ),
        (
            [{"name": "seller", "type": "str"}, {"name": "seller", "type": "ref", "to": "user"}],
            "twice",
        ),
        ([{"name": "from_domain", "type": "str"}], "reserved"),
        ([{"name": "a", "type": "str", "values": ["x"]}], "does not take values"),
        ([{"name": "a", "type": "str", "max_length": 0}], "max_length >= 1"),
        ([{"name": "a", "type": "str", "max_length": 10_001}], "<= 10000"),
        ([{"name": "a", "type": "int", "min": 3, "max": 2}], "above its max"),
        ([{"name": "a", "type": "int", "max": 2**63}], "64-bit"),
        ([{"name": "a", "type": "int", "min": "1"}], "whole number"),
        ([{"name": "a", "type": "decimal", "precision": 39}], "precision <= 38"),
        ([{"name": "a", "type": "decimal", "precision": 4, "max": 100}], "more digits"),
        ([{"name": "a", "type": "enum", "values": []}], "needs values"),
        ([{"name": "a", "type": "enum", "values": ["x", "x"]}], "repeat"),
        ([{"name": "a", "type": "enum", "values": ["x", "y"], "unique": True}], "cannot be"),
        ([{"name": "a", "type": "ref", "to": "Order"}], "to takes user or a resource"),
        ([{"name": "a", "type": "ref", "to": "user", "to_plural": "people"}], "only plural"),
        ([{"name": "a", "type": "ref", "to": "product"}], "cannot refer to itself"),
        ([{"name": "a", "type": "bool", "optional": "yes"}], "true or false"),
        ([{"name": "after", "type": "str", "index": True}], "reserved"),
        ([{"name": "model_config", "type": "str"}], "reserved"),
        ([{"name": "json", "type": "str"}], "reserved"),
        ([{"name": "metadata", "type": "str"}], "reserved"),
        ([{"name": "date", "type": "date"}], "reserved"),
        ([{"name": "line_1", "type": "str"}, {"name": "line1", "type": "str"}], "spelled like"),
        ([{"name": "query", "type": "enum", "values": ["a"]}], "clash with a generated class"),
        ([{"name": "a", "type": "enum", "values": ["class"]}], "not keywords"),
        ([{"name": "a", "type": "str", "unique": True, "max_length": 601}], "600 at most"),
        ([{"name": "a", "type": "str", "optional": True, "added": 2}], "without added"),
        ([{"name": "a", "type": "str"}, {"name": "b", "type": "int", "added": 2}], "optional"),
        ([{"name": "a", "type": "str"}, {"name": "b", "type": "int", "added": 6}], "2 to 5"),
    ],
)
def test_bad_fields_are_refused_with_the_reason(fields: Any, reason: str) -> None:
    assert reason in fields_error(fields, None, "product", "products")


CATEGORIES = {
    "categories": {
        "resource": "category",
        "plural": "categories",
        "fields": [{"name": "title", "type": "str"}],
    }
}
PRODUCTS = [{"name": "name", "type": "str"}, {"name": "stock", "type": "int", "index": True}]


def test_in_a_service_a_ref_names_one_of_its_resources() -> None:
    category = [{"name": "category", "type": "ref", "to": "category"}]
    assert fields_error(category, CATEGORIES, "product", "products") == ""
    assert fields_error(category, None, "product", "products") == "", "no service to look in"
    assert "generate 'category' first" in fields_error(category, {}, "product", "products")
    shelves = {"shelves": {"resource": "shelf", "plural": "shelves", "fields": []}}
    shelf = [{"name": "shelf", "type": "ref", "to": "shelf"}]
    assert "add to_plural" in fields_error(shelf, shelves, "product", "products")
    shelf[0]["to_plural"] = "shelves"
    assert fields_error(shelf, shelves, "product", "products") == ""
    long = [{"name": "a" * 20, "type": "ref", "to": "b" * 20}]
    assert "PostgreSQL keeps 63" in fields_error(long, None, "c" * 19, "c" * 20)
    old = {"_commit": "0.11.0"}
    assert "update the service first" in fields_error(category, CATEGORIES, "a", "as", old)
    stale = {"categories": CATEGORIES["categories"] | {"_commit": "0.11.0"}}
    assert "update it first" in fields_error(category, stale, "product", "products")
    over_rest = {"categories": CATEGORIES["categories"] | {"_commit": "0.19.1"}}
    error = fields_error(category, over_rest, "product", "products")
    assert "makes rows over REST" in error, "its fixtures are not called as this release's"
    assert "--answers-file .copier-answers.resource-categories.yml" in error
    kept = {"products": {"resource": "product", "plural": "products", "fields": category}}
    error = fields_error(category, over_rest | kept, "product", "products")
    assert "update it first" in error, "nor on an update that keeps the field"
    fresh = {"categories": CATEGORIES["categories"] | {"_commit": "0.20.0"}}
    assert fields_error(category, fresh, "product", "products") == ""
    restricted = [category[0] | {"on_delete": "set_null"}]
    assert "needs 'category' to be optional" in fields_error(restricted, CATEGORIES, "a", "as")
    restricted[0]["on_delete"] = "ignore"
    assert "on_delete of 'category' is one of" in fields_error(restricted, CATEGORIES, "a", "as")


def test_a_circle_of_references_is_refused() -> None:
    """Notes refer to categories; a category may not then refer to a note (each module
    imports what it refers to)."""
    service = CATEGORIES | {
        "notes": {
            "resource": "note",
            "plural": "notes",
            "fields": [{"name": "category", "type": "ref", "to": "category"}],
        }
    }
    pinned = {"name": "pinned", "type": "ref", "to": "note", "optional": True, "added": 2}
    fields = [*CATEGORIES["categories"]["fields"], pinned]
    error = fields_error(fields, service, "category", "categories")
    assert "close a circle of references (category -> note -> category)" in error


def test_what_the_service_took_is_not_refused_by_a_later_releases_checks() -> None:
    """Copier drops an answer its question's validator refuses on update: a resource the
    service has keeps its names and its fields, checked when it was generated."""
    old = {"name": "a", "type": "decimal", "precision": 4, "max": 100}
    service = {"rows": {"resource": "row", "plural": "rows", "fields": [old]}}
    assert "taken" in names_error("row", "rows"), "a name the generated code uses now"
    assert names_error("row", "rows", service) == ""
    assert resource_error("row", service) == ""
    assert resource_error("row", None) == "", "an update's copies, in empty folders"
    assert "taken" in resource_error("row", {})
    assert fields_error([old], service, "row", "rows") == ""
    assert "more digits" in fields_error([old], {}, "row", "rows")


def test_what_the_service_took_is_refused_where_graphql_would_break_on_it() -> None:
    """Names a resource took before its service served GraphQL that would break the module
    GraphQL brings: its update says which, and how to get past it."""
    edge = {"name": "edge", "type": "enum", "values": ["a", "b"]}
    first = {"name": "first", "type": "int"}
    status = {"name": "status", "type": "enum", "values": ["a", "b"]}
    service = {
        "rows": {"resource": "row", "plural": "rows", "fields": [edge, first]},
        "row_statuses": {"resource": "row_status", "plural": "row_statuses", "fields": []},
    }
    graphql = DEFAULT_SERVICE | {"api_styles": ["rest", "graphql"]}
    assert fields_error([edge, first], service, "row", "rows", DEFAULT_SERVICE) == ""
    error = fields_error([edge, first], service, "row", "rows", graphql)
    assert "Field 1: 'edge', which the rows have, would clash in GraphQL" in error
    assert "Rename it first" in error
    assert ".copier-answers.resource-rows.yml" in error
    assert "Field 1: 'first'" in fields_error([first], service, "row", "rows", graphql)
    service["rows"]["fields"] = [status]
    assert "'RowStatus'" in fields_error([status], service, "row", "rows", graphql)
    assert fields_error([status], service, "row", "rows", DEFAULT_SERVICE) == ""


def test_a_resource_the_service_has_only_gains_fields() -> None:
    service = {"products": {"resource": "product", "plural": "products", "fields": PRODUCTS}}
    color = {"name": "color", "type": "str", "optional": True, "added": 2}
    assert fields_error([*PRODUCTS, color], service, "product", "products") == ""
    for changed, reason in [
        ([PRODUCTS[0]], "'stock' is removed"),
        ([PRODUCTS[0], PRODUCTS[1] | {"type": "decimal"}], "'stock' is changed"),
        ([PRODUCTS[0], PRODUCTS[1] | {"index": False}], "only adds fields"),
        ([*PRODUCTS, color | {"added": None}], "added of 'color'"),
    ]:
        assert reason in fields_error(changed, service, "product", "products"), changed
    swapped = [PRODUCTS[1], color, PRODUCTS[0]]
    assert "keep them in their order" in fields_error(swapped, service, "product", "products")
    service["products"]["fields"] = [*PRODUCTS, color]
    late = {"name": "size", "type": "int", "optional": True, "added": 2}
    assert "added: 3 or later" in fields_error(
        [*PRODUCTS, color, late], service, "product", "products"
    )
    service["products"]["fields"] = [*PRODUCTS, color | {"added": 5}]
    last = [*PRODUCTS, color | {"added": 5}, late | {"added": 5}]
    assert "a migration of your own" in fields_error(last, service, "product", "products")


def test_the_access_rule_is_one_of_three_and_an_update_keeps_it() -> None:
    assert [access_error(rule) for rule in ("owner", "admin", "public")] == ["", "", ""]
    assert "must be one of owner, admin, public" in access_error("everyone")
    service = {"products": {"resource": "product", "plural": "products", "access": "owner"}}
    assert access_error("owner", service, "product", "products") == ""
    assert "an update keeps the rule" in access_error("public", service, "product", "products")
    assert access_error("public", service, "item", "items") == "", "another resource"


def test_names_of_another_resource_are_taken() -> None:
    assert names_error("category", "categories", CATEGORIES) == "", "the same one, updated"
    assert "has a resource 'category'" in names_error("category", "kinds", CATEGORIES)
    assert "has a resource 'category'" in names_error("group", "categories", CATEGORIES)
    assert names_error("product", "products", CATEGORIES) == ""


def test_names_that_would_clash_in_the_code_or_the_graphql_schema_are_taken() -> None:
    """A resource's class and GraphQL types (``Product``, ``ProductEdge``, ``ProductConnection``,
    ``CreateProductInput``, ``UpdateProductInput``, and ``Product<Enum>`` for each enum) may be
    no name the generated modules import, the schema has, or another resource's type has."""
    for name in ("page", "cursor", "info", "page_info", "big_int", "decimal", "roots"):
        assert "the generated modules import" in names_error(name, name + "s"), name
    for name in ("subscription", "query", "date_time", "user_edge", "string", "int"):
        assert "GraphQL type" in names_error(name, name + "s"), name
    status = {"name": "status", "type": "enum", "values": ["draft", "live"]}
    products = {"products": {"resource": "product", "plural": "products", "fields": [status]}}
    assert "'ProductStatus' is one the resource 'product'" in names_error(
        "product_status", "product_statuses", products
    )
    assert "'ProductEdge'" in names_error("product_edge", "product_edges", products)
    statuses = {
        "product_statuses": {
            "resource": "product_status",
            "plural": "product_statuses",
            "fields": [],
        }
    }
    assert "'ProductStatus'" in fields_error([status], statuses, "product", "products")
    kind = {"name": "type", "type": "enum", "values": ["a", "b"]}
    assert fields_error([kind], None, "product", "products") == "", "GraphQL's is ProductNode"
    node = kind | {"name": "node"}
    assert "clash with a generated class" in fields_error([node], None, "product", "products")
    assert "reserved" in fields_error(
        [{"name": "first", "type": "int", "index": True}], None, "product", "products"
    ), "the listing's argument in GraphQL"


def test_in_a_service_with_graphql_a_ref_waits_for_its_target_to_serve_it() -> None:
    category = [{"name": "category", "type": "ref", "to": "category"}]
    graphql = DEFAULT_SERVICE | {"api_styles": ["rest", "graphql"], "_commit": "0.14.0"}
    older = {"categories": CATEGORIES["categories"] | {"_commit": "0.13.0"}}
    error = fields_error(category, older, "product", "products", graphql)
    assert "serves it in no GraphQL module: update it first" in error
    assert ".copier-answers.resource-categories.yml" in error
    without = fields_error(category, older, "product", "products", DEFAULT_SERVICE)
    assert "serves it in no GraphQL module" not in without, "only a service with GraphQL"
    current = {"categories": CATEGORIES["categories"] | {"_commit": "0.20.0"}}
    assert fields_error(category, current, "product", "products", graphql) == ""


def test_the_resources_of_a_service_are_read_from_their_answers(tmp_path: Path) -> None:
    assert service_resources(tmp_path) is None, "no service here"
    (tmp_path / ".copier-answers.yml").write_text("package_name: my_service\n")
    assert service_resources(tmp_path) == {}
    answers = "resource: category\nplural: categories\nfields: [{name: title, type: str}]\n"
    (tmp_path / ".copier-answers.resource-categories.yml").write_text(answers)
    assert service_resources(tmp_path) == CATEGORIES


def test_a_service_the_generator_cannot_serve_yet_is_refused_naming_what_it_lacks() -> None:
    assert host_error(DEFAULT_SERVICE) == ""
    assert "No service answers found" in host_error({})
    graphql_only = {"database": "mongo", "api_styles": ["graphql"], "cache": "none"}
    assert host_error(DEFAULT_SERVICE | graphql_only) == "", "REST is no longer needed"
    assert host_error(DEFAULT_SERVICE | {"api_styles": ["grpc"], "_commit": "0.18.0"}) == ""
    mongo_graphql = {"database": "mongo", "api_styles": ["rest", "graphql"]}
    assert host_error(DEFAULT_SERVICE | mongo_graphql) == "", "GraphQL on MongoDB too"
    assert "PostgreSQL or MongoDB" in host_error(DEFAULT_SERVICE | {"database": "sqlite"})
    mongo = DEFAULT_SERVICE | {"database": "mongo", "api_styles": ["rest", "grpc"]}
    assert host_error(mongo) == ""
    old = mongo | {"_commit": "0.17.0", "api_styles": ["rest"]}
    assert "references on MongoDB" in host_error(old)
    assert host_error(DEFAULT_SERVICE | {"auth": "jwt"}) == "", "sign-in: the access rules"
    assert host_error(DEFAULT_SERVICE | {"broker": "kafka"}) == "", "events: the outbox"
    events = DEFAULT_SERVICE | {"broker": "kafka", "_commit": "0.15.0"}
    assert "0.16.0 does: update the service first" in host_error(events)
    assert "update the service first" in host_error(DEFAULT_SERVICE | {"_commit": "0.10.0"})
    assert "bodies 0.19.0 keeps" in host_error(DEFAULT_SERVICE | {"_commit": "0.18.0"})
    no_rest = {"_commit": "0.18.0", "api_styles": ["graphql"]}
    assert host_error(DEFAULT_SERVICE | no_rest) == "", "with no REST routes, no REST bodies"
    assert host_error(DEFAULT_SERVICE | {"_commit": "0.19.0"}) == ""
    assert host_error(DEFAULT_SERVICE | {"_commit": "0.13.0", "cache": "none"}) == ""
    assert "update the service first" in host_error(DEFAULT_SERVICE | {"_commit": "0.12.0"})
    assert host_error(DEFAULT_SERVICE | {"_commit": "0.11.0", "cache": "none"}) == ""
    assert host_error(DEFAULT_SERVICE | {"_commit": "0.10.0-12-g24296e0"}) == "", "no release"
    now = DEFAULT_SERVICE | {"cache": "none", "auth": "jwt"}
    assert "cache changed" in host_error(DEFAULT_SERVICE, now), "read again on update"
    assert host_error(DEFAULT_SERVICE | {"cache": "none"}, now) == "", "sign-in is kept"
    assert host_error(DEFAULT_SERVICE, {}) == "", "an update's copies have no service"
    graphql = DEFAULT_SERVICE | {"api_styles": ["rest", "graphql"]}
    assert "update the service first" in host_error(graphql | {"_commit": "0.13.0"})
    assert host_error(graphql | {"_commit": "0.14.0", "cache": "none"}) == ""
    assert "api_styles changed" in host_error(DEFAULT_SERVICE, graphql)
    grpc = DEFAULT_SERVICE | {"api_styles": ["rest", "grpc"]}
    assert "gRPC service joins the server" in host_error(grpc | {"_commit": "0.17.0"})
    assert host_error(grpc | {"_commit": "0.18.0", "cache": "none"}) == ""


def released(template: Path) -> Path:
    """This working tree as a template repository, released as 1.0.0."""
    template.mkdir()
    copy_this_tree(template)
    git(template, "init", "-q")
    commit_all(template, "release 1.0.0")
    git(template, "tag", "1.0.0")
    return template


def test_an_update_follows_the_services_cache_and_styles_and_keeps_its_sign_in(
    tmp_path: Path,
) -> None:
    """The service gained a cache, GraphQL and gRPC after its resource (as an update of the service
    would record them): updating the resource reads the service's answers again, where they
    changed, and renders what they now ask for."""
    template = released(tmp_path / "template")
    project = copy(template, "1.0.0", tmp_path / "svc", skip_tasks=True, cache="none", auth="jwt")
    fields = EVERY_TYPE[:2]
    render(
        project, template=template, ref="1.0.0", resource="product", access="admin", fields=fields
    )
    answers = project / ".copier-answers.yml"
    before = answers.read_text()
    answers.write_text(
        before.replace("cache: none", "cache: redis").replace(
            "- rest\n", "- rest\n- graphql\n- grpc\n"
        )
    )
    assert not (project / "src/my_service/entrypoints/graphql/products.py").exists()
    commit_all(project, "products, and then a cache, GraphQL and gRPC")

    copier.run_update(
        str(project),
        answers_file=".copier-answers.resource-products.yml",
        vcs_ref="1.0.0",
        defaults=True,
        overwrite=True,
        unsafe=True,
        quiet=True,
        skip_tasks=True,
    )

    kept = (project / ".copier-answers.resource-products.yml").read_text()
    assert "cache: redis" in kept
    assert "access: admin" in kept
    service = (project / "src/my_service/entrypoints/rest/products.py").read_text()
    assert "CachedProductService(container.unit_of_work(), container.aside)" in service
    graphql = (project / "src/my_service/entrypoints/graphql/products.py").read_text()
    assert "roots = Roots(query=ProductQueries, mutation=ProductMutations)" in graphql
    assert (project / "tests/e2e/test_products_graphql.py").exists()
    servicer = (project / "src/my_service/entrypoints/grpc/products.py").read_text()
    assert "CachedProductService(self.container.unit_of_work(), self.container.aside)" in servicer
    assert (project / "protos/my_service/api/v1/products.proto").is_file()
    assert (project / "tests/e2e/test_products_grpc.py").is_file()


def service_env(servers: Servers, database: str = "postgres") -> dict[str, str]:
    env = {
        **os.environ,
        "UV_PYTHON_DOWNLOADS": "never",
        "REDIS_URL": servers.redis_database(),
        "RABBITMQ_URL": servers.rabbitmq_url,
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka_bootstrap_servers,
    }
    if database == "postgres":
        env["DATABASE_URL"] = servers.new_database()
    else:
        env["MONGODB_URL"] = servers.new_mongo_database()
    env.pop("VIRTUAL_ENV", None)
    return env


def test_a_bad_answer_renders_nothing(tmp_path: Path) -> None:
    project = render(tmp_path / "svc", skip_tasks=True)
    before = sorted(path for path in project.rglob("*") if ".git" not in path.parts)
    with pytest.raises(ValueError, match="not a resource of this service"):
        render(project, resource="product", fields=[{"name": "a", "type": "ref", "to": "x"}])
    with pytest.raises(ValueError, match="No service answers found"):
        render(tmp_path / "empty", resource="product", fields=EVERY_TYPE)
    assert sorted(path for path in project.rglob("*") if ".git" not in path.parts) == before


@pytest.mark.parametrize(
    "host", [{"auth": "jwt"}, {"database": "mongo", "cache": "none"}], ids=["jwt", "mongo"]
)
def test_the_longest_names_and_names_the_modules_import_render_clean(
    tmp_path: Path, host: dict[str, str]
) -> None:
    """Names of the longest length the questions take, every type of field, and resources
    named like what their modules import or call their locals (a server, a message, a
    timestamp), some with no ``ref`` (their tests need no REST client beside the others):
    ruff finds nothing in what renders, in any API style, with sign-in or without."""
    project = render(
        tmp_path / "svc", skip_tasks=True, api_styles=["rest", "graphql", "grpc"], **host
    )
    longest = [
        {**field, "name": f"{field['name']}_{'x' * 20}"[:20].rstrip("_")} for field in EVERY_TYPE
    ]
    longest[6]["values"] = ["a" * 20, "b"]
    resources = {
        "warehouse_locatio": {"plural": "warehouse_locations", "fields": longest},
        "server": {"fields": [{"name": "at", "type": "datetime", "optional": True}]},
        "message": {"fields": [{"name": "kind", "type": "enum", "values": ["a", "b"]}]},
        "timestamp": {"access": "public", "fields": [{"name": "at", "type": "datetime"}]},
    }
    for resource, answers in resources.items():
        render(project, skip_tasks=True, resource=resource, **{"access": "admin", **answers})
    ruff_finds_nothing(project)


def ruff_finds_nothing(project: Path) -> None:
    """``ruff check`` and ``ruff format --check`` pass in a service rendered without its
    tasks (the gRPC stubs stand in as empty files: ruff tells first-party imports by them)."""
    stubs = project / "src/my_service/api/v1"
    for proto in (project / "protos/my_service/api/v1").glob("*.proto"):
        for suffix in ("_pb2.py", "_pb2_grpc.py"):
            (stubs / f"{proto.stem}{suffix}").touch()
    run([RUFF, "check", "--no-cache", "."], project, dict(os.environ))
    run([RUFF, "format", "--no-cache", "--check", "."], project, dict(os.environ))


@pytest.mark.suite
def test_a_generated_resource_passes_the_services_checks_and_suite(
    tmp_path: Path, servers: Servers
) -> None:
    """Two resources, one after the other: products refer to categories (and to users)."""
    project = copy(ROOT, "HEAD", tmp_path / "svc")
    title = {"name": "title", "type": "str", "max_length": 80, "unique": True}
    render(project, resource="category", fields=[title])
    category = {"name": "category", "type": "ref", "to": "category"}

    render(project, resource="product", fields=[*EVERY_TYPE, category])

    added = sorted(git(project, "status", "--porcelain").splitlines())
    assert added == sorted(
        [
            *(
                f"?? {path}"
                for plural in ("categories", "products")
                for path in (
                    f".copier-answers.resource-{plural}.yml",
                    f"migrations/versions/{plural}_0001_{plural}.py",
                    f"src/my_service/adapters/postgres/{plural}.py",
                    f"src/my_service/domain/{plural}.py",
                    f"src/my_service/entrypoints/{plural}.py",
                    f"src/my_service/entrypoints/rest/{plural}.py",
                    f"src/my_service/service/{plural}.py",
                    f"tests/e2e/test_{plural}.py",
                    f"tests/fixtures/{plural}.py",
                )
            ),
            " M contracts/openapi.json",
        ]
    ), "files of their own, and no file of the service changed but the contract it serves"
    contract = json.loads((project / "contracts" / "openapi.json").read_text())
    assert {"/products", "/categories"} <= set(contract["paths"]), "and serves them"
    answers = (project / ".copier-answers.resource-products.yml").read_text()
    assert "package_name: my_service" in answers, "the service's answers are kept for updates"
    env = service_env(servers)
    run(["uv", "sync", "--quiet"], project, env)
    a_service_with_products_passes_its_checks(project, env)


def add_a_resource_of_each_access_rule(project: Path) -> None:
    """Categories are their owners'; products refer to them, and only admins change them;
    anyone reviews a product; notes are their owners', on their owners' categories, and
    publish no events."""
    title = {"name": "title", "type": "str", "max_length": 80, "unique": True}
    render(project, resource="category", access="owner", fields=[title])
    category = {"name": "category", "type": "ref", "to": "category", "optional": True}
    render(project, resource="product", access="admin", fields=[*EVERY_TYPE, category])
    stars = {"name": "stars", "type": "int", "min": 1, "max": 5}
    product = {"name": "product", "type": "ref", "to": "product"}
    render(project, resource="review", access="public", fields=[stars, product])
    text = {"name": "text", "type": "str"}
    note = category | {"optional": False}
    render(project, resource="note", access="owner", events=False, fields=[text, note])


@pytest.mark.suite
def test_each_access_rule_holds_in_a_service_with_sign_in_and_events(
    tmp_path: Path, servers: Servers
) -> None:
    """Categories are their owners'; products refer to them, and only admins change them;
    anyone reviews a product; notes are their owners', on their owners' categories. Each
    change reaches RabbitMQ through the outbox, but the notes' (events: false). Each is served
    over GraphQL and gRPC too, under the same rules, with what it refers to read once a page
    (GraphQL)."""
    project = copy(
        ROOT,
        "HEAD",
        tmp_path / "svc",
        auth="jwt",
        broker="rabbitmq",
        api_styles=["rest", "graphql", "grpc"],
    )
    add_a_resource_of_each_access_rule(project)

    answers = (project / ".copier-answers.resource-reviews.yml").read_text()
    assert "access: public" in answers
    assert "record_event" not in (project / "src/my_service/service/notes.py").read_text()
    contract = yaml.safe_load((project / "contracts" / "asyncapi.yaml").read_text())
    events = set(contract["components"]["messages"])
    assert {"category.created", "product.updated", "review.deleted"} <= events
    assert not {event for event in events if event.startswith("note.")}, "events: false"
    env = service_env(servers)
    run(["uv", "sync", "--quiet"], project, env)
    a_service_with_products_passes_its_checks(project, env)


@pytest.mark.suite
def test_resources_in_a_service_without_rest_pass_its_suite(
    tmp_path: Path, servers: Servers
) -> None:
    """A service served over GraphQL and gRPC only, with sign-in, the cache and events
    through Redis: each resource validates with its own input models, its tests make their
    rows through the use cases and check its events without a REST route, and nothing of
    REST is written."""
    project = copy(
        ROOT,
        "HEAD",
        tmp_path / "svc",
        auth="jwt",
        broker="redis",
        api_styles=["graphql", "grpc"],
    )
    add_a_resource_of_each_access_rule(project)

    added = git(project, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert not [line for line in added if "rest" in line.split("/")], "no REST module"
    assert "?? src/my_service/entrypoints/products.py" in added
    events = {line for line in added if line.endswith("_events.py")}
    assert events == {
        f"?? tests/integration/test_{plural}_events.py"
        for plural in ("categories", "products", "reviews")
    }, "the notes publish none"
    env = service_env(servers)
    run(["uv", "sync", "--quiet"], project, env)
    a_service_passes_its_checks(project, env)
    collected = run(["uv", "run", "--no-sync", "pytest", "--collect-only", "-q"], project, env)
    for plural in ("categories", "products", "reviews", "notes"):
        assert f"tests/e2e/test_{plural}_grpc.py" in collected
        assert f"tests/e2e/test_{plural}_graphql.py" in collected


@pytest.mark.suite
def test_resources_on_mongodb_keep_their_references_and_pass_the_suite(
    tmp_path: Path, servers: Servers
) -> None:
    """The same four resources on MongoDB, served over REST, GraphQL and gRPC, their events
    through Kafka, with no cache: the repositories keep what foreign keys keep elsewhere (a ref to a
    missing row is a 404, a row in use a 409, a cascade and a set-null reach every document),
    and the indexes (unique among an owner's own, unique among the set values) are made."""
    project = copy(
        ROOT,
        "HEAD",
        tmp_path / "svc",
        database="mongo",
        cache="none",
        auth="jwt",
        jwt_algorithm="RS256",
        broker="kafka",
        api_styles=["rest", "graphql", "grpc"],
    )
    title = {"name": "title", "type": "str", "max_length": 80, "unique": True}
    render(project, resource="category", access="owner", fields=[title])
    category = {"name": "category", "type": "ref", "to": "category", "optional": True}
    code = {"name": "code", "type": "uuid", "optional": True, "unique": True}
    every = [field for field in EVERY_TYPE if field["name"] != "code"]
    render(project, resource="product", access="admin", fields=[*every, code, category])
    stars = {"name": "stars", "type": "int", "min": 1, "max": 5}
    product = {"name": "product", "type": "ref", "to": "product"}
    render(project, resource="review", access="public", fields=[stars, product])
    text = {"name": "text", "type": "str"}
    render(project, resource="note", access="owner", fields=[text, category | {"optional": False}])

    added = git(project, "status", "--porcelain")
    assert "migrations/" not in added, "MongoDB needs none"
    assert "adapters/postgres" not in added
    assert "?? src/my_service/adapters/mongo/products.py" in added.splitlines()
    env = service_env(servers, "mongo")
    run(["uv", "sync", "--quiet"], project, env)
    run(["uv", "run", "--no-sync", "ruff", "check", "."], project, env)
    run(["uv", "run", "--no-sync", "ruff", "format", "--check", "."], project, env)
    run(["uv", "run", "--no-sync", "mypy", "src", "tests", "loadtest"], project, env)
    output = run(["uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider"], project, env)
    assert "skipped" not in output, output
    collected = run(["uv", "run", "--no-sync", "pytest", "--collect-only", "-q"], project, env)
    for plural in ("categories", "products", "reviews", "notes"):
        assert f"tests/e2e/test_{plural}_grpc.py" in collected
        assert f"tests/e2e/test_{plural}_graphql.py" in collected


SQL_ROW = (
    "INSERT INTO products (id, name, stock, created_at, updated_at) "
    "VALUES ('00000000-0000-4000-8000-000000000001', 'Lamp', 3, now(), now())"
)


@pytest.mark.suite
def test_an_update_brings_improvements_keeps_edits_and_adds_a_field_to_the_data(
    tmp_path: Path, servers: Servers
) -> None:
    """A released template, a service with products on it, data in its table and an edit of
    the team's; then a release that improves the resource's code, and an update that adds a
    field."""
    template = released(tmp_path / "template")
    project = copy(template, "1.0.0", tmp_path / "svc", cache="none")
    fields = [
        {"name": "name", "type": "str", "max_length": 120},
        {"name": "stock", "type": "int", "min": 0},
    ]
    render(project, template=template, ref="1.0.0", resource="product", fields=fields)
    commit_all(project, "products")
    env = service_env(servers)
    run(["uv", "sync", "--quiet"], project, env)
    run(["uv", "run", "--no-sync", "alembic", "upgrade", "heads"], project, env)
    run(["psql", env["DATABASE_URL"], "-qc", SQL_ROW], project, env)

    service = project / "src/my_service/service/products.py"
    team = '"""Product use cases, shared by every API style; the shop\'s stock rules live here."""'
    service.write_text(service.read_text().replace(service.read_text().splitlines()[0], team))
    commit_all(project, "the team's words")
    source = template / "resource/src/{{ host.package_name }}/service/{{ plural }}.py.jinja"
    better = (
        '"""Matching ``query``, newest first, at most ``query.limit`` (the index serves it)."""'
    )
    source.write_text(
        source.read_text().replace(
            '"""Matching ``query``, newest first, at most ``query.limit``."""', better
        )
    )
    commit_all(template, "release 1.1.0")
    git(template, "tag", "1.1.0")

    stock = fields[1] | {"type": "decimal"}
    with pytest.raises(ValueError, match="only adds fields"):
        copier.run_update(
            str(project),
            answers_file=".copier-answers.resource-products.yml",
            data={"fields": [fields[0], stock]},
            vcs_ref="1.1.0",
            defaults=True,
            overwrite=True,
            unsafe=True,
            quiet=True,
        )
    assert not git(project, "status", "--porcelain"), "a refused update changes nothing"

    copier.run_update(
        str(project),
        answers_file=".copier-answers.resource-products.yml",
        data={"fields": [*fields, {"name": "color", "type": "str", "optional": True, "added": 2}]},
        vcs_ref="1.1.0",
        defaults=True,
        overwrite=True,
        unsafe=True,
        quiet=True,
    )

    text = service.read_text()
    assert text.startswith(team), "the team's edit is kept"
    assert better.strip('"') in text, "the release's improvement arrived"
    assert "<<<<<<<" not in text
    assert (project / "migrations/versions/products_0002_products.py").is_file()
    run(["uv", "run", "--no-sync", "alembic", "upgrade", "heads"], project, env)
    rows = run(
        ["psql", env["DATABASE_URL"], "-tAc", "SELECT name, stock, color FROM products"],
        project,
        env,
    )
    assert rows.strip() == "Lamp|3|", "the row from before the update is still there"
    run(["psql", env["DATABASE_URL"], "-qc", "DELETE FROM products"], project, env)
    a_service_with_products_passes_its_checks(project, env)
