"""An enterprise belongs to a street, so registering one needs a change grant at a street or above: a base
union's administrator is neither offered 登记企业 nor given the form (whose street list would be empty)."""

import pytest

pytestmark = pytest.mark.django_db


def test_only_street_or_federation_administrators_register_enterprises(client, district):
    client.force_login(district.users["base_a1.admin"])
    assert "/console/enterprises/new/" not in client.get("/console/enterprises/").content.decode()
    r = client.get("/console/enterprises/new/")
    assert r.status_code == 403 and "街道或区总工会的管理员" in r.content.decode()
    client.force_login(district.users["street_a.admin"])
    assert "/console/enterprises/new/" in client.get("/console/enterprises/").content.decode()
    html = client.get("/console/enterprises/new/").content.decode()
    assert district.street_a.name in html and district.street_b.name not in html
