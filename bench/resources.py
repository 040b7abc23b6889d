"""The resource generator: how long it takes, and what the cache does for what it renders.

Run through ``scripts/bench.sh resources`` (which starts the servers). Prints:
- the median time to generate a resource into a default service, its tasks included, and
  what each resource adds to the service's suite;
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

from bench import (  # bench.py
    BENCH,
    CONNECTIONS,
    ROUNDS,
    SECONDS,
    _db,
    prepare,
    serve,
    sh,
    throughput,
)
from tests.template import render

FIELDS = [
    {"name": "name", "type": "str", "max_length": 120, "index": True},
    {"name": "price", "type": "decimal", "precision": 10, "scale": 2, "min": 0},
    {"name": "in_stock", "type": "bool"},
    {"name": "seller", "type": "ref", "to": "user"},
]


NAMES = ["product", "article", "gadget", "widget", "parcel"]
"""The resources generated one after the other into one service, as a team adds them."""


def generation_time(service: Path, work: Path, runs: int = 5) -> float:
    """The median time of Copier's render alone: a resource into copies of ``service`` (one
    rendered without its tasks), without the tasks that follow it."""
    samples = []
    for i in range(runs):
        copy = shutil.copytree(service, work / f"generate-{i}")
        started = time.perf_counter()
        render(copy, skip_tasks=True, resource="product", fields=FIELDS)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def suite_seconds(service: Path, env: dict[str, str], runs: int = 3) -> float:
    """The median time of the service's own suite, against the real servers."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        sh("uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider", cwd=service, env=env)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def generation_and_suite(work: Path) -> tuple[float, float, float]:
    """A default service, rendered with its tasks and installed, gains ``NAMES`` one after
    the other, each with its tasks (the API contracts written again, in the warm environment
    the renders' tasks share): the median time of one, and the suite's time before and
    after."""
    service = render(work / "service")
    env = prepare(service, "bench_resources_generated", 8)
    before = suite_seconds(service, env)
    samples = []
    for name in NAMES:
        started = time.perf_counter()
        render(service, resource=name, fields=FIELDS)
        samples.append(time.perf_counter() - started)
        contract = (service / "contracts" / "openapi.json").read_text()
        if f'"/{name}s"' not in contract:  # the task says so and goes on: a fast failure
            raise SystemExit(f"the contracts task did not write /{name}s")
    sh("uv", "run", "--no-sync", "alembic", "upgrade", "heads", cwd=service, env=env)
    after = suite_seconds(service, env)
    return statistics.median(samples), before, after


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
    took, before, after = generation_and_suite(work / "generated")
    print(
        f"generating a resource (4 fields, a ref), tasks included: {took * 1000:.0f} ms "
        f"(median of {len(NAMES)}, one after the other into one service)"
    )
    took = generation_time(default, work / "rest")
    print(f"  Copier's render alone: {took * 1000:.0f} ms (median of 5)")
    took = generation_time(cached, work / "graphql")
    print(f"  Copier's render into a service with GraphQL too: {took * 1000:.0f} ms (median of 5)")
    print(
        f"the service's suite: {before:.1f} s; with {len(NAMES)} resources: {after:.1f} s "
        f"(+{(after - before) / len(NAMES):.1f} s a resource; medians of 3)"
    )
    for project in (cached, plain):
        render(project, skip_tasks=True, resource="product", fields=FIELDS)
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
