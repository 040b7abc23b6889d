"""Generates the gRPC stubs under ``src/`` from the ``.proto`` files beside this script.

    uv run python protos/generate.py

Run it after every change to a ``.proto`` file and commit the result; a test fails while
the committed stubs differ from what this script generates. The grpcio-tools version is
pinned in pyproject.toml so that everyone generates the same bytes.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from importlib.resources import files
from importlib.util import find_spec
from pathlib import Path

PROTOS = Path(__file__).resolve().parent
PROJECT = PROTOS.parent


def generate(out: Path) -> list[Path]:
    """Writes the stubs of every ``.proto`` file under ``out``; returns the files written."""
    from grpc_tools import protoc  # type: ignore[import-untyped]

    well_known = files("grpc_tools") / "_proto"
    out.mkdir(parents=True, exist_ok=True)
    for proto in sorted(PROTOS.rglob("*.proto")):
        status = protoc.main(
            [
                "grpc_tools.protoc",
                f"--proto_path={PROTOS}",
                f"--proto_path={well_known}",
                f"--python_out={out}",
                f"--pyi_out={out}",
                f"--grpc_python_out={out}",
                str(proto),
            ]
        )
        if status != 0:
            raise SystemExit(f"protoc failed on {proto.relative_to(PROJECT)}")
    return sorted(out.rglob("*_pb2*"))


def pinned_grpcio_tools() -> str:
    """The ``grpcio-tools==...`` requirement of the dev group in pyproject.toml."""
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text())
    requirements: list[str] = config["dependency-groups"]["dev"]
    return next(r for r in requirements if re.match(r"grpcio-tools\s*==", r))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "src", help="default: src/")
    args = parser.parse_args()
    if find_spec("grpc_tools") is None:
        # Not installed here (a fresh render, say): run again with the pinned grpcio-tools.
        command = ["uv", "run", "--no-project", "--with", pinned_grpcio_tools(), "python"]
        sys.exit(subprocess.call([*command, __file__, "--out", str(args.out)]))  # noqa: S603
    generate(args.out)


if __name__ == "__main__":
    main()
