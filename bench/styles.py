"""Requests/s of fetching one user through REST, GraphQL and gRPC, side by side in one run.

Run through ``scripts/bench.sh styles``. One service rendered with all three styles
(default answers otherwise: PostgreSQL behind the Redis cache) serves on core 0; h2load
loads it from core 1, the same client for every style: HTTP/1.1 for REST and GraphQL,
HTTP/2 (one stream per connection, like HTTP/1.1) for gRPC. The rounds interleave the
styles, and the ratios to REST are medians of the rounds.
"""

from __future__ import annotations

import json
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import CONNECTIONS, ROUNDS, SECONDS, prepare, serve, sh
from tests.template import free_port, render

PACKAGE = "my_service"


def h2load(url: str, *options: str) -> float:
    """Requests/s of ``url`` under h2load; refuses a run with any failed request."""
    load = ["h2load", f"-c{CONNECTIONS}", "-m1", f"-D{SECONDS}", "--warm-up-time=1"]
    output = sh("taskset", "-c", "1", *load, *options, url)
    done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", output)
    if done is None or done.group(1) != done.group(2) or done.group(1) == "0":
        raise SystemExit(f"{url}: requests failed\n{output}")
    return float(re.search(r"finished in [\d.]+\w*, ([\d.]+) req/s", output).group(1))


def grpc_frame(project: Path, user_id: str) -> bytes:
    """A serialized ``GetUserRequest`` in gRPC's length-prefixed framing."""
    code = (
        f"import sys; from {PACKAGE}.api.v1 import users_pb2; "
        f"sys.stdout.buffer.write(users_pb2.GetUserRequest(id={user_id!r}).SerializeToString())"
    )
    message = subprocess.run(
        [str(project / ".venv/bin/python"), "-c", code], capture_output=True, check=True
    ).stdout
    return struct.pack(">?I", False, len(message)) + message


def check_grpc(project: Path, port: int, user_id: str) -> None:
    """One real gRPC call, so that the load run measures answers, not errors."""
    code = f"""
import asyncio, grpc
from {PACKAGE}.api.v1 import users_pb2, users_pb2_grpc
async def main():
    async with grpc.aio.insecure_channel("127.0.0.1:{port}") as channel:
        user = await users_pb2_grpc.UserServiceStub(channel).GetUser(
            users_pb2.GetUserRequest(id="{user_id}"))
        assert user.id == "{user_id}", user
asyncio.run(main())
"""
    subprocess.run([str(project / ".venv/bin/python"), "-c", code], check=True)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-styles-"))
    project = render(work / "svc", api_styles=["rest", "graphql", "grpc"])
    env = prepare(project, "bench_styles", redis_db=14)
    grpc_port = free_port()
    env["GRPC_PORT"] = str(grpc_port)
    with serve(f"{PACKAGE}.main:app", 8770, project, env) as base:
        user = httpx.post(f"{base}/users", json={"email": "ada@example.com", "name": "Ada"})
        user_id = user.json()["id"]
        fields = "id email name isActive createdAt updatedAt"
        query = f'{{ user(id: "{user_id}") {{ {fields} }} }}'
        graphql_body = work / "graphql.json"
        graphql_body.write_text(json.dumps({"query": query}))
        answer = httpx.post(f"{base}/graphql", json={"query": query}).json()
        assert answer["data"]["user"]["id"] == user_id, answer
        grpc_body = work / "grpc.bin"
        grpc_body.write_bytes(grpc_frame(project, user_id))
        check_grpc(project, grpc_port, user_id)

        json_post = ["-d", str(graphql_body), "-H", "content-type: application/json"]
        grpc_post = ["-d", str(grpc_body), "-H", "content-type: application/grpc"]
        grpc_url = f"http://127.0.0.1:{grpc_port}/{PACKAGE}.api.v1.UserService/GetUser"
        styles = {
            "REST": (f"{base}/users/{user_id}", ["--h1"]),
            "GraphQL": (f"{base}/graphql", ["--h1", *json_post]),
            "gRPC": (grpc_url, [*grpc_post, "-H", "te: trailers"]),
        }
        results: dict[str, list[float]] = {style: [] for style in styles}
        for _ in range(ROUNDS):
            for style, (url, options) in styles.items():
                results[style].append(h2load(url, *options))
                time.sleep(1)

    rest = results["REST"]
    print(f"GET one user, {CONNECTIONS} connections, {ROUNDS} rounds of {SECONDS} s:")
    for style, rates in results.items():
        ratios = [rate / base_rate for rate, base_rate in zip(rates, rest, strict=True)]
        rounds = ", ".join(f"{rate:.0f}" for rate in rates)
        print(
            f"  {style:8} {statistics.median(rates):8.0f} req/s   "
            f"{statistics.median(ratios):.2f}x REST   (rounds: {rounds})"
        )


if __name__ == "__main__":
    main()
