"""The back office shows applications read-only and scoped; sealed personal data never appears."""

import pytest

from lianxin.workflow import services

from .helpers import join_data, worker

pytestmark = [pytest.mark.django_db]


def test_admin_scoped_and_read_only(district, client):
    d = district
    data = join_data(d, n=4001)
    app = services.create_application(actor=worker(), programme="join", data=data, submit=True)
    client.force_login(d.users["street_a.admin"])
    listing = client.get("/admin/workflow/application/")
    assert listing.status_code == 200 and app.number in listing.content.decode()
    page = client.get(f"/admin/workflow/application/{app.pk}/change/").content.decode()
    assert data["id_number"] not in page and app.sealed["id_number"] not in page
    assert client.post(f"/admin/workflow/application/{app.pk}/change/", {"state": "approved"}).status_code == 403
    client.force_login(d.users["street_b.admin"])
    assert app.number not in client.get("/admin/workflow/application/").content.decode()
    assert client.get(f"/admin/workflow/application/{app.pk}/change/").status_code == 404
