#!/usr/bin/env bash
# Runs every test of the template: installs what is missing, starts the real servers,
# runs pytest on both cores, and stops the servers again, whatever the outcome.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh
source scripts/env.sh
uv sync --quiet

trap 'bash scripts/servers.sh stop' EXIT
# Assigned first, so that a server that does not start stops the run here (set -e).
servers=$(bash scripts/servers.sh start)
eval "$servers"

# A request to the package index that fails is retried a few more times than uv's default
# (the rendered services lock and install hundreds of times a run).
export UV_HTTP_RETRIES=6
uv run pytest -n "${PYTEST_WORKERS:-2}" --durations=25 "$@"
