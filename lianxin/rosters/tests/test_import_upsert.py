"""Upsert by blind index, import modes, memberships and numbers, scope, audit, template and error report."""

import io

import pytest

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, id_number, make_person, mobile
from lianxin.members.models import Membership, Person
from lianxin.members.services import new_member_no
from lianxin.rosters import services

from .helpers import check, problems, run, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

HEADER = ["姓名", "身份证号", "手机号码", "工作单位", "学历", "政治面貌", "农民工"]


def _rows(n=4):
    return [HEADER] + [[f"职工{i}", id_number(), mobile(), "杭州甲科技有限公司", "本科", "中共党员", "是"]
                       for i in range(n)]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(district):
    admin = district.users["street_a.admin"]
    data = xlsx_bytes(_rows())
    first = run(check(district.base_a1, data, actor=admin), "all", actor=admin)
    assert first.status == "done"
    assert (first.added, first.updated, first.unchanged, first.rejected, first.members_added) == (4, 0, 0, 0, 4)
    people = list(Person.objects.order_by("id").values_list("id", "updated_at", "mobile_cipher"))
    numbers = set(Membership.objects.values_list("member_no", flat=True))

    second = check(district.base_a1, data, actor=admin)
    assert second.preview == {"total": 4, "added": 0, "updated": 0, "unchanged": 4, "rejected": 0,
                              "members_added": 0}
    second = run(second, "all", actor=admin)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 4)
    assert "没有任何变化" in second.message
    assert list(Person.objects.order_by("id").values_list("id", "updated_at", "mobile_cipher")) == people
    assert set(Membership.objects.values_list("member_no", flat=True)) == numbers


def test_changed_rows_update_and_empty_cells_do_not_erase(district):
    admin = district.users["street_a.admin"]
    rows = _rows(3)
    run(check(district.base_a1, xlsx_bytes(rows), actor=admin), actor=admin)
    rows[1][2] = mobile()  # new phone
    rows[2][3] = ""  # employer left empty: keeps what is stored
    rows[3][0] = "改名"
    job = run(check(district.base_a1, xlsx_bytes(rows), actor=admin), actor=admin)
    assert (job.added, job.updated, job.unchanged) == (0, 2, 1)
    assert Person.objects.filter(name="改名").exists()
    assert not Person.objects.filter(employer_name="").exists()
    assert Person.objects.get(name="职工0").mobile_masked == rows[1][2][:3] + "****" + rows[1][2][-4:]


def test_all_or_nothing_is_refused_when_the_preview_has_errors(district):
    admin = district.users["street_a.admin"]
    rows = _rows(2) + [["坏", "123", "", "", "", "", ""]]
    job = check(district.base_a1, xlsx_bytes(rows), actor=admin)
    with pytest.raises(ServiceError, match="无法“全部导入”"):
        services.request_import(actor=admin, job=job, mode="all")
    job = run(job, "valid", actor=admin)
    assert (job.added, job.rejected) == (2, 1)


def test_all_or_nothing_writes_nothing_when_a_row_turned_bad_after_the_check(district):
    """Between preview and import someone admitted one of the people elsewhere: the all-or-nothing import
    must write none of the rows."""
    admin = district.users["street_a.admin"]
    rows = _rows(3)
    job = check(district.base_a1, xlsx_bytes(rows), actor=admin)
    assert job.preview["rejected"] == 0
    from lianxin.members.services import admit_member, create_person

    p = create_person(actor=ROOT, org=district.base_b1, name="职工1", id_number=rows[2][1])
    admit_member(actor=ROOT, person=p, union=district.base_b1)
    job = run(job, "all", actor=admin)
    assert job.status == "failed" and "未导入任何数据" in job.message
    assert "转会" in problems(job)[3]
    assert Person.objects.count() == 1 and Membership.objects.count() == 1
    assert AuditEntry.objects.filter(action="rosters.import_rejected").count() == 1
    assert not AuditEntry.objects.filter(action="rosters.import").exists()


def test_member_numbers_come_from_the_shared_counter(district):
    admin = district.users["street_a.admin"]
    before = new_member_no()
    run(check(district.base_a1, xlsx_bytes(_rows(3)), actor=admin), actor=admin)
    after = new_member_no()
    got = sorted(Membership.objects.filter(note="花名册导入").values_list("member_no", flat=True))
    assert int(after[-8:]) - int(before[-8:]) == 4
    assert [int(n[-8:]) for n in got] == [int(before[-8:]) + i for i in (1, 2, 3)]
    assert set(Membership.objects.filter(note="花名册导入").values_list("status", "union_id")) == {
        ("member", district.base_a1.pk)}


def test_existing_non_member_in_scope_is_admitted(district):
    admin = district.users["street_a.admin"]
    p = make_person(district.street_a, "老王")
    from lianxin.core import crypto
    from lianxin.members.services import ID_CTX

    number = crypto.decrypt(p.id_cipher, context=ID_CTX)
    job = run(check(district.base_a1, xlsx_bytes([["姓名", "身份证号"], ["老王", number]]), actor=admin),
              actor=admin)
    assert (job.added, job.updated, job.members_added) == (0, 1, 1)
    p.refresh_from_db()
    assert p.org_id == district.base_a1.pk
    assert p.memberships.get().status == "member"


def test_import_into_a_non_union_org_registers_people_without_membership(district):
    admin = district.users["street_a.admin"]
    job = run(check(district.street_a, xlsx_bytes(_rows(2)), actor=admin), actor=admin)
    assert (job.added, job.members_added) == (2, 0)
    assert set(Person.objects.values_list("org_id", flat=True)) == {district.street_a.pk}
    assert not Membership.objects.exists()


def test_only_admins_in_scope_may_import(district):
    with pytest.raises(PermissionDenied):
        check(district.base_b1, xlsx_bytes(_rows(1)), actor=district.users["street_a.admin"])
    with pytest.raises(PermissionDenied):
        check(district.base_a1, xlsx_bytes(_rows(1)), actor=district.users["street_a.viewer"])


def test_import_is_audited_with_its_counts(district):
    admin = district.users["street_a.admin"]
    job = run(check(district.base_a1, xlsx_bytes(_rows(2) + [["坏", "1", "", "", "", "", ""]]), actor=admin),
              actor=admin)
    e = AuditEntry.objects.get(action="rosters.import")
    assert e.actor_id == admin.pk and e.object_id == str(job.pk) and e.org_path == district.base_a1.path
    assert (e.detail["added"], e.detail["rejected"], e.detail["members_added"]) == (2, 1, 2)


def test_error_report_has_the_original_rows_and_an_explanation(district):
    from python_calamine import CalamineWorkbook

    admin = district.users["street_a.admin"]
    rows = _rows(1) + [["坏人", "=cmd|' /C calc'!A0", "12", "", "", "", ""]]
    job = check(district.base_a1, xlsx_bytes(rows, title_rows=[["标题行"]]), actor=admin)
    f = services.error_report(actor=admin, job=job)
    data = CalamineWorkbook.from_filelike(io.BytesIO(f.read())).get_sheet_by_index(0).to_python()
    assert data[0] == ["原行号", *HEADER, "错误说明"]
    assert len(data) == 2
    assert data[1][:3] == [4, "坏人", "'=cmd|' /C calc'!A0"]  # original values, formula defused
    assert "身份证号" in data[1][-1]
    assert AuditEntry.objects.filter(action="rosters.error_report").count() == 1
    with pytest.raises(PermissionDenied):
        services.error_report(actor=district.users["street_a.viewer"], job=job)


def test_template_has_instructions_header_and_dropdowns_and_imports(district):
    import zipfile

    from python_calamine import CalamineWorkbook

    data = services.template_workbook()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert sheet[0][0].startswith("填表说明")
    assert sheet[1][:3] == ["*姓名", "*身份证号", "手机号码"]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert xml.count("<dataValidation ") >= 6 and "中共党员" in xml
    # a filled-in template imports: append a row below the header with the same writer conventions
    rows = [[c for c in sheet[1]], ["填模板", id_number(), mobile()] + [""] * (len(sheet[1]) - 3)]
    job = check(district.base_a1, xlsx_bytes(rows, title_rows=[[sheet[0][0]]]), actor=district.users["street_a.admin"])
    assert job.status == "ready" and job.preview["added"] == 1, (job.message, job.problems)


def test_a_forked_reader_gives_the_same_result_in_file_order(district, monkeypatch):
    """Big files are read and checked by a forked child process while the parent writes; results must come back
    complete and in file order, memberships numbered, the phases timed."""
    from lianxin.rosters.models import ImportJob

    admin = district.users["street_a.admin"]
    monkeypatch.setattr(services, "CHUNK", 4)
    monkeypatch.setattr(services, "_may_fork", lambda height: True)
    forked = []
    real_enter = services.ForkedReader.__enter__
    monkeypatch.setattr(services.ForkedReader, "__enter__", lambda self: forked.append(1) or real_enter(self))
    rows = _rows(21)
    rows[5][1], rows[17][2] = "123", "999"
    job = check(district.base_a1, xlsx_bytes(rows), actor=admin)
    assert sorted(problems(job)) == [6, 18]
    ImportJob.objects.filter(pk=job.pk).update(status="importing", mode="valid")
    services.import_job(job.pk)
    job.refresh_from_db()
    assert forked == [1, 1]  # the check and the import both read in a child
    assert (job.added, job.rejected, job.members_added) == (19, 2, 19) and sorted(problems(job)) == [6, 18]
    assert Person.objects.count() == 19
    assert Membership.objects.filter(union=district.base_a1).count() == 19
    assert services.LAST_TIMINGS["read_validate_seal"] > 0  # the child's phase reported to the parent


def test_a_refusal_in_the_forked_reader_reaches_the_job(district, monkeypatch):
    """The row limit is met while the child reads: the job is refused with its Chinese message."""
    admin = district.users["street_a.admin"]
    monkeypatch.setattr(services, "CHUNK", 4)
    monkeypatch.setattr(services, "MAX_ROWS", 10)
    monkeypatch.setattr(services, "_may_fork", lambda height: True)
    job = check(district.base_a1, xlsx_bytes(_rows(15)), actor=admin)
    assert job.status == "refused" and "10 行" in job.message, job.message


def test_a_crash_in_the_forked_reader_fails_the_import_and_writes_nothing(district, monkeypatch):
    from lianxin.rosters.models import ImportJob

    admin = district.users["street_a.admin"]
    monkeypatch.setattr(services, "CHUNK", 4)
    job = check(district.base_a1, xlsx_bytes(_rows(12)), actor=admin)
    assert job.status == "ready"
    monkeypatch.setattr(services, "_may_fork", lambda height: True)
    real, calls = services.check_chunk, []

    def failing(args, check=None):
        calls.append(1)
        if len(calls) == 2:  # the second chunk, after the first was written
            raise ValueError("boom")
        return real(args, check)

    monkeypatch.setattr(services, "check_chunk", failing)
    ImportJob.objects.filter(pk=job.pk).update(status="importing", mode="valid")
    services.import_job(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "未导入任何数据" in job.message
    assert not Person.objects.exists() and not Membership.objects.exists()
