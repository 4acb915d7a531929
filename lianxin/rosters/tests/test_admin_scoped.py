"""The back office lists import jobs read-only and only within the admin's subtree."""

import pytest

from lianxin.core.testing import id_number

from .helpers import check, xlsx_bytes


@pytest.mark.django_db
def test_admin_shows_jobs_in_scope_only(client, district):
    job = check(district.base_b1, xlsx_bytes([["姓名", "身份证号"], ["甲", id_number()]]),
                actor=district.users["street_b.admin"])
    client.force_login(district.users["street_b.admin"])
    resp = client.get("/admin/rosters/importjob/")
    assert resp.status_code == 200 and "花名册.xlsx" in resp.content.decode()
    assert client.get(f"/admin/rosters/importjob/{job.pk}/change/").status_code == 200
    client.force_login(district.users["street_a.admin"])
    assert "花名册.xlsx" not in client.get("/admin/rosters/importjob/").content.decode()
    assert client.get(f"/admin/rosters/importjob/{job.pk}/change/").status_code == 404
