"""Rendering the template and reading its questions, shared by the template's tests."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import copier
import yaml

ROOT = Path(__file__).resolve().parents[1]
JINJA_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|\{#")


def render(destination: Path, **answers: Any) -> Path:
    """Renders the working tree of the template (uncommitted changes included)."""
    copier.run_copy(
        str(ROOT),
        str(destination),
        data=answers,
        defaults=True,
        unsafe=True,
        vcs_ref="HEAD",
        quiet=True,
    )
    return destination


@functools.cache
def questions() -> dict[str, dict[str, Any]]:
    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    return {key: value for key, value in config.items() if not key.startswith("_")}


def choices(question: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """The enabled and the disabled values of a question with choices."""
    enabled, disabled = [], []
    raw = question.get("choices", [])
    items = raw.items() if isinstance(raw, dict) else ((value, value) for value in raw)
    for _, value in items:
        if isinstance(value, dict):
            (disabled if value.get("validator") else enabled).append(value["value"])
        else:
            enabled.append(value)
    return enabled, disabled


def single_answer_variants() -> list[dict[str, Any]]:
    """Each enabled value of each choice question, one at a time, the rest left default.

    Derived from copier.yml, so a newly enabled choice is rendered without editing tests.
    """
    variants: list[dict[str, Any]] = [{}]
    for key, question in questions().items():
        # Conditional questions (``when``) are covered with the answers that ask them.
        if "when" in question or "choices" not in question:
            continue
        enabled, _ = choices(question)
        default = question.get("default")
        for value in enabled:
            answer = [value] if question.get("multiselect") else value
            if answer != default:
                variants.append({key: answer})
        if question.get("multiselect") and len(enabled) > 1:
            variants.append({key: enabled})
    return variants


def variant_id(answers: dict[str, Any]) -> str:
    if not answers:
        return "defaults"
    return ",".join(
        f"{key}={'+'.join(value) if isinstance(value, list) else value}"
        for key, value in answers.items()
    )


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
