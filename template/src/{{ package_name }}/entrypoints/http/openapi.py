"""The OpenAPI document, completed with the answers FastAPI gives but does not list.

Every operation that reads a body may get 400 (a body that is not UTF-8, or a form that
cannot be parsed) and 413 (a body over ``MAX_BODY_BYTES``). Listing them keeps the document
true to what a client can get, which contract tests (Schemathesis, say) check. (The 503 of
an unavailable backend is listed by the routers that use one.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

ERROR_BODY = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        }
    }
}
BODY_ANSWERS = {
    "400": {"description": "The body cannot be read: not UTF-8, or a malformed form"},
    "413": {"description": "The body is larger than the service accepts"},
}


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """Adds the answers of a body to each operation that reads one, in place."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if "requestBody" not in operation:
                continue
            answers = operation.setdefault("responses", {})
            for status, answer in BODY_ANSWERS.items():
                answers.setdefault(status, {**answer, "content": ERROR_BODY})
    return schema


def install(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
