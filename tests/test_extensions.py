import pytest

from extensions.naming import package_name_error, project_name_error, slug_error, slugify
from extensions.tuning import max_overflow, pool_size


@pytest.mark.parametrize(
    ("expected", "peak", "size", "overflow"),
    [(25, 60, 20, 30), (10, 10, 8, 5), (1, 1, 1, 1), (3, 7, 3, 4), (100, 250, 80, 125)],
)
def test_pool_sizing_rule(expected: int, peak: int, size: int, overflow: int) -> None:
    assert pool_size(expected) == size
    assert max_overflow(peak) == overflow


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("My Service", "my-service"),
        ("  Billing API v2 ", "billing-api-v2"),
        ("Café Órders", "cafe-orders"),
        ("42 Things", "things"),
        ("***", "service"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug
    assert slug_error(slug) == ""


@pytest.mark.parametrize("name", ["My Service", "Orders — EU", "a"])
def test_good_project_names(name: str) -> None:
    assert project_name_error(name) == ""


@pytest.mark.parametrize("package", ["my_service", "orders2", "billing_api"])
def test_good_package_names(package: str) -> None:
    assert package_name_error(package) == ""
