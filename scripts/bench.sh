#!/usr/bin/env bash
# Runs the benchmarks (bench/bench.py) with the real servers started and stopped around them.
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_BENCH=1 bash scripts/install.sh
source scripts/env.sh
uv sync --quiet

trap 'bash scripts/servers.sh stop' EXIT
eval "$(bash scripts/servers.sh start)"

uv run python bench/bench.py "$@"
