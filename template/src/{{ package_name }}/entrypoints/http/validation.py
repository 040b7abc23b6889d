"""The 422 answer to a request that fails validation, whatever the request holds, and the
405 answer to a method the path does not have.

FastAPI's own answer sends every invalid value back, and cannot be written when a value is
one JSON has no text for: the ``NaN`` or ``Infinity`` that Python's parser accepts, or a lone
surrogate. This one names the place, the reason and the kind of each problem, never the
value (a password that is too short is not sent back either), in ASCII-only JSON.
"""

import json
from typing import TYPE_CHECKING, cast

from fastapi import Request, Response, status
from starlette.routing import Match

if TYPE_CHECKING:
    from fastapi.exceptions import RequestValidationError


METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")
"""The methods a route of this service may have, in the order ``Allow`` lists them."""


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


async def method_not_allowed(request: Request, _: Exception) -> Response:
    """405 with an ``Allow`` naming every method the path has: Starlette's own answer names
    only those of the first route that matched the path, though others (``POST`` beside
    ``GET``, say) serve it too."""
    allowed = [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.routes
        )
    ]
    return Response(
        json.dumps({"detail": "Method Not Allowed"}),
        status_code=status.HTTP_405_METHOD_NOT_ALLOWED,
        headers={"Allow": ", ".join(allowed)},
        media_type="application/json",
    )
