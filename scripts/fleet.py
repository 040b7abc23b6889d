"""Where a fleet of services stands against this template's releases.

    uv run python -m scripts.fleet ../orders-service ../billing-service ...

Reads the ``.copier-answers*.yml`` of each service checkout given (a directory, or an
answers file itself; several answers files in one directory are each a row) and prints a
table: the service, the template release it was rendered or last updated from, the answers
that differ from the template's defaults, and each newer release of this template with the
first line of its CHANGELOG section. A path that is no rendered service gets a line saying
why, and the exit status is 1.
"""

from __future__ import annotations

import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

from scripts.combinations import choice_keys, questions
from scripts.releases import ROOT, Section, sections

# A release's name, or Copier's ``git describe`` of a commit after one: "0.7.0-3-gabc1234".
RELEASE = re.compile(r"v?(\d+(?:\.\d+)+(?:(?:a|b|rc)\d+)?)(?:-\d+-g[0-9a-f]+)?")


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    version: str
    answers: dict[str, object]


def find(path: Path) -> tuple[list[Service], str]:
    """The services ``path`` holds, or why it holds none."""
    if path.is_dir():
        files = sorted(path.glob(".copier-answers*.yml"))
        if not files:
            return [], f"{path}: not a rendered service (no .copier-answers*.yml in it)"
    elif path.is_file():
        files = [path]
    else:
        return [], f"{path}: no such file or directory"
    found = []
    for file in files:
        try:
            answers = yaml.safe_load(file.read_text())
        except (OSError, yaml.YAMLError) as error:
            return [], f"{file}: unreadable answers file ({error})"
        if not isinstance(answers, dict) or "_commit" not in answers:
            return [], f"{file}: not rendered by Copier (no _commit recorded)"
        name = file.parent.resolve().name
        suffix = file.name.removeprefix(".copier-answers").removesuffix(".yml").strip(".")
        found.append(
            Service(f"{name} ({suffix})" if suffix else name, str(answers["_commit"]), answers)
        )
    return found, ""


def release_of(commit: str) -> Version | None:
    match = RELEASE.fullmatch(commit)
    try:
        return Version(match[1]) if match else None
    except InvalidVersion:
        return None


def behind(releases: list[Section], commit: str) -> list[str]:
    """A line for each release after ``commit``, newest first."""
    current = release_of(commit)
    if current is None:
        return [f"not a release: the newest is {releases[0].version}" if releases else "?"]
    lines = [
        f"{section.version}: {headline(section)}"
        for section in releases
        if Version(section.version) > current
    ]
    return lines or ["up to date"]


def headline(section: Section) -> str:
    """The first line of the section's first entry, without its bullet."""
    first = section.text.strip().splitlines()[0] if section.text.strip() else ""
    return textwrap.shorten(first.removeprefix("- "), width=72, placeholder=" ...")


def summary(answers: dict[str, object], defaults: dict[str, object]) -> str:
    """The option answers that differ from the template's defaults."""

    def shown(value: object) -> str:
        return "+".join(map(str, value)) if isinstance(value, list) else str(value)

    changed = [
        f"{key}={shown(answers[key])}"
        for key, default in defaults.items()
        if key in answers and answers[key] != default
    ]
    return " ".join(changed) or "defaults"


def table(services: list[Service], releases: list[Section], defaults: dict[str, object]) -> str:
    rows = [("service", "release", "answers", "behind")]
    for service in services:
        lines = behind(releases, service.version)
        answers = summary(service.answers, defaults)
        rows.append((service.name, service.version, answers, lines[0]))
        rows += [("", "", "", line) for line in lines[1:]]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)), row[3]]
        ).rstrip()
        for row in rows
    )


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    services: list[Service] = []
    problems = []
    for argument in argv:
        found, problem = find(Path(argument))
        services += found
        if problem:
            problems.append(problem)
    releases = sections((ROOT / "CHANGELOG.md").read_text())
    if services:
        options = questions()
        defaults = {key: options[key].get("default") for key in choice_keys()}
        print(table(services, releases, defaults))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
