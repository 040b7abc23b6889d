"""The template's releases, read from its own files: a release is the version in
pyproject.toml with its section of CHANGELOG.md, and its git tag has the version's name.

    python scripts/releases.py version          # the version pyproject.toml announces
    python scripts/releases.py check            # it heads CHANGELOG.md, whose versions descend
    python scripts/releases.py notes VERSION    # the CHANGELOG section of VERSION
    python scripts/releases.py points           # each version, and the last commit it was current

Only the main branch is published, so the release workflow (.github/workflows/release.yml)
tags each new version from these files. The release points come from the history alone,
so they hold where no tag was ever pushed.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
HEADING = re.compile(r"^## (?P<version>\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Section:
    version: str
    text: str
    """The section's body, without its heading."""


def sections(changelog: str) -> list[Section]:
    """The sections of a CHANGELOG, newest first, as they are written."""
    headings = list(HEADING.finditer(changelog))
    ends = [heading.start() for heading in headings[1:]] + [len(changelog)] * bool(headings)
    return [
        Section(heading["version"], changelog[heading.end() : end].strip("\n") + "\n")
        for heading, end in zip(headings, ends, strict=True)
    ]


def version_of(pyproject: str) -> str:
    return str(tomllib.loads(pyproject)["project"]["version"])


def problems(pyproject: str, changelog: str) -> list[str]:
    """What keeps these files from making a release; none when they agree."""
    found = sections(changelog)
    if not found:
        return ["CHANGELOG.md has no '## <version>' section"]
    errors = []
    version = version_of(pyproject)
    if found[0].version != version:
        errors.append(
            f"pyproject.toml says {version}, but CHANGELOG.md's newest section is "
            f"{found[0].version}: bump both in the same change"
        )
    parsed: list[Version] = []
    for section in found:
        try:
            parsed.append(Version(section.version))
        except InvalidVersion:
            errors.append(f"CHANGELOG.md section {section.version!r} is no PEP 440 version")
        if not section.text.strip():
            errors.append(f"CHANGELOG.md section {section.version} says nothing")
    for newer, older in itertools.pairwise(parsed):
        if not newer > older:
            errors.append(f"CHANGELOG.md lists {older} after {newer}: newest first, each once")
    return errors


def notes(changelog: str, version: str) -> str:
    for section in sections(changelog):
        if section.version == version:
            return section.text
    raise LookupError(f"CHANGELOG.md has no section {version}")


def points(root: Path = ROOT) -> dict[str, str]:
    """Each version CHANGELOG.md ever put first on the first-parent history, with the newest
    commit where it was still first: what was published as that release."""
    changes = git(root, "log", "--first-parent", "--format=%H", "--", "CHANGELOG.md").split()
    found: dict[str, str] = {}
    newer: str | None = None  # the commit that put a newer version first
    for commit in changes:
        section = sections(git(root, "show", f"{commit}:CHANGELOG.md"))
        if not section:
            break
        version = section[0].version
        if version not in found:
            found[version] = git(root, "rev-parse", f"{newer}^" if newer else "HEAD").strip()
        newer = commit
    return found


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def main(argv: list[str]) -> int:
    pyproject = (ROOT / "pyproject.toml").read_text()
    changelog = (ROOT / "CHANGELOG.md").read_text()
    match argv:
        case ["version"]:
            print(version_of(pyproject))
        case ["check"]:
            errors = problems(pyproject, changelog)
            for error in errors:
                print(error, file=sys.stderr)
            return 1 if errors else 0
        case ["notes", version]:
            try:
                print(notes(changelog, version), end="")
            except LookupError as error:
                print(error, file=sys.stderr)
                return 1
        case ["points"]:
            for version, commit in points().items():
                print(version, commit)
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
