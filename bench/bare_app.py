"""The baseline: a bare FastAPI endpoint returning the same JSON as ``GET /users/{id}``."""

import uuid

from fastapi import FastAPI

app = FastAPI()

USER = {
    "id": "00000000-0000-0000-0000-000000000000",
    "email": "ada@example.com",
    "name": "Ada Lovelace",
    "is_active": True,
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:00Z",
}


@app.get("/users/{user_id}")
async def get_user(user_id: uuid.UUID) -> dict[str, object]:
    return {**USER, "id": str(user_id)}
