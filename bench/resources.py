"""The resource generator: how long it takes, and what the cache does for what it renders.

Run through ``scripts/bench.sh resources`` (which starts the servers). Prints:
- the median time to generate a resource into a default service;
- requests/s of a generated resource's ``GET /products/{id}`` and of a page of its listing
  (``GET /products?limit=20``), from the cache (``cache=redis``, the default) and from
  PostgreSQL (``cache=none``), as ratios to a bare FastAPI endpoint returning a user's JSON
  (wrk on loopback, interleaved rounds, the servers pinned to core 0 and wrk to core 1);
- the same reads through GraphQL (``product(id)``, and ``products(first: 20)`` with each
  row's seller, read by a DataLoader), as ratios to REST's, h2load loading both.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from styles import h2load  # styles.py, beside this file

from bench import BENCH, CONNECTIONS, ROUNDS, SECONDS, _db, prepare, serve, throughput  # bench.py
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


def graphql_against_rest(base: str, product_id: str, work: Path) -> None:
    """Requests/s of the same reads through REST and through GraphQL, h2load loading both
    (HTTP/1.1), in interleaved rounds; GraphQL's as ratios to REST's."""
    fields = "id name price inStock sellerId createdAt updatedAt"
    queries = {
        "one": f'{{ product(id: "{product_id}") {{ {fields} }} }}',
        "page": f"{{ products(first: 20) {{ edges {{ node {{ {fields} seller {{ id }} }} }} }} }}",
    }
    posts = {}
    for name, query in queries.items():
        answer = httpx.post(f"{base}/graphql", json={"query": query}).json()
        assert "errors" not in answer, answer
        body = work / f"{name}.json"
        body.write_text(json.dumps({"query": query}))
        posts[name] = ["--h1", "-d", str(body), "-H", "content-type: application/json"]
    pairs = {
        "product(id) / GET /products/{id}": (
            (f"{base}/products/{product_id}", ["--h1"]),
            (f"{base}/graphql", posts["one"]),
        ),
        "products(first: 20) + seller / GET /products?limit=20": (
            (f"{base}/products?limit=20", ["--h1"]),
            (f"{base}/graphql", posts["page"]),
        ),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in pairs}
    for _ in range(ROUNDS):
        for name, ((rest, rest_options), (graphql, graphql_options)) in pairs.items():
            results[name].append((h2load(rest, *rest_options), h2load(graphql, *graphql_options)))
            time.sleep(1)
    print(
        f"\nGraphQL against REST, cached, h2load -c{CONNECTIONS}, {ROUNDS} rounds of {SECONDS} s:"
    )
    for name, rounds in results.items():
        rest_rps = statistics.median(rest for rest, _ in rounds)
        graphql_rps = statistics.median(graphql for _, graphql in rounds)
        ratio = statistics.median(graphql / rest for rest, graphql in rounds)
        print(f"  {name:56} {graphql_rps:7.0f} vs {rest_rps:7.0f} req/s   {ratio:.2f}x")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-resources-"))
    default = render(work / "default", skip_tasks=True)
    cached = render(work / "cached", skip_tasks=True, api_styles=["rest", "graphql"])
    plain = render(work / "plain", skip_tasks=True, cache="none")
    took = generation_time(default, work / "rest")
    print(f"generating a resource (4 fields, a ref): {took * 1000:.0f} ms (median of 5)")
    took = generation_time(cached, work / "graphql")
    print(f"  into a service with REST and GraphQL: {took * 1000:.0f} ms (median of 5)")
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
        graphql_against_rest(with_cache, ids[0], work)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
