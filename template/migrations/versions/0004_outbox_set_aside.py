"""Outbox events the broker cannot take are set aside, with the reason.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("set_aside_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("outbox", sa.Column("set_aside_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("outbox", "set_aside_reason")
    op.drop_column("outbox", "set_aside_at")
