"""What a write costs as the cache grows: invalidation takes the same few commands whatever
the number of keys in Redis.

Run through ``scripts/bench.sh invalidation`` (which starts the servers). Renders the default
service and serves it (pinned to core 0). In each round, for each size in turn, fills Redis
up to that many entries (other users' rows and orphaned listing pages, as a busy service
leaves them), then times sequential ``PATCH /users/{id}``: each one forgets the user's key,
their orders' key and the listing's generation in one ``UNLINK``. Prints the median write
at each size as a ratio to the smallest size's, beside what walking the listing's pages with
``SCAN`` (the invalidation generations replaced) takes at that size.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import ROUNDS, prepare, serve, sh  # bench.py, beside this file
from tests.template import render

SIZES = [int(size) for size in os.environ.get("BENCH_KEYS", "1000,10000,100000,300000").split(",")]
WRITES = int(os.environ.get("BENCH_WRITES", "200"))
USER = '{"id":"%s","email":"u@example.com","name":"U","is_active":true}'


def _resp(*words: str) -> bytes:
    """One command in Redis's protocol, for ``redis-cli --pipe``."""
    parts = [f"*{len(words)}\r\n"]
    for word in words:
        parts.append(f"${len(word.encode())}\r\n{word}\r\n")
    return "".join(parts).encode()


def fill(url: str, start: int, stop: int) -> None:
    """Entries ``start`` to ``stop``: half other users' rows, half orphaned pages."""
    commands = bytearray()
    for number in range(start, stop):
        if number % 2:
            key, value = f"users:list:{number:x}:limit=20&offset=0", '{"items":[]}'
        else:
            user = str(uuid.UUID(int=number))
            key, value = f"user:{user}", USER % user
        commands += _resp("SET", key, value, "EX", "3600")
    subprocess.run(
        ["redis-cli", "-u", url, "--pipe"], input=bytes(commands), capture_output=True, check=True
    )


def keys(url: str) -> int:
    return int(sh("redis-cli", "-u", url, "dbsize").split()[-1])


SCAN = """
import sys, time, redis
client = redis.Redis.from_url(sys.argv[1])
started = time.perf_counter()
for _ in client.scan_iter(match="users:list:*", count=500):
    pass
print(time.perf_counter() - started)
"""


def scan_seconds(service: Path, url: str) -> float:
    """How long walking the listing's pages takes, as a write did before generations: with
    redis-py, in the service's own environment (redis-cli takes no COUNT before 7.2), timed
    there, without the interpreter's start."""
    return float(sh(str(service / ".venv" / "bin" / "python"), "-c", SCAN, url))


def write_seconds(client: httpx.Client, user: str) -> float:
    """The median of ``WRITES`` sequential writes, each after the reads that cache it."""
    samples = []
    for number in range(WRITES):
        client.get(f"/users/{user}").raise_for_status()
        client.get("/users", params={"limit": 20}).raise_for_status()
        started = time.perf_counter()
        client.patch(f"/users/{user}", json={"name": f"Ada {number}"}).raise_for_status()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-invalidation-"))
    service = render(work / "service")
    env = prepare(service, "bench_invalidation", 6)
    url = env["REDIS_URL"]
    writes: dict[int, list[float]] = {size: [] for size in SIZES}
    scans: dict[int, list[float]] = {size: [] for size in SIZES}
    with (
        serve("my_service.main:app", 18010, service, env) as base,
        httpx.Client(base_url=base) as client,
    ):
        response = client.post("/users", json={"email": "ada@example.com", "name": "Ada"})
        user = response.raise_for_status().json()["id"]
        for _ in range(ROUNDS):
            sh("redis-cli", "-u", url, "flushdb")
            filled = 0
            for size in SIZES:
                fill(url, filled, size)
                filled = size
                writes[size].append(write_seconds(client, user))
                scans[size].append(scan_seconds(service, url))
    first = statistics.median(writes[SIZES[0]])
    print(f"a write against the keys in Redis, {WRITES} writes a size, {ROUNDS} rounds:")
    for size in SIZES:
        write, scan = statistics.median(writes[size]), statistics.median(scans[size])
        print(
            f"  {size:>8,} keys: write {write * 1000:6.2f} ms ({write / first:4.2f}x)"
            f"   a SCAN of the pages {scan * 1000:8.1f} ms"
        )
    print(f"keys at the end: {keys(url):,}")


if __name__ == "__main__":
    main()
