"""Clients that disconnect mid-request, then a sequential burst that must see no 5xx.

``python disconnects.py URL_PATH PORT`` against a running service.
"""

import asyncio
import sys
import time

import httpx


async def abandon(port: int, path: str, rounds: int, concurrency: int) -> None:
    """Sends a request and closes the socket before the answer can arrive."""

    async def one(delay: float) -> None:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        await writer.drain()
        await asyncio.sleep(delay)
        writer.transport.abort()

    for i in range(rounds):
        await asyncio.gather(*(one(0.0005 * ((i + j) % 7)) for j in range(concurrency)))


async def burst(port: int, path: str, count: int) -> dict[int, int]:
    statuses: dict[int, int] = {}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        for _ in range(count):
            status = (await client.get(path)).status_code
            statuses[status] = statuses.get(status, 0) + 1
    return statuses


async def main(path: str, port: int) -> None:
    started = time.perf_counter()
    await abandon(port, path, rounds=60, concurrency=50)
    print(f"3000 requests abandoned mid-flight in {time.perf_counter() - started:.1f} s")
    statuses = await burst(port, path, 500)
    print(f"sequential burst right after: {statuses}")
    failures = sum(count for status, count in statuses.items() if status >= 500)
    print("no 5xx" if failures == 0 else f"{failures} responses were 5xx")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
