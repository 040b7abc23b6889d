"""The body of every error answer over HTTP."""

from typing import Any

from pydantic import BaseModel


class ErrorResponse(BaseModel):
    """``{"detail": "<reason>"}``, as FastAPI itself answers."""

    detail: str


UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {
        "model": ErrorResponse,
        "description": "The database cannot answer right now; `Retry-After` says when to try again",
    }
}
"""The answer any operation that reads or writes the database may give."""
