"""Updates this service to the template's newest release and writes the pull request's body.

    uv run --no-project --with copier==9.19.1 --with copier-template-extensions==0.3.4 \\
        python .github/template_update.py --body template-update.md

Runs ``copier update --defaults`` (the newest release, the recorded answers), then writes
the body: the versions, the files left with conflicts, and the template's CHANGELOG
sections between the two versions. With ``GITHUB_OUTPUT`` set (in a workflow), it also
writes ``updated`` (``true``/``false``), ``from``, ``to`` and ``conflicts`` (a count). The workflow
``template-update.yml`` runs it, then the service's checks, then opens or refreshes one
pull request.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import copier
import yaml
from packaging.version import InvalidVersion, Version

ANSWERS = ".copier-answers.yml"
HEADING = re.compile(r"^## (\S+)\s*$", re.MULTILINE)
# A release, or Copier's ``git describe`` of a commit after one: "0.7.0-3-gabc1234".
RELEASE = re.compile(r"v?(\d+(?:\.\d+)+(?:(?:a|b|rc)\d+)?)(?:-\d+-g[0-9a-f]+)?")
# Copier's shorthands for hosted templates; its own expansion is internal to it.
SHORTHANDS = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}
GIT = shutil.which("git") or "git"
CONFLICT = "<" * 7 + " "  # spelt out, so that this file holds no marker itself


def recorded(project: Path) -> dict[str, object]:
    answers = yaml.safe_load((project / ANSWERS).read_text())
    if not isinstance(answers, dict) or "_src_path" not in answers:
        raise SystemExit(f"{project / ANSWERS} does not record a Copier template")
    return answers


def git(cwd: Path, *arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    # Every argument is this script's own or read from the answers file; none is a shell's.
    return subprocess.run(  # noqa: S603
        [GIT, *arguments], cwd=cwd, check=check, capture_output=True, text=True
    )


def conflicted(project: Path) -> list[str]:
    """Files the update could not merge: inline conflict markers, or a rejected hunk."""
    marked = git(project, "grep", "-l", "-e", f"^{CONFLICT}", check=False).stdout.split()
    untracked = git(project, "ls-files", "--others", "--exclude-standard").stdout.split()
    rejected = [name for name in untracked if name.endswith(".rej")]
    return sorted({*marked, *rejected})


def clone_url(source: str) -> str:
    for short, host in SHORTHANDS.items():
        if source.startswith(short):
            return host + source.removeprefix(short).removesuffix(".git") + ".git"
    return source.removeprefix("git+")


def changelog(source: str, version: str) -> str | None:
    """The template's CHANGELOG.md as released in ``version``; None if it cannot be read."""
    with tempfile.TemporaryDirectory() as folder:
        clone = git(
            Path(folder),
            *("clone", "--quiet", "--depth", "1", "--branch", version, clone_url(source), "t"),
            check=False,
        )
        path = Path(folder, "t", "CHANGELOG.md")
        return path.read_text() if clone.returncode == 0 and path.exists() else None


def _version(text: str) -> Version | None:
    match = RELEASE.fullmatch(text)
    try:
        return Version(match[1]) if match else None
    except InvalidVersion:
        return None


def sections_between(text: str, old: str, new: str) -> list[tuple[str, str]]:
    """The CHANGELOG sections after ``old`` up to ``new``, newest first."""
    low, high = _version(old), _version(new)
    if high is None:
        return []
    headings = list(HEADING.finditer(text))
    found = []
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        version = _version(heading[1])
        end = following.start() if following else len(text)
        if version is not None and version <= high and (low is None or version > low):
            found.append((heading[1], text[heading.end() : end].strip()))
    return found


def body(old: str, new: str, source: str, conflicts: list[str], notes: str | None) -> str:
    lines = [
        f"Updates this service from the template's {old} to {new} "
        f"(`copier update --defaults` from `{source}`).",
        "",
    ]
    if conflicts:
        lines += [
            f"### Conflicts ({len(conflicts)})",
            "",
            "The update could not merge these files with the service's own changes: "
            "resolve the conflict markers (or the `.rej` hunks) and push to this branch.",
            "",
            *(f"- `{name}`" for name in conflicts),
            "",
        ]
    else:
        lines += ["No conflicts: every change of the template merged with the service's.", ""]
    lines += ["### What the template changed", ""]
    if notes is None:
        lines += [f"(The template's CHANGELOG.md at {new} could not be read from `{source}`.)", ""]
        return "\n".join(lines)
    sections = sections_between(notes, old, new)
    if not sections:
        lines += ["(The template's CHANGELOG names no release in between.)", ""]
    for version, text in sections:
        lines += [f"#### {version}", "", text, ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body", type=Path, required=True, help="where to write the PR body")
    parser.add_argument("--project", type=Path, default=Path())
    arguments = parser.parse_args()
    project = arguments.project.resolve()

    before = recorded(project)
    copier.run_update(str(project), defaults=True, overwrite=True, unsafe=True, quiet=True)
    after = recorded(project)
    old, new, source = str(before["_commit"]), str(after["_commit"]), str(after["_src_path"])
    updated = old != new
    conflicts = conflicted(project) if updated else []
    if updated:
        notes = changelog(source, new)
        arguments.body.write_text(body(old, new, source, conflicts, notes))
        print(f"updated from {old} to {new}, {len(conflicts)} files with conflicts")
    else:
        print(f"already at the newest release, {old}")
    if output := os.environ.get("GITHUB_OUTPUT"):
        with open(output, "a") as sink:
            sink.write(f"updated={str(updated).lower()}\nfrom={old}\nto={new}\n")
            sink.write(f"conflicts={len(conflicts)}\n")


if __name__ == "__main__":
    main()
