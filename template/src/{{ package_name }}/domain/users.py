"""Users: the people the service serves."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime  # noqa: TC003 (pydantic reads the fields' types at run time)

from .clock import utcnow


# Held weakly by what is derived from it and must not outlive it (a response body).
@dataclass(frozen=True, slots=True, weakref_slot=True)
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
