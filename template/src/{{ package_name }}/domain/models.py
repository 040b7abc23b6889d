"""Entities of the example domain: users and their orders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC, to the millisecond: the precision every supported database keeps."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass(frozen=True, slots=True)
class User:
    id: uuid.UUID
    email: str
    name: str
    is_active: bool
    created_at: datetime
    updated_at: datetime

    def changed(self, changes: UserChanges) -> User:
        """The user with ``changes`` applied, or ``self`` when nothing would change."""
        updated = replace(
            self,
            email=self.email if changes.email is None else changes.email.lower(),
            name=self.name if changes.name is None else changes.name,
            is_active=self.is_active if changes.is_active is None else changes.is_active,
        )
        return self if updated == self else replace(updated, updated_at=utcnow())


@dataclass(frozen=True, slots=True)
class UserChanges:
    email: str | None = None
    name: str | None = None
    is_active: bool | None = None


def new_user(email: str, name: str) -> User:
    now = utcnow()
    return User(
        id=uuid.uuid4(),
        email=email.lower(),
        name=name,
        is_active=True,
        created_at=now,
        updated_at=now,
    )


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
