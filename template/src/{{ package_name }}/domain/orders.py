"""Orders: what a user bought, at the price of the moment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime  # noqa: TC003 (pydantic reads the fields' types at run time)

from .clock import utcnow


@dataclass(frozen=True, slots=True)
class NewOrder:
    product: str
    quantity: int
    unit_price_cents: int


@dataclass(frozen=True, slots=True)
class Order:
    id: uuid.UUID
    user_id: uuid.UUID
    product: str
    quantity: int
    unit_price_cents: int
    created_at: datetime

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents

    @classmethod
    def place(cls, user_id: uuid.UUID, order: NewOrder) -> Order:
        return cls(
            id=uuid.uuid4(),
            user_id=user_id,
            product=order.product,
            quantity=order.quantity,
            unit_price_cents=order.unit_price_cents,
            created_at=utcnow(),
        )
