"""What a flood of wrong-password sign-ins does to the rest of the service.

Run through ``scripts/bench.sh flood``. A service rendered with ``auth=jwt`` (bcrypt at its
production cost, 12, and PostgreSQL) serves on core 0; this process, on core 1, keeps 100
connections posting wrong passwords to ``/auth/login`` for ``BENCH_SECONDS``, while a
probe asks for ``/health`` and for the signed-in user's ``GET /users/{id}`` every 0.2 s.
Two floods, side by side:

- unthrottled (the sign-in limits set out of reach): every guess costs a bcrypt check,
  which runs off the event loop and outside any transaction, so readiness must stay 200
  and reads must stay fast while the core is busy hashing;
- throttled (the default limits): past 5 failures on the account and 50 from the address,
  guesses get 429 before any hashing.

Readiness answering anything but 200 would take every instance out of rotation.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import SECONDS, prepare, serve
from tests.template import render

PACKAGE = "my_service"
PASSWORD = "correct horse battery staple"
CONNECTIONS = 100
UNTHROTTLED = {"LOGIN_ACCOUNT_ATTEMPTS": "1000000000", "LOGIN_ADDRESS_ATTEMPTS": "1000000000"}


async def flood(base: str, stop: asyncio.Event, statuses: Counter[int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while not stop.is_set():
            response = await client.post(
                "/auth/login", data={"username": "ada@example.com", "password": "a guess"}
            )
            statuses[response.status_code] += 1


async def probe(
    base: str, user_path: str, token: str, stop: asyncio.Event
) -> tuple[Counter[int], list[float]]:
    readiness: Counter[int] = Counter()
    reads: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while not stop.is_set():
            readiness[(await client.get("/health")).status_code] += 1
            started = time.perf_counter()
            response = await client.get(user_path, headers=headers)
            response.raise_for_status()
            reads.append(time.perf_counter() - started)
            await asyncio.sleep(0.2)
    return readiness, reads


async def measure(base: str, user_path: str, token: str, *, flooding: bool) -> dict[str, object]:
    stop = asyncio.Event()
    logins: Counter[int] = Counter()
    floods = [
        asyncio.create_task(flood(base, stop, logins))
        for _ in range(CONNECTIONS if flooding else 0)
    ]
    probing = asyncio.create_task(probe(base, user_path, token, stop))
    await asyncio.sleep(SECONDS)
    stop.set()
    readiness, reads = await probing
    await asyncio.gather(*floods)
    return {"logins": logins, "readiness": readiness, "reads": reads}


def report(name: str, result: dict[str, object]) -> None:
    reads = sorted(result["reads"])  # type: ignore[arg-type]
    readiness: Counter[int] = result["readiness"]  # type: ignore[assignment]
    logins: Counter[int] = result["logins"]  # type: ignore[assignment]
    p95 = reads[int(len(reads) * 0.95) - 1] if reads else float("nan")
    print(
        f"  {name:28} /health {dict(sorted(readiness.items()))}  "
        f"read median {statistics.median(reads) * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms  "
        f"sign-ins {dict(sorted(logins.items()))} ({sum(logins.values()) / SECONDS:.0f}/s)"
    )
    # The goal: the flood moves neither readiness nor a normal read's median past 0.5 s.
    ready = set(readiness) == {200}
    goal = "met" if ready and statistics.median(reads) < 0.5 else "NOT met"
    print(f"  {'':28} goal (readiness 200 on every probe, read median < 0.5 s): {goal}")


def sign_in(base: str) -> tuple[str, str]:
    body = {"email": "ada@example.com", "name": "Ada", "password": PASSWORD}
    created = httpx.post(f"{base}/users", json=body)
    created.raise_for_status()
    token = httpx.post(
        f"{base}/auth/login", data={"username": "ada@example.com", "password": PASSWORD}
    )
    token.raise_for_status()
    return f"/users/{created.json()['id']}", token.json()["access_token"]


def main() -> None:
    os.sched_setaffinity(0, {1})  # the service has core 0
    work = Path(tempfile.mkdtemp(prefix="bench-flood-"))
    project = render(work / "svc", auth="jwt", cache="none")
    print(f"POST /auth/login from {CONNECTIONS} connections for {SECONDS} s, wrong password:")
    for name, limits in (("unthrottled", UNTHROTTLED), ("throttled (default limits)", {})):
        env = prepare(project, "bench_flood", redis_db=14) | limits
        with serve(f"{PACKAGE}.main:app", 8772, project, env) as base:
            user_path, token = sign_in(base)
            report(
                f"{name}: no flood", asyncio.run(measure(base, user_path, token, flooding=False))
            )
            report(f"{name}: flood", asyncio.run(measure(base, user_path, token, flooding=True)))


if __name__ == "__main__":
    main()
