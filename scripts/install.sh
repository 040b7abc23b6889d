#!/usr/bin/env bash
# Installs what the template's tests need on a fresh Debian machine: the servers' packages
# (apt, when run as root and missing: PostgreSQL, Redis, RabbitMQ), promtool (Debian's
# prometheus package) and uv (pip, when missing).
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
