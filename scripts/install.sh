#!/usr/bin/env bash
# Installs what the template's tests need on a fresh Debian machine: the PostgreSQL, Redis
# and RabbitMQ servers (apt, when run as root and missing) and uv (pip, when missing).
set -euo pipefail

missing=()
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
command -v psql >/dev/null || missing+=(postgresql-client)
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
