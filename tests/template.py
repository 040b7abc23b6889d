"""Rendering the template and reading its questions, shared by the template's tests."""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import copier
import httpx
import jinja2
import pytest
from plumbum import local

from tests.copier_internals import rendering_shortcuts

ROOT = Path(__file__).resolve().parents[1]
JINJA_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|\{#")


def render(
    destination: Path,
    *,
    template: Path = ROOT,
    ref: str | None = "HEAD",
    skip_tasks: bool = False,
    **answers: Any,
) -> Path:
    """Renders ``template`` at git ``ref``; by default this working tree, uncommitted
    changes included. ``ref=None`` renders a template directory that is not a repository.
    ``skip_tasks`` leaves out what the Copier tasks generate (gRPC stubs, a development
    key, the lock, the contracts)."""
    # Copier runs its tasks in plumbum's environment, a copy of os.environ that plumbum took
    # when it was imported: what was set since (a test's monkeypatch) reaches the tasks only
    # through it. Restored on the way out.
    with local.env():
        local.env.clear()
        local.env.update(os.environ, UV_PROJECT_ENVIRONMENT=str(task_environment()))
        copier.run_copy(
            str(template),
            str(destination),
            data=answers,
            defaults=True,
            unsafe=True,
            vcs_ref=ref,
            quiet=True,
            skip_tasks=skip_tasks,
        )
    return destination


@functools.cache
def task_environment() -> Path:
    """Where the tasks of the renders of this process (an xdist worker) install the service
    to write its contracts, instead of a ``.venv`` of each service's own: one environment
    that ``uv run`` syncs to each service's lock, keeping what it already has, and whose
    compiled bytecode the next render reuses. A fresh environment per render spent three
    of the contracts' four seconds installing and compiling. A test that runs a service's
    own suite syncs its ``.venv`` first, as a team would."""
    folder = Path(tempfile.gettempdir()) / f"template-tasks-{os.getpid()}"
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_http(url: str, attempts: int = 100) -> None:
    """Returns once ``url`` answers at all (a freshly started server), or after the attempts."""
    for _ in range(attempts):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)


def working_copy(destination: Path) -> Path:
    """What copier reads of this working tree (questions, extensions, packs, ``template/``), copied
    outside git, so that rendering it many times skips a clone per render."""
    shutil.copy2(ROOT / "copier.yml", destination / "copier.yml")
    for folder in ("extensions", "packs", "template"):
        shutil.copytree(
            ROOT / folder, destination / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return destination


_compile_source = jinja2.Environment.compile
_compiled: dict[tuple[Any, ...], Any] = {}


def _compile_once(
    self: jinja2.Environment,
    source: Any,
    name: str | None = None,
    filename: str | None = None,
    raw: bool = False,
    defer_init: bool = False,
) -> Any:
    """``Environment.compile``, once per source and the settings the compiled code depends
    on: the syntax (delimiters, whitespace, line prefixes), the extensions (their tags), and
    how output is escaped and finalized. The answers only come in when the compiled code
    runs, so every render of any release with the same settings shares it (Jinja would fold
    a filter on a constant at compile time, with that render's filter: the template has no
    such expression, so an old release's filters never leak into a render). Not the file
    name: a render from git reads the template from a clone of its own, a new name each
    time (keyed by it, the cache grew 2.7 MB a render and hit nothing); the name only
    appears in a traceback, which may then name another clone's copy of the same text."""
    if not isinstance(source, str):
        # A parsed expression (``compile_expression``): a new object each time, never a hit.
        return _compile_source(self, source, name, filename, raw, defer_init)
    escaping = self.autoescape if isinstance(self.autoescape, bool) else id(self.autoescape)
    settings = (
        type(self),
        self.block_start_string,
        self.block_end_string,
        self.variable_start_string,
        self.variable_end_string,
        self.comment_start_string,
        self.comment_end_string,
        self.line_statement_prefix,
        self.line_comment_prefix,
        self.trim_blocks,
        self.lstrip_blocks,
        self.newline_sequence,
        self.keep_trailing_newline,
        tuple(sorted(self.extensions)),
        escaping,
        self.finalize is None,
        self.optimized,
        self.is_async,
    )
    key = (source, name, raw, defer_init, settings)
    if key not in _compiled:
        _compiled[key] = _compile_source(self, source, name, filename, raw, defer_init)
    return _compiled[key]


@contextmanager
def compiled_once() -> Iterator[None]:
    """Jinja compiles each distinct template source once, instead of once per render: a
    render of the default service without its tasks took 2.3 s, 1.4 s with its sources
    compiled before. Copier's ``{% yield %}`` extension resets its state when it compiles a
    source; the template has no such tag, so nothing depends on that reset."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jinja2.Environment, "compile", _compile_once)
        yield


@contextmanager
def fast_rendering() -> Iterator[None]:
    """Makes rendering the same template hundreds of times in one process about 4x faster.

    - Jinja compiles each distinct source (file contents and file-name templates) once
      instead of once per render (``compiled_once``).
    - Copier's per-file ``git update-index`` probe is skipped: the destinations are never
      inside a git repository, where it does nothing anyway.
    - ``copier.yml`` is parsed once, not once per render (each render gets its own copy).
    - While the files are rendered, the answers to remember (part of the Jinja context,
      built for every path part) are worked out once: they are settled by then.

    The last three go through Copier's private API: ``tests.copier_internals`` does them.
    """
    with compiled_once(), rendering_shortcuts():
        yield
