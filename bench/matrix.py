"""The static matrix: every valid combination rendered and linted, timed.

    uv run python bench/matrix.py [WORKERS]

Prints the seconds one combination costs (render, ruff check, ruff format --check) and
the wall time of the whole matrix on WORKERS processes (default: the machine's cores).
"""

from __future__ import annotations

import os
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
from tests.template import render

RUFF = str(Path(sys.executable).with_name("ruff"))


def one(answers: dict[str, Any]) -> tuple[float, float]:
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        project = render(Path(work) / "svc", **answers)
        rendered = time.perf_counter()
        for command in (
            [RUFF, "check", "--no-cache", "-q", "."],
            [RUFF, "format", "--check", "--no-cache", "-q", "."],
        ):
            subprocess.run(command, cwd=project, check=True, capture_output=True)
        return rendered - started, time.perf_counter() - started


def main() -> None:
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else os.cpu_count() or 1
    combinations = valid_combinations()
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        timings = list(pool.map(one, combinations))
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
