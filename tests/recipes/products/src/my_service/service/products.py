"""Product use cases, shared by every API style."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from my_service.domain import NotFound
from my_service.domain.products import Product
from my_service.service.pagination import page_of
from my_service.service.ports import Repository, RepositoryKind, UnitOfWork
from my_service.service.users import existing_user

if TYPE_CHECKING:
    import uuid

    from my_service.domain.products import NewProduct, ProductChanges
    from my_service.service.pagination import Cursor, Page


@dataclass(frozen=True, slots=True)
class ProductQuery:
    limit: int = 20
    after: Cursor | None = None
    seller_id: uuid.UUID | None = None


class ProductRepository(Repository[Product], Protocol):
    """``add`` raises ``NotFound`` when the seller no longer exists."""

    async def find(self, query: ProductQuery) -> list[Product]:
        """Products matching ``query``, newest first, at most ``query.limit``."""
        ...


PRODUCTS = RepositoryKind[ProductRepository]("products")
"""The products' repository: ``uow.repository(PRODUCTS)``; the database adapter provides it."""


class ProductService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def offer(self, request: NewProduct) -> Product:
        product = Product.offer(request)
        async with self.uow:
            await existing_user(self.uow, product.seller_id)
            await self.uow.repository(PRODUCTS).add(product)
            await self.uow.commit()
        return product

    async def get(self, product_id: uuid.UUID) -> Product:
        async with self.uow.read_only() as uow:
            return await _existing(uow, product_id)

    async def list_products(self, query: ProductQuery) -> Page[Product]:
        async with self.uow.read_only() as uow:
            probe = await uow.repository(PRODUCTS).find(replace(query, limit=query.limit + 1))
        return page_of(probe, query.limit)

    async def update(self, product_id: uuid.UUID, changes: ProductChanges) -> Product:
        async with self.uow:
            product = await _existing(self.uow, product_id)
            updated = product.changed(changes)
            if updated is not product:
                await self.uow.repository(PRODUCTS).update(updated)
                await self.uow.commit()
        return updated

    async def withdraw(self, product_id: uuid.UUID) -> None:
        async with self.uow:
            if not await self.uow.repository(PRODUCTS).remove(product_id):
                raise NotFound("product", product_id)
            await self.uow.commit()


async def _existing(uow: UnitOfWork, product_id: uuid.UUID) -> Product:
    product = await uow.repository(PRODUCTS).get(product_id)
    if product is None:
        raise NotFound("product", product_id)
    return product
