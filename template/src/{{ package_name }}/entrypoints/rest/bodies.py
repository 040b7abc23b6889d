"""JSON bodies of REST responses, encoded once per value the near cache hands out.

On a near-cache hit the use cases return the very value the near cache holds, so the body
FastAPI would make from it is the same on every hit. ``JsonBody`` keeps that body beside
the value for as long as the value lives: it is keyed by the value, held weakly, so it goes
when the near cache lets the value go (expiry, eviction, an invalidation), and a value read
again from Redis or the database gets a body of its own. Only values that can be hashed and
held weakly are kept, the domain's frozen dataclasses; anything else (a list, a mutable
object) is encoded on each call. The body must depend on the value alone: a serializer
that reads the request would need the route to return the model instead.

The route keeps its ``response_model``, so OpenAPI documents the body. FastAPI sends a
returned response as it is, so ``JsonBody`` takes the route's ``Response`` parameter and
carries over the status and the headers that dependencies set on it.
"""

import weakref

from fastapi import Response, status
from pydantic import BaseModel, TypeAdapter


class JsonBody:
    """``JsonBody(UserResponse)(user, response)``: the response whose body is ``user`` as
    ``UserResponse`` dumps it, aliases and all, the way FastAPI would."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model
        self._adapter: TypeAdapter[BaseModel] = TypeAdapter(model)
        self._kept: weakref.WeakKeyDictionary[object, bytes] = weakref.WeakKeyDictionary()

    def __len__(self) -> int:
        """Bodies kept: one per distinct value alive."""
        return len(self._kept)

    def __call__(self, value: object, sent_with: Response) -> Response:
        response = Response(
            self.encode(value),
            sent_with.status_code or status.HTTP_200_OK,
            media_type="application/json",
        )
        response.raw_headers.extend(sent_with.raw_headers)
        return response

    def encode(self, value: object) -> bytes:
        try:
            return self._kept[value]
        except KeyError:
            body = self._dump(value)
            self._kept[value] = body
            return body
        except TypeError:  # not hashable, or not weakly referable: nothing to keep it by
            return self._dump(value)

    def _dump(self, value: object) -> bytes:
        return self._adapter.dump_json(self.model.model_validate(value), by_alias=True)
