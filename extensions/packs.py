"""The option packs: what each option brings, read from its manifest, ``packs/<name>/pack.yml``.

A manifest says when the pack is chosen (a Jinja expression over the answers), where it
stands in the order the packs are listed and started, its Python ``Pack`` class (a module
``src/<package>/packs/<name>.py``), its settings classes (``settings/<name>.py``), its test
fixtures, the words that must not appear in a service that did not choose it, the real
server the template's tests run it against (``server``: ``scripts/servers.sh`` starts every
server the manifests name, with its ``start_<server>``, and exports ``server_env``), and its
files (``copier.yml``'s ``_exclude`` leaves them out of a service that did not). Beside
the manifest, the pack's pieces of the shared files: ``env.jinja`` (``.env.example``), and
``readme.jinja``, ``compose.jinja`` and ``pyproject.jinja`` (a macro per place of the README,
``compose.yaml`` and ``pyproject.toml`` that the pack adds to; ``packs/slots/``
calls them).

The order is the start order of the Python packs too: metrics first, so that every later
pack can report to it; the broker before Consul, so that on shutdown (the reverse order)
the instance deregisters before its consumers leave their groups; the authentication pack
before the cache, whose user service hashes passwords too; the API styles last, once every
collaborator they hand to the use cases exists.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from jinja2 import Environment, meta, pass_context
from jinja2.ext import Extension
from jinja2.runtime import Context

PACKS_FOLDER = Path(__file__).resolve().parents[1] / "packs"


class Owned(NamedTuple):
    """Files of a pack: a gitignore-style pattern of the project's paths (a folder stands
    for everything in it; a leading ``/`` anchors a name to the project's root), rendered
    only when ``when`` holds: the pack's own condition unless the manifest gives one."""

    pattern: str
    when: str


class Part(NamedTuple):
    name: str
    when: str
    order: int
    pack: str | None  # the Python pack's class, in src/<package>/packs/<name>.py
    settings: dict[str, str]  # settings.<field>: class, in settings/<name>.py
    trace: str | None
    files: tuple[Owned, ...]
    fixtures: str | None  # the module of its test fixtures, a pytest plugin
    server: str | None  # the server scripts/servers.sh starts for the template's tests
    server_env: str | None  # the variable it exports the server's address in

    @property
    def module(self) -> str:
        return self.name

    @property
    def cls(self) -> str | None:
        return self.pack

    def has(self, piece: str) -> bool:
        return (PACKS_FOLDER / self.name / piece).is_file()


class SettingsGroup(NamedTuple):
    field: str  # ``settings.<field>``
    module: str  # ``settings/<module>.py``
    cls: str


@functools.cache
def manifests() -> tuple[Part, ...]:
    """Every pack's manifest, in order."""
    found = []
    for path in sorted(PACKS_FOLDER.glob("*/pack.yml")):
        data = yaml.safe_load(path.read_text())
        found.append(
            Part(
                name=path.parent.name,
                when=data["when"],
                order=data["order"],
                pack=data.get("pack"),
                settings=dict(data.get("settings", {})),
                trace=data.get("trace"),
                files=tuple(_owned(entry, data["when"]) for entry in data.get("files", ())),
                fixtures=data.get("fixtures"),
                server=data.get("server"),
                server_env=data.get("server_env"),
            )
        )
    return tuple(sorted(found, key=lambda part: part.order))


def _owned(entry: str | dict[str, str], when: str) -> Owned:
    if isinstance(entry, str):
        return Owned(entry, when)
    return Owned(entry["path"], entry["when"])


@functools.cache
def _condition(expression: str) -> Any:
    return Environment().compile_expression(expression)


def chosen(part: Part, answers: dict[str, Any]) -> bool:
    return bool(_condition(part.when)(**answers))


def wanted(owned: Owned, answers: Mapping[str, Any]) -> bool:
    """Whether the answers bring the files ``owned`` names."""
    return bool(_condition(owned.when)(**answers))


def excluded(answers: Mapping[str, Any]) -> list[str]:
    """The patterns of the files the answers leave out: every pack's files whose condition
    does not hold. A file that several packs list needs them all (``adapters/*/accounts.py``:
    sign-in and the database); one that any of several options brings says so in its own
    ``when``."""
    return [
        owned.pattern for part in manifests() for owned in part.files if not wanted(owned, answers)
    ]


@pass_context
def excluded_files(context: Context) -> str:
    """``excluded`` for ``copier.yml``'s ``_exclude``, one pattern a line."""
    return "\n".join(excluded(context.get_all()))


def has(part: Part, piece: str) -> bool:
    """Whether the pack has ``piece``: ``"pack"`` (a Python pack), ``"settings"``,
    ``"fixtures"``, or the name of a file beside its manifest."""
    if piece == "pack":
        return part.pack is not None
    if piece == "settings":
        return bool(part.settings)
    if piece == "fixtures":
        return part.fixtures is not None
    return part.has(piece)


def chosen_parts(answers: dict[str, Any], having: str) -> list[Part]:
    """The packs the answers choose that have ``having``, in order."""
    return [part for part in manifests() if has(part, having) and chosen(part, answers)]


@functools.cache
def _reads(expression: str) -> frozenset[str]:
    return frozenset(meta.find_undeclared_variables(Environment().parse(f"{{{{ {expression} }}}}")))


def parts(having: str, **answers: Any) -> list[Part]:
    """``chosen_parts`` for a template, which passes exactly the answers that decide the
    packs with that piece: so the template's readers (and the tests' matrix) see what it
    depends on. An answer such a pack's ``when`` reads and the template did not pass is an
    error, not a silent "not chosen"."""
    needed = set().union(*(_reads(part.when) for part in manifests() if has(part, having)))
    if missing := sorted(needed - set(answers)):
        raise ValueError(f"parts({having!r}) needs the answers {missing} too")
    return chosen_parts(answers, having)


def settings_groups(chosen: list[Part]) -> list[SettingsGroup]:
    """The settings classes of the chosen packs, in the order ``Settings`` lists them."""
    return [
        SettingsGroup(field, part.name, cls)
        for part in chosen
        for field, cls in part.settings.items()
    ]


def pack_imports(chosen: list[Part]) -> list[tuple[str, str]]:
    """``(module, name)`` of everything ``bootstrap.py`` imports from ``packs/``, in import
    order: the chosen packs' classes and the service's own ``local_packs``."""
    classes = [(part.name, part.pack) for part in chosen if part.pack is not None]
    return sorted([*classes, ("local", "local_packs")])


def settings_imports(groups: list[SettingsGroup]) -> list[tuple[str, str]]:
    """``(module, "ClassA, ClassB")`` for each settings module ``Settings`` imports from,
    sorted: the groups' modules, and ``base`` for the class every group derives from."""
    modules: dict[str, list[str]] = {"base": ["ServiceSettings"]}
    for group in groups:
        modules.setdefault(group.module, []).append(group.cls)
    return [(module, ", ".join(sorted(names))) for module, names in sorted(modules.items())]


class PacksExtension(Extension):
    """Exposes ``parts(...)``, ``excluded_files()`` and the ``| settings_groups``,
    ``| pack_imports`` and ``| settings_imports`` filters to every template file."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["parts"] = parts
        environment.globals["excluded_files"] = excluded_files
        environment.filters["settings_groups"] = settings_groups
        environment.filters["pack_imports"] = pack_imports
        environment.filters["settings_imports"] = settings_imports
