"""A page number so large that its OFFSET overflows a 64-bit integer was a 500 (SQLite "datatype mismatch",
PostgreSQL "bigint out of range"), found by the API fuzzer. Every paginated API list uses orgs.api.Pages,
which bounds ``page``: past the bound is a 422 naming the field, a page past the last row is an empty page."""

import pytest

from lianxin.orgs.api import MAX_PAGE

pytestmark = pytest.mark.pg

LISTS = ("/api/v1/orgs/organizations", "/api/v1/orgs/enterprises", "/api/v1/members/people",
         "/api/v1/members/memberships", "/api/v1/content/articles", "/api/v1/content/books")


@pytest.mark.parametrize("url", LISTS)
def test_huge_page_is_a_422_naming_page(client, district, url):
    client.force_login(district.users["fed.admin"])
    r = client.get(url, {"page": 184467440737095518})
    assert r.status_code == 422
    assert r.json()["field"] == "page" and r.json()["detail"] == f"page：不能大于 {MAX_PAGE}"
    r = client.get(url, {"page": MAX_PAGE, "page_size": 200})
    assert r.status_code == 200 and r.json()["items"] == []
