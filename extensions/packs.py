"""The option packs: which answers bring which pack into a rendered service, in start order.

Each pack is one module under ``src/<package>/packs/`` with one ``Pack`` subclass. The
composition root (``bootstrap.py``) imports the chosen ones with ``packs(...)`` and runs
their hooks in the order listed here, then the service's own (``packs/local.py``): metrics
first, so that every later pack can report to it; the broker before Consul, so that on
shutdown (the reverse order) the instance deregisters before its consumers leave their
groups; the authentication pack before the cache, whose user service hashes passwords
too; the API styles last, once every collaborator they hand to the use cases exists.
"""

from __future__ import annotations

from typing import NamedTuple

from jinja2 import Environment
from jinja2.ext import Extension


class Pack(NamedTuple):
    module: str
    cls: str
    question: str
    value: str  # the answer that chooses it; "*" is any answer but "none"


PACKS = (
    Pack("metrics", "MetricsPack", "observability", "metrics"),
    Pack("events", "EventsPack", "broker", "*"),
    Pack("consul", "ConsulPack", "service_discovery", "consul"),
    Pack("auth", "AuthPack", "auth", "jwt"),
    Pack("cache", "CachePack", "cache", "redis"),
    Pack("tracing", "TracingPack", "observability", "tracing"),
    Pack("rest", "RestPack", "api_styles", "rest"),
    Pack("graphql", "GraphQLPack", "api_styles", "graphql"),
    Pack("grpc", "GrpcPack", "api_styles", "grpc"),
)


def chosen(pack: Pack, answer: object) -> bool:
    if pack.value == "*":
        return answer not in (None, "none", [])
    if isinstance(answer, list | tuple):
        return pack.value in answer
    return answer == pack.value


def packs(
    api_styles: list[str],
    auth: str,
    broker: str,
    cache: str,
    observability: list[str],
    service_discovery: str,
) -> list[Pack]:
    """The chosen packs, in start order (``| sort`` gives them in import order)."""
    answers = {
        "api_styles": api_styles,
        "auth": auth,
        "broker": broker,
        "cache": cache,
        "observability": observability,
        "service_discovery": service_discovery,
    }
    return [pack for pack in PACKS if chosen(pack, answers[pack.question])]


class SettingsGroup(NamedTuple):
    field: str  # ``settings.<field>``
    module: str  # ``settings/<module>.py``
    cls: str


def settings_groups(
    api_styles: list[str],
    auth: str,
    broker: str,
    cache: str,
    database: str,
    service_discovery: str,
) -> list[SettingsGroup]:
    """The settings classes the answers bring, in the order ``Settings`` lists them."""
    database_class = {"postgres": "DatabaseSettings", "mongo": "MongoSettings"}[database]
    chosen = [
        (True, SettingsGroup("database", database, database_class)),
        (cache == "redis" or broker == "redis", SettingsGroup("redis", "redis", "RedisSettings")),
        (cache == "redis", SettingsGroup("cache", "cache", "CacheSettings")),
        (broker != "none", SettingsGroup("events", "events", "EventSettings")),
        (broker == "rabbitmq", SettingsGroup("rabbitmq", "rabbitmq", "RabbitMQSettings")),
        (broker == "kafka", SettingsGroup("kafka", "kafka", "KafkaSettings")),
        (service_discovery == "consul", SettingsGroup("consul", "consul", "ConsulSettings")),
        ("grpc" in api_styles, SettingsGroup("grpc", "grpc", "GrpcSettings")),
        (auth == "jwt", SettingsGroup("jwt", "auth", "JwtSettings")),
        (auth == "jwt", SettingsGroup("passwords", "auth", "PasswordSettings")),
    ]
    return [group for wanted, group in chosen if wanted]


def compose_parts(
    api_styles: list[str],
    auth: str,
    broker: str,
    cache: str,
    database: str,
    service_discovery: str,
) -> list[str]:
    """The folders under ``packs/`` whose ``compose.jinja`` adds to ``compose.yaml``: the
    servers the service needs, then what the app itself needs configured or exposed."""
    chosen = [
        (True, database),
        (cache == "redis" or broker == "redis", "redis"),
        (broker in ("rabbitmq", "kafka"), broker),
        (service_discovery == "consul", "consul"),
        (auth == "jwt", "auth"),
        ("grpc" in api_styles, "grpc"),
    ]
    return [part for wanted, part in chosen if wanted]


def dependency_parts(
    api_styles: list[str],
    auth: str,
    broker: str,
    cache: str,
    database: str,
    observability: list[str],
    service_discovery: str,
) -> list[str]:
    """The folders under ``packs/`` whose ``pyproject.jinja`` adds dependencies and tool
    settings to ``pyproject.toml``, in the order the dependencies are listed."""
    chosen = [
        (auth == "jwt", "auth"),
        ("graphql" in api_styles, "graphql"),
        ("grpc" in api_styles, "grpc"),
        (True, database),
        (cache == "redis" or broker == "redis", "redis"),
        (broker in ("rabbitmq", "kafka"), broker),
        (service_discovery == "consul", "consul"),
        (broker != "none" or service_discovery == "consul", "resilience"),
        ("metrics" in observability, "metrics"),
        ("tracing" in observability, "tracing"),
    ]
    return [part for wanted, part in chosen if wanted]


def readme_sections(broker: str, cache: str, database: str, service_discovery: str) -> list[str]:
    """The folders under ``packs/`` whose ``README.md.jinja`` is a section of the README."""
    chosen = [
        (cache == "redis", "cache"),
        (broker != "none", "events"),
        (service_discovery == "consul", "consul"),
        (database == "mongo", "mongo"),
    ]
    return [section for wanted, section in chosen if wanted]


def pack_imports(chosen: list[Pack]) -> list[tuple[str, str]]:
    """``(module, name)`` of everything ``bootstrap.py`` imports from ``packs/``, in import
    order: the chosen packs' classes and the service's own ``local_packs``."""
    return sorted([(pack.module, pack.cls) for pack in chosen] + [("local", "local_packs")])


def settings_imports(groups: list[SettingsGroup]) -> list[tuple[str, str]]:
    """``(module, "ClassA, ClassB")`` for each settings module ``Settings`` imports from,
    sorted: the groups' modules, and ``base`` for the class every group derives from."""
    modules: dict[str, list[str]] = {"base": ["ServiceSettings"]}
    for group in groups:
        modules.setdefault(group.module, []).append(group.cls)
    return [(module, ", ".join(sorted(names))) for module, names in sorted(modules.items())]


class PacksExtension(Extension):
    """Exposes the lists above (``packs(...)``, ``settings_groups(...)``,
    ``compose_parts(...)``, ``dependency_parts(...)``, ``readme_sections(...)``) and the
    ``| pack_imports`` and ``| settings_imports`` filters to every template file."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["packs"] = packs
        environment.globals["settings_groups"] = settings_groups
        environment.globals["compose_parts"] = compose_parts
        environment.globals["readme_sections"] = readme_sections
        environment.globals["dependency_parts"] = dependency_parts
        environment.filters["settings_imports"] = settings_imports
        environment.filters["pack_imports"] = pack_imports
