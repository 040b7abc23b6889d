"""Products over REST, against the real database: the resource added by the README's recipe."""

import uuid
from typing import Any

import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.integration


async def seller(client: AsyncClient) -> str:
    response = await client.post("/users", json={"email": "ada@example.com", "name": "Ada"})
    assert response.status_code == 201, response.text
    user_id: str = response.json()["id"]
    return user_id


def lamp(seller_id: str, **changes: Any) -> dict[str, Any]:
    body = {"seller_id": seller_id, "name": "Lamp", "price_cents": 2500, "stock": 3}
    return body | changes


async def test_offer_read_change_and_withdraw(client: AsyncClient) -> None:
    created = await client.post("/products", json=lamp(await seller(client)))
    assert created.status_code == 201, created.text
    product = created.json()
    assert created.headers["location"] == f"/products/{product['id']}"
    assert (product["name"], product["description"], product["stock"]) == ("Lamp", "", 3)
    assert (await client.get(f"/products/{product['id']}")).json() == product

    changed = await client.patch(f"/products/{product['id']}", json={"stock": 0})
    assert changed.status_code == 200, changed.text
    assert changed.json()["stock"] == 0
    assert changed.json()["updated_at"] > product["updated_at"]

    assert (await client.delete(f"/products/{product['id']}")).status_code == 204
    assert (await client.get(f"/products/{product['id']}")).status_code == 404
    assert (await client.delete(f"/products/{product['id']}")).status_code == 404


async def test_a_product_needs_an_existing_seller(client: AsyncClient) -> None:
    response = await client.post("/products", json=lamp(str(uuid.uuid4())))

    assert response.status_code == 404
    assert "user" in response.json()["detail"]
    assert (await client.get("/products")).json()["items"] == []


@pytest.mark.parametrize(
    "changes",
    [{"price_cents": -1}, {"stock": True}, {"name": " "}, {"description": "\x00"}, {"x": 1}],
)
async def test_bad_input_is_422_and_writes_nothing(
    client: AsyncClient, changes: dict[str, Any]
) -> None:
    response = await client.post("/products", json=lamp(await seller(client), **changes))

    assert response.status_code == 422
    assert (await client.get("/products")).json()["items"] == []


async def test_pages_by_seller_newest_first(client: AsyncClient) -> None:
    ada = await seller(client)
    grace = (
        await client.post("/users", json={"email": "grace@example.com", "name": "Grace"})
    ).json()["id"]
    for index in range(5):
        await client.post("/products", json=lamp(ada, name=f"Lamp {index}"))
    await client.post("/products", json=lamp(grace))

    first = (await client.get("/products", params={"seller_id": ada, "limit": 3})).json()
    rest = await client.get(
        "/products", params={"seller_id": ada, "limit": 3, "cursor": first["next_cursor"]}
    )

    items = first["items"] + rest.json()["items"]
    assert sorted(item["name"] for item in items) == [f"Lamp {index}" for index in range(5)]
    positions = [(item["created_at"], item["id"]) for item in items]
    assert positions == sorted(positions, reverse=True), "newest first, no item twice"
    assert rest.json()["next_cursor"] is None


async def test_products_go_with_their_seller(client: AsyncClient) -> None:
    ada = await seller(client)
    product = (await client.post("/products", json=lamp(ada))).json()

    assert (await client.delete(f"/users/{ada}")).status_code == 204

    assert (await client.get(f"/products/{product['id']}")).status_code == 404
