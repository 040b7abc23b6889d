"""The private Copier names ``tests/copier_internals.py`` relies on are still there, as they were.

A Copier release may rename or change any of them without notice; this says which one, and
in which version, before a render fails somewhere less clear.
"""

from __future__ import annotations

import inspect
import tomllib
from typing import NoReturn

import copier
import pytest
from packaging.requirements import Requirement

from tests.copier_internals import CHECKED_ON, PRIVATE_NAMES, PrivateName
from tests.template import ROOT


def fail(name: PrivateName, problem: str) -> NoReturn:
    pytest.fail(
        f"Copier {copier.__version__} (installed): {name} {problem}. "
        f"tests/copier_internals.py relies on it (checked on Copier {CHECKED_ON})",
        pytrace=False,
    )


@pytest.mark.parametrize("name", PRIVATE_NAMES, ids=str)
def test_copier_still_has_the_private_name(name: PrivateName) -> None:
    try:
        found = name.resolve()
    except (ImportError, AttributeError) as error:
        fail(name, f"is gone ({error})")
    if name.parameters is None:
        return
    parameters = tuple(inspect.signature(found).parameters)
    if name.among:
        missing = [parameter for parameter in name.parameters if parameter not in parameters]
        if missing:
            fail(name, f"takes no {', '.join(missing)} (its parameters: {parameters})")
    elif parameters != name.parameters:
        fail(name, f"takes {parameters} instead of {name.parameters}")


def test_the_checked_copier_is_the_one_pinned_and_the_render_script_runs() -> None:
    """``pyproject.toml`` allows the Copier the private names were checked on, and
    ``scripts/render.sh`` runs the same range, so that what users render with is what the
    tests render with."""
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    pins = {Requirement(spec).name: spec for spec in dev if spec.startswith("copier")}
    assert set(pins) == {"copier", "copier-template-extensions"}
    allowed = Requirement(pins["copier"]).specifier
    assert CHECKED_ON in allowed, f"{pins['copier']} leaves out {CHECKED_ON}, the one checked"
    script = (ROOT / "scripts/render.sh").read_text()
    assert [spec for spec in pins.values() if f"'{spec}'" not in script] == []
