#!/usr/bin/env bash
# Runs the benchmarks with the real servers started and stopped around them:
#   scripts/bench.sh          bench/bench.py (render time, throughput, pagination)
#   scripts/bench.sh styles   bench/styles.py (one user through REST, GraphQL and gRPC)
#   scripts/bench.sh login    bench/login.py (sign-in time: unknown email vs wrong password)
#   scripts/bench.sh flood    bench/login_flood.py (readiness and reads under a sign-in flood)
#   scripts/bench.sh resources  bench/resources.py (generating a resource; its reads, cached or not)
#   scripts/bench.sh invalidation  bench/invalidation.py (a write's time as Redis fills up)
#   scripts/bench.sh all      the hot paths: bench.py, styles.py and invalidation.py, in turn
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_BENCH=1 bash scripts/install.sh
source scripts/env.sh
uv sync --quiet

trap 'bash scripts/servers.sh stop' EXIT
eval "$(bash scripts/servers.sh start)"

if [ "${1:-}" = all ]; then
    shift
    uv run python bench/bench.py "$@"
    uv run python bench/styles.py
    uv run python bench/invalidation.py
elif [ "${1:-}" = styles ]; then
    shift
    uv run python bench/styles.py "$@"
elif [ "${1:-}" = login ]; then
    shift
    uv run python bench/login.py "$@"
elif [ "${1:-}" = flood ]; then
    shift
    uv run python bench/login_flood.py "$@"
elif [ "${1:-}" = resources ]; then
    shift
    uv run python bench/resources.py "$@"
elif [ "${1:-}" = invalidation ]; then
    shift
    uv run python bench/invalidation.py "$@"
else
    uv run python bench/bench.py "$@"
fi
