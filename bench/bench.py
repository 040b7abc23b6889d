"""Benchmarks of the template and its default service, measured side by side in one run.

Run through ``scripts/bench.sh`` (which starts the servers). Prints:
- the median render time of the default answers;
- requests/s of ``GET /users/{id}`` from the cache (with and without the near cache in
  front of Redis; with ``BENCH_BEFORE=<git ref>``, also as that release of the template
  renders it) and from PostgreSQL (also with a ping on every checkout, and with the
  connections beyond the pool's size closed as they come back), as ratios
  to a bare FastAPI endpoint returning the same JSON (wrk on loopback, interleaved rounds,
  the server pinned to core 0 and wrk to core 1);
- the connections PostgreSQL accepted during a run, with the pool's extra connections kept
  and closed as they come back;
- whether the service still answers after clients disconnect mid-request;
- keyset against offset pagination on 200,000 users.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.template import render, wait_for_http

BENCH = Path(__file__).resolve().parent
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "25"))
ROWS = int(os.environ.get("BENCH_ROWS", "200000"))
BEFORE = os.environ.get("BENCH_BEFORE")
"""A git ref of the template (``BENCH_BEFORE=HEAD~1``): its default service's cached read
is measured in the same run too, so a change shows side by side with what it replaced."""


def sh(*command: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def render_time(work: Path, runs: int = 7) -> float:
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        render(work / f"render-{i}")
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _db(env: dict[str, str]) -> dict[str, str]:
    return {"DATABASE_URL": env["DATABASE_URL"]}


def prepare(project: Path, name: str, redis_db: int) -> dict[str, str]:
    """Installs the project and gives it an empty database of its own."""
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    env["REDIS_URL"] = f"{os.environ['TEST_REDIS_URL']}/{redis_db}"
    env.pop("VIRTUAL_ENV", None)
    sh("uv", "sync", "--quiet", cwd=project, env=env)
    if (project / "alembic.ini").exists():
        postgres = os.environ["TEST_POSTGRES_URL"]
        sh("psql", postgres, "-qc", f"DROP DATABASE IF EXISTS {name}")
        sh("psql", postgres, "-qc", f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = postgres.rsplit("/", 1)[0] + f"/{name}"
        sh("uv", "run", "--no-sync", "alembic", "upgrade", "heads", cwd=project, env=env)
    else:
        # A database of this run's own: MongoDB creates it on first write.
        env["MONGODB_URL"] = f"{os.environ['TEST_MONGODB_URL']}/{name}_{uuid.uuid4().hex[:8]}"
    sh("redis-cli", "-u", env["REDIS_URL"], "flushdb")
    return env


@contextmanager
def serve(app: str, port: int, project: Path, env: dict[str, str], cwd: Path | None = None):
    command = [
        "taskset",
        "-c",
        "0",
        str(project / ".venv/bin/uvicorn"),
        app,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=cwd or project, env=env)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/docs")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def wrk(url: str, seconds: int) -> float:
    output = sh(
        "taskset", "-c", "1", "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url
    )
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} non-2xx responses\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def connections_opened(url: str, database: str, seconds: int = 5) -> int:
    """The connections PostgreSQL accepted into ``database`` during a wrk run at ``url``."""
    query = f"SELECT sessions FROM pg_stat_database WHERE datname = '{database}'"
    postgres = os.environ["TEST_POSTGRES_URL"]
    before = int(sh("psql", postgres, "-Atc", query))
    wrk(url, seconds)
    time.sleep(1)  # a server process reports its statistics a moment later
    return int(sh("psql", postgres, "-Atc", query)) - before


def throughput(targets: dict[str, str]) -> None:
    """Prints requests/s of each URL, medians of interleaved rounds after a warm-up, as
    ratios to the first one (the bare endpoint)."""
    for url in targets.values():
        wrk(url, 2)
    results: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(ROUNDS):
        for name, url in targets.items():
            results[name].append(wrk(url, SECONDS))
    baseline = statistics.median(next(iter(results.values())))
    print(f"\nthroughput, wrk -c{CONNECTIONS}, {ROUNDS} interleaved rounds of {SECONDS} s:")
    for name, samples in results.items():
        rps = statistics.median(samples)
        print(f"  {name:48} {rps:9.0f} req/s   {rps / baseline:5.2f}x bare")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    print(f"render time, default answers: {render_time(work) * 1000:.0f} ms (median of 7)")

    cached = render(work / "cached")
    plain = render(work / "plain", cache="none")
    mongo_cached = render(work / "mongo-cached", database="mongo")
    mongo_plain = render(work / "mongo-plain", database="mongo", cache="none")
    cached_env = prepare(cached, "bench_cached", 1)
    plain_env = prepare(plain, "bench_plain", 2)
    mongo_cached_env = prepare(mongo_cached, "bench_mongo_cached", 3)
    mongo_plain_env = prepare(mongo_plain, "bench_mongo_plain", 4)
    before = render(work / "before", ref=BEFORE) if BEFORE else None
    before_env = prepare(before, "bench_before", 5) if before else {}

    with (
        ExitStack() as stack,
        serve("bare_app:app", 18000, cached, {**cached_env, **_db(plain_env)}, cwd=BENCH) as bare,
        serve("my_service.main:app", 18001, cached, cached_env) as service_cached,
        serve(
            "my_service.main:app", 18005, cached, {**cached_env, "CACHE_NEAR_TTL_SECONDS": "0"}
        ) as service_redis_only,
        serve("my_service.main:app", 18002, plain, plain_env) as service_plain,
        serve(
            "my_service.main:app",
            18006,
            plain,
            {**plain_env, "DATABASE_POOL_PING_IDLE_SECONDS": "0"},
        ) as service_pinging,
        serve(
            "my_service.main:app",
            18008,
            plain,
            {**plain_env, "DATABASE_POOL_OVERFLOW_IDLE_SECONDS": "0"},
        ) as service_churning,
        serve("my_service.main:app", 18003, mongo_cached, mongo_cached_env) as mongo_with_cache,
        serve("my_service.main:app", 18004, mongo_plain, mongo_plain_env) as mongo_alone,
    ):
        services = [service_cached, service_plain, mongo_with_cache, mongo_alone]
        if before:
            services.append(
                stack.enter_context(serve("my_service.main:app", 18007, before, before_env))
            )
        users = []
        for base in services:
            response = httpx.post(f"{base}/users", json={"email": "ada@example.com", "name": "Ada"})
            response.raise_for_status()
            users.append(response.json()["id"])
            httpx.get(f"{base}/users/{users[-1]}").raise_for_status()  # fills a cache
        targets = {
            "bare FastAPI endpoint": f"{bare}/users/{uuid.uuid4()}",
            "GET /users/{id} from the near cache": f"{service_cached}/users/{users[0]}",
            **(
                {f"  the same, rendered from {BEFORE}": f"{services[4]}/users/{users[4]}"}
                if before
                else {}
            ),
            "GET /users/{id} from Redis (near cache off)": f"{service_redis_only}/users/{users[0]}",
            "  baseline: cached bytes returned as is": f"{bare}/cached/{users[0]}",
            "GET /users/{id} from PostgreSQL": f"{service_plain}/users/{users[1]}",
            "  the same, a ping on every checkout": f"{service_pinging}/users/{users[1]}",
            "  the same, extras closed on return": f"{service_churning}/users/{users[1]}",
            "  baseline: bare asyncpg fetchrow": f"{bare}/asyncpg/{users[1]}",
            "GET /users/{id} from cache (Mongo render)": f"{mongo_with_cache}/users/{users[2]}",
            "GET /users/{id} from MongoDB": f"{mongo_alone}/users/{users[3]}",
        }
        throughput(targets)

        print(f"\nconnections opened in 5 s of wrk -c{CONNECTIONS} (PostgreSQL path, pool of 20):")
        for name, base in (
            ("extra connections kept", service_plain),
            ("extra connections closed on return", service_churning),
        ):
            opened = connections_opened(f"{base}/users/{users[1]}", "bench_plain")
            print(f"  {name:48} {opened:9d}")

        print("\nclients disconnecting mid-request (PostgreSQL path):")
        port = service_plain.rsplit(":", 1)[1]
        print(
            sh(
                str(plain / ".venv/bin/python"),
                str(BENCH / "disconnects.py"),
                "/users?limit=100",
                port,
            ).rstrip()
        )
        health = httpx.get(f"{service_plain}/health").json()
        print(f"health afterwards: {health}")

    print(f"\npagination on {ROWS} users (medians of alternating runs):")
    print(
        sh(
            str(plain / ".venv/bin/python"),
            str(BENCH / "pagination.py"),
            "my_service",
            str(ROWS),
            cwd=plain,
            env=plain_env,
        ).rstrip()
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
