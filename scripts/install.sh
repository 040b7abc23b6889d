#!/usr/bin/env bash
# Installs what the template's tests need on a fresh Debian machine: the servers' packages
# (apt, when run as root and missing: PostgreSQL, Redis, RabbitMQ), promtool (Debian's
# prometheus package), uv (pip, when missing), and from npm into .tools/ buf (the version the
# rendered services' CI installs) and the official AsyncAPI schemas.
set -euo pipefail

# The servers' packages: scripts/servers.sh knows those of every server the packs name.
packages=$(bash "$(dirname "$0")/servers.sh" missing)
missing=()
for package in $packages; do missing+=("$package"); done
# promtool checks and unit-tests the rendered alert rules.
command -v promtool >/dev/null || missing+=(prometheus)
if [ "${WITH_BENCH:-0}" = 1 ]; then
    command -v wrk >/dev/null || missing+=(wrk)
    command -v h2load >/dev/null || missing+=(nghttp2-client)
fi
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "missing packages: ${missing[*]}; install them with apt-get as root" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v uv >/dev/null; then
    python3 -m pip install --quiet uv
fi

# buf compares the rendered .proto files in the contract gate's tests; the AsyncAPI 3.0 JSON
# Schema validates the rendered events contracts; tsc checks the rendered Grafana dashboards
# against the Dashboard type Grafana publishes in @grafana/schema.
tools="$(cd "$(dirname "$0")/.." && pwd)/.tools"
if [ ! -x "$tools/node_modules/.bin/buf" ] \
    || [ ! -f "$tools/node_modules/@asyncapi/specs/schemas/3.0.0-without-\$id.json" ] \
    || [ ! -x "$tools/node_modules/.bin/tsc" ] \
    || [ ! -f "$tools/node_modules/@grafana/schema/package.json" ]; then
    if ! command -v npm >/dev/null; then
        echo "npm is missing: install Node.js (Debian: apt-get install npm) for buf" >&2
        exit 1
    fi
    npm install --silent --no-audit --no-fund --prefix "$tools" \
        @bufbuild/buf@1.75.0 @asyncapi/specs@6.11.1 typescript@5.9.3 @grafana/schema@13.2.3 \
        >/dev/null
fi
