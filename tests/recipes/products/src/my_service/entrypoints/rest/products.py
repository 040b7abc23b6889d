"""``/products``: request in, service call, response out."""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Self

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from my_service.domain.products import NewProduct, ProductChanges
from my_service.entrypoints.http.errors import UNAVAILABLE, ErrorResponse
from my_service.entrypoints.inputs import Count, Text, sent_fields_only
from my_service.entrypoints.inputs import Product as ProductName
from my_service.service import Cursor
from my_service.service.products import ProductQuery, ProductService

if TYPE_CHECKING:
    from my_service.container import Container

router = APIRouter(prefix="/products", tags=["products"], responses=UNAVAILABLE)

Description = Annotated[str, StringConstraints(max_length=2000), Text]
Price = Annotated[Count, Field(ge=0, le=100_000_000)]
Stock = Annotated[Count, Field(ge=0, le=1_000_000)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "No such product, or no such seller"}
}


async def product_service(request: Request) -> ProductService:
    """The product use cases over this request's own unit of work."""
    container: Container = request.app.state.container
    return ProductService(container.unit_of_work())


Service = Annotated[ProductService, Depends(product_service)]


class ProductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seller_id: uuid.UUID
    name: ProductName
    description: Description = ""
    price_cents: Price
    stock: Stock

    def to_new_product(self) -> NewProduct:
        return NewProduct(**self.model_dump())


class ProductPatch(BaseModel):
    """Only the fields that are sent change; at least one must be sent."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=sent_fields_only)

    name: ProductName | None = None
    description: Description | None = None
    price_cents: Price | None = None
    stock: Stock | None = None

    @model_validator(mode="after")
    def some_field_set(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("send at least one of: name, description, price_cents, stock")
        if any(getattr(self, field) is None for field in self.model_fields_set):
            raise ValueError("fields may be omitted but not null")
        return self

    def to_changes(self) -> ProductChanges:
        return ProductChanges(**self.model_dump(exclude_unset=True))


class ProductListParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=200)
    seller_id: uuid.UUID | None = None

    def to_query(self) -> ProductQuery:
        after = Cursor.decode(self.cursor) if self.cursor else None
        return ProductQuery(limit=self.limit, after=after, seller_id=self.seller_id)


class ProductResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    seller_id: uuid.UUID
    name: str
    description: str
    price_cents: int
    stock: int
    created_at: datetime
    updated_at: datetime


class ProductPage(BaseModel):
    items: list[ProductResponse]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


@router.get("", response_model=ProductPage)
async def list_products(
    service: Service, params: Annotated[ProductListParams, Query()]
) -> ProductPage:
    page = await service.list_products(params.to_query())
    items = [ProductResponse.model_validate(product) for product in page.items]
    return ProductPage(items=items, next_cursor=page.next_cursor)


@router.post(
    "", response_model=ProductResponse, status_code=status.HTTP_201_CREATED, responses=NOT_FOUND
)
async def offer_product(body: ProductCreate, service: Service, response: Response) -> Any:
    product = await service.offer(body.to_new_product())
    response.headers["Location"] = f"{router.prefix}/{product.id}"
    return ProductResponse.model_validate(product)


@router.get("/{product_id}", response_model=ProductResponse, responses=NOT_FOUND)
async def get_product(product_id: uuid.UUID, service: Service) -> Any:
    return ProductResponse.model_validate(await service.get(product_id))


@router.patch("/{product_id}", response_model=ProductResponse, responses=NOT_FOUND)
async def update_product(product_id: uuid.UUID, body: ProductPatch, service: Service) -> Any:
    return ProductResponse.model_validate(await service.update(product_id, body.to_changes()))


@router.delete("/{product_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def withdraw_product(product_id: uuid.UUID, service: Service) -> None:
    await service.withdraw(product_id)
