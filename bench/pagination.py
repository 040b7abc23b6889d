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

    async def timed(query: object, repeat: int = 15) -> tuple[float, object]:
        samples = []
        for _ in range(repeat):
            async with uow:
                started = time.perf_counter()
                users = await uow.users.find(query)
                samples.append(time.perf_counter() - started)
        return statistics.median(samples) * 1000, users

    limit = 20
    first_ms, _ = await timed(service.UserQuery(limit=limit))
    print(f"first page: {first_ms:.2f} ms")
    for depth in (1_000, rows // 2, rows - limit):
        offset_ms, offset_page = await timed(service.UserQuery(limit=limit, offset=depth))
        async with uow:
            before = await uow.users.find(service.UserQuery(limit=1, offset=depth - 1))
        cursor = service.Cursor.after(before[0])
        keyset_ms, keyset_page = await timed(service.UserQuery(limit=limit, after=cursor))
        assert [u.id for u in keyset_page] == [u.id for u in offset_page]
        offset_ratio, keyset_ratio = offset_ms / first_ms, keyset_ms / first_ms
        print(
            f"depth {depth:>7}: offset {offset_ms:7.2f} ms ({offset_ratio:5.1f}x first page)"
            f"   keyset {keyset_ms:5.2f} ms ({keyset_ratio:4.2f}x first page)"
        )
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
