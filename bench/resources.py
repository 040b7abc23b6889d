"""The resource generator: how long it takes, and what the cache does for what it renders.

Run through ``scripts/bench.sh resources`` (which starts the servers). Prints:
- the median time to generate a resource into a default service;
- requests/s of a generated resource's ``GET /products/{id}`` and of a page of its listing
  (``GET /products?limit=20``), from the cache (``cache=redis``, the default) and from
  PostgreSQL (``cache=none``), as ratios to a bare FastAPI endpoint returning a user's JSON
  (wrk on loopback, interleaved rounds, the servers pinned to core 0 and wrk to core 1).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import BENCH, _db, prepare, serve, throughput  # bench.py, beside this file
from tests.template import render

FIELDS = [
    {"name": "name", "type": "str", "max_length": 120, "index": True},
    {"name": "price", "type": "decimal", "precision": 10, "scale": 2, "min": 0},
    {"name": "in_stock", "type": "bool"},
    {"name": "seller", "type": "ref", "to": "user"},
]


def generation_time(service: Path, work: Path, runs: int = 5) -> float:
    """The median time of ``copier copy`` of a resource into copies of ``service``."""
    samples = []
    for i in range(runs):
        copy = shutil.copytree(service, work / f"generate-{i}")
        started = time.perf_counter()
        render(copy, resource="product", fields=FIELDS)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-resources-"))
    cached = render(work / "cached", skip_tasks=True)
    plain = render(work / "plain", skip_tasks=True, cache="none")
    took = generation_time(cached, work)
    print(f"generating a resource (4 fields, a ref): {took * 1000:.0f} ms (median of 5)")
    for project in (cached, plain):
        render(project, resource="product", fields=FIELDS)
    cached_env = prepare(cached, "bench_resources_cached", 6)
    plain_env = prepare(plain, "bench_resources_plain", 7)

    with (
        serve("bare_app:app", 18010, cached, {**cached_env, **_db(plain_env)}, cwd=BENCH) as bare,
        serve("my_service.main:app", 18011, cached, cached_env) as with_cache,
        serve("my_service.main:app", 18012, plain, plain_env) as without,
    ):
        ids = []
        for base in (with_cache, without):
            user = httpx.post(f"{base}/users", json={"email": "ada@example.com", "name": "Ada"})
            user.raise_for_status()
            for n in range(25):
                product = {
                    "name": f"lamp {n}",
                    "price": "19.90",
                    "in_stock": True,
                    "seller_id": user.json()["id"],
                }
                response = httpx.post(f"{base}/products", json=product)
                response.raise_for_status()
            ids.append(response.json()["id"])
        targets = {
            "bare FastAPI endpoint": f"{bare}/users/{uuid.uuid4()}",
            "GET /products/{id}, cache": f"{with_cache}/products/{ids[0]}",
            "GET /products/{id}, PostgreSQL": f"{without}/products/{ids[1]}",
            "GET /products?limit=20, cache": f"{with_cache}/products?limit=20",
            "GET /products?limit=20, PostgreSQL": f"{without}/products?limit=20",
        }
        throughput(targets)  # the warm-up fills the caches
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
