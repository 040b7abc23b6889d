"""The declarative base of every table. Each module with a repository declares its own
tables next to it, and the package imports every module it holds: that is what puts
their tables in ``adapters.postgres.metadata``, the whole schema, which Alembic compares
migrations with and the tests empty."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Explicit constraint names keep migrations stable and let errors name the constraint.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def cascades(schema: MetaData) -> dict[str, set[str]]:
    """For each table, the tables whose rows deleting one of its rows deletes or changes:
    foreign keys ``ON DELETE CASCADE``, ``SET NULL`` or ``SET DEFAULT``, and what the rows
    a cascade deletes reach in turn."""
    direct: dict[str, list[tuple[str, bool]]] = {}
    for table in schema.tables.values():
        for key in table.foreign_keys:
            action = (key.ondelete or "").upper()
            if action in ("CASCADE", "SET NULL", "SET DEFAULT"):
                referred = direct.setdefault(key.column.table.name, [])
                referred.append((table.name, action == "CASCADE"))
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
