"""Products: what a user offers for sale."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime  # noqa: TC003 (pydantic reads the fields' types at run time)

from .clock import utcnow


@dataclass(frozen=True, slots=True)
class NewProduct:
    seller_id: uuid.UUID
    name: str
    description: str
    price_cents: int
    stock: int


@dataclass(frozen=True, slots=True)
class ProductChanges:
    name: str | None = None
    description: str | None = None
    price_cents: int | None = None
    stock: int | None = None


@dataclass(frozen=True, slots=True)
class Product:
    id: uuid.UUID
    seller_id: uuid.UUID
    name: str
    description: str
    price_cents: int
    stock: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def offer(cls, new: NewProduct) -> Product:
        now = utcnow()
        return cls(
            id=uuid.uuid4(),
            seller_id=new.seller_id,
            name=new.name,
            description=new.description,
            price_cents=new.price_cents,
            stock=new.stock,
            created_at=now,
            updated_at=now,
        )

    def changed(self, changes: ProductChanges) -> Product:
        """The product with ``changes`` applied, or ``self`` when nothing would change."""
        updated = replace(
            self,
            name=self.name if changes.name is None else changes.name,
            description=self.description if changes.description is None else changes.description,
            price_cents=self.price_cents if changes.price_cents is None else changes.price_cents,
            stock=self.stock if changes.stock is None else changes.stock,
        )
        return self if updated == self else replace(updated, updated_at=utcnow())
