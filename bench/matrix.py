"""The static matrix: every valid combination rendered and linted, timed.

    uv run python bench/matrix.py [WORKERS | compare]

First, side by side on the same sample of combinations: rendering as the template's tests
do (a working copy outside git, compiled templates reused, copier.yml parsed once, the
answers worked out once per render; ``tests.template``) against a plain ``copier copy`` of
the git checkout, both without the Copier tasks (the tests run those only where their
output is read). Then, unless ``compare`` is given, the whole matrix the tests' way on
WORKERS processes (default: the machine's cores): the seconds one combination costs
(render, ruff check, ruff format --check of every file) and the wall time.
"""

from __future__ import annotations

import contextlib
import functools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.combinations import valid_combinations
from tests.template import fast_rendering, render, working_copy

RUFF = str(Path(sys.executable).with_name("ruff"))
SAMPLE = 24
# The patches of fast_rendering, kept for the lifetime of the process.
_WORKER = contextlib.ExitStack()


@functools.cache
def _template() -> Path:
    """This process's working copy, made once, with compiled templates reused."""
    _WORKER.enter_context(fast_rendering())
    return working_copy(Path(tempfile.mkdtemp(prefix="template-")))


def one(answers: dict[str, Any]) -> tuple[float, float]:
    warnings.simplefilter("ignore")
    template = _template()
    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        project = render(
            Path(work) / "svc", template=template, ref=None, skip_tasks=True, **answers
        )
        rendered = time.perf_counter()
        for command in (
            [RUFF, "check", "--no-cache", "-q", "."],
            [RUFF, "format", "--check", "--no-cache", "-q", "."],
        ):
            subprocess.run(command, cwd=project, check=True, capture_output=True)
        return rendered - started, time.perf_counter() - started


def plain_render(answers: dict[str, Any]) -> float:
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        render(Path(work) / "svc", skip_tasks=True, **answers)
        return time.perf_counter() - started


def compare(combinations: list[dict[str, Any]]) -> None:
    """Both ways of rendering, interleaved, on the same combinations: the tests' way in a
    worker process of its own (its patches stay there), plain copier in this one."""
    sample = random.Random(0).sample(combinations, min(SAMPLE, len(combinations)))
    fast, plain = [], []
    with ProcessPoolExecutor(1) as worker:
        worker.submit(one, sample[0]).result()  # the working copy is made once, up front
        for answers in sample:
            fast.append(worker.submit(one, answers).result()[0])
            plain.append(plain_render(answers))
    fast_median, plain_median = statistics.median(fast), statistics.median(plain)
    print(
        f"render, median of {len(sample)}: {fast_median:.3f} s as the tests render, "
        f"{plain_median:.3f} s by a plain copier copy ({plain_median / fast_median:.1f}x)"
    )


def main() -> None:
    combinations = valid_combinations()
    compare(combinations)
    if sys.argv[1:] == ["compare"]:
        return
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else os.cpu_count() or 1
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        timings = list(pool.map(one, combinations, chunksize=8))
    wall = time.perf_counter() - started
    renders = [render_seconds for render_seconds, _ in timings]
    totals = [total for _, total in timings]
    print(f"{len(combinations)} combinations on {workers} workers: {wall:.1f} s wall time")
    render_median, total_median = statistics.median(renders), statistics.median(totals)
    print(
        f"per combination (medians): render {render_median:.2f} s, "
        f"render and lint {total_median:.2f} s"
    )


if __name__ == "__main__":
    main()
