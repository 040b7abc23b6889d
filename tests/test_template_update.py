"""The rendered ``.github/template_update.py``, the script part of the update pull request
workflow, against a local template repository with two releases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.template import ROOT
from tests.test_update import commit_all, copy, copy_this_tree, git

FIRST, SECOND = "1.0.0", "1.1.0"


def with_section(changelog: Path, version: str, text: str) -> None:
    title, rest = changelog.read_text().split("\n## ", 1)
    changelog.write_text(f"{title}\n## {version}\n\n{text}\n\n## {rest}")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("template")
    copy_this_tree(repo)
    git(repo, "init", "-q")
    with_section(repo / "CHANGELOG.md", FIRST, "- The first release of this test.")
    commit_all(repo, f"release {FIRST}")
    git(repo, "tag", FIRST)

    health = repo / "template/src/{{ package_name }}/health.py"
    health.write_text(
        health.read_text().replace("timeout_seconds: float = 2.0", "timeout_seconds: float = 1.5")
    )
    with_section(repo / "CHANGELOG.md", SECOND, "- Health checks give up after 1.5 s.")
    commit_all(repo, f"release {SECOND}")
    git(repo, "tag", SECOND)
    return repo


def update_script(project: Path, tmp_path: Path) -> tuple[str, dict[str, str], str]:
    """Runs the service's script as the workflow does; returns what it printed, its
    outputs, and the body it wrote ("" if none)."""
    tmp_path.mkdir(exist_ok=True)
    body, outputs = tmp_path / "body.md", tmp_path / "outputs"
    outputs.write_text("")
    done = subprocess.run(
        [sys.executable, ".github/template_update.py", "--body", str(body)],
        cwd=project,
        env={**os.environ, "GITHUB_OUTPUT": str(outputs)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return done.stdout, written, body.read_text() if body.exists() else ""


def test_an_update_brings_the_newest_release_and_its_changelog(
    template: Path, tmp_path: Path
) -> None:
    project = copy(template, FIRST, tmp_path / "svc")

    printed, outputs, body = update_script(project, tmp_path)

    assert outputs == {"updated": "true", "from": FIRST, "to": SECOND, "conflicts": "0"}
    assert f"_commit: {SECOND}" in (project / ".copier-answers.yml").read_text()
    assert "timeout_seconds: float = 1.5" in (project / "src/my_service/health.py").read_text()
    assert f"from the template's {FIRST} to {SECOND}" in body
    assert "No conflicts" in body
    assert f"#### {SECOND}\n\n- Health checks give up after 1.5 s." in body
    assert "The first release of this test" not in body, "the service had that one already"
    assert "#### 0." not in body

    commit_all(project, "the update")
    printed, outputs, body = update_script(project, tmp_path / "again")
    assert outputs == {"updated": "false", "from": SECOND, "to": SECOND, "conflicts": "0"}
    assert "already at the newest release" in printed
    assert body == ""


def test_a_file_the_team_changed_on_the_same_lines_is_listed_as_a_conflict(
    template: Path, tmp_path: Path
) -> None:
    project = copy(template, FIRST, tmp_path / "svc")
    health = project / "src/my_service/health.py"
    health.write_text(
        health.read_text().replace("timeout_seconds: float = 2.0", "timeout_seconds: float = 3.0")
    )
    commit_all(project, "slower health checks")

    _, outputs, body = update_script(project, tmp_path)

    assert outputs["updated"] == "true"
    assert outputs["conflicts"] == "1"
    assert "### Conflicts (1)\n" in body
    assert "- `src/my_service/health.py`" in body
    assert "<<<<<<< " in health.read_text()


def test_a_directory_without_answers_gets_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / ".copier-answers.yml").write_text("name: not a service\n")
    script = ROOT / "template/.github"
    done = subprocess.run(
        [sys.executable, str(script / "template_update.py"), "--body", "b.md"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "does not record a Copier template" in done.stderr


def test_the_body_starts_after_the_release_a_describe_commit_follows() -> None:
    """A service updated to a commit after a release records ``git describe``."""
    script = ROOT / "template/.github"
    sys.path.insert(0, str(script))
    try:
        import template_update  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(script))
    notes = "# Changelog\n\n## 1.2.0\n\n- Third.\n\n## 1.1.0\n\n- Second.\n\n## 1.0.0\n\n- First.\n"

    found = template_update.sections_between(notes, "1.0.0-3-gabc1234", "1.2.0")

    assert [version for version, _ in found] == ["1.2.0", "1.1.0"]
    assert template_update.clone_url("gh:acme/template") == "https://github.com/acme/template.git"
    assert template_update.clone_url("git+https://example.com/t.git") == "https://example.com/t.git"
    body = template_update.body("1.0.0", "1.1.0", "gh:acme/t", [], None)
    assert "could not be read from `gh:acme/t`" in body
