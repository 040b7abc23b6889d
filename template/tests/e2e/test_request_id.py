import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.integration


async def test_a_request_id_is_made_up_and_echoed(client: AsyncClient) -> None:
    first = await client.get("/health")
    second = await client.get("/health")

    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_a_well_formed_incoming_id_is_kept(client: AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "trace-42.a_b"})
    assert response.headers["x-request-id"] == "trace-42.a_b"


async def test_a_malformed_incoming_id_is_replaced(client: AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "bad id\\n" + "x" * 200})
    assert response.headers["x-request-id"] != "bad id"
    assert len(response.headers["x-request-id"]) == 32
