#!/usr/bin/env bash
# Starts or stops the servers the tests use: PostgreSQL, Redis and a MongoDB-compatible
# server (secantusdb), on loopback, on
# their own ports (so they never clash with servers a machine already runs), stopped by PID.
#
#   scripts/servers.sh start   # prints the URLs to export
#   scripts/servers.sh env     # prints them again
#   scripts/servers.sh stop
set -euo pipefail

STATE_DIR=${SERVERS_DIR:-/tmp/backend-template-servers}
PG_PORT=${TEST_PG_PORT:-55432}
REDIS_PORT=${TEST_REDIS_PORT:-56379}
MONGO_PORT=${TEST_MONGO_PORT:-57017}
MONGO_PID=$STATE_DIR/mongo.pid
# MongoDB-compatible server from PyPI (no mongod is installable here), from the dev environment.
SECANTUSD=${SECANTUSD:-$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/secantusd-py}
PG_DATA=$STATE_DIR/postgres
REDIS_PID=$STATE_DIR/redis.pid

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
    echo "$dir"
}

# PostgreSQL refuses to run as root: run its tools as the postgres user when we are root.
as_pg() {
    if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

start_postgres() {
    local bin
    bin=$(pg_bin)
    mkdir -p "$STATE_DIR"
    chmod 755 "$STATE_DIR"
    if [ ! -s "$PG_DATA/PG_VERSION" ]; then
        mkdir -p "$PG_DATA"
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA"
        as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
    fi
    if as_pg "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        return
    fi
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 30 start -o \
        "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c max_connections=400 \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
}

stop_postgres() {
    [ -s "$PG_DATA/postmaster.pid" ] || return 0
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null || true
}

start_redis() {
    command -v redis-server >/dev/null || { echo "Redis is not installed (apt-get install redis-server)" >&2; exit 1; }
    if [ -s "$REDIS_PID" ] && kill -0 "$(cat "$REDIS_PID")" 2>/dev/null; then
        return
    fi
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
        --daemonize yes --pidfile "$REDIS_PID" --logfile "$STATE_DIR/redis.log" --dir "$STATE_DIR"
    for _ in $(seq 50); do
        redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return
        sleep 0.1
    done
    echo "Redis did not start; see $STATE_DIR/redis.log" >&2
    exit 1
}

stop_by_pid() {
    [ -s "$1" ] || return 0
    local pid
    pid=$(cat "$1")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    rm -f "$1"
}

start_mongo() {
    [ -x "$SECANTUSD" ] || { echo "secantusd-py not found: run 'uv sync' first" >&2; exit 1; }
    if [ -s "$MONGO_PID" ] && kill -0 "$(cat "$MONGO_PID")" 2>/dev/null; then
        return
    fi
    mkdir -p "$STATE_DIR/mongo"
    "$SECANTUSD" --host 127.0.0.1 --port "$MONGO_PORT" --storage-path "$STATE_DIR/mongo" \
        --log-level WARNING >"$STATE_DIR/mongo.log" 2>&1 &
    echo $! >"$MONGO_PID"
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$MONGO_PORT") 2>/dev/null && return
        sleep 0.1
    done
    echo "the MongoDB-compatible server did not start; see $STATE_DIR/mongo.log" >&2
    exit 1
}


print_env() {
    echo "export TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
    echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    echo "export TEST_MONGODB_URL=mongodb://127.0.0.1:$MONGO_PORT"
}

case "${1:-}" in
    start) start_postgres; start_redis; start_mongo; print_env ;;
    stop) stop_by_pid "$MONGO_PID"; stop_by_pid "$REDIS_PID"; stop_postgres ;;
    env) print_env ;;
    *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
