"""The names a rendered service must not take: every top-level module and distribution of
every dependency any render can have, read from an environment that has them all installed.

    uv run python -m scripts.reserved_names PYTHON > extensions/reserved_names.json

PYTHON is that environment's interpreter (the template's tests build one: the union of the
dependencies of the renders that, together, need every package). ``extensions/naming.py``
refuses a package name that is one of the modules (it would shadow the dependency) and a
project slug that is one of the distributions (the project would depend on itself).
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import importlib.metadata as metadata, json, re
modules = sorted(name for name in metadata.packages_distributions() if name.isidentifier())
distributions = sorted(
    {re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower() for d in metadata.distributions()}
)
print(json.dumps({"modules": modules, "distributions": distributions}))
"""


def reserved_names(python: str) -> dict[str, list[str]]:
    result = subprocess.run([python, "-c", PROBE], check=True, capture_output=True, text=True)
    names: dict[str, list[str]] = json.loads(result.stdout)
    return names


if __name__ == "__main__":
    print(json.dumps(reserved_names(sys.argv[1]), indent=1))
