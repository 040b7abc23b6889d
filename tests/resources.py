"""Resources the tests generate into services (``-d resource=...``)."""

from __future__ import annotations

from typing import Any

EVERY_TYPE: list[dict[str, Any]] = [
    {"name": "name", "type": "str", "min_length": 1, "max_length": 120},
    {"name": "price", "type": "decimal", "precision": 10, "scale": 2, "min": 0},
    {"name": "stock", "type": "int", "min": 0, "index": True},
    {"name": "active", "type": "bool", "index": True},
    {"name": "released_on", "type": "date", "optional": True},
    {"name": "launch_at", "type": "datetime", "optional": True, "index": True},
    {"name": "status", "type": "enum", "values": ["draft", "live", "retired"], "index": True},
    {"name": "sku", "type": "str", "max_length": 40, "unique": True},
    {"name": "code", "type": "uuid", "optional": True},
    {"name": "seller", "type": "ref", "to": "user"},
]
"""A field of every type, a reference to users among them."""
A_PAIR = [
    {
        "resource": "category",
        "access": "owner",
        "fields": [{"name": "title", "type": "str", "max_length": 80, "unique": True}],
    },
    {
        "resource": "product",
        "access": "admin",
        "fields": [
            *EVERY_TYPE,
            {"name": "category", "type": "ref", "to": "category", "optional": True},
        ],
    },
]
"""Categories, their owners' (with sign-in); products of every type of field, which only
admins change, referring to a category and to a user."""
