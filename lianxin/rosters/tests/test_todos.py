"""工作台 待办: a checked roster file waits for its uploader's confirmation, and for no one else."""

import pytest

from lianxin.core.testing import id_number
from lianxin.rosters import todos

from .helpers import check, run, xlsx_bytes

pytestmark = pytest.mark.django_db
URL = "/console/imports/?status=ready&mine=1"


def counts(user) -> dict[str, int]:
    return {t.label: t.count for t in todos.ready_imports(user)}


def test_a_checked_file_waits_for_its_uploader_only(district, client):
    d = district
    me = d.users["street_a.admin"]
    job = check(d.base_a1, xlsx_bytes([["姓名", "身份证号"], ["甲", id_number()]]), name="甲科技花名册.xlsx", actor=me)
    other = check(d.base_a1, xlsx_bytes([["姓名", "身份证号"], ["乙", id_number()]]), name="同事的花名册.xlsx",
                  actor=d.users["base_a1.admin"])
    assert job.status == "ready" and other.status == "ready"
    assert counts(me) == {"待确认导入的花名册": 1}
    for name in ("street_a.viewer", "street_a.reviewer", "street_b.admin", "fed.admin"):
        assert counts(d.users[name])["待确认导入的花名册"] == 0, name
    client.force_login(me)
    resp = client.get(URL)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "甲科技花名册.xlsx" in html and "同事的花名册.xlsx" not in html
    assert "同事的花名册.xlsx" in client.get("/console/imports/").content.decode()  # the unfiltered list is unchanged
    run(job, actor=me)
    assert counts(me)["待确认导入的花名册"] == 0
    assert counts(d.users["base_a1.admin"])["待确认导入的花名册"] == 1
