"""Every use of Copier's private API by the template's tests, in this one module.

Copier's public API renders and updates projects (``copier.run_copy``, ``copier.run_update``).
The tests need two things it does not offer: the Jinja environment and context Copier renders
each file with (``tests/matrix.py`` renders every template file once per distinct input with
them), and cheaper renders of one template hundreds of times in one process
(``tests.template.fast_rendering``). The private names used, and why:

- ``copier._main.Worker`` (``copier.Worker`` is deprecated as internal): one render's state.
  Built with the fields ``src_path``, ``dst_path``, ``defaults``, ``unsafe``, ``quiet``,
  ``vcs_ref`` and ``skip_tasks``, and used as a context manager, as ``run_copy`` does.
- ``Worker._ask()``: answers the questions (their defaults) without rendering anything.
- ``Worker.jinja_env``: Copier's own Jinja environment (its delimiters, filters and the
  template's Jinja extensions), so that the matrix renders each file exactly as Copier does.
- ``Worker._render_context()``: the context each file is rendered with (``_copier_conf``,
  ``_copier_answers``, ``_copier_python``...), the base each combination's answers go on.
- ``Worker.answers_relpath``: where the answers file goes; the matrix leaves that file out.
- ``Worker._render_template``: wrapped, so that the answers to remember are worked out once
  per render while its files are rendered; they are settled by then.
- ``Worker._answers_to_remember``: answers with those settled answers during the wrapped
  ``_render_template``; Copier calls it for the context of every path part of every file.
- ``Worker._sync_git_index_executable_bit``: made a no-op. It runs ``git update-index`` per
  file, which does nothing outside a git repository, and the tests' destinations never are.
- ``copier._template.load_template_config``: replaced by one that parses each ``copier.yml``
  once; each render gets a deep copy of what it returned.

Checked on Copier 9.19.1 (``CHECKED_ON``), within the range that ``pyproject.toml`` and
``scripts/render.sh`` pin. ``PRIVATE_NAMES`` lists each name with the parameters relied on, and
``tests/test_copier_internals.py`` fails, naming the name and the installed Copier version, when
one is gone or its parameters changed.
"""

from __future__ import annotations

import copy
import importlib
import inspect
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import copier
import jinja2
import pytest

CHECKED_ON = "9.19.1"

try:
    from copier import _template
    from copier._main import Worker
except ImportError as error:
    raise ImportError(
        f"Copier {copier.__version__}: {error}. tests/copier_internals.py relies on it "
        f"(checked on Copier {CHECKED_ON})"
    ) from error


@dataclass(frozen=True)
class PrivateName:
    """A private Copier name used here and, where it is called or replaced, its parameters."""

    module: str
    qualname: str
    parameters: tuple[str, ...] | None = None
    """The parameters, exactly; ``None`` where only the name's presence matters."""
    among: bool = False
    """Whether ``parameters`` need only be among the name's (keyword arguments passed)."""

    def __str__(self) -> str:
        return f"{self.module}.{self.qualname}"

    def resolve(self) -> Any:
        """The object named; ``ImportError`` or ``AttributeError`` when it is gone."""
        found: Any = importlib.import_module(self.module)
        for part in self.qualname.split("."):
            found = inspect.getattr_static(found, part)
        return found


WORKER_FIELDS = ("src_path", "dst_path", "defaults", "unsafe", "quiet", "vcs_ref", "skip_tasks")

PRIVATE_NAMES = (
    PrivateName("copier._main", "Worker", WORKER_FIELDS, among=True),
    PrivateName("copier._main", "Worker.__enter__", ("self",)),
    PrivateName("copier._main", "Worker.__exit__", ("self", "type", "value", "traceback")),
    PrivateName("copier._main", "Worker._ask", ("self",)),
    PrivateName("copier._main", "Worker.jinja_env"),
    PrivateName("copier._main", "Worker._render_context", ("self",)),
    PrivateName("copier._main", "Worker.answers_relpath"),
    PrivateName("copier._main", "Worker._render_template", ("self",)),
    PrivateName("copier._main", "Worker._answers_to_remember", ("self",)),
    PrivateName("copier._main", "Worker._sync_git_index_executable_bit"),
    PrivateName("copier._template", "load_template_config", ("conf_path", "quiet")),
)


@dataclass(frozen=True)
class CopierRendering:
    """What Copier renders a template's files with, under the default answers."""

    env: jinja2.Environment
    context: dict[str, Any]
    answers_file: str
    """The answers file's path in the project."""


@contextmanager
def copier_rendering(template: Path, destination: Path) -> Iterator[CopierRendering]:
    """Copier's Jinja environment, its render context and the answers file's path for
    ``template`` (a directory, read as it is, not from git), valid while the context is open;
    nothing is written to ``destination``."""
    with Worker(
        src_path=str(template),
        dst_path=destination,
        defaults=True,
        unsafe=True,
        quiet=True,
        vcs_ref=None,
        skip_tasks=True,
    ) as worker:
        worker._ask()
        yield CopierRendering(
            env=worker.jinja_env,
            context=dict(worker._render_context()),
            answers_file=str(worker.answers_relpath),
        )


@contextmanager
def rendering_shortcuts() -> Iterator[None]:
    """While open, Copier skips its per-file git index probe, parses each ``copier.yml``
    once, and works out the answers to remember once per render instead of once per path
    part; the files it renders are the same."""
    load_config = _template.load_template_config
    configs: dict[tuple[Path, bool], Any] = {}

    def load_config_once(conf_path: Path, quiet: bool = False) -> Any:
        key = (conf_path, quiet)
        if key not in configs:
            configs[key] = load_config(conf_path, quiet)
        return copy.deepcopy(configs[key])

    render_template = Worker._render_template
    remembered = Worker._answers_to_remember
    settled: dict[int, Mapping[str, Any]] = {}

    def render_template_with_settled_answers(self: Worker) -> None:
        settled[id(self)] = remembered(self)
        try:
            render_template(self)
        finally:
            del settled[id(self)]

    def answers_to_remember(self: Worker) -> Mapping[str, Any]:
        answers = settled.get(id(self))
        return dict(answers) if answers is not None else remembered(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Worker, "_sync_git_index_executable_bit", lambda *_: None)
        patch.setattr(_template, "load_template_config", load_config_once)
        patch.setattr(Worker, "_render_template", render_template_with_settled_answers)
        patch.setattr(Worker, "_answers_to_remember", answers_to_remember)
        yield
