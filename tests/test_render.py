"""Every valid combination of answers renders a clean project; invalid ones are refused.

The static checks (nothing left unrendered, ruff, byte-compilation, bandit, no trace of an
unchosen option, every import of the project's own modules resolves) run on every valid
combination's files, as ``tests/matrix.py`` assembles them from renderings of each template
file. A covering set of combinations is rendered by Copier for real, tasks run: their
files must match the matrix's, and each is imported and unit-tested.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from pathspec import PathSpec

from extensions.packs import chosen, excluded, manifests, wanted
from scripts.combinations import Answers, choice_keys, describe, invalid_combinations
from scripts.reserved_names import reserved_names
from tests.buckets import buckets, dealt, sliced
from tests.matrix import PATTERNS, Matrix, TemplateFile, hashable, unresolved_imports
from tests.template import JINJA_LEFTOVER, ROOT, fast_rendering, render, working_copy

# The valid combinations' static checks, in runs of 126 (of 32,256 combinations today).
MATRIX_BUCKETS = 256
# The covering set's renders, two or three a bucket (of 173 combinations today).
COVERING_BUCKETS = 64
RUFF = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
BANDIT = shutil.which("bandit") or str(Path(sys.executable).with_name("bandit"))
CODE = ("src/", "tests/", "protos/", "pyproject.toml")
# What the Copier tasks add to a project: generated gRPC stubs, the development .env.
# What the tasks write: the gRPC stubs, the development key, the lock, and the API contracts
# (written from the code, in the environment their task syncs).
TASK_OUTPUT = re.compile(
    r"_pb2(_grpc)?\.pyi?$|^\.env$|^uv\.lock$|^contracts/(openapi\.json|schema\.graphql|asyncapi\.yaml)$"
)

# Words that must not appear anywhere in a project that did not choose the pack, by pack
# (its manifest's ``trace``).
PARTS = {part.name: part for part in manifests()}
TRACES = {part.name: part.trace for part in manifests() if part.trace}


def unchosen(answers: dict[str, Any]) -> list[str]:
    return [name for name in TRACES if not chosen(PARTS[name], answers)]


def misplaced_files(answers: dict[str, Any], names: Iterable[str]) -> list[str]:
    """What contradicts the manifests' ``files``: a pattern whose condition holds that
    matches no file of the project (unless another pack that lists it is not chosen: a file
    several packs list needs them all), or a file whose pack the answers did not choose."""
    matches: dict[str, list[str]] = {}
    for name in names:
        for pattern in patterns_matching(name):
            matches.setdefault(pattern, []).append(name)
    problems = []
    for part in manifests():
        for owned in part.files:
            brought = wanted(owned, answers)
            matching = matches.get(owned.pattern, [])
            if brought and not matching and not left_out(answers, owned.pattern):
                problems.append(f"{part.name} is chosen, yet no file is {owned.pattern}")
            if not brought and matching:
                problems.append(f"{part.name} is not chosen, yet {matching} are there")
    return problems


def left_out(answers: dict[str, Any], pattern: str) -> bool:
    """Whether the template's ``_exclude`` for ``answers`` leaves out what ``pattern`` names."""
    return spec(tuple(excluded(answers))).match_file(pattern.lstrip("/"))


@functools.cache
def spec(patterns: tuple[str, ...]) -> PathSpec:
    return PathSpec.from_lines(PATTERNS, patterns)


@functools.cache
def patterns_matching(name: str) -> tuple[str, ...]:
    """The patterns of the manifests' ``files`` that match ``name``. The combinations'
    files come from a few hundred names: matching each name once, instead of each
    project's files against every pattern (and the ``_exclude`` patterns only when a
    pattern matches nothing), took the every-combination test from 4.2 s a bucket to 3.0 s
    (24 buckets, one process)."""
    return tuple(
        owned.pattern
        for part in manifests()
        for owned in part.files
        if spec((owned.pattern,)).match_file(name)
    )


DEPENDENCY_PLACES = ("#dependencies", "#dev_dependencies")


def dependency_cover(matrix: Matrix, combinations: list[Answers]) -> list[Answers]:
    """Combinations whose ``pyproject.toml`` dependencies, together, are every dependency
    any combination has: between them they hold each pack's dependency lines in each way
    they render (``pyproject.jinja`` pieces, cut out by the matrix). Greedy, over one
    combination per distinct rendering of the file."""
    pyproject = next(file for file in matrix.files if file.source == "pyproject.toml.jinja")
    candidates: list[tuple[Answers, frozenset[tuple[str, str]]]] = []
    seen: set[tuple[Any, ...]] = set()
    for answers in combinations:
        projection = matrix.projection(pyproject, answers)
        if projection in seen:
            continue
        seen.add(projection)
        cut = matrix.cut(pyproject, answers)
        assert cut is not None
        lines = frozenset(piece for piece in cut[1] if piece[0].endswith(DEPENDENCY_PLACES))
        candidates.append((answers, lines))
    left = frozenset().union(*(lines for _, lines in candidates))
    cover: list[Answers] = []
    while left:
        answers, lines = max(candidates, key=lambda candidate: len(candidate[1] & left))
        cover.append(answers)
        left -= lines
    return cover


def covering_set(
    matrix: Matrix, combinations: list[Answers], suites: list[Answers]
) -> list[Answers]:
    """Combinations that, together, show every code file in every rendering that any two
    of the answers it reads decide (all of its renderings when it reads two or fewer),
    beside ``suites``, the combinations of the rendered suites. Greedy, in one pass; each
    (file, answers, values) to show is a bit, and a combination's are one integer."""
    code: dict[tuple[str, ...], list[TemplateFile]] = {}
    for file in matrix.files:
        if file.source.startswith(CODE) or "protos" in file.source:
            code.setdefault(file.reads, []).append(file)
    bits: dict[tuple[Any, ...], int] = {}
    shown: dict[tuple[tuple[str, ...], Any], int] = {}
    covered = 0
    selected: list[dict[str, Any]] = []
    for answers in [*suites, *combinations]:
        hashed = {key: hashable(value) for key, value in answers.items()}
        mask = 0
        for reads, files in code.items():
            projection = tuple(map(hashed.get, reads))
            known = shown.get((reads, projection))
            if known is None:
                known = 0
                width = min(2, len(reads))
                for file in files:
                    if matrix.rendering(file, answers, projection)[0] is None:
                        continue
                    for pair in itertools.combinations(range(len(reads)), width):
                        key = (file.source, pair, tuple(projection[i] for i in pair))
                        known |= 1 << bits.setdefault(key, len(bits))
                shown[reads, projection] = known
            mask |= known
        if (mask & ~covered or answers in suites) and answers not in selected:
            selected.append(answers)
            covered |= mask
    return selected


def requirements_of(pyproject: str) -> set[str]:
    config = tomllib.loads(pyproject)
    return {*config["project"]["dependencies"], *config["dependency-groups"]["dev"]}


def test_the_dependency_cover_holds_what_any_combination_depends_on(
    matrix: Matrix, combinations: list[Answers]
) -> None:
    cover = dependency_cover(matrix, combinations)
    held = set().union(
        *(requirements_of(matrix.project(answers)["pyproject.toml"]) for answers in cover)
    )
    assert any(requirement.startswith("pyjwt[crypto]") for requirement in held)
    assert any(requirement.startswith("pyjwt>") for requirement in held)
    for answers in combinations[::53]:
        missing = requirements_of(matrix.project(answers)["pyproject.toml"]) - held
        assert missing == set(), describe(answers)


@pytest.fixture(scope="session")
def shared_python(
    tmp_path_factory: pytest.TempPathFactory, matrix: Matrix, combinations: list[Answers]
) -> Path:
    """One environment with every dependency any combination may need (installed from uv's
    cache), so that each combination's import and unit tests run without an install."""
    root = tmp_path_factory.mktemp("shared-env")
    requirements: set[str] = set()
    for answers in dependency_cover(matrix, combinations):
        requirements |= requirements_of(matrix.project(answers)["pyproject.toml"])
    environment = root / "venv"
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run(["uv", "venv", "-q", "-p", "3.13", str(environment)], check=True, env=env)
    subprocess.run(
        ["uv", "pip", "install", "-q", "-p", str(environment), *sorted(requirements)],
        check=True,
        env=env,
    )
    return environment / "bin" / "python"


def test_the_names_a_service_may_not_take_cover_every_dependency(shared_python: Path) -> None:
    """``extensions/reserved_names.json`` holds every module and distribution of the
    environment with every dependency any render can have."""
    known = json.loads((ROOT / "extensions/reserved_names.json").read_text())
    for kind, names in reserved_names(str(shared_python)).items():
        missing = sorted(set(names) - set(known[kind]))
        assert missing == [], (
            f"{kind} {missing} are not in extensions/reserved_names.json: regenerate it with "
            "`uv run python -m scripts.reserved_names <a python with every dependency>`"
        )


def test_no_service_can_resolve_pyjwt_to_its_partial_issuer_match(
    matrix: Matrix, combinations: list[Answers]
) -> None:
    """PyJWT 2.10.0 took a prefix of the expected issuer for a match (CVE-2024-53861)."""
    for algorithm in ("HS256", "RS256"):
        answers = next(
            answers
            for answers in combinations
            if answers["auth"] == "jwt" and answers["jwt_algorithm"] == algorithm
        )
        pyproject = tomllib.loads(matrix.project(answers)["pyproject.toml"])
        requirements = map(Requirement, pyproject["project"]["dependencies"])
        [pyjwt] = [requirement for requirement in requirements if requirement.name == "pyjwt"]
        assert not pyjwt.specifier.contains("2.10.0"), pyjwt
        assert pyjwt.specifier.contains("2.10.1"), pyjwt


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with fast_rendering():
        yield working_copy(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def matrix(template: Path) -> Iterator[Matrix]:
    built = Matrix(template, choice_keys())
    yield built
    built.close()


SHARED = ("README.md.jinja", "pyproject.toml.jinja", "compose.yaml.jinja", ".env.example.jinja")


def test_a_shared_file_is_its_own_text_and_the_chosen_packs_pieces(
    matrix: Matrix, combinations: list[Answers]
) -> None:
    """The shared documents only assemble pack pieces: with the pieces cut out, the README
    reads the API styles, the Python version and the database's pool size and nothing else,
    and the file put together again is what Copier's own environment renders."""
    own_readmes: dict[tuple[Any, ...], set[str]] = {}
    seen: set[str] = set()
    files = [file for file in matrix.files if file.source in SHARED]
    assert len(files) == len(SHARED)
    for answers in combinations[::97]:
        for file in files:
            cut = matrix.cut(file, answers)
            if cut is None:
                continue  # compose.yaml without docker
            seen.add(file.source)
            own, pieces = cut
            _, text = matrix.rendering(file, answers)
            assert pieces, f"{file.source} has no piece of any pack"
            assert matrix.plain(file, answers) == text, file.source
            if file.source == "README.md.jinja":
                key = tuple(
                    hashable(answers[k]) for k in ("api_styles", "python_version", "database")
                )
                own_readmes.setdefault(key, set()).add(own)
    assert seen == set(SHARED)
    assert {key: len(texts) for key, texts in own_readmes.items() if len(texts) > 1} == {}


@pytest.fixture(scope="session")
def covering(
    matrix: Matrix, combinations: list[Answers], suite_set: list[Answers]
) -> list[Answers]:
    return covering_set(matrix, combinations, suite_set)


def content_key(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


@pytest.fixture(scope="session")
def linted(tested_trees: Path) -> Path:
    folder = tested_trees / "linted"
    folder.mkdir(exist_ok=True)
    return folder


@functools.cache
@functools.cache
def has_leftovers(text: str) -> bool:
    return JINJA_LEFTOVER.search(text) is not None


@functools.cache
def compiles(name: str, text: str) -> bool:
    compile(text, name, "exec", dont_inherit=True)
    return True


@functools.cache
def traces_in(name: str, text: str) -> frozenset[str]:
    """The options whose words appear in the file (its name or its text)."""
    return frozenset(
        option
        for option, pattern in TRACES.items()
        if re.search(pattern, text, re.IGNORECASE) or re.search(pattern, name, re.IGNORECASE)
    )


class NewFiles:
    """Renderings that no worker has handed to ruff or bandit yet, written out for them.

    Ruff judges each file on its own, given its path and the ``[tool.ruff]`` settings;
    bandit judges each file on its own. So a file that is byte for byte the same, at the
    same path, under the same settings, as one checked for another combination gets the
    same verdict: each distinct rendering is checked once, by whichever worker claims it.
    Each combination with new files gets a folder with its ``pyproject.toml``, its new
    files and, empty, its other modules (ruff tells first-party imports by them).
    """

    def __init__(self, linted: Path, folder: Path) -> None:
        self.linted = linted
        self.folder = folder
        self.seen: set[tuple[str, int, int]] = set()
        self.python: list[Path] = []
        self.code: list[Path] = []

    def add(self, index: int, files: dict[str, str]) -> None:
        settings_text = files["pyproject.toml"]
        settings = ""
        new = []
        for name, text in files.items():
            if not name.endswith(".py") or (name, id(text), id(settings_text)) in self.seen:
                continue
            self.seen.add((name, id(text), id(settings_text)))
            settings = settings or repr(
                sorted(tomllib.loads(settings_text)["tool"]["ruff"].items())
            )
            if claim(self.linted, content_key(settings, name, text)):
                new.append(name)
        if not new:
            return
        root = self.folder / str(index)
        for name in files:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            if name.endswith(".py"):
                (root / name).touch()  # ruff tells first-party imports by the modules' files
        (root / "pyproject.toml").write_text(settings_text)
        for name in new:
            (root / name).write_text(files[name])
            self.python.append(root / name)
            top = name.split("/")[0]
            if top in {"src", "protos", "migrations", "scripts"} and claim(
                self.linted, content_key("bandit", files[name])
            ):
                self.code.append(root / name)

    def check(self) -> None:
        if self.python:
            for command in (["check"], ["format", "--check", "--diff"]):
                result = subprocess.run(
                    [RUFF, *command, "--no-cache", "--force-exclude", *map(str, self.python)],
                    capture_output=True,
                    text=True,
                )
                assert result.returncode == 0, result.stdout + result.stderr
        if self.code:
            result = subprocess.run(
                [BANDIT, "-q", "--severity-level", "medium", *map(str, self.code)],
                capture_output=True,
                text=True,
            )
            assert result.returncode == 0, result.stdout + result.stderr


@buckets(MATRIX_BUCKETS, "combinations")
def test_every_combination_renders_clean_code(
    bucket: int, combinations: list[Answers], matrix: Matrix, linted: Path, tmp_path: Path
) -> None:
    """Nothing unrendered, ruff check and format, byte-compiled, bandit at medium and
    above, no trace of an unchosen option, and the project's own imports resolve. A bucket
    takes consecutive combinations: they share most of their files, checked once; a shared
    file that assembles pack pieces is checked as its own text and each piece, each once."""
    new_files = NewFiles(linted, tmp_path)
    imports_checked: set[tuple[int, ...]] = set()
    for index, answers in enumerate(sliced(combinations, bucket, MATRIX_BUCKETS)):
        files = matrix.project(answers)
        units = matrix.project_units(answers)
        where = describe(answers)
        assert [n for n, texts in units.items() if any(map(has_leftovers, texts))] == [], where
        for name, text in files.items():
            if name.endswith(".py"):
                assert compiles(name, text), where
        found = {
            name: frozenset().union(*(traces_in(name, text) for text in texts))
            for name, texts in units.items()
        }
        for option in unchosen(answers):
            hits = [name for name, options in found.items() if option in options]
            assert hits == [], (
                f"{where}: {option} was not chosen, yet {TRACES[option]!r} is in {hits}"
            )
        assert misplaced_files(answers, files) == [], where
        tree = tuple(id(text) for name, text in sorted(files.items()) if name.endswith(".py"))
        if tree not in imports_checked:
            imports_checked.add(tree)
            assert unresolved_imports(files) == [], where
        new_files.add(index, files)
    new_files.check()


@pytest.fixture(scope="session")
def tested_trees(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the workers of this run record the trees they took on."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's temp folder sits in one folder per run, shared by them all.
    folder = base.parent / f"tested-trees-{run}" if run else base / "tested-trees"
    folder.mkdir(exist_ok=True)
    return folder


def claim(folder: Path, tree: str) -> bool:
    """True for the one caller, across workers, that first claims ``tree``."""
    try:
        os.close(os.open(folder / tree, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return False
    return True


@pytest.fixture(scope="session")
def unit_tests(shared_python: Path) -> Iterator[Callable[[Path, str], tuple[int, str]]]:
    """Runs a project's import and unit tests in a fork of one long-lived interpreter of
    the shared environment (``tests/forkserver.py``), which imported the third-party
    packages once: a fresh interpreter per project would spend most of its time there."""
    env = dict(os.environ)
    for variable in ("DATABASE_URL", "MONGODB_URL", "REDIS_URL", "PYTHONPATH"):
        env.pop(variable, None)
    server = subprocess.Popen(
        [str(shared_python), str(Path(__file__).with_name("forkserver.py"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert server.stdin is not None
    assert server.stdout is not None

    def run(project: Path, package: str) -> tuple[int, str]:
        log = project.parent / "unit-tests.log"
        request = {"project": str(project), "package": package, "log": str(log)}
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        reply = json.loads(server.stdout.readline())
        return reply["status"], log.read_text()

    yield run
    server.stdin.close()
    server.wait(timeout=60)


@buckets(COVERING_BUCKETS, "covering")
def test_renders_as_the_matrix_says_imports_and_passes_its_unit_tests(
    bucket: int,
    covering: list[Answers],
    matrix: Matrix,
    template: Path,
    tmp_path: Path,
    unit_tests: Callable[[Path, str], tuple[int, str]],
    subtests: pytest.Subtests,
) -> None:
    """Each combination of the bucket's share is a subtest, named by its answers."""
    for number, answers in enumerate(dealt(covering, bucket, COVERING_BUCKETS)):
        with subtests.test(describe(answers)):
            renders_as_the_matrix_says(
                answers, matrix, template, tmp_path / str(number), unit_tests
            )


def renders_as_the_matrix_says(
    answers: Answers,
    matrix: Matrix,
    template: Path,
    folder: Path,
    unit_tests: Callable[[Path, str], tuple[int, str]],
) -> None:
    """Copier renders the matrix's files (and the tasks' own), and the project imports and
    passes its unit tests."""
    project = render(folder / "svc", template=template, ref=None, **answers)
    rendered = {
        str(path.relative_to(project)): path.read_text(errors="replace")
        for path in project.rglob("*")
        if path.is_file()
        and path.name != ".copier-answers.yml"
        and not {".venv", "__pycache__"} & set(path.parts)
    }
    expected = matrix.project(answers)
    assert {name for name in rendered if not TASK_OUTPUT.search(name)} == set(expected)
    assert [name for name in expected if rendered[name] != expected[name]] == []
    assert "uv.lock" in rendered, "the render pins its dependencies"
    status, output = unit_tests(project, str(matrix.context(answers)["package_name"]))
    assert status == 0, output


def test_with_the_package_index_unreachable_the_lock_comes_from_uvs_cache_or_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A render whose ``uv lock`` cannot reach the index: uv's cache, warm from a render
    before it, locks the same pins offline; with nothing to lock from either, the render
    still succeeds, without a lock, and says how to make one. The index is made unreachable
    by a ``uv`` ahead of the real one on the PATH that fails every ``uv lock`` as uv does
    when a request fails (a real outage is not reproducible: uv needs no request at all
    while its cached pages are fresh)."""
    online = render(tmp_path / "online")
    real = shutil.which("uv")
    assert real is not None
    unreachable = tmp_path / "unreachable"
    unreachable.mkdir()
    fake = unreachable / "uv"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = lock ] \\\n'
        '    && { [ "$UV_INDEX_GONE" = all ] || ! echo "$*" | grep -q -- --offline; }\n'
        'then echo "error: Failed to fetch: https://pypi.org/simple/" >&2; exit 2; fi\n'
        f'exec {real} "$@"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{unreachable}{os.pathsep}{os.environ['PATH']}")
    capfd.readouterr()

    cached = render(tmp_path / "cached")
    said = capfd.readouterr()
    assert (cached / "uv.lock").read_text() == (online / "uv.lock").read_text()
    assert "The package index was unreachable: uv.lock pins what uv's cache held" in said.out

    monkeypatch.setenv("UV_INDEX_GONE", "all")
    unlocked = render(tmp_path / "unlocked")
    said = capfd.readouterr()
    assert (unlocked / "README.md").is_file(), "the render succeeds without a lock"
    assert not (unlocked / "uv.lock").exists()
    assert "Could not lock the dependencies" in said.out, said


@pytest.mark.parametrize(
    ("answers", "message"),
    invalid_combinations(),
    ids=lambda v: describe(v) if isinstance(v, dict) else "",
)
def test_invalid_combinations_are_refused(
    tmp_path: Path, answers: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        render(tmp_path / "svc", **answers)
    assert not (tmp_path / "svc" / "pyproject.toml").exists()
