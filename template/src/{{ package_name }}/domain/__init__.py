"""Users and their orders: plain Python, no framework, no I/O."""

from .errors import DomainError, EmailAlreadyRegistered, InvalidCursor, NotFound
from .models import NewOrder, Order, User, UserChanges, new_user

__all__ = [
    "DomainError",
    "EmailAlreadyRegistered",
    "InvalidCursor",
    "NewOrder",
    "NotFound",
    "Order",
    "User",
    "UserChanges",
    "new_user",
]
