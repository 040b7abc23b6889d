"""The resource generator's answers: the resource's names and its fields, checked, and each
field's spelling in every layer (entity, table, request and response models, tests).

A field is a mapping: ``name`` and ``type`` (``str``, ``int``, ``decimal``, ``bool``,
``datetime``, ``date``, ``uuid``, ``enum``, ``ref``), then what the type takes: ``min_length``
and ``max_length`` (``str``), ``min`` and ``max`` (``int``, ``decimal``), ``precision`` and
``scale`` (``decimal``), ``values`` (``enum``), ``to`` (``ref``: ``user``, which every
service has, or a resource generated into the service before, by its name; ``to_plural``
when that resource's plural is not the derived one), and the flags ``optional``, ``unique``
and ``index`` (an indexed field filters the listing; a ``ref`` is always indexed). A field
added to a resource that exists says in which of its migrations: ``added: 2`` (to 5) puts it
in ``<plural>_0002``, which adds its column, nullable, to the table that holds the data
already. An update only adds fields: the ones the resource has stay as they are.
"""

from __future__ import annotations

import json
import keyword
import re
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from jinja2 import Environment
from jinja2.ext import Extension
from pydantic import BaseModel

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
TYPES = ("str", "int", "decimal", "bool", "datetime", "date", "uuid", "enum", "ref")
KEYS = {
    "str": {"min_length", "max_length"},
    "int": {"min", "max"},
    "decimal": {"precision", "scale", "min", "max"},
    "enum": {"values"},
    "ref": {"to", "to_plural", "on_delete"},
}
COMMON_KEYS = {"name", "type", "optional", "unique", "index", "added"}
TEMPLATE = Path(__file__).resolve().parents[1] / "template"


def _service_names() -> frozenset[str]:
    """Every name a resource must not take because the service has it already: each module
    and folder of the service's package, each of its test modules (``tests/e2e/test_<x>``),
    each route prefix it serves, and what its database adapters export."""
    package = TEMPLATE / "src" / "{{ package_name }}"
    found = {path.name.split(".")[0] for path in package.rglob("*")}
    found |= {
        path.name.split(".")[0].removeprefix("test_")
        for path in (TEMPLATE / "tests").rglob("test_*")
    }
    found |= {path.name.split(".")[0] for path in (TEMPLATE / "tests" / "fixtures").iterdir()}
    found |= {"metadata", "session_factories", "docs", "redoc", "openapi", "health", "metrics"}
    return frozenset(found)


GENERATED_NAMES = frozenset(
    {"reference", "references", "principal", "principals", "body", "bodies", "signed_in"}
    | {"made", "used", "path", "paths", "caller", "callers", "row", "rows"}
)
"""Names the generated modules use beside the modules of the resources they refer to."""
TAKEN = (
    frozenset({"user", "order", "account", "token", "resource"})
    | GENERATED_NAMES
    | _service_names()
)
"""Names of the service itself: a resource of this name or plural would overwrite or shadow
one of its files, routes or modules."""
RESERVED_FIELDS = frozenset(
    {
        # What every resource has.
        "id", "created_at", "updated_at", "owner", "owner_id",
        # The listing's parameters, and what the generated code names itself.
        "limit", "offset", "cursor", "after", "sent", "create", "changed", "to_new",
        "to_changes", "to_query", "some_field_set", "one_pagination_style", "self", "cls",
        "params", "from_domain", "given", "first", "info",
        # The fields of the gRPC messages beside the resource's own.
        "create_time", "update_time", "update_mask", "page_size", "page_token",
        "next_page_token",
        # Names the generated classes' annotations read: a field of that name would hide
        # them from the fields after it.
        "uuid", "datetime", "date", "str", "int", "bool", "list", "frozenset",
        # What SQLAlchemy's declarative classes keep for themselves.
        "metadata", "registry", "type_annotation_map",
    }
) | {name for name in dir(BaseModel) if not name.startswith("__")}  # fmt: skip
"""Field names the generated code would shadow, or that pydantic's models keep for
themselves (``model_config``, ``json``, ``copy``...)."""
GENERATED_CLASSES = frozenset(
    {"Query", "Service", "Changes", "Create", "Patch", "ListParams", "Response", "Page"}
    | {"Row", "Repository", "Node", "Edge", "Connection", "Queries", "Mutations"}
)
"""``<Resource><Suffix>`` classes of the generated code: an enum class must not be one."""
GRAPHQL_CLASSES = frozenset({"Node", "Edge", "Connection", "Queries", "Mutations"})
"""The suffixes of ``GENERATED_CLASSES`` that only the GraphQL module names."""
GRAPHQL_FIELDS = frozenset({"first", "info", "from_domain", "given"})
"""The names in ``RESERVED_FIELDS`` that only the GraphQL module uses."""
INDEXED_STR = 600
"""The longest indexed or unique text: PostgreSQL's index entries hold about 2,700 bytes."""
NUMBER_KEYS = frozenset({"min", "max", "min_length", "max_length", "precision", "scale"})
MAX_NAME = 20
"""The longest name of a resource or a field: every generated line then fits in 100."""
LAST_STEP = 5
"""The migrations a resource renders: its table, then up to four that add fields. Later
changes are the team's own migrations (``alembic revision --autogenerate``)."""
MAX_STR = 10_000
"""The longest ``max_length``: a longer text belongs in object storage, not in a row."""


def plural_of(name: str) -> str:
    """'product' -> 'products', 'category' -> 'categories', 'box' -> 'boxes'."""
    text = str(name)
    if re.search(r"[^aeiou]y$", text):
        return text[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", text):
        return text + "es"
    return text + "s"


def camel(name: str) -> str:
    """'product_line' -> 'ProductLine'."""
    return "".join(part.capitalize() for part in str(name).split("_"))


def resource_name_error(name: object, what: str = "resource") -> str:
    text = str(name or "")
    if not IDENTIFIER.match(text) or text.endswith("_") or "__" in text or len(text) > MAX_NAME:
        return (
            f"The {what} name must be a lower-case Python identifier, words joined by single "
            f"underscores (product, product_line), at most {MAX_NAME} characters; got {text!r}."
        )
    if keyword.iskeyword(text) or text in TAKEN:
        return f"The {what} name {text!r} is taken by the service itself; pick another."
    return ""


IMPORTED_CLASSES = frozenset(
    # What the generated service and GraphQL modules import beside the entity class.
    {"Page", "Cursor", "Repository", "RepositoryKind", "UnitOfWork", "NotFound", "Event"}
    | {"Deleted"}
    | {"Principal", "CacheAside", "TypeAdapter", "Protocol", "Decimal", "Sequence"}
    | {"Info", "PageInfo", "Roots", "DataLoader", "SafeInt", "BigInt", "Self", "UserType"}
)
"""Class names the generated modules import: a resource's class must not be one."""
SCHEMA_TYPES = frozenset(
    {"Query", "Mutation", "Subscription", "PageInfo", "SafeInt", "BigInt", "Decimal"}
    | {"Date", "DateTime", "Time", "UUID", "JSON", "Upload", "ID"}
    | {"String", "Int", "Float", "Boolean", "Order", "CreateOrderInput"}
)
"""The GraphQL types of the service's own schema (``user`` adds its own, as a resource)."""


def graphql_types(resource: str, fields: object = ()) -> frozenset[str]:
    """The GraphQL types a resource's module names: its own, and those of its enums."""
    name = camel(resource)
    own = {name, f"{name}Edge", f"{name}Connection", f"Create{name}Input", f"Update{name}Input"}
    listed = fields if isinstance(fields, list | tuple) else ()
    enums = {
        name + camel(field["name"])
        for field in listed
        if isinstance(field, dict) and field.get("type") == "enum" and "name" in field
    }
    return frozenset(own | enums)


def _types_error(resource: str, fields: object, service: dict[str, dict[str, Any]] | None) -> str:
    """Which GraphQL type of this resource the schema has already, or ''."""
    mine = graphql_types(resource, fields)
    others = [("the service", SCHEMA_TYPES | graphql_types("user"))] + [
        (f"the resource {other['resource']!r}", graphql_types(other["resource"], other["fields"]))
        for other in (service or {}).values()
        if other["resource"] != resource
    ]
    for owner, types in others:
        if clash := sorted(mine & types):
            return (
                f"its GraphQL type {clash[0]!r} is one {owner} has: pick a name that spells "
                "no type of another's."
            )
    return ""


def known_resource(
    resource: object, plural: object, service: dict[str, dict[str, Any]] | None
) -> bool:
    """Whether the answers name a resource the service has (an update), or the service is
    out of sight (an update's copies): its names were checked when it was generated, and a
    release's stricter checks must not refuse them now (Copier would drop the answer)."""
    if service is None:
        return True
    return any(
        answers["resource"] == resource and (plural is None or answers["plural"] == plural)
        for answers in service.values()
    )


def resource_error(resource: object, service: dict[str, dict[str, Any]] | None) -> str:
    """The ``resource`` question's check, in the service (``service_resources``)."""
    return "" if known_resource(resource, None, service) else resource_name_error(resource)


def resource_names_error(
    resource: object, plural: object, service: dict[str, dict[str, Any]] | None = None
) -> str:
    """What is wrong with the names, or ''; ``service`` holds the resources the service has
    (``service_resources``), which the names must not take from another resource."""
    if service is not None and known_resource(resource, plural, service):
        return ""
    error = resource_name_error(resource) or resource_name_error(plural, "plural")
    if not error and resource == plural:
        error = f"The plural must differ from the resource name ({resource!r})."
    if not error and camel(resource) in IMPORTED_CLASSES:
        error = (
            f"The resource name {resource!r} would name its class {camel(resource)!r}, which "
            "the generated modules import beside it: pick another."
        )
    if not error and (clash := _types_error(str(resource), (), service)):
        error = f"The resource name {resource!r} is taken: {clash}"
    for other in (service or {}).values():
        names, taken = {other["resource"], other["plural"]}, {resource, plural}
        if error or (other["resource"], other["plural"]) == (resource, plural):
            continue
        if names & taken:
            return (
                f"The service has a resource {other['resource']!r} (plural "
                f"{other['plural']!r}) already: pick names it does not use."
            )
    return error


ANSWERS = ".copier-answers.resource-*.yml"


def service_resources(destination: object) -> dict[str, dict[str, Any]] | None:
    """The resources generated into the service at ``destination`` so far, by plural, as
    their answers files hold them; None where ``destination`` is no service (an update
    renders into empty folders too, where there is nothing to check against)."""
    root = Path(str(destination))
    if not (root / ".copier-answers.yml").is_file():
        return None
    found = {}
    for path in sorted(root.glob(ANSWERS)):
        try:
            answers = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # not one the generator wrote: nothing to check against
        if (
            isinstance(answers, dict)
            and {"resource", "plural", "fields"} <= set(answers)
            and isinstance(answers["fields"], list)
            and all(isinstance(field, dict) and "name" in field for field in answers["fields"])
        ):
            found[str(answers["plural"])] = answers
    return found


HOST_KEYS = (
    "_commit",
    "project_name",
    "package_name",
    "api_styles",
    "database",
    "cache",
    "broker",
    "auth",
)
"""What a resource reads of its service's answers."""


FIRST_RELEASE = "0.11.0"
"""The first release a resource can be added to."""


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def host_answers(answers: object) -> dict[str, Any]:
    """The service's answers a resource renders for, from its ``.copier-answers.yml``."""
    if not isinstance(answers, dict):
        return {}
    return {key: answers[key] for key in HOST_KEYS if key in answers}


CACHE_RELEASE = "0.13.0"
"""The first release whose container hands a resource the cache (``Container.aside``)."""
GRAPHQL_RELEASE = "0.14.0"
"""The first release whose GraphQL schema merges the modules of its folder (``Roots``)."""
EVENTS_RELEASE = "0.16.0"
"""The first release that declares event types (``event_type``) for the events contract."""
GRPC_RELEASE = "0.18.0"
"""The first release whose gRPC server serves the service of each module in its folder."""
MONGO_RELEASE = "0.18.0"
"""The first release whose MongoDB repositories keep the references between collections."""
BODIES_RELEASE = "0.19.0"
"""The first release that keeps the REST bodies of what the near cache hands out
(``entrypoints/rest/bodies.py``)."""
REFERENCE_RELEASE = "0.12.0"
"""The first release whose repositories answer 409 for deleting a row others refer to."""
FIXTURES_RELEASE = "0.20.0"
"""The first release whose resources' test fixtures make their rows through the use cases
(``one(app)``), which is how a resource's tests make the rows it refers to; before it, they
made them over REST (``one(client)``)."""


def _too_old(answers: dict[str, Any], first: str) -> str:
    """The release ``answers`` were rendered from, when it is before ``first``; or ''."""
    release = str(answers.get("_commit", ""))
    if re.fullmatch(r"\d+(\.\d+)*", release) and _version(release) < _version(first):
        return release
    return ""


FOLLOWED = ("api_styles", "cache", "broker")
"""The service's answers a resource follows when they change: the API styles it is served
in, the cache it reads through, the broker its events go to. It keeps the rest (sign-in and
the database shape its table)."""


def host_error(service: object, current: object = None) -> str:
    """What the service this resource goes into lacks for it, or ''. ``current``, the
    service's answers as they are now, refuses a ``host`` that no longer follows them: on
    update, Copier then reads it again from the service (its default)."""
    if not isinstance(service, dict) or "package_name" not in service:
        return (
            "No service answers found: run the resource generator in a service rendered from "
            "this template (its .copier-answers.yml holds them)."
        )
    if isinstance(current, dict) and "package_name" in current:
        changed = [key for key in FOLLOWED if service.get(key) != current.get(key)]
        if changed:
            return (
                f"The service's {' and '.join(changed)} changed since the resource was added: "
                "its answers are read again from .copier-answers.yml."
            )
    if release := _too_old(service, FIRST_RELEASE):
        return (
            f"The service is on release {release}; a resource plugs into what {FIRST_RELEASE} "
            "brought (repository kinds, routers found in their folders): update the service "
            "first (copier update)."
        )
    if service.get("cache") == "redis" and (release := _too_old(service, CACHE_RELEASE)):
        return (
            f"The service is on release {release}; a resource reads through the cache that "
            f"{CACHE_RELEASE} hands it: update the service first (copier update), then this."
        )
    broker = service.get("broker", "none") != "none"
    if broker and (release := _too_old(service, EVENTS_RELEASE)):
        return (
            f"The service is on release {release}; a resource declares its events as "
            f"{EVENTS_RELEASE} does: update the service first (copier update), then this."
        )
    graphql = "graphql" in service.get("api_styles", ())
    if graphql and (release := _too_old(service, GRAPHQL_RELEASE)):
        return (
            f"The service is on release {release}; a resource's GraphQL types join the schema "
            f"as {GRAPHQL_RELEASE} merges them: update the service first (copier update), "
            "then this."
        )
    grpc = "grpc" in service.get("api_styles", ())
    if grpc and (release := _too_old(service, GRPC_RELEASE)):
        return (
            f"The service is on release {release}; a resource's gRPC service joins the server "
            f"as {GRPC_RELEASE} finds it: update the service first (copier update), then this."
        )
    mongo = service.get("database") == "mongo"
    if mongo and (release := _too_old(service, MONGO_RELEASE)):
        return (
            f"The service is on release {release}; a resource's references on MongoDB are kept "
            f"as {MONGO_RELEASE} keeps them: update the service first (copier update), then "
            "this."
        )
    rest = "rest" in service.get("api_styles", ())
    if rest and service.get("cache") == "redis" and (release := _too_old(service, BODIES_RELEASE)):
        return (
            f"The service is on release {release}; with the cache, a resource's REST routes "
            f"send the bodies {BODIES_RELEASE} keeps (entrypoints/rest/bodies.py): update the "
            "service first (copier update), then this."
        )
    if service.get("database") not in ("postgres", "mongo"):
        return (
            "The resource generator renders into services on PostgreSQL or MongoDB "
            "(database=postgres or mongo)."
        )
    return ""


def fields_error(
    fields: object,
    service: dict[str, dict[str, Any]] | None = None,
    resource: str = "",
    plural: str = "",
    release: dict[str, Any] | None = None,
) -> str:
    """What is wrong with the fields, or ''. In a service (``service_resources``), a ``ref``
    must name one of its resources, and a resource it has already only gains fields;
    ``release``, the service's answers as they are now, says whether it can delete what is
    referred to."""
    if isinstance(fields, str | dict) or not isinstance(fields, list):
        return "The fields must be a YAML list of mappings, e.g. [{name: title, type: str}]."
    before = (service or {}).get(plural) or {}
    if before.get("resource") != resource:
        before = {}
    kept = [field for field in before.get("fields", []) if field in fields]
    if not fields:
        return "A resource needs at least one field."
    if all(isinstance(field, dict) and "added" in field for field in fields):
        return "The table needs at least one field of its own (a field without added)."
    graphql = "graphql" in (release or {}).get("api_styles", ())
    seen: set[str] = set()
    classes: set[str] = set()
    protos: set[str] = set()
    for number, field in enumerate(fields, start=1):
        if error := _graphql_target_error(field, service, release) or _fixtures_target_error(
            field, service
        ):
            return f"Field {number}: {error}"
        if field in kept:
            # Taken when the resource was generated: a later release's stricter checks do
            # not refuse it now (Copier would drop the whole answer on update), but for
            # what would break the GraphQL module the service now renders for it.
            if graphql and (error := _graphql_clash(field, resource, service)):
                return (
                    f"Field {number}: {field['name']!r}, which the {plural} have, would clash "
                    f"in GraphQL, which the service serves: {error} Rename it first (its "
                    "column in a migration of your own, its name in "
                    f".copier-answers.resource-{plural}.yml), then update."
                )
            column = f"{field['name']}_id" if field.get("type") == "ref" else field["name"]
            seen.update({field["name"], column})
            classes.add(camel(field["name"]))
            if field.get("type") == "enum":
                _proto_enum_error(field, protos)
            continue
        error = _field_error(field, seen)
        if not error and camel(field["name"]) in classes:
            error = f"{field['name']!r} is spelled like another field in class names."
        if not error and field["type"] == "enum" and camel(field["name"]) in GENERATED_CLASSES:
            error = f"an enum named {field['name']!r} would clash with a generated class."
        if not error and field["type"] == "ref":
            error = _reference_error(field, resource, plural, service)
        if not error and field["type"] == "ref" and field["to"] != "user":
            old = _too_old(release or {}, REFERENCE_RELEASE)
            if old:
                error = (
                    f"the service is on release {old}; {REFERENCE_RELEASE} answers 409 for "
                    "deleting what others refer to: update the service first (copier update)."
                )
        if not error and field["type"] == "enum":
            error = _types_error(resource, [field], service)
        if not error and field["type"] == "enum":
            error = _proto_enum_error(field, protos)
        if error:
            return f"Field {number}: {error}"
        classes.add(camel(field["name"]))
    return _change_error(before["fields"], fields) if before else ""


def _proto_enum_error(field: dict[str, Any], protos: set[str]) -> str:
    """The enum's values as a proto package spells them, ``<FIELD>_<VALUE>`` under the
    resource's prefix, must differ from every other enum field's (``protos``)."""
    names = {f"{field['name']}_{value}".upper() for value in ["unspecified", *field["values"]]}
    if clash := sorted(names & protos):
        return f"the gRPC enum value {clash[0]} would be another field's too."
    protos.update(names)
    return ""


def _graphql_clash(
    field: dict[str, Any], resource: str, service: dict[str, dict[str, Any]] | None
) -> str:
    """What of a field would clash in the resource's GraphQL module or the schema, or ''."""
    if field["name"] in GRAPHQL_FIELDS:
        return f"the GraphQL module names {field['name']!r} itself."
    if field["type"] != "enum":
        return ""
    if camel(field["name"]) in GRAPHQL_CLASSES:
        return f"the enum class would be named like the GraphQL module's {camel(field['name'])}."
    return _types_error(resource, [field], service)


ACCESS = ("owner", "admin", "public")


def access_error(
    access: object,
    service: dict[str, dict[str, Any]] | None = None,
    resource: str = "",
    plural: str = "",
) -> str:
    """What is wrong with the access rule, or ''; a resource the service has keeps its own."""
    if access not in ACCESS:
        return f"access must be one of {', '.join(ACCESS)}; got {access!r}."
    before = (service or {}).get(plural) or {}
    if before.get("resource") == resource and before.get("access", access) != access:
        return (
            f"The {plural} are {before['access']}-ruled: an update keeps the rule. To change "
            "it, change the resource's modules and write the migration of its owner_id "
            "column yourself."
        )
    return ""


ON_DELETE = {"cascade": "CASCADE", "restrict": "RESTRICT", "set_null": "SET NULL"}
"""A ref's ``on_delete`` answers, as SQL says them."""
MAX_IDENTIFIER = 63
"""PostgreSQL's longest name: a longer constraint name is cut short, and no longer matches
the one the repository maps to an answer."""


def _on_delete(target: object, optional: bool, answer: object) -> str:
    """What deleting the row a ref refers to does: its answer, or by default a user's rows go
    with the user, an optional ref to a resource is cleared, and a required one keeps the row
    from going (409) while it is referred to."""
    if answer is not None:
        return str(answer)
    return "cascade" if target == "user" else "set_null" if optional else "restrict"


def _graphql_target_error(
    field: object, service: dict[str, Any] | None, release: dict[str, Any] | None
) -> str:
    """In a service with GraphQL, a ``ref``'s target must serve it (its module, which this
    resource's imports): one added before GraphQL came to resources is updated first."""
    if not isinstance(field, dict) or field.get("type") != "ref" or field.get("to") == "user":
        return ""
    if "graphql" not in (release or {}).get("api_styles", ()):
        return ""
    target = (service or {}).get(str(field.get("to_plural") or plural_of(str(field.get("to")))))
    old = _too_old(target or {}, GRAPHQL_RELEASE)
    if not old:
        return ""
    plural = target["plural"] if target else ""
    return (
        f"{field['to']!r} is on release {old}, which serves it in no GraphQL module: update "
        f"it first (copier update --answers-file .copier-answers.resource-{plural}.yml)."
    )


def _fixtures_target_error(field: object, service: dict[str, Any] | None) -> str:
    """A ``ref``'s target must make its rows for the tests as this release's fixtures call
    it (``one(app)``): one generated before is updated first."""
    if not isinstance(field, dict) or field.get("type") != "ref" or field.get("to") == "user":
        return ""
    target = (service or {}).get(str(field.get("to_plural") or plural_of(str(field.get("to")))))
    old = _too_old(target or {}, FIXTURES_RELEASE)
    if not target or not old:
        return ""
    return (
        f"{field['to']!r} is on release {old}, whose tests/fixtures/{target['plural']}.py makes "
        "rows over REST, and this release's make them through the use cases: update it first "
        f"(copier update --answers-file .copier-answers.resource-{target['plural']}.yml)."
    )


def _reference_error(
    field: dict[str, Any], resource: str, plural: str, service: dict[str, Any] | None
) -> str:
    name, target = field["name"], field.get("to")
    rule = _on_delete(target, bool(field.get("optional")), field.get("on_delete"))
    if rule not in ON_DELETE:
        return f"on_delete of {name!r} is one of {', '.join(ON_DELETE)}; got {rule!r}."
    if rule == "set_null" and not field.get("optional"):
        return f"on_delete: set_null needs {name!r} to be optional."
    if target == "user":
        return "to_plural: users is the only plural of user." if "to_plural" in field else ""
    if not isinstance(target, str) or not IDENTIFIER.match(target):
        return f"{name!r} refers to {target!r}: to takes user or a resource's name."
    if target == resource:
        return f"{name!r}: a resource cannot refer to itself yet."
    target_plural = str(field.get("to_plural") or plural_of(target))
    constraint = f"fk_{plural}_{name}_id_{target_plural}"
    if len(constraint) > MAX_IDENTIFIER:
        return (
            f"the foreign key of {name!r} would be named {constraint} ({len(constraint)} "
            f"characters, PostgreSQL keeps {MAX_IDENTIFIER}): pick a shorter field name."
        )
    if service is None:
        return ""
    known = {answers["resource"]: answers["plural"] for answers in service.values()}
    if target not in known:
        have = ", ".join(sorted(known)) or "none yet"
        return (
            f"{name!r} refers to {target!r}, which is not a resource of this service (to "
            f"takes user or one of its resources: {have}); generate {target!r} first."
        )
    if known[target] != target_plural:
        return f"{name!r}: the plural of {target!r} is {known[target]!r}; add to_plural to say so."
    old = _too_old(service[target_plural], REFERENCE_RELEASE)
    if old:
        return (
            f"{target!r} is on release {old}, which wrote no tests/fixtures/{target_plural}.py: "
            f"update it first (copier update --answers-file "
            f".copier-answers.resource-{target_plural}.yml)."
        )
    path = _path(service, target_plural, resource)
    if path:
        return (
            f"{name!r} would close a circle of references ({' -> '.join([resource, *path])}): "
            "each resource's module imports the ones it refers to, so one of them must not."
        )
    return ""


def _path(service: dict[str, Any], start: str, goal: str) -> list[str]:
    """The resources from the one of plural ``start`` to ``goal`` along their refs, or []."""
    todo, came = [start], {start: [service[start]["resource"]]}
    while todo:
        plural = todo.pop()
        for field in service[plural].get("fields") or []:
            if not isinstance(field, dict) or field.get("type") != "ref":
                continue
            target = field.get("to")
            if target == goal:
                return [*came[plural], goal]
            following = str(field.get("to_plural") or plural_of(str(target)))
            if following in service and following not in came:
                came[following] = [*came[plural], service[following]["resource"]]
                todo.append(following)
    return []


def _change_error(before: list[dict[str, Any]], fields: list[dict[str, Any]]) -> str:
    """An update adds fields in a migration of its own, and changes none the table has."""
    now = {field["name"]: field for field in fields}
    for field in before:
        name = field["name"]
        if now.get(name) != field:
            done = "removed" if name not in now else f"changed to {now[name]}"
            return (
                f"{name!r} is {done}, but the table has it as {field}: an update only adds "
                "fields. Keep it as it was here; to drop or retype its column, write the "
                "migration yourself (uv run alembic revision -m ...), change the modules "
                "that spell it, and say so in the service's README."
            )
    names = {field["name"] for field in before}
    kept = [field["name"] for field in fields if field["name"] in names]
    if kept != [field["name"] for field in before]:
        return (
            f"The fields are listed as {kept}, but were {[field['name'] for field in before]}: "
            "keep them in their order (new ones may go anywhere), which numbers their gRPC "
            "message fields."
        )
    last = max(int(field.get("added", 1)) for field in before)
    for field in fields:
        if field["name"] in names or field.get("added", 1) > last:
            continue
        if last == LAST_STEP:
            return (
                f"{field['name']!r} is new, and the resource has used its {LAST_STEP} "
                "migrations: add it in a migration of your own (uv run alembic revision "
                "--autogenerate -m ...) and in the modules that spell the fields."
            )
        return (
            f"{field['name']!r} is new: add it with added: {last + 1} or later (the "
            f"migrations up to {last:04d} may have run, and stay as they are)."
        )
    return ""


def _field_error(field: object, seen: set[str]) -> str:
    if not isinstance(field, dict):
        return "must be a mapping with a name and a type."
    name, kind = field.get("name"), field.get("type")
    if not isinstance(name, str) or not IDENTIFIER.match(name) or keyword.iskeyword(name):
        return f"the name must be a lower-case Python identifier; got {name!r}."
    if len(name) > MAX_NAME:
        return f"the name {name!r} is longer than {MAX_NAME} characters."
    column = f"{name}_id" if kind == "ref" else name
    if column in RESERVED_FIELDS or name in RESERVED_FIELDS or name.startswith("model_"):
        return (
            f"{name!r} is reserved: every resource has id, created_at and updated_at, and "
            "the generated code and pydantic's models use the others."
        )
    # A reference is its column (``seller_id``) and, in GraphQL, the row (``seller``).
    if clash := sorted({name, column} & seen):
        return f"{clash[0]!r} appears twice{' (a reference is both)' if kind == 'ref' else ''}."
    seen.update({name, column})
    if kind not in TYPES:
        return f"the type of {name!r} must be one of {', '.join(TYPES)}; got {kind!r}."
    unknown = set(field) - COMMON_KEYS - KEYS.get(kind, set())
    if unknown:
        return f"{name!r} ({kind}) does not take {', '.join(sorted(unknown))}."
    added = field.get("added", 2)
    if isinstance(added, bool) or not isinstance(added, int) or not 2 <= added <= LAST_STEP:
        return f"added of {name!r} must be a migration number from 2 to {LAST_STEP}."
    if "added" in field and not field.get("optional"):
        return f"{name!r} is added to a table that has rows already: it must be optional."
    for flag in ("optional", "unique", "index"):
        if not isinstance(field.get(flag, False), bool):
            return f"{flag} of {name!r} must be true or false."
    numbers = {key: value for key, value in field.items() if key in NUMBER_KEYS}
    for key, value in numbers.items():
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{key} of {name!r} must be a whole number."
    if kind == "str":
        low, high = field.get("min_length", 0), field.get("max_length", 200)
        if not 0 <= low <= high <= MAX_STR or high < 1:
            return f"{name!r} needs 0 <= min_length <= max_length <= {MAX_STR}, max_length >= 1."
        if (field.get("index") or field.get("unique")) and high > INDEXED_STR:
            return f"{name!r} is indexed: its max_length may be {INDEXED_STR} at most."
    if kind in ("int", "decimal") and field.get("min", 0) > field.get("max", field.get("min", 0)):
        return f"min of {name!r} is above its max."
    if kind == "int":
        for key in ("min", "max"):
            if key in field and not -(2**63) <= field[key] < 2**63:
                return f"{key} of {name!r} does not fit a 64-bit integer."
    if kind == "decimal":
        precision, scale = field.get("precision", 12), field.get("scale", 2)
        if not 1 <= precision <= 38 or not 0 <= scale <= precision:
            return f"{name!r} needs 1 <= precision <= 38 and 0 <= scale <= precision."
        room = 10 ** (precision - scale)
        for key in ("min", "max"):
            if key in field and not -room < field[key] < room:
                return f"{key} of {name!r} has more digits than precision {precision} leaves."
    if kind == "enum":
        values = field.get("values")
        if not isinstance(values, list) or not values:
            return f"{name!r} needs values: a list of lower-case identifiers."
        if any(
            not isinstance(v, str) or not IDENTIFIER.match(v) or keyword.iskeyword(v)
            for v in values
        ):
            return f"the values of {name!r} must be lower-case identifiers, not keywords."
        if len(set(values)) != len(values):
            return f"the values of {name!r} repeat."
        if "unspecified" in values:
            return f"'unspecified' is reserved: a gRPC enum's 0 is {name.upper()}_UNSPECIFIED."
    if kind in ("bool", "enum") and field.get("unique"):
        return f"{name!r}: a {kind} cannot be unique (it has too few values)."
    return ""


def graphql_name(name: str) -> str:
    """A Python name as the GraphQL schema spells it (Strawberry's): ``launch_at`` is
    ``launchAt``."""
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


class Field(NamedTuple):
    """One field, as every layer spells it."""

    name: str  # the entity's attribute, the column, the JSON key (``seller_id`` for a ref)
    kind: str
    optional: bool
    unique: bool
    index: bool
    added: int  # the resource's migration that adds its column: 1, the table's own
    options: dict[str, Any]

    @property
    def label(self) -> str:
        """The field as the answer named it (``seller`` for ``seller_id``)."""
        return self.name.removesuffix("_id") if self.kind == "ref" else self.name

    @property
    def target(self) -> str:
        """What a ``ref`` refers to: ``user``, or a resource's name."""
        return str(self.options.get("to", ""))

    @property
    def target_plural(self) -> str:
        """The table (and the modules) of what a ``ref`` refers to."""
        return str(self.options.get("to_plural") or plural_of(self.target))

    @property
    def ondelete(self) -> str:
        """What deleting the row referred to does, as SQL spells it."""
        return ON_DELETE[_on_delete(self.target, self.optional, self.options.get("on_delete"))]

    @property
    def enum(self) -> str:
        """The enum's class name (``ProductStatus``), set by ``fields_of``."""
        return str(self.options.get("class", ""))

    @property
    def python(self) -> str:
        """The entity's annotation, without ``| None``."""
        return {
            "str": "str",
            "int": "int",
            "decimal": "Decimal",
            "bool": "bool",
            "datetime": "datetime",
            "date": "date",
            "uuid": "uuid.UUID",
            "ref": "uuid.UUID",
            "enum": self.enum,
        }[self.kind]

    @property
    def annotation(self) -> str:
        return f"{self.python} | None" if self.optional else self.python

    @property
    def graphql(self) -> str:
        """The GraphQL field's annotation, without ``| None``: an integer is ``int`` (GraphQL's
        32 bits) only where its bounds fit, else ``SafeInt`` (2^53) or ``BigInt``."""
        if self.kind != "int":
            return self.python
        low, high = self.options.get("min", -(2**63)), self.options.get("max", 2**63 - 1)
        if -(2**31) <= low <= high < 2**31:
            return "int"
        if -(2**53) < low <= high < 2**53:
            return "SafeInt"
        return "BigInt"

    @property
    def column(self) -> list[str]:
        """The table's ``mapped_column(...)`` arguments, but ``unique``: unique among every
        row, or among each owner's (``UniqueConstraint``)."""
        kind = self.kind
        if kind == "str":
            args = [f"String({self.options.get('max_length', 200)})"]
        elif kind == "int":
            args = ["BigInteger"]
        elif kind == "decimal":
            args = [f"Numeric({self.precision}, {self.scale})"]
        elif kind == "datetime":
            args = ["DateTime(timezone=True)"]
        elif kind == "enum":
            args = [_call("Enum", [self.enum, *self._enum_options], indent=8)]
        elif kind == "ref":
            args = [f'ForeignKey("{self.target_plural}.id", ondelete="{self.ondelete}")']
        else:
            args = []
        return args

    @property
    def migration_type(self) -> str:
        """The column's type as an Alembic migration spells it."""
        kind = self.kind
        if kind == "str":
            return f"sa.String(length={self.options.get('max_length', 200)})"
        if kind == "decimal":
            return f"sa.Numeric(precision={self.precision}, scale={self.scale})"
        if kind == "enum":
            members = [json.dumps(value.upper()) for value in self.options["values"]]
            return _call("sa.Enum", [*members, *self._enum_options], indent=12)
        return {
            "int": "sa.BigInteger()",
            "bool": "sa.Boolean()",
            "datetime": "sa.DateTime(timezone=True)",
            "date": "sa.Date()",
            "uuid": "sa.Uuid()",
            "ref": "sa.Uuid()",
        }[kind]

    @property
    def _enum_options(self) -> list[str]:
        """The column stores the members' names, checked by no database enum type."""
        name = json.dumps(self.options["type_name"])
        return [f"name={name}", "native_enum=False", f"length={self.enum_length}"]

    @property
    def enum_length(self) -> int:
        """The longest member's name: what the column stores."""
        return max(len(value) for value in self.options["values"])

    @property
    def precision(self) -> int:
        return int(self.options.get("precision", 12))

    @property
    def scale(self) -> int:
        return int(self.options.get("scale", 2))

    @property
    def sample(self) -> str:
        """A valid JSON value as a Python expression of ``variant`` (0 to 4), for the tests;
        a ``ref`` is the id in ``refs``, which holds one of each thing referred to."""
        kind, options = self.kind, self.options
        if kind == "str":
            low, high = options.get("min_length", 0), options.get("max_length", 200)
            prefix = self.label[:3].ljust(max(low - 1, 0), "x")[: max(high - 1, 0)]
            return f'"{prefix}" + str(variant)'
        if kind in ("int", "decimal"):
            low, high = options.get("min", 0), options.get("max")
            value = f"{low} + variant" if high is None else f"min({low} + variant, {high})"
            return value if kind == "int" else f'format({value}, ".{self.scale}f")'
        if kind == "enum":
            values = options["values"]
            return f"{json.dumps(values)}[variant % {len(values)}]"
        return {
            "bool": "variant % 2 == 0",
            "datetime": 'f"2030-01-{1 + variant:02d}T12:00:00Z"',
            "date": 'f"2030-01-{1 + variant:02d}"',
            "uuid": 'f"00000000-0000-4000-8000-{variant:012d}"',
            "ref": f'refs["{self.name}"]',
        }[kind]

    @property
    def distinct(self) -> int:
        """How many different values ``sample`` takes over the variants 0 to 4."""
        kind, options = self.kind, self.options
        if kind in ("int", "decimal") and options.get("max") is not None:
            return min(5, options["max"] - options.get("min", 0) + 1)
        if kind == "enum":
            return min(5, len(options["values"]))
        return {"bool": 2, "ref": 1}.get(kind, 5)


def _call(function: str, arguments: list[str], indent: int) -> str:
    """A call with one argument a line, as ruff formats one that ends in a comma."""
    inner = "".join(f"\n{' ' * (indent + 4)}{argument}," for argument in arguments)
    return f"{function}({inner}\n{' ' * indent})"


COLUMN_TYPES = {
    "str": "String",
    "int": "BigInteger",
    "decimal": "Numeric",
    "enum": "Enum",
    "ref": "ForeignKey",
}


def sqlalchemy_names(fields: list[Field], owned: bool = False) -> list[str]:
    """What the table's module imports from ``sqlalchemy`` (``owned``: a foreign key to the
    owner, and each unique field unique among the owner's rows)."""
    kinds = {field.kind for field in fields} | ({"ref"} if owned else set())
    names = {"DateTime", "Index"} | {COLUMN_TYPES[kind] for kind in kinds & set(COLUMN_TYPES)}
    if owned and any(field.unique for field in fields):
        names.add("UniqueConstraint")
    return sorted(names)


def fields_of(fields: list[dict[str, Any]], resource: str) -> list[Field]:
    found = []
    for field in fields:
        kind = field["type"]
        options = {key: value for key, value in field.items() if key not in COMMON_KEYS}
        if kind == "enum":
            options["class"] = camel(resource) + camel(field["name"])
            options["type_name"] = f"{resource}_{field['name']}"
        found.append(
            Field(
                name=f"{field['name']}_id" if kind == "ref" else field["name"],
                kind=kind,
                optional=bool(field.get("optional", False)),
                unique=bool(field.get("unique", False)),
                index=bool(field.get("index", False)) or kind == "ref",
                added=int(field.get("added", 1)),
                options=options,
            )
        )
    return found


def steps(fields: list[Field]) -> list[int]:
    """The resource's migrations: 1 (its table), then each that adds fields."""
    return sorted({1} | {field.added for field in fields})


def resource_excluded(fields: object, plural: str, host: object = None) -> str:
    """The migration files of the steps no field needs (all of them on MongoDB), the folders
    of the database the service does not use and of the API styles it does not serve (not
    only their files: Copier would leave the folders behind, empty), one pattern a line
    (``_exclude``). Its arguments stay as they are: an update evaluates the call for the
    old release's copy with that release's function."""
    styles = host.get("api_styles", ()) if isinstance(host, dict) else ()
    database = host.get("database", "postgres") if isinstance(host, dict) else "postgres"
    unserved: list[str] = []
    if database == "mongo":
        unserved += ["/migrations", "/src/*/adapters/postgres"]
    else:
        unserved.append("/src/*/adapters/mongo")
    if "graphql" not in styles:
        unserved += ["/src/*/entrypoints/graphql", f"/tests/e2e/test_{plural}_graphql.py"]
    if "rest" not in styles:
        unserved += ["/src/*/entrypoints/rest", f"/tests/e2e/test_{plural}.py"]
    if "grpc" not in styles:
        unserved += ["/protos", "/src/*/entrypoints/grpc", f"/tests/e2e/test_{plural}_grpc.py"]
    try:
        used = steps(fields_of(fields, "resource"))  # type: ignore[arg-type]
    except (TypeError, KeyError, ValueError, AttributeError):
        return "\n".join(unserved)  # the fields' validator says what is wrong
    unused = [step for step in range(2, LAST_STEP + 1) if step not in used]
    migrations = [f"/migrations/versions/{plural}_{step:04d}_{plural}.py" for step in unused]
    return "\n".join(migrations + unserved)


def events_excluded(host: object, events: object) -> str:
    """The events' test of a resource that publishes none (``_exclude``)."""
    broker = host.get("broker", "none") if isinstance(host, dict) else "none"
    return "/tests/integration" if broker == "none" or not events else ""


class ResourcesExtension(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["plural_of"] = plural_of
        environment.filters["camel"] = camel
        environment.filters["graphql_name"] = graphql_name
        environment.filters["resource_name_error"] = resource_name_error
        environment.filters["resource_error"] = resource_error
        environment.filters["resource_names_error"] = resource_names_error
        environment.filters["host_answers"] = host_answers
        environment.filters["fields_error"] = fields_error
        environment.filters["service_resources"] = service_resources
        environment.filters["access_error"] = access_error
        environment.filters["host_error"] = host_error
        environment.filters["fields_of"] = fields_of
        environment.filters["sqlalchemy_names"] = sqlalchemy_names
        environment.filters["steps"] = steps
        # A global, not a filter: ``_exclude`` is rendered for an update's old copy too,
        # with that release's extensions, and may only name what it checks is defined.
        environment.globals["resource_excluded"] = resource_excluded
        environment.globals["events_excluded"] = events_excluded
