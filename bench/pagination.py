"""Keyset against offset pagination on a large users table, through the rendered repository.

Run inside a rendered project's environment: ``python pagination.py PACKAGE ROWS``.
"""

import asyncio
import importlib
import statistics
import sys
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker


async def main(package: str, rows: int) -> None:
    postgres = importlib.import_module(f"{package}.adapters.postgres")
    service = importlib.import_module(f"{package}.service")
    settings = importlib.import_module(f"{package}.settings").DatabaseSettings()
    engine = postgres.create_engine(settings)
    async with engine.begin() as connection:
        await connection.execute(text("TRUNCATE users, orders CASCADE"))
        await connection.execute(
            text(
                "INSERT INTO users (id, email, name, is_active, created_at, updated_at) "
                "SELECT gen_random_uuid(), 'user' || n || '@example.com', 'User ' || n, true, "
                "now() - n * interval '1 second', now() FROM generate_series(1, :rows) AS n"
            ),
            {"rows": rows},
        )
        await connection.execute(text("ANALYZE users"))
    uow = postgres.SqlAlchemyUnitOfWork(async_sessionmaker(engine, expire_on_commit=False))

    async def once(query: object) -> tuple[float, list[object]]:
        async with uow.read_only() as reader:
            started = time.perf_counter()
            users = await reader.users.find(query)
            return time.perf_counter() - started, users

    async def interleaved(*queries: object, rounds: int = 41) -> list[float]:
        """Median milliseconds of each query, measured in alternation so drift hits all alike."""
        samples: list[list[float]] = [[] for _ in queries]
        for _ in range(rounds):
            for index, query in enumerate(queries):
                samples[index].append((await once(query))[0])
        return [statistics.median(times) * 1000 for times in samples]

    limit = 20
    first = service.UserQuery(limit=limit)
    for depth in (1_000, rows // 2, rows - limit):
        async with uow:
            before = await uow.users.find(service.UserQuery(limit=1, offset=depth - 1))
        by_offset = service.UserQuery(limit=limit, offset=depth)
        by_cursor = service.UserQuery(limit=limit, after=service.Cursor.after(before[0]))
        assert [u.id for u in (await once(by_cursor))[1]] == [
            u.id for u in (await once(by_offset))[1]
        ]
        # The heavy offset scan is timed apart, so it cannot disturb the two light queries.
        first_ms, keyset_ms = await interleaved(first, by_cursor)
        (offset_ms,) = await interleaved(by_offset, rounds=11)
        offset_ratio, keyset_ratio = offset_ms / first_ms, keyset_ms / first_ms
        print(
            f"depth {depth:>7}: first page {first_ms:5.2f} ms"
            f"   offset {offset_ms:7.2f} ms ({offset_ratio:5.1f}x)"
            f"   keyset {keyset_ms:5.2f} ms ({keyset_ratio:4.2f}x)"
        )
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
