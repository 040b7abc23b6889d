"""Dependency health checks, run concurrently with a timeout each."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

type Check = Callable[[], Awaitable[object]]


class HealthChecks:
    def __init__(self, timeout_seconds: float = 2.0) -> None:
        self.timeout_seconds = timeout_seconds
        self._checks: dict[str, Check] = {}
        self.optional: set[str] = set()
        """Dependencies the service degrades without instead of failing (readiness holds)."""

    def add(self, name: str, check: Check, *, critical: bool = True) -> None:
        self._checks[name] = check
        if not critical:
            self.optional.add(name)

    async def run(self) -> dict[str, str]:
        """Each check by name: ``"ok"``, or ``"unavailable: <error type>"``."""
        names = list(self._checks)
        results = await asyncio.gather(*(self._run_one(name) for name in names))
        return dict(zip(names, results, strict=True))

    def ready(self, results: dict[str, str]) -> bool:
        """Whether the results allow serving: every critical dependency answers."""
        return all(result == "ok" for name, result in results.items() if name not in self.optional)

    async def _run_one(self, name: str) -> str:
        try:
            async with asyncio.timeout(self.timeout_seconds):
                await self._checks[name]()
        except Exception as error:  # noqa: BLE001 - any failure means "unavailable"
            logger.warning("health check %s failed: %r", name, error)
            return f"unavailable: {type(error).__name__}"
        return "ok"
