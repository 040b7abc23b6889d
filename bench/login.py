"""How long ``/auth/login`` takes for an unknown email, a wrong password and the right one.

Run through ``scripts/bench.sh login``. A service rendered with ``auth=jwt`` (bcrypt at its
production cost, 12) serves on core 0; the three kinds of sign-in alternate, one at a time,
so that each round sees the same machine. An attacker who could tell an unknown email from
a wrong password by the time would learn who has an account: the ratio of the two medians
should be close to 1.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import ROUNDS, prepare, serve
from tests.template import render

PACKAGE = "my_service"
PASSWORD = "correct horse battery staple"
SIGN_INS = 20


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-login-"))
    project = render(work / "svc", auth="jwt", cache="none")
    env = prepare(project, "bench_login", redis_db=13)
    # This measures the time of a refusal, not the lockout that would soon replace it.
    env |= {"LOGIN_ACCOUNT_ATTEMPTS": "1000000", "LOGIN_ADDRESS_ATTEMPTS": "1000000"}
    kinds = {
        "unknown email": ("nobody@example.com", PASSWORD, 401),
        "wrong password": ("ada@example.com", "not the password", 401),
        "right password": ("ada@example.com", PASSWORD, 200),
    }
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    with serve(f"{PACKAGE}.main:app", 8771, project, env) as base, httpx.Client() as client:
        body = {"email": "ada@example.com", "name": "Ada", "password": PASSWORD}
        assert client.post(f"{base}/users", json=body).status_code == 201
        for _ in range(ROUNDS * SIGN_INS):
            for kind, (email, password, status) in kinds.items():
                started = time.perf_counter()
                response = client.post(
                    f"{base}/auth/login", data={"username": email, "password": password}
                )
                times[kind].append(time.perf_counter() - started)
                assert response.status_code == status, response.text

    unknown = statistics.median(times["unknown email"])
    wrong = statistics.median(times["wrong password"])
    print(f"POST /auth/login, {ROUNDS * SIGN_INS} sign-ins of each kind, one at a time:")
    for kind, samples in times.items():
        print(f"  {kind:15} median {statistics.median(samples) * 1000:6.1f} ms")
    print(f"  unknown email / wrong password: {unknown / wrong:.2f}x")


if __name__ == "__main__":
    main()
