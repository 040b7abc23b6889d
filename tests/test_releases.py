"""Releases come from the template's own files: the version in pyproject.toml heads the
CHANGELOG, the release workflow tags it, and each past release is found in the history."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from scripts import releases
from tests.test_deployment import check, tool

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github/workflows/release.yml"
RENDERED_FROM = ["template", "copier.yml", "packs", "extensions"]
"""What decides a rendered service's files."""


def changelog(*sections: tuple[str, str]) -> str:
    body = "".join(f"## {version}\n\n{text}\n\n" for version, text in sections)
    return f"# Changelog\n\nWhat each release brings.\n\n{body}"


def pyproject(version: str) -> str:
    return f'[project]\nname = "t"\nversion = "{version}"\n'


def test_the_version_heads_the_changelog_whose_versions_descend() -> None:
    pyproject_toml = (ROOT / "pyproject.toml").read_text()
    changelog_md = (ROOT / "CHANGELOG.md").read_text()

    assert releases.problems(pyproject_toml, changelog_md) == []
    assert releases.notes(changelog_md, releases.version_of(pyproject_toml)).strip()


@pytest.mark.parametrize(
    ("version", "text", "problem"),
    [
        ("0.3.0", changelog(("0.2.0", "- b"), ("0.1.0", "- a")), "pyproject.toml says 0.3.0"),
        ("0.2.0", changelog(("0.2.0", "- b"), ("0.2.0", "- a")), "0.2.0 after 0.2.0"),
        ("0.1.0", changelog(("0.1.0", "- b"), ("0.2.0", "- a")), "0.2.0 after 0.1.0"),
        ("0.2.0", changelog(("0.2.0", "- b"), ("later", "- a")), "'later' is no PEP 440"),
        ("0.2.0", changelog(("0.2.0", ""), ("0.1.0", "- a")), "0.2.0 says nothing"),
        ("0.1.0", "# Changelog\n", "no '## <version>' section"),
    ],
    ids=["not-bumped", "twice", "ascending", "not-pep-440", "empty", "no-section"],
)
def test_what_keeps_a_release_from_being_made_is_named(
    version: str, text: str, problem: str
) -> None:
    assert any(problem in error for error in releases.problems(pyproject(version), text))


def test_the_notes_of_a_release_are_its_section() -> None:
    text = changelog(("0.2.0", "- b\n- c"), ("0.1.0", "- a"))

    assert releases.notes(text, "0.2.0") == "- b\n- c\n"
    assert releases.notes(text, "0.1.0") == "- a\n"
    with pytest.raises(LookupError, match=r"no section 0\.3\.0"):
        releases.notes(text, "0.3.0")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


def test_release_points_are_the_last_commits_of_each_version(tmp_path: Path) -> None:
    """Where no tag was pushed, the history still says what each release was."""
    git(tmp_path, "init", "-q")
    one = changelog(("0.1.0", "- a"))
    commit(tmp_path, {"CHANGELOG.md": one, "pyproject.toml": pyproject("0.1.0")}, "0.1.0")
    commit(tmp_path, {"CHANGELOG.md": one.replace("- a", "- a, better")}, "an edit")
    published = commit(tmp_path, {"template.txt": "the last of 0.1.0"}, "no changelog change")
    two = changelog(("0.2.0", "- b"), ("0.1.0", "- a, better"))
    commit(tmp_path, {"CHANGELOG.md": two, "pyproject.toml": pyproject("0.2.0")}, "0.2.0")
    head = commit(tmp_path, {"template.txt": "more of 0.2.0"}, "work on 0.2.0")

    assert releases.points(tmp_path) == {"0.2.0": head, "0.1.0": published}


def test_this_repository_has_a_release_point_for_every_version() -> None:
    listed = [section.version for section in releases.sections((ROOT / "CHANGELOG.md").read_text())]
    found = releases.points()

    assert list(found) == listed, "every section was first at some commit, newest first"


def test_the_release_workflow_is_valid_and_releases_once() -> None:
    check(
        tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        str(WORKFLOW),
        cwd=ROOT,
    )
    workflow = yaml.safe_load(WORKFLOW.read_text())
    script = "\n".join(step.get("run", "") for step in workflow["jobs"]["release"]["steps"])

    assert workflow[True]["push"]["branches"] == ["main"], "YAML reads the key `on` as true"
    assert "python scripts/releases.py check" in script
    assert 'git rev-parse --quiet --verify "refs/tags/$version"' in script
    assert 'releases.py notes "$version"' in script
    assert workflow["permissions"] == {"contents": "write"}


def test_every_change_of_what_renders_comes_with_a_changelog_entry() -> None:
    """Since releases are tagged from these files (the commit that added the workflow), a
    commit that changes what a service renders changes CHANGELOG.md too, and so does the
    working tree's change."""
    start = git(ROOT, "log", "--diff-filter=A", "--format=%H", "--", str(WORKFLOW)).split()
    commits = (
        git(ROOT, "log", "--format=%H", f"{start[-1]}^..HEAD", "--", *RENDERED_FROM).split()
        if start
        else []  # the workflow is not committed yet: only the working tree counts
    )
    silent = [
        commit
        for commit in commits
        if "CHANGELOG.md" not in git(ROOT, "show", "--name-only", "--format=", commit).split()
    ]
    assert silent == [], "commits that change what renders without a CHANGELOG entry"
    changed = git(ROOT, "diff", "HEAD", "--name-only", "--", *RENDERED_FROM, "CHANGELOG.md")
    if changed.strip():
        assert "CHANGELOG.md" in changed.split(), "the working tree changes what renders"
