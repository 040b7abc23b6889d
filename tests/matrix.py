"""Every combination's files, rendering each template file once per distinct input.

A template file reads only some of the answers: ``entrypoints/rest/users.py`` reads
``api_styles`` and ``auth``, the README nearly all of them. Two combinations that agree on
the answers a file reads get the same file, byte for byte. So instead of running Copier
once per combination (tens of thousands of them), each template file is rendered once per
distinct projection of the answers onto the variables it reads (found by ``jinja2.meta``
in its name and its text; computed answers count as the answers they are computed from),
with Copier's own Jinja environment and context. A file a pack lists (``copier.yml``'s
``_exclude``) also reads the answers that decide whether it is left out. A project is then
the set of its files' renderings, looked up. Each rendering marks the output of every pack
piece (``packs/<pack>/...``) that a shared file assembles, so that the checks can look at
the file's own text and at each piece once (``units``), however many combinations put them
together. ``tests/test_render.py`` checks that Copier renders the same files for every
combination it renders for real.
"""

from __future__ import annotations

import ast
import functools
import glob
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import BaseLoader, Environment, Template, meta, nodes
from pathspec import PathSpec

from extensions.packs import Owned, manifests
from tests.copier_internals import copier_rendering

# Copier's pattern style for ``_exclude`` (gitignore's, by its 1.0 name).
PATTERNS = "gitignore"

Answers = dict[str, Any]
Projection = tuple[Any, ...]


def hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class TemplateFile:
    source: str  # relative to the template's subdirectory
    parts: tuple[str, ...]  # the destination path's parts, each a template
    reads: tuple[str, ...]  # the choice answers it depends on, sorted
    templated: bool


def _typed(value: str, like: object) -> object:
    """A computed answer as Copier casts it: to the type of its default's value."""
    if isinstance(like, bool):
        return value.strip().lower() in {"true", "1", "yes", "on"}
    if isinstance(like, int):
        return int(value)
    return value


class Matrix:
    """The template's files and their renderings under any valid combination."""

    def __init__(self, template: Path, choice_keys: Iterable[str]) -> None:
        self._stack = ExitStack()
        copier = self._stack.enter_context(
            copier_rendering(template, template.parent / f"{template.name}-matrix-probe")
        )
        self.env = copier.env
        self.base: dict[str, Any] = copier.context
        config = yaml.safe_load((template / "copier.yml").read_text())
        # A service's files (a resource, rendered into a service, has its own subdirectory).
        self.subdirectory = template / self.env.from_string(config["_subdirectory"]).render(
            resource=""
        )
        self.suffix = config["_templates_suffix"]
        self.exclude = [self.env.from_string(entry) for entry in config.get("_exclude", [])]
        self._specs: dict[Projection, PathSpec] = {}
        # Each pack's files with the answers that decide whether they are left out.
        self.owned: list[tuple[PathSpec, set[str]]] = [
            (PathSpec.from_lines(PATTERNS, [owned.pattern]), self._variables(expression(owned)))
            for part in manifests()
            for owned in part.files
        ]
        self.excluding = sorted(set().union(*(when for _, when in self.owned)))
        """The answers ``_exclude`` reads: its patterns are worked out once per projection."""
        choice = set(choice_keys)
        # Computed answers (``when: false``) are worked out again for each combination.
        self.computed = {
            key: str(question["default"])
            for key, question in config.items()
            if not key.startswith("_") and question.get("when") is False
        }
        depends = {key: self._variables(source) for key, source in self.computed.items()}
        self.files = list(self._scan(choice, depends, copier.answers_file))
        self.groups: dict[tuple[str, ...], list[TemplateFile]] = {}
        """The files by the answers they read: a projection is worked out once per group."""
        for file in self.files:
            self.groups.setdefault(file.reads, []).append(file)
        self._renderings: dict[
            tuple[str, Projection], tuple[str | None, str, tuple[str, list[Piece]] | None]
        ] = {}
        self._texts: dict[str, str] = {}
        self._templates: dict[str, Template] = {}
        self._cutting = self.env.overlay(loader=_CuttingLoader(self.env.loader))
        """Copier's environment with every pack piece's output marked (``cut``)."""

    def close(self) -> None:
        self._stack.close()

    def _variables(self, source: str, seen: frozenset[str] = frozenset()) -> set[str]:
        """The variables ``source`` reads, with those of every template it includes or
        imports (found by name under the template's root; a name built from variables, such
        as ``'packs/' ~ pack ~ '/env.jinja'``, stands for every file it can name)."""
        tree = self.env.parse(source)
        variables = set(meta.find_undeclared_variables(tree))
        for name in sorted(_referenced(tree, self.subdirectory.parent) - seen):
            text = (self.subdirectory.parent / name).read_text()
            variables |= self._variables(text, seen | {name})
        return variables

    def _scan(
        self, choice: set[str], depends: Mapping[str, set[str]], answers_file: str
    ) -> Iterator[TemplateFile]:
        for path in sorted(self.subdirectory.rglob("*")):
            relative = path.relative_to(self.subdirectory)
            if not path.is_file() or "__pycache__" in relative.parts:
                continue
            templated = path.name.endswith(self.suffix)
            if not templated and path.with_name(path.name + self.suffix).exists():
                continue  # Copier renders the templated sibling instead
            parts = relative.parts
            if templated:
                parts = (*parts[:-1], parts[-1].removesuffix(self.suffix))
            if self.env.from_string(parts[-1]).render(self.base) == answers_file:
                continue  # the answers file is all the answers, by definition
            variables: set[str] = set()
            for part in parts:
                variables |= self._variables(part)
            destination = "/".join(self.env.from_string(part).render(self.base) for part in parts)
            for spec, when in self.owned:
                if spec.match_file(destination):
                    variables |= when
            if templated:
                variables |= self._variables(path.read_text())
            for key in list(variables):
                variables |= depends.get(key, set())
            yield TemplateFile(str(relative), parts, tuple(sorted(variables & choice)), templated)

    def _template(self, source: str) -> Template:
        if source not in self._templates:
            self._templates[source] = self.env.from_string(source)
        return self._templates[source]

    def context(self, answers: Answers) -> dict[str, Any]:
        context = {**self.base, **answers}
        for key, source in self.computed.items():
            value = self._template(source).render(context)
            context[key] = _typed(value, self.base.get(key))
        return context

    def projection(self, file: TemplateFile, answers: Answers) -> Projection:
        return tuple(hashable(answers.get(key)) for key in file.reads)

    def rendering(
        self, file: TemplateFile, answers: Answers, projection: Projection | None = None
    ) -> tuple[str | None, str]:
        """The file's path in the project (``None`` when it is left out) and its text."""
        return self._rendered(file, answers, projection)[:2]

    def units(
        self, file: TemplateFile, answers: Answers, projection: Projection | None = None
    ) -> tuple[str, ...]:
        """What the checks look at in the file: its text, or for a shared file that
        assembles pack pieces its own text (the pieces cut out) and then each piece's. Each
        distinct unit is one string, so a check cached by text runs once per unit."""
        path, text, cut = self._rendered(file, answers, projection)
        if path is None:
            return ()
        if cut is None:
            return (text,)
        own, pieces = cut
        return (own, *(piece for _, piece in pieces))

    def cut(self, file: TemplateFile, answers: Answers) -> tuple[str, list[Piece]] | None:
        """The file's own text and the pieces the chosen packs put in it, each a
        ``(piece, text)`` (``None`` when the file is left out or is not templated). A
        shared file that includes or imports pack pieces is checked as its own text plus
        each piece's, so that it varies only with what it says itself: a piece reads the
        answers it needs."""
        path, text, cut = self._rendered(file, answers)
        if path is None or not file.templated:
            return None
        return cut or (text, [])

    def plain(self, file: TemplateFile, answers: Answers) -> str:
        """The file rendered by Copier's own environment, no piece marked: what the
        rendering with marks removed must equal."""
        name = f"{self.subdirectory.name}/{file.source}".replace("\\", "/")
        return self.env.get_template(name).render(self.context(answers))

    def _rendered(
        self, file: TemplateFile, answers: Answers, projection: Projection | None = None
    ) -> tuple[str | None, str, tuple[str, list[Piece]] | None]:
        if projection is None:
            projection = self.projection(file, answers)
        key = (file.source, projection)
        if key not in self._renderings:
            self._renderings[key] = self._render(file, self.context(answers))
        return self._renderings[key]

    def _path(self, file: TemplateFile, context: dict[str, Any]) -> str | None:
        parts = [self._template(part).render(context) for part in file.parts]
        if not all(parts) or self._excluded(context).match_file("/".join(parts)):
            return None
        return "/".join(parts)

    def _render(
        self, file: TemplateFile, context: dict[str, Any]
    ) -> tuple[str | None, str, tuple[str, list[Piece]] | None]:
        """Renders with every pack piece's output marked (``_CuttingLoader``): the text is
        the rendering with the marks taken out, the cut its own text and pieces."""
        path = self._path(file, context)
        if path is None:
            return None, "", None
        if not file.templated:
            return path, (self.subdirectory / file.source).read_text(errors="replace"), None
        name = f"{self.subdirectory.name}/{file.source}".replace("\\", "/")
        marked = self._cutting.get_template(name).render(context)
        if "\x02" not in marked:
            return path, marked, None
        own = self._interned(PIECE.sub("", marked))
        pieces = [(match[1], self._interned(match[2])) for match in PIECE.finditer(marked)]
        if _MARKS.search(own) or any(_MARKS.search(text) for _, text in pieces):
            raise ValueError(f"{file.source}: a piece inside a piece, which the cut cannot split")
        return path, PIECE.sub(lambda match: match[2], marked), (own, pieces)

    def _interned(self, text: str) -> str:
        """One string per distinct text: the pieces repeat across thousands of renderings."""
        return self._texts.setdefault(text, text)

    def _excluded(self, context: dict[str, Any]) -> PathSpec:
        """Copier's ``_exclude`` under ``context``: each entry may render several
        patterns, one a line."""
        key = tuple(hashable(context.get(name)) for name in self.excluding)
        if key not in self._specs:
            lines = [line for entry in self.exclude for line in entry.render(context).splitlines()]
            self._specs[key] = PathSpec.from_lines(PATTERNS, [line for line in lines if line])
        return self._specs[key]

    def _files(self, answers: Answers) -> Iterator[tuple[TemplateFile, tuple[Any, ...]]]:
        """The combination's files, with their projections of the answers."""
        hashed = {key: hashable(value) for key, value in answers.items()}
        for reads, group in self.groups.items():
            projection = tuple(map(hashed.get, reads))
            for file in group:
                yield file, projection

    def project_units(self, answers: Answers) -> dict[str, tuple[str, ...]]:
        """``units`` of every file of the combination's project, by path."""
        found: dict[str, tuple[str, ...]] = {}
        for file, projection in self._files(answers):
            path = self.rendering(file, answers, projection)[0]
            if path is not None:
                found[path] = self.units(file, answers, projection)
        return found

    def project(self, answers: Answers) -> dict[str, str]:
        """Every file of the combination's project (but the answers file), by path."""
        files: dict[str, str] = {}
        for file, projection in self._files(answers):
            path, text = self.rendering(file, answers, projection)
            if path is not None:
                files[path] = text
        return dict(sorted(files.items()))


Piece = tuple[str, str]
PIECE = re.compile("\x02([^\x03]*)\x03(.*?)\x04", re.DOTALL)
"""A pack piece's output as the cutting environment marks it: ``\\x02name\\x03text\\x04``."""
_MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\([^)]*\)\s*(-?)%}")
_ENDMACRO = re.compile(r"{%(-?)\s*endmacro\b")
_ANY_MACRO = re.compile(r"{%-?\s*macro\b")
_RAW = re.compile(r"{%-?\s*raw\b")
_MARKS = re.compile("[\x02\x03\x04]")


class _CuttingLoader(BaseLoader):
    """The template's loader, but every pack piece (``packs/<pack>/...``, the slot macros of
    ``packs/slots/`` aside) marks its output: the whole of an included piece, each
    macro's body in an imported one. Whitespace control is kept as it was."""

    def __init__(self, loader: BaseLoader | None) -> None:
        assert loader is not None
        self.loader = loader

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Any]:
        source, filename, uptodate = self.loader.get_source(environment, template)
        if template.startswith("packs/") and not template.startswith("packs/slots/"):
            source = _marked(template.removeprefix("packs/"), source)
        return source, filename, uptodate


def _marked(name: str, source: str) -> str:
    """``source`` with its output marked. A piece the regular expressions cannot mark
    exactly (a macro signature with parentheses in it, a raw block) is refused rather
    than counted wrong."""
    if len(_MACRO.findall(source)) != len(_ANY_MACRO.findall(source)) or _RAW.search(source):
        raise ValueError(f"packs/{name}: a macro signature or raw block the matrix cannot mark")
    if _MACRO.search(source) is None:
        return f'{{{{ "\\x02{name}\\x03" }}}}{source}{{{{ "\\x04" }}}}'

    def start(match: re.Match[str]) -> str:
        strip = "-" if match[2] else ""
        return f'{match[0]}{{{{ "\\x02{name}#{match[1]}\\x03" {strip}}}}}'

    def end(match: re.Match[str]) -> str:
        return f'{{{{{match[1]} "\\x04" }}}}{match[0]}'

    return _ENDMACRO.sub(end, _MACRO.sub(start, source))


def expression(owned: Owned) -> str:
    """The condition of a pack's files as a template, for ``jinja2.meta``."""
    return f"{{{{ {owned.when} }}}}"


def _name_pattern(node: nodes.Expr) -> str | None:
    """A glob for the template names an include's expression can give, or None."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return glob.escape(node.value)
    if isinstance(node, nodes.Concat):
        parts = [_name_pattern(part) for part in node.nodes]
        return "".join(part if part is not None else "*" for part in parts)
    return None


def _referenced(tree: nodes.Template, root: Path) -> set[str]:
    """The files under ``root`` that the template's includes and imports can name."""
    found: set[str] = set()
    for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport)):
        targets = node.template.items if isinstance(node.template, nodes.List) else [node.template]
        for target in targets:
            pattern = _name_pattern(target)
            if pattern is None:
                raise ValueError(f"cannot tell which templates {target!r} names")
            found.update(str(path.relative_to(root)) for path in root.glob(pattern))
    return found


def digest(files: Mapping[str, str], prefixes: tuple[str, ...] = ()) -> str:
    hasher = hashlib.sha256()
    for name in sorted(files):
        if not prefixes or name.startswith(prefixes):
            hasher.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return hasher.hexdigest()


def _defined(body: list[ast.stmt]) -> Iterator[str]:
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            yield from (n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.TypeAlias) and isinstance(node.name, ast.Name):
            yield node.name.id
        elif isinstance(node, ast.Import | ast.ImportFrom):
            yield from ((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.If | ast.Try | ast.With):
            yield from _defined(node.body)
            yield from _defined(getattr(node, "orelse", []))


def module_names(files: Mapping[str, str]) -> dict[str, str]:
    """The project's importable modules (``src/``, ``tests/``, and ``loadtest/``, whose
    files Locust imports as top-level modules), by dotted name."""
    modules: dict[str, str] = {}
    for name in files:
        if not name.endswith(".py") or not name.startswith(("src/", "tests/", "loadtest/")):
            continue
        dotted = name.removeprefix("src/").removeprefix("loadtest/")
        dotted = dotted.removesuffix(".py").replace("/", ".")
        modules[dotted.removesuffix(".__init__")] = name
    return modules


@functools.cache
def defined(text: str) -> frozenset[str]:
    return frozenset(_defined(ast.parse(text).body))


@functools.cache
def imports(dotted: str, is_package: bool, text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``(module, names)`` for each import in the module (names empty for ``import x``)."""
    found: list[tuple[str, tuple[str, ...]]] = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = dotted.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            found.append((target, tuple(alias.name for alias in node.names)))
        elif isinstance(node, ast.Import):
            found += [(alias.name, ()) for alias in node.names]
    return tuple(found)


def unresolved_imports(files: Mapping[str, str], generated: str = "_pb2") -> list[str]:
    """Imports of the project's own modules that name a module or a name it lacks.

    What an import of the project needs, read statically: the module exists in this
    combination's project and defines the name (or has it as a submodule). Modules that a
    Copier task generates (gRPC stubs, whose names contain ``generated``) are not checked.
    """
    modules = module_names(files)
    packages = {
        ".".join(dotted.split(".")[:depth])
        for dotted in modules
        for depth in range(1, dotted.count(".") + 1)
    }
    roots = {dotted.split(".")[0] for dotted in modules}
    missing: list[str] = []
    for dotted, name in modules.items():
        for target, names in imports(dotted, name.endswith("__init__.py"), files[name]):
            if target.split(".")[0] not in roots or generated in target:
                continue
            if target not in modules and target not in packages:
                missing.append(f"{name}: no module {target}")
                continue
            names_there = defined(files[modules[target]]) if target in modules else frozenset()
            missing += [
                f"{name}: {target} has no {alias}"
                for alias in names
                if generated not in alias
                and alias != "*"
                and alias not in names_there
                and f"{target}.{alias}" not in modules
                and f"{target}.{alias}" not in packages
            ]
    return missing
