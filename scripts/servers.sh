#!/usr/bin/env bash
# Starts or stops the servers the tests use: PostgreSQL, Redis, RabbitMQ, a MongoDB-compatible
# server (secantusdb) and a Kafka-protocol broker (noida-db), on loopback, on their own
# ports (so they never clash with servers a machine already runs), stopped by PID.
#
#   scripts/servers.sh start   # prints the URLs to export
#   scripts/servers.sh env     # prints them again
#   scripts/servers.sh stop
#   scripts/servers.sh missing # names the Debian packages still to install
#
# Which servers: those the option packs' manifests name (`server:` in packs/*/pack.yml).
# Each has its need_<server>, start_<server>, stop_<server> and env_<server> here; a pack that names a
# server with none of them stops this script at once.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVERS=$(sed -n 's/^server: *//p' "$ROOT"/packs/*/pack.yml)

STATE_DIR=${SERVERS_DIR:-/tmp/backend-template-servers}
PG_PORT=${TEST_PG_PORT:-55432}
REDIS_PORT=${TEST_REDIS_PORT:-56379}
MONGO_PORT=${TEST_MONGO_PORT:-57017}
MONGO_PID=$STATE_DIR/mongo.pid
# MongoDB-compatible server from PyPI (no mongod is installable here), from the dev environment.
SECANTUSD=${SECANTUSD:-$ROOT/.venv/bin/secantusd-py}
PG_DATA=$STATE_DIR/postgres
REDIS_PID=$STATE_DIR/redis.pid
RABBIT_PORT=${TEST_RABBITMQ_PORT:-55672}
RABBIT_DIR=$STATE_DIR/rabbitmq
RABBIT_BIN=/usr/lib/rabbitmq/bin
KAFKA_PORT=${TEST_KAFKA_PORT:-59092}
KAFKA_PID=$STATE_DIR/kafka.pid
# Kafka-protocol broker from PyPI (no Kafka is installable here), from the dev environment.
NOIDA=${NOIDA:-$ROOT/.venv/bin/noida-db}

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
    # A fresh store: nothing a previous run left (data, a lock) is read again.
    rm -rf "$STATE_DIR/mongo"
    mkdir -p "$STATE_DIR/mongo"
    "$SECANTUSD" --host 127.0.0.1 --port "$MONGO_PORT" --storage-path "$STATE_DIR/mongo" \
        --log-level WARNING >"$STATE_DIR/mongo.log" 2>&1 &
    echo $! >"$MONGO_PID"
    wait_for_port "$MONGO_PORT" "the MongoDB-compatible server" "$STATE_DIR/mongo.log"
}

# Returns once something listens on port $1; after 30 s (a loaded machine starts the
# Python servers slowly), fails naming $2 and its log $3.
wait_for_port() {
    for _ in $(seq 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return
        sleep 0.1
    done
    echo "$2 did not start; see $3" >&2
    exit 1
}

# Everything of this RabbitMQ node is its own: node name, ports (AMQP, distribution, epmd),
# data, logs and Erlang cookie (in HOME), so it runs beside a system RabbitMQ.
rabbit_env() {
    export RABBITMQ_NODENAME=template-tests@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
        RABBITMQ_NODE_PORT=$RABBIT_PORT RABBITMQ_DIST_PORT=$((RABBIT_PORT + 1)) \
        ERL_EPMD_PORT=${TEST_EPMD_PORT:-54369} RABBITMQ_MNESIA_BASE=$RABBIT_DIR/mnesia \
        RABBITMQ_LOG_BASE=$RABBIT_DIR/log RABBITMQ_PID_FILE=$RABBIT_DIR/rabbit.pid \
        RABBITMQ_ENABLED_PLUGINS_FILE=$RABBIT_DIR/enabled_plugins \
        RABBITMQ_CONFIG_FILE=$RABBIT_DIR/rabbitmq \
        RABBITMQ_ADVANCED_CONFIG_FILE=$RABBIT_DIR/advanced.config HOME=$RABBIT_DIR
}

start_rabbitmq() {
    [ -x "$RABBIT_BIN/rabbitmq-server" ] || { echo "RabbitMQ is not installed (apt-get install rabbitmq-server)" >&2; exit 1; }
    (
        rabbit_env
        if [ -s "$RABBITMQ_PID_FILE" ] && kill -0 "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null; then
            exit 0
        fi
        mkdir -p "$RABBIT_DIR"
        echo '[].' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
        "$RABBIT_BIN/rabbitmq-server" -detached >/dev/null 2>&1
        "$RABBIT_BIN/rabbitmqctl" wait --timeout 60 "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || {
            echo "RabbitMQ did not start; see $RABBIT_DIR/log" >&2
            exit 1
        }
    )
}

stop_rabbitmq() {
    (
        rabbit_env
        [ -s "$RABBITMQ_PID_FILE" ] || exit 0
        "$RABBIT_BIN/rabbitmqctl" stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || true
        epmd -kill >/dev/null 2>&1 || true
        rm -f "$RABBITMQ_PID_FILE"
    )
}

start_kafka() {
    [ -x "$NOIDA" ] || { echo "noida-db not found: run 'uv sync' first" >&2; exit 1; }
    if [ -s "$KAFKA_PID" ] && kill -0 "$(cat "$KAFKA_PID")" 2>/dev/null; then
        return
    fi
    local binary
    # The server binary itself (the noida-db command is a Python wrapper that forks it), so
    # that its PID is the one to stop.
    binary=$("$(dirname "$NOIDA")/python" -c 'import noida_db, pathlib; print(pathlib.Path(noida_db.__file__).with_name("noida-db"))')
    mkdir -p "$STATE_DIR/kafka"
    "$binary" start --only kafka --data-dir "$STATE_DIR/kafka" --host 127.0.0.1 \
        --kafka-port "$KAFKA_PORT" >"$STATE_DIR/kafka.log" 2>&1 &
    echo $! >"$KAFKA_PID"
    wait_for_port "$KAFKA_PORT" "the Kafka-protocol broker" "$STATE_DIR/kafka.log"
}

stop_redis() { stop_by_pid "$REDIS_PID"; }
stop_mongo() { stop_by_pid "$MONGO_PID"; }
stop_kafka() { stop_by_pid "$KAFKA_PID"; }

env_postgres() { echo "export TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PG_PORT/postgres"; }
env_redis() { echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"; }
env_mongo() { echo "export TEST_MONGODB_URL=mongodb://127.0.0.1:$MONGO_PORT"; }
env_rabbitmq() { echo "export TEST_RABBITMQ_URL=amqp://guest:guest@127.0.0.1:$RABBIT_PORT/"; }
env_kafka() { echo "export TEST_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT"; }

need_postgres() {
    ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || echo postgresql
    command -v psql >/dev/null || echo postgresql-client
}
need_redis() { command -v redis-server >/dev/null || echo redis-server; }
need_rabbitmq() { [ -x "$RABBIT_BIN/rabbitmq-server" ] || echo rabbitmq-server; }
# The MongoDB- and Kafka-compatible servers come from PyPI, with the dev environment.
need_mongo() { :; }
need_kafka() { :; }

# Runs <step>_<server> for every server, in the manifests' order.
each() {
    local server
    for server in $SERVERS; do
        declare -F "$1_$server" >/dev/null || {
            echo "packs/*/pack.yml names the server '$server', but $0 has no $1_$server" >&2
            exit 1
        }
        "$1_$server"
    done
}

case "${1:-}" in
    start) each start; each env ;;
    stop) each stop ;;
    env) each env ;;
    missing) each need ;;
    *) echo "usage: $0 start|stop|env|missing" >&2; exit 2 ;;
esac
