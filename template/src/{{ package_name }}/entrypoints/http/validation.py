"""The 422 answer to a request that fails validation, whatever the request holds.

FastAPI's own answer sends every invalid value back, and cannot be written when a value is
one JSON has no text for: the ``NaN`` or ``Infinity`` that Python's parser accepts, or a lone
surrogate. This one names the place, the reason and the kind of each problem, never the
value (a password that is too short is not sent back either), in ASCII-only JSON.
"""

import json
from typing import TYPE_CHECKING, cast

from fastapi import Request, Response, status

if TYPE_CHECKING:
    from fastapi.exceptions import RequestValidationError


async def invalid_request(_: Request, error: Exception) -> Response:
    """The handler of ``RequestValidationError`` (handlers are typed for any exception)."""
    problems = [
        {"type": problem["type"], "loc": problem["loc"], "msg": problem["msg"]}
        for problem in cast("RequestValidationError", error).errors()
    ]
    return Response(
        json.dumps({"detail": problems}),
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        media_type="application/json",
    )
