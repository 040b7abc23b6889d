"""What timing each checkout of a connection costs: the rendered pool (``TimedPool``) with
the metrics' histogram observing it, the same pool observed by none, and SQLAlchemy's own
``AsyncAdaptedQueuePool`` in its place (with the same listeners: the idle ping, the slow-query
log), checked out in alternation; a checkout with no query, the pool's own work, where the
timing weighs most.

Run inside a rendered project's environment, with ``DATABASE_URL`` set:
``python checkout.py PACKAGE``.
"""

import asyncio
import importlib
import statistics
import sys
import time

from prometheus_client import CollectorRegistry, Histogram
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import AsyncAdaptedQueuePool

CHECKOUTS = 2_000
ROUNDS = 15


async def checkouts(engine: AsyncEngine) -> float:
    """Microseconds per checkout and return, over ``CHECKOUTS`` of them."""
    started = time.perf_counter()
    for _ in range(CHECKOUTS):
        async with engine.connect():
            pass
    return (time.perf_counter() - started) / CHECKOUTS * 1e6


async def main(package: str) -> None:
    engine_module = importlib.import_module(f"{package}.adapters.postgres.engine")
    settings = importlib.import_module(f"{package}.settings.postgres").DatabaseSettings()
    histogram = Histogram("wait", "", ["pool"], registry=CollectorRegistry()).labels("postgres")
    engines = {
        "TimedPool, observed by the metrics": engine_module.create_engine(
            settings, [histogram.observe]
        ),
        "TimedPool, observed by none": engine_module.create_engine(settings),
    }
    timed = engine_module.TimedPool
    engine_module.TimedPool = AsyncAdaptedQueuePool  # what create_engine puts in place
    engines["AsyncAdaptedQueuePool"] = engine_module.create_engine(settings)
    engine_module.TimedPool = timed
    samples: dict[str, list[float]] = {name: [] for name in engines}
    for engine in engines.values():
        await checkouts(engine)  # warm: the connection is open
    for _ in range(ROUNDS):
        for name, engine in engines.items():
            samples[name].append(await checkouts(engine))
    base = statistics.median(samples["AsyncAdaptedQueuePool"])
    for name, times in samples.items():
        median = statistics.median(times)
        print(f"{name:<36} {median:7.1f} µs a checkout  {median / base:5.2f}x")
    for engine in engines.values():
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
