"""Implementations of the service layer's ports."""

from collections.abc import Iterable, Mapping


def reached_by_deletes(direct: Mapping[str, Iterable[tuple[str, bool]]]) -> dict[str, set[str]]:
    """For each table (or collection) in ``direct``, every one whose rows deleting one of its
    rows deletes or changes. ``direct`` names, for each, those that refer to it, and whether
    a delete goes on to delete their rows (True: what those rows reach is reached too) or
    only changes them (False: a ``SET NULL``)."""
    reached: dict[str, set[str]] = {}
    for start in direct:
        found: set[str] = set()
        deleted = {start}
        pending = [start]
        while pending:
            for name, deletes in direct.get(pending.pop(), []):
                found.add(name)
                if deletes and name not in deleted:
                    deleted.add(name)
                    pending.append(name)
        reached[start] = found
    return reached
