"""DataLoaders: what the fields of one operation ask for in one tick of the event loop,
read in one query."""

from collections.abc import Awaitable, Callable, Mapping, Sequence

from strawberry.dataloader import DataLoader


def by_key[KeyT, ValueT](
    read: Callable[[Sequence[KeyT]], Awaitable[Mapping[KeyT, ValueT]]], missing: ValueT
) -> DataLoader[KeyT, ValueT]:
    """A loader over ``read``, which takes many keys at once and answers the value of each
    key it knows; a key it does not know gets ``missing``. Make one per operation: what it
    caches must not outlive the request."""

    async def load(keys: list[KeyT]) -> list[ValueT]:
        found = await read(keys)
        return [found.get(key, missing) for key in keys]

    return DataLoader(load_fn=load)
