"""Accounts: who may sign in, with which role, and the refresh tokens they hold."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from .errors import DomainError

if TYPE_CHECKING:
    import uuid
    from datetime import datetime


MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_BYTES = 72
"""bcrypt reads no further: a longer password would be silently cut."""


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Account:
    """A user's sign-in credentials; the password only ever as its hash."""

    user_id: uuid.UUID
    email: str
    password_hash: str
    role: Role
    is_active: bool


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of a request."""

    user_id: uuid.UUID
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def may_act_for(self, user_id: uuid.UUID) -> bool:
        return self.is_admin or self.user_id == user_id

    def ensure_may_act_for(self, user_id: uuid.UUID) -> None:
        if not self.may_act_for(user_id):
            raise PermissionDenied("only the user themselves or an admin may do this")

    def ensure_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDenied("only an admin may do this")


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """One refresh token of a family: every token rotated from one sign-in shares the family.

    A token is used once; presenting a used one again means it was stolen, and the whole
    family is revoked.
    """

    jti: uuid.UUID
    family_id: uuid.UUID
    user_id: uuid.UUID
    expires_at: datetime
    used_at: datetime | None = None
    """When the token was rotated; None while it is unused."""
    revoked: bool = False

    @property
    def used(self) -> bool:
        return self.used_at is not None


class NotAuthenticated(DomainError):
    """No valid credentials: the caller must sign in (again)."""

    def __init__(self, reason: str = "not authenticated") -> None:
        super().__init__(reason)
        self.reason = reason


class TooManyAttempts(DomainError):
    """Too many failed sign-ins on the account or from the address, or too many sign-ups
    or refreshes: wait, then try again."""

    def __init__(self, retry_after_seconds: int, what: str = "too many failed sign-ins") -> None:
        super().__init__(f"{what}; try again in {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class TokenContended(DomainError):
    """Another rotation of the same refresh token holds it right now: try again shortly."""


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""


class PasswordRefused(DomainError):
    """A new password the policy refuses (the email address, say)."""
