"""People export: masked by default, formula-safe, reveal only with the role and a reason (audited), scoped,
streamed."""

import csv
import io
import re
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from lianxin.core import crypto
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, make_person
from lianxin.members.services import ID_CTX, admit_member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def people(district):
    a = make_person(district.base_a1, "=HYPERLINK(\"http://evil\",\"点我\")", job="-2+3", employer_name="@SUM(A1)")
    b = make_person(district.base_a1, "王芳", gender="F")
    admit_member(actor=ROOT, person=b, union=district.base_a1)
    c = make_person(district.base_b1, "下沙职工")
    return a, b, c


def _xlsx(resp):
    data = b"".join(resp.streaming_content) if resp.streaming else resp.content
    return data, CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def _get(client, user, **params):
    client.force_login(user)
    return client.get("/console/export/people/", params)


def test_xlsx_is_masked_by_default_and_scoped(client, district, people):
    a, b, c = people
    resp = _get(client, district.users["street_a.viewer"], fmt="xlsx")
    assert resp.status_code == 200
    data, rows = _xlsx(resp)
    assert rows[0][:3] == ["姓名", "身份证号", "手机号码"]
    names = [r[0] for r in rows[1:]]
    assert "下沙职工" not in names and "王芳" in names and len(names) == 2
    full = crypto.decrypt(b.id_cipher, context=ID_CTX)
    assert full.encode() not in data and b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml")
    wang = next(r for r in rows if r[0] == "王芳")
    assert re.fullmatch(r"\d{4}\*{10}[\dX]{4}", wang[1]) and re.fullmatch(r"\d{3}\*{4}\d{4}", wang[2])
    assert wang[14] == "会员" and wang[15].startswith("LX")
    e = AuditEntry.objects.get(action="rosters.export")
    assert e.detail["rows"] == 2 and e.detail["reveal"] is False


def test_formula_injection_is_defused_in_xlsx_and_csv(client, district, people):
    _data, rows = _xlsx(_get(client, district.users["street_a.admin"], fmt="xlsx"))
    evil = next(r for r in rows if "HYPERLINK" in str(r[0]))
    assert evil[0].startswith("'=") and evil[6] == "'@SUM(A1)" and evil[7] == "'-2+3"
    resp = _get(client, district.users["street_a.admin"], fmt="csv")
    assert resp.streaming
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    evil = next(r for r in rows if "HYPERLINK" in r[0])
    assert evil[0].startswith("'=") and evil[6] == "'@SUM(A1)" and evil[7] == "'-2+3"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_filters_match_the_person_list(client, district, people):
    _d, rows = _xlsx(_get(client, district.users["fed.admin"], fmt="xlsx", status="member"))
    assert [r[0] for r in rows[1:]] == ["王芳"]
    _d, rows = _xlsx(_get(client, district.users["fed.admin"], fmt="xlsx", org=district.base_b1.pk))
    assert [r[0] for r in rows[1:]] == ["下沙职工"]
    _d, rows = _xlsx(_get(client, district.users["fed.admin"], fmt="xlsx", q="王"))
    assert [r[0] for r in rows[1:]] == ["王芳"]


def test_other_subtree_org_is_not_found(client, district, people):
    assert _get(client, district.users["street_a.admin"], fmt="xlsx", org=district.base_b1.pk).status_code == 404


def test_reveal_needs_a_reason_and_is_audited(client, district, people):
    a, b, c = people
    admin = district.users["street_a.admin"]
    resp = _get(client, admin, fmt="csv", reveal="1")
    assert resp.status_code == 200 and "请填写事由" in resp.content.decode()
    assert not AuditEntry.objects.filter(action__startswith="rosters.export").exists()
    resp = _get(client, admin, fmt="csv", reveal="1", reason="报送年度会员统计")
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    assert crypto.decrypt(b.id_cipher, context=ID_CTX) in text
    e = AuditEntry.objects.get(action="rosters.export_reveal")
    assert e.reason == "报送年度会员统计" and e.actor_id == admin.pk and e.detail["rows"] == 2


def test_roles_that_may_not_reveal_are_refused(client, district, people):
    for user in ("street_a.viewer", "street_a.auditor"):
        resp = _get(client, district.users[user], fmt="xlsx", reveal="1", reason="想看看")
        assert resp.status_code == 403
        assert "无权导出完整个人信息" in resp.content.decode()
    assert not AuditEntry.objects.filter(action="rosters.export_reveal").exists()


def test_reveal_must_cover_the_whole_export(client, district, people):
    """base_a1.reviewer may reveal inside base_a1 only; a user with view rights beyond their reveal rights
    cannot reveal an export that spans both."""
    from lianxin.accounts.models import StaffRole

    user = district.users["base_a1.reviewer"]
    StaffRole.objects.create(user=user, organization=district.street_b, role="viewer")
    resp = _get(client, user, fmt="csv", reveal="1", reason="核对")
    assert resp.status_code == 403
    resp = _get(client, user, fmt="csv", reveal="1", reason="核对", org=district.base_a1.pk)
    assert resp.status_code == 200


def test_anonymous_is_sent_to_login(client, district):
    resp = client.get("/console/export/people/?fmt=csv")
    assert resp.status_code == 302 and "/console/login/" in resp["Location"]
