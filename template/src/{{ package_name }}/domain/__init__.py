"""Users and their orders: plain Python, no framework, no I/O."""

from .errors import DomainError, EmailAlreadyRegistered, InvalidCursor, NotFound, Unavailable
from .models import NewOrder, Order, User, UserChanges, new_user

__all__ = [
    "DomainError",
    "EmailAlreadyRegistered",
    "InvalidCursor",
    "NewOrder",
    "NotFound",
    "Order",
    "Unavailable",
    "User",
    "UserChanges",
    "new_user",
]
