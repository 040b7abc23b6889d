"""How much of the template varies with the answers: the numbers the restructuring into
option packs and resource slices is judged by. Counts, not timings, so one run says it.

    uv run python -m bench.shape

- ``{% if %}`` tags in the hub files every option used to be woven through;
- ``bootstrap.py``'s length and its ``if`` tags;
- template paths whose name carries a condition (a pack's files are listed in its manifest
  instead);
- the largest conditional block (lines between an ``{% if %}`` and its ``{% endif %}``);
- distinct renderings: the distinct texts each template file renders to over every valid
  combination (``tests/matrix.py`` renders it once per distinct projection of the answers
  onto the variables it reads, also counted), a shared file counted as its own text with
  the packs' pieces cut out plus each distinct piece: what the every-combination check
  must look at. Renders everything: some minutes.
"""

from __future__ import annotations

import re
from pathlib import Path

from scripts.combinations import choice_keys, valid_combinations
from tests.matrix import Matrix

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template"
HUBS = [
    "README.md.jinja",
    "pyproject.toml.jinja",
    "src/{{ package_name }}/bootstrap.py.jinja",
    "compose.yaml.jinja",
    ".env.example.jinja",
    "src/{{ package_name }}/settings/__init__.py.jinja",
    "tests/conftest.py.jinja",
]
IF = re.compile(r"{%-?\s*if\b")
TAG = re.compile(r"{%-?\s*(if|endif)\b")


def if_tags(text: str) -> int:
    return len(IF.findall(text))


def largest_block(path: Path) -> tuple[int, int]:
    """The longest ``{% if %}`` ... ``{% endif %}`` span of ``path`` in lines, and where it
    starts (nested blocks count on their own)."""
    best = (0, 0)
    opened: list[int] = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        for tag in TAG.findall(line):
            if tag == "if":
                opened.append(number)
            elif opened:
                start = opened.pop()
                best = max(best, (number - start + 1, start))
    return best


def main() -> None:
    hubs = {
        name: if_tags((TEMPLATE / name).read_text()) for name in HUBS if (TEMPLATE / name).exists()
    }
    print(f"if tags in the {len(hubs)} hub files: {sum(hubs.values())}")
    for name, count in hubs.items():
        print(f"  {count:4d}  {name}")
    bootstrap = (TEMPLATE / "src/{{ package_name }}/bootstrap.py.jinja").read_text()
    print(f"bootstrap.py.jinja: {len(bootstrap.splitlines())} lines, {if_tags(bootstrap)} ifs")
    files = [
        path for path in TEMPLATE.rglob("*") if path.is_file() and "__pycache__" not in path.parts
    ]
    length, start, where = max((*largest_block(path), path) for path in files)
    print(f"largest conditional block: {length} lines, {where.relative_to(TEMPLATE)}:{start}")
    paths = [path for path in TEMPLATE.rglob("*") if "__pycache__" not in path.parts]
    named = [path for path in paths if IF.search(path.name)]
    print(f"template paths with a condition in their name: {len(named)} of {len(paths)}")
    combinations = valid_combinations()
    matrix = Matrix(ROOT, choice_keys())
    try:
        projections = {
            (file.source, matrix.projection(file, answers))
            for answers in combinations
            for file in matrix.files
        }
        texts, pieces = renderings(matrix, combinations)
    finally:
        matrix.close()
    print(f"valid combinations: {len(combinations)}")
    print(f"file x projection of the answers it reads: {len(projections)}")
    distinct = sum(map(len, texts.values())) + len(pieces)
    print(
        f"distinct renderings: {distinct} ({distinct - len(pieces)} file texts, "
        f"{len(pieces)} pack pieces)"
    )
    for source, found in sorted(texts.items(), key=lambda item: -len(item[1]))[:8]:
        print(f"  {len(found):6d}  {source}")


def renderings(
    matrix: Matrix, combinations: list[dict[str, object]]
) -> tuple[dict[str, set[str]], set[tuple[str, str]]]:
    """Each file's distinct texts over every combination that has the file, a shared file's
    own text with its pack pieces cut out, and the distinct pieces: what the every-combination
    check has to look at once each."""
    texts: dict[str, set[str]] = {}
    pieces: set[tuple[str, str]] = set()
    seen: set[tuple[str, tuple[object, ...]]] = set()
    for answers in combinations:
        for file in matrix.files:
            key = (file.source, matrix.projection(file, answers))
            if key in seen:
                continue
            seen.add(key)
            cut = matrix.cut(file, answers)
            if cut is not None:
                own, found = cut
                texts.setdefault(file.source, set()).add(own)
                pieces.update(found)
            elif matrix.rendering(file, answers, key[1])[0] is not None:
                texts.setdefault(file.source, set()).add(matrix.rendering(file, answers)[1])
    return texts, pieces


if __name__ == "__main__":
    main()
