"""Products on PostgreSQL: their table and their repository."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from my_service.adapters.postgres.repository import TableRepository
from my_service.adapters.postgres.tables import Base
from my_service.adapters.postgres.unit_of_work import provide
from my_service.domain import NotFound
from my_service.domain.products import Product
from my_service.service.products import PRODUCTS

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

    from my_service.service.products import ProductQuery


class ProductRow(Base):
    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_created_at_id", "created_at", "id"),
        Index("ix_products_seller_id_created_at", "seller_id", "created_at"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    price_cents: Mapped[int]
    stock: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SqlAlchemyProductRepository(TableRepository[Product]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, ProductRow, Product)

    async def find(self, query: ProductQuery) -> list[Product]:
        criteria: list[ColumnElement[bool]] = []
        if query.seller_id is not None:
            criteria.append(self.table.c.seller_id == query.seller_id)
        return await self.page(*criteria, limit=query.limit, after=query.after)

    def refused(self, constraint: str, entity: Product) -> Exception | None:
        if "fk_products_seller_id_users" in constraint:
            return NotFound("user", entity.seller_id)
        return None


provide(PRODUCTS, SqlAlchemyProductRepository)
