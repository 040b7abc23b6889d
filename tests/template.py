"""Rendering the template and reading its questions, shared by the template's tests."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import copier
import httpx

ROOT = Path(__file__).resolve().parents[1]
JINJA_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|\{#")


def render(destination: Path, *, template: Path = ROOT, ref: str = "HEAD", **answers: Any) -> Path:
    """Renders ``template`` at git ``ref``; by default this working tree, uncommitted
    changes included."""
    copier.run_copy(
        str(template),
        str(destination),
        data=answers,
        defaults=True,
        unsafe=True,
        vcs_ref=ref,
        quiet=True,
    )
    return destination


def leftovers(project: Path) -> list[str]:
    """Files still named ``.jinja`` or holding Jinja syntax after rendering."""
    found = []
    for path in project.rglob("*"):
        if ".venv" in path.parts or not path.is_file():
            continue
        if path.suffix == ".jinja":
            found.append(f"{path}: .jinja suffix")
        elif JINJA_LEFTOVER.search(path.read_text(errors="replace")):
            found.append(f"{path}: Jinja syntax")
    return found


def wait_for_http(url: str, attempts: int = 100) -> None:
    """Returns once ``url`` answers at all (a freshly started server), or after the attempts."""
    for _ in range(attempts):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
