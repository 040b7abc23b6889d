"""DataLoaders: what the fields of one operation ask for in one tick of the event loop,
read in one query; each operation has loaders of its own."""

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension

MAX_BATCH = 500
"""Keys one read asks for at most: a federation gateway's ``_entities`` may name thousands
(they come in variables, which the token limit does not count), and one read of as many
would hold its store up; more keys are read in several batches."""
LOADERS: ContextVar[dict[str, DataLoader[Any, Any]]] = ContextVar("loaders")
"""The loaders of the operation running (``Context.loader`` makes them), by name."""


class OperationLoaders(SchemaExtension):
    """Gives each operation loaders of its own. The context is made once per HTTP request,
    but once per WebSocket connection, which runs many operations: loaders kept there would
    serve one operation what an earlier one read, for as long as the connection lives.
    Each operation runs in a task of its own (a request's, or one per operation over a
    WebSocket), so what it sets here is its own and goes with the task. It is not reset
    after: a subscription may be closed from another task, where a reset would fail."""

    def on_operation(self) -> Iterator[None]:
        LOADERS.set({})
        yield


def by_key[KeyT, ValueT](
    read: Callable[[Sequence[KeyT]], Awaitable[Mapping[KeyT, ValueT]]], missing: ValueT
) -> DataLoader[KeyT, ValueT]:
    """A loader over ``read``, which takes many keys at once and answers the value of each
    key it knows; a key it does not know gets ``missing``. Make one per operation: what it
    caches must not outlive the request."""

    async def load(keys: list[KeyT]) -> list[ValueT]:
        found = await read(keys)
        return [found.get(key, missing) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=MAX_BATCH)
