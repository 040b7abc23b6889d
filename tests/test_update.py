"""``copier update`` between two tagged releases of the template.

A throwaway git copy of the working tree is released twice: ``1.0.0`` as it is, and
``1.1.0`` with an improvement a service should receive (a changed default, a new file).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import copier
import pytest

from extensions.resources import plural_of
from scripts.releases import notes, points
from tests.resources import A_PAIR
from tests.template import ROOT, render

PACKAGE = "src/my_service"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", message)


def copy_this_tree(repo: Path) -> None:
    """Every file of this working tree that git would see, uncommitted changes included."""
    for name in git(ROOT, "ls-files", "-co", "--exclude-standard").splitlines():
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("template")
    copy_this_tree(repo)
    git(repo, "init", "-q")
    commit_all(repo, "release 1.0.0")
    git(repo, "tag", "1.0.0")

    health = repo / "template/src/{{ package_name }}/health.py"
    health.write_text(
        health.read_text().replace("timeout_seconds: float = 2.0", "timeout_seconds: float = 1.5")
    )
    (repo / "template/src/{{ package_name }}/py.typed").write_text("")
    commit_all(repo, "release 1.1.0: faster health checks, typed package")
    git(repo, "tag", "1.1.0")
    return repo


def copy(releases: Path, version: str, destination: Path, **answers: Any) -> Path:
    render(destination, template=releases, ref=version, **answers)
    git(destination, "init", "-q")
    commit_all(destination, f"rendered from {version}")
    return destination


def update(
    project: Path,
    version: str,
    *,
    answers_file: str | None = None,
    skip_tasks: bool = False,
    **answers: Any,
) -> None:
    """Updates ``project`` to ``version``: the service, or what ``answers_file`` names (a
    resource's)."""
    copier.run_update(
        str(project),
        answers_file=answers_file,
        data=answers,
        vcs_ref=version,
        defaults=True,
        overwrite=True,
        unsafe=True,
        quiet=True,
        skip_tasks=skip_tasks,
    )


def tree(project: Path) -> dict[str, str]:
    return {
        str(path.relative_to(project)): path.read_text()
        for path in sorted(project.rglob("*"))
        if path.is_file()
        and not {".git", ".venv", "__pycache__"} & set(path.relative_to(project).parts)
    }


def conflicts(project: Path) -> list[str]:
    return [
        name
        for name, text in tree(project).items()
        if name.endswith(".rej") or "<<<<<<<" in text or ">>>>>>>" in text
    ]


def test_an_untouched_project_updates_to_exactly_a_fresh_copy(
    releases: Path, tmp_path: Path
) -> None:
    project = copy(releases, "1.0.0", tmp_path / "svc")
    update(project, "1.1.0")

    assert conflicts(project) == []
    assert tree(project) == tree(copy(releases, "1.1.0", tmp_path / "fresh"))
    assert "_commit: 1.1.0" in (project / ".copier-answers.yml").read_text()


# What a team changes in its service: a route module, the README, and a module of its own.
EDITED = ("README.md", f"{PACKAGE}/entrypoints/rest/users.py", f"{PACKAGE}/audit.py")


def edit_like_a_team(project: Path) -> None:
    readme = project / EDITED[0]
    # Under the first "## API" heading only (a later one is "## API contracts").
    text = readme.read_text().replace("## API\n", "## API\n\nOwned by the payments team.\n", 1)
    readme.write_text(text)
    users = project / EDITED[1]
    users.write_text(users.read_text() + "\n\n# Team note: keep routes thin.\n")
    (project / EDITED[2]).write_text('"""Our own module."""\n')
    commit_all(project, "local edits")


RESTRUCTURED = {"0.9.0": [f"{PACKAGE}/entrypoints/rest/users.py"]}
"""The edited files a release moved code out of, by release: the team's note at the end of
the users' router meets the order routes leaving it, and comes back as a conflict to merge.
The release's CHANGELOG section names each of them."""


def assert_the_team_edits_are_kept(project: Path, release: str = "", fresh: str = "") -> None:
    """``fresh``: the release's own copy of the users' router, which a conflicted one must
    match up to its first conflict (the hunks around it merged as the release has them)."""
    expected = RESTRUCTURED.get(release, [])
    assert conflicts(project) == expected
    assert "Owned by the payments team." in (project / EDITED[0]).read_text()
    note = "# Team note: keep routes thin.\n"
    users = (project / EDITED[1]).read_text()
    if EDITED[1] in expected:
        merged, conflict = users.split("<<<<<<<", 1)
        assert fresh.startswith(merged), "what merged cleanly is the release's"
        assert note in conflict, "the team's note is in the conflict, not lost"
    else:
        assert users.endswith(note)
    assert (project / EDITED[2]).exists()


def test_local_edits_survive_an_update(releases: Path, tmp_path: Path) -> None:
    project = copy(releases, "1.0.0", tmp_path / "svc")
    edit_like_a_team(project)

    update(project, "1.1.0")

    assert_the_team_edits_are_kept(project)
    assert "timeout_seconds: float = 1.5" in (project / PACKAGE / "health.py").read_text()
    assert (project / PACKAGE / "py.typed").exists()


@pytest.mark.parametrize(("before", "after"), [("redis", "none"), ("none", "redis")])
def test_changing_an_answer_adds_and_removes_exactly_its_files(
    releases: Path, tmp_path: Path, before: str, after: str
) -> None:
    project = copy(releases, "1.0.0", tmp_path / "svc", cache=before)
    update(project, "1.1.0", cache=after)

    assert conflicts(project) == []
    assert tree(project) == tree(copy(releases, "1.1.0", tmp_path / "fresh", cache=after))


@pytest.mark.parametrize(
    ("before", "after"), [(["rest"], ["rest", "grpc"]), (["rest", "grpc"], ["rest"])]
)
def test_changing_api_styles_brings_or_takes_the_generated_stubs(
    releases: Path, tmp_path: Path, before: list[str], after: list[str]
) -> None:
    project = copy(releases, "1.0.0", tmp_path / "svc", api_styles=before)
    update(project, "1.1.0", api_styles=after)

    assert conflicts(project) == []
    fresh = copy(releases, "1.1.0", tmp_path / "fresh", api_styles=after)
    assert tree(project) == tree(fresh)
    assert (project / PACKAGE / "api/v1/users_pb2.py").exists() == ("grpc" in after)


def without_env(files: dict[str, str]) -> dict[str, str]:
    """The tree without ``.env``: it holds a development key made at random per render."""
    return {name: text for name, text in files.items() if name != ".env"}


def test_adding_auth_brings_its_files_a_migration_and_a_key_that_updates_keep(
    releases: Path, tmp_path: Path
) -> None:
    project = copy(releases, "1.0.0", tmp_path / "svc")
    update(project, "1.1.0", auth="jwt")

    assert conflicts(project) == []
    fresh = copy(releases, "1.1.0", tmp_path / "fresh", auth="jwt")
    assert without_env(tree(project)) == without_env(tree(fresh))
    assert (project / "migrations/versions/0002_accounts.py").exists()
    key = (project / ".env").read_text()
    assert "JWT_SECRET=" in key

    commit_all(project, "auth")
    update(project, "1.1.0")
    assert (project / ".env").read_text() == key


NEXT_RELEASE = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
"""This working tree, as the release its CHANGELOG section and pyproject.toml announce."""
LAST_RELEASE = next(
    (version, commit) for version, commit in points().items() if version != NEXT_RELEASE
)
"""The main branch as it was published with CHANGELOG.md's previous section, found in the
history (scripts/releases.py): services rendered from it must update to this tree cleanly."""
EVERY_OPTION = {
    "api_styles": ["rest", "graphql", "grpc"],
    "broker": "rabbitmq",
    "auth": "jwt",
    "service_discovery": "consul",
    "observability": ["metrics", "tracing"],
}
# Every pack, each database, both key types and every broker, across these.
SERVICES = [
    {**EVERY_OPTION, "database": "postgres"},
    {**EVERY_OPTION, "database": "mongo", "broker": "kafka", "jwt_algorithm": "RS256"},
    {"api_styles": ["rest", "grpc"], "broker": "redis", "cache": "none", "observability": []},
]


PAST_RELEASES = [
    (version, commit) for version, commit in points().items() if version != NEXT_RELEASE
]
"""Every release before this tree, newest first, each at its last commit."""


def release_all(repo: Path, published: list[tuple[str, str]]) -> Path:
    """A throwaway repository: each release of ``published`` (oldest first) as it was
    published and tagged, then this tree, tagged as the next release."""
    git(repo, "init", "-q")
    for version, commit in published:
        if (repo / ".git" / "index").exists():
            git(repo, "rm", "-rqf", "--ignore-unmatch", ".")
        archive = subprocess.run(
            ["git", "archive", commit], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(repo)], input=archive, check=True)
        commit_all(repo, f"release {version}")
        git(repo, "tag", version)
    git(repo, "rm", "-rq", ".")
    copy_this_tree(repo)
    commit_all(repo, "next release")
    git(repo, "tag", NEXT_RELEASE)
    return repo


@pytest.fixture(scope="module")
def last_and_next(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway repository: the last release as it was published, then this tree."""
    return release_all(tmp_path_factory.mktemp("published"), [LAST_RELEASE])


@pytest.fixture(scope="module")
def every_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway repository: every past release as it was published, then this tree."""
    return release_all(tmp_path_factory.mktemp("every"), list(reversed(PAST_RELEASES)))


def copy_offered(repo: Path, version: str, destination: Path, answers: dict[str, Any]) -> Path:
    """A copy with every one of ``answers`` the release offers: an option it refuses (not
    available yet) keeps the release's default."""
    offered = dict(answers)
    while True:
        try:
            return copy(repo, version, destination, **offered)
        except ValueError as error:
            refused = re.search(r"Invalid choice for '(\w+)'", str(error))
            if refused is None or refused[1] not in offered:
                raise
            del offered[refused[1]]
            shutil.rmtree(destination, ignore_errors=True)


@pytest.fixture(scope="module")
def fresh_trees(
    every_release: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[dict[str, Any]], dict[str, str]]:
    """The files of a fresh copy of this tree, rendered once a set of answers (in each xdist
    worker): every release's update is compared with the same copy, which took a quarter of
    each test to render again."""
    trees: dict[str, dict[str, str]] = {}

    def fresh_tree(answers: dict[str, Any]) -> dict[str, str]:
        key = json.dumps(answers, sort_keys=True)
        if key not in trees:
            fresh = copy(every_release, NEXT_RELEASE, tmp_path_factory.mktemp("fresh"), **answers)
            trees[key] = without_env(tree(fresh))
        return trees[key]

    return fresh_tree


@pytest.mark.parametrize("answers", [{}, EVERY_OPTION], ids=["defaults", "every-option"])
@pytest.mark.parametrize("version", [version for version, _ in PAST_RELEASES])
def test_a_service_of_every_release_updates_to_exactly_a_fresh_copy(
    every_release: Path,
    fresh_trees: Callable[[dict[str, Any]], dict[str, str]],
    tmp_path: Path,
    version: str,
    answers: dict[str, Any],
) -> None:
    """From each release point to this tree. An option a release did not offer yet is
    chosen at the update, as a team would."""
    project = copy_offered(every_release, version, tmp_path / "svc", answers)

    update(project, NEXT_RELEASE, **answers)

    assert conflicts(project) == []
    assert without_env(tree(project)) == fresh_trees(answers)


@pytest.mark.parametrize("answers", SERVICES, ids=["postgres", "mongo-kafka-rs256", "redis-pubsub"])
def test_a_service_of_the_last_release_updates_cleanly_and_keeps_its_edits(
    last_and_next: Path, tmp_path: Path, answers: dict[str, Any]
) -> None:
    project = copy(last_and_next, LAST_RELEASE[0], tmp_path / "svc", **answers)
    edit_like_a_team(project)

    update(project, NEXT_RELEASE, **answers)

    fresh = copy(last_and_next, NEXT_RELEASE, tmp_path / "fresh", **answers)
    assert_the_team_edits_are_kept(project, NEXT_RELEASE, (fresh / EDITED[1]).read_text())
    updated, expected = (
        {name: text for name, text in without_env(tree(root)).items() if name not in EDITED}
        for root in (project, fresh)
    )
    assert updated.keys() == expected.keys()
    assert updated == expected


def test_resources_of_the_last_release_update_to_exactly_a_fresh_copy(
    last_and_next: Path, tmp_path: Path
) -> None:
    """In a service of the last release, resources of that release update to this tree (the
    one referred to first) with no conflict, into what this tree renders for them."""
    answers = {"auth": "jwt", "api_styles": ["rest", "graphql"]}
    project, fresh = (
        copy(last_and_next, LAST_RELEASE[0], tmp_path / name, **answers) for name in "ab"
    )
    for resource in A_PAIR:
        render(project, template=last_and_next, ref=LAST_RELEASE[0], skip_tasks=True, **resource)
        render(fresh, template=last_and_next, ref=NEXT_RELEASE, skip_tasks=True, **resource)
    commit_all(project, "resources")

    for resource in A_PAIR:
        plural = plural_of(resource["resource"])
        answers_file = f".copier-answers.resource-{plural}.yml"
        update(project, NEXT_RELEASE, answers_file=answers_file, skip_tasks=True)
        commit_all(project, f"{plural} updated")

    assert conflicts(project) == []
    updated, expected = (
        {
            name: text
            for name, text in without_env(tree(root)).items()
            if not name.startswith("contracts/")  # the update writes them, the fresh copy's
            # resources (rendered without their tasks) did not
        }
        for root in (project, fresh)
    )
    assert updated == expected


def test_the_changelog_names_the_files_a_release_restructured() -> None:
    for release, files in RESTRUCTURED.items():
        section = notes((ROOT / "CHANGELOG.md").read_text(), release)
        entries = [" ".join(entry.split()) for entry in section.split("\n- ")]
        for name in files:
            short = name.removeprefix(f"{PACKAGE}/")
            assert any(short in entry and "conflict" in entry for entry in entries), (
                f"no entry of {release} says that an edit of {short} comes back as a conflict"
            )


def test_after_an_update_the_lock_pins_the_merged_dependencies(
    last_and_next: Path, tmp_path: Path
) -> None:
    """``uv lock`` runs once the team's changes are merged back: a dependency of the team's
    own stays pinned, and the lock matches the merged ``pyproject.toml``."""
    project = copy(last_and_next, LAST_RELEASE[0], tmp_path / "svc", cache="none")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "dependencies = [\n", 'dependencies = [\n    "humanize>=4",\n', 1
        )
    )
    subprocess.run(["uv", "lock", "--quiet"], cwd=project, check=True)
    commit_all(project, "a dependency of our own")

    update(project, NEXT_RELEASE, cache="none")

    assert conflicts(project) == []
    assert 'name = "humanize"' in (project / "uv.lock").read_text()
    locked = subprocess.run(
        ["uv", "lock", "--locked"], cwd=project, capture_output=True, text=True, check=False
    )
    assert locked.returncode == 0, locked.stderr


def test_an_edited_composition_root_is_merged_or_a_conflict_never_a_silent_loss(
    last_and_next: Path, tmp_path: Path
) -> None:
    project = copy(last_and_next, LAST_RELEASE[0], tmp_path / "svc")
    bootstrap = project / PACKAGE / "bootstrap.py"
    edit = ("    return app\n", "    app.state.team_edit = True\n    return app\n")
    bootstrap.write_text(bootstrap.read_text().replace(*edit))
    commit_all(project, "an edit in the composition root")

    copier.run_update(
        str(project), vcs_ref=NEXT_RELEASE, defaults=True, overwrite=True, unsafe=True, quiet=True
    )

    merged = bootstrap.read_text()
    assert "app.state.team_edit = True" in merged
    if conflicts(project) != [f"{PACKAGE}/bootstrap.py"]:
        fresh = copy(last_and_next, NEXT_RELEASE, tmp_path / "fresh") / PACKAGE / "bootstrap.py"
        assert merged == fresh.read_text().replace(*edit), "the release's change and the edit"
