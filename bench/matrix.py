"""The static matrix: what one combination's files cost, by Copier and by the matrix.

    uv run python bench/matrix.py

Side by side in one process: a Copier render of a sample of combinations, the way the
template's tests render their covering set (a working copy outside git, compiled templates
reused, copier.yml parsed once; ``tests.template``; without the Copier tasks), against
``tests.matrix`` assembling every valid combination's files from one rendering per template
file and distinct input. Both produce the same files (the tests check it).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.combinations import choice_keys, valid_combinations
from tests.matrix import Matrix
from tests.template import fast_rendering, render, working_copy

SAMPLE = 24


def main() -> None:
    warnings.simplefilter("ignore")
    combinations = valid_combinations()
    sample = random.Random(0).sample(combinations, min(SAMPLE, len(combinations)))
    with fast_rendering(), tempfile.TemporaryDirectory() as work:
        template = working_copy(Path(work))
        copier_seconds = []
        for number, answers in enumerate(sample):
            started = time.perf_counter()
            render(
                Path(work) / f"svc{number}",
                template=template,
                ref=None,
                skip_tasks=True,
                **answers,
            )
            copier_seconds.append(time.perf_counter() - started)
        matrix = Matrix(template, choice_keys())
        started = time.perf_counter()
        for answers in combinations:
            matrix.project(answers)
        matrix_seconds = time.perf_counter() - started
        matrix.close()
    per_render = statistics.median(copier_seconds)
    per_combination = matrix_seconds / len(combinations)
    print(f"Copier render, median of {len(sample)}: {per_render * 1000:.1f} ms per combination")
    print(
        f"matrix: {len(combinations)} combinations in {matrix_seconds:.1f} s, "
        f"{per_combination * 1000:.2f} ms per combination "
        f"({len(matrix._renderings)} distinct file renderings): "
        f"{per_render / per_combination:.0f}x fewer seconds per combination"
    )


if __name__ == "__main__":
    main()
