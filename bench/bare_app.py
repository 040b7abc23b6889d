"""Baselines for ``GET /users/{id}``: the same JSON with as little in between as possible.

- ``/users/{id}``: a bare FastAPI endpoint returning the JSON (the 1.0 of every ratio);
- ``/cached/{id}``: reads the cached bytes from Redis and returns them untouched;
- ``/asyncpg/{id}``: one ``fetchrow`` on a bare asyncpg pool, dumped by Pydantic.

They show how much of a gap is the cost of the backend client itself.
"""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import asyncpg
from fastapi import FastAPI, Response
from pydantic import BaseModel
from redis.asyncio import Redis


class User(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


USER = {
    "email": "ada@example.com",
    "name": "Ada Lovelace",
    "is_active": True,
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:00Z",
}
backends: dict[str, object] = {}


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    dsn = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    backends["pg"] = await asyncpg.create_pool(dsn, min_size=20, max_size=20)
    backends["redis"] = Redis.from_url(os.environ["REDIS_URL"], max_connections=50)
    yield
    await backends["pg"].close()  # type: ignore[attr-defined]
    await backends["redis"].aclose()  # type: ignore[attr-defined]


app = FastAPI(lifespan=lifespan)


@app.get("/users/{user_id}")
async def bare(user_id: uuid.UUID) -> dict[str, object]:
    return {"id": str(user_id), **USER}


@app.get("/cached/{user_id}")
async def cached(user_id: uuid.UUID) -> Response:
    body = await backends["redis"].get(f"user:{user_id}")  # type: ignore[attr-defined]
    return Response(body, media_type="application/json")


@app.get("/asyncpg/{user_id}")
async def from_asyncpg(user_id: uuid.UUID) -> Response:
    row = await backends["pg"].fetchrow(  # type: ignore[attr-defined]
        "SELECT id, email, name, is_active, created_at, updated_at FROM users WHERE id = $1",
        user_id,
    )
    return Response(User(**dict(row)).model_dump_json(), media_type="application/json")
