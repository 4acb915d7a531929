"""Property tests of whole imports: small generated rosters mixing new people, people already on file (same
or changed), bad rows of every kind, repeats of a row and members of another union, in both modes.

What must hold, whatever the mix (the generator knows what each row is, so the expected outcome is computed
independently of the code under test):

- the check's preview and the import's counts are the expected ones, and added + updated + unchanged + rejected
  equals the number of data rows;
- the check writes nothing to the members tables;
- "all or nothing" with any bad row writes nothing (the request is refused; an import forced through anyway
  rolls back and reports every problem);
- "only the valid rows" writes exactly the valid rows: every new person (with a membership when the target is
  a union; into a street, without), the changed ones changed, nobody else;
- importing the same file again reports every valid row unchanged and changes nothing (table snapshots equal).

Each example runs in a savepoint rolled back at its end, so examples do not see each other's people. Runs on
SQLite and PostgreSQL (``pg``: COPY, the side progress connection).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lianxin.core.errors import ServiceError
from lianxin.core.idnumbers import make_id_number
from lianxin.core.testing import ROOT
from lianxin.members.models import Membership, Person
from lianxin.members.services import admit_member, create_person, id_bidx
from lianxin.rosters import services
from lianxin.rosters.models import ImportJob

from .helpers import check, csv_bytes, run, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

IMPORTS = settings(max_examples=25, derandomize=True, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
CJK = re.compile(r"[\u4e00-\u9fff]")
HEADER = ["姓名", "身份证号", "手机号码", "性别", "学历"]
KINDS = ["new", "new", "new_noisy", "same", "changed", "not_member", "bad_checksum", "bad_mobile", "no_name",
         "gender_mismatch", "lost_digits", "repeat", "elsewhere"]
VALID = {"new", "new_noisy", "same", "changed", "not_member"}


def _id(k: int, gender: str = "M") -> str:
    return make_id_number("330106", dt.date(1960 + k % 40, 1 + k % 12, 1 + k % 28), k, gender)


@st.composite
def rosters(draw):
    """[(kind, row)], where kind says what the row must do. ``repeat`` rows repeat an earlier valid row's ID."""
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=10))
    out, k0 = [], draw(st.integers(0, 400)) * 10
    for i, kind in enumerate(kinds):
        k = k0 + i
        gender = "MF"[k % 2]
        number = _id(k, gender)
        name = f"职工{k}"
        mobile = f"139{k:08d}"
        edu = draw(st.sampled_from(["本科", "大专", ""]))
        row = [name, number, mobile, "男" if gender == "M" else "女", edu]
        if kind == "new_noisy":
            row = [f" {name}\u3000", f"{number[:6]} {number[6:14]} {number[14:]}".lower(), float(mobile),
                   "", f" {edu} "]
        elif kind == "bad_checksum":
            row[1] = number[:17] + ("0" if number[17] != "0" else "1")
        elif kind == "bad_mobile":
            row[2] = draw(st.sampled_from(["1381234", "12345678901", "电话"]))
        elif kind == "no_name":
            row[0] = draw(st.sampled_from(["", " ", "\u3000", "\u200b"]))
        elif kind == "gender_mismatch":
            row[3] = "女" if gender == "M" else "男"
        elif kind == "lost_digits":
            row[1] = draw(st.sampled_from([float(number[:17] + "0"), "3.30106E+17"]))
        elif kind == "repeat":
            earlier = [r for kd, r in out if kd in VALID]
            if not earlier:
                kind = "new"
            else:
                first = draw(st.sampled_from(earlier))
                row = [first[0] + "乙", str(first[1]).lower(), "", "", ""]
        out.append((kind, row))
    return out


def _existing(district, roster) -> None:
    """Put on file the people the roster's ``same``/``changed``/``not_member``/``elsewhere`` rows refer to."""
    for kind, row in roster:
        if kind not in ("same", "changed", "not_member", "elsewhere"):
            continue
        name = row[0] if kind != "changed" else row[0] + "（旧名）"
        union = district.base_b1 if kind == "elsewhere" else district.base_a1
        edu = {"本科": "bachelor", "大专": "college", "": ""}[row[4]]
        person = create_person(actor=ROOT, org=union, name=name, id_number=row[1], mobile=row[2], education=edu)
        if kind != "not_member":
            admit_member(actor=ROOT, person=person, union=union)


def _expected(roster, *, union: bool) -> dict:
    """Into a union (base_a1) new people become members and a person on file without a membership is admitted
    (an update); into a street (street_a, above base_a1) nobody is admitted, and the people already in its
    subtree stay where they are."""
    counts = {"total": len(roster), "added": 0, "updated": 0, "unchanged": 0, "rejected": 0, "members_added": 0}
    for kind, _row in roster:
        if kind in ("new", "new_noisy"):
            counts["added"] += 1
            counts["members_added"] += union
        elif kind == "changed" or (kind == "not_member" and union):
            counts["updated"] += 1
            counts["members_added"] += kind == "not_member"
        elif kind in ("same", "not_member"):
            counts["unchanged"] += 1
        else:
            counts["rejected"] += 1
    return counts


def snapshot() -> tuple:
    people = list(Person.objects.order_by("id").values_list(
        "id", "name", "id_bidx", "mobile_bidx", "org_id", "education", "birth_date", "gender", "updated_at"))
    members = list(Membership.objects.order_by("id").values_list(
        "id", "person_id", "union_id", "status", "member_no", "joined_on", "updated_at"))
    return people, members


def _file(roster, fmt: str) -> bytes:
    rows = [HEADER] + [row for _k, row in roster]
    if fmt == "csv":
        # a number as Excel would save it: an 11-digit mobile in full, an 18-digit ID as 3.30106E+17
        return csv_bytes([[f"{c:.5E}" if isinstance(c, float) and c >= 1e15 else
                           str(int(c)) if isinstance(c, float) else c for c in r] for r in rows])
    return xlsx_bytes(rows)


@IMPORTS
@given(rosters(), st.sampled_from(["all", "valid"]), st.sampled_from(["xlsx", "csv"]),
       st.sampled_from(["base_a1", "street_a"]))
def test_generated_rosters_import_as_expected(district, roster, mode, fmt, target):
    admin = district.users["street_a.admin"]
    union = getattr(district, target)
    is_union = target == "base_a1"
    expected = _expected(roster, union=is_union)
    event(f"{target}, {mode}, {'with' if expected['rejected'] else 'no'} bad rows")
    with transaction.atomic():
        _existing(district, roster)
        data = _file(roster, fmt)
        before = snapshot()

        job = check(union, data, f"花名册.{fmt}", actor=admin)
        assert job.status == "ready", job.message
        assert job.preview == expected, (job.preview, [k for k, _r in roster])
        assert all(CJK.search(msg) for _no, msg in job.problems)
        assert snapshot() == before  # the check writes nothing

        if mode == "all" and expected["rejected"]:
            with pytest.raises(ServiceError) as e:
                services.request_import(actor=admin, job=job, mode="all")
            assert e.value.code == "has_errors"
            # forced through anyway (as if the file had turned bad since its check): rolls back, reports all
            ImportJob.objects.filter(pk=job.pk).update(status="importing", mode="all")
            services.import_job(job.pk)
            job.refresh_from_db()
            assert job.status == "failed" and job.rejected == expected["rejected"], job.message
            assert snapshot() == before
            transaction.set_rollback(True)
            return

        job = run(job, mode, actor=admin)
        assert job.status == "done", job.message
        got = {k: getattr(job, k) for k in ("added", "updated", "unchanged", "rejected", "members_added")}
        assert got == {k: v for k, v in expected.items() if k != "total"}
        assert job.added + job.updated + job.unchanged + job.rejected == job.total_rows == len(roster)

        # exactly the valid rows were written
        on_file = {p.id_bidx: p for p in Person.objects.select_related("org")}
        for kind, row in roster:
            if kind in ("new", "new_noisy", "same", "changed", "not_member"):
                number = row[1] if kind != "new_noisy" else row[1].replace(" ", "").upper()
                person = on_file.pop(id_bidx(number))
                assert person.name == row[0].strip().replace("\u3000", "")
                if is_union or kind in ("new", "new_noisy"):
                    assert person.org_id == union.pk
                else:  # already in the street's subtree: stays in its union
                    assert person.org_id == district.base_a1.pk
                members = Membership.objects.filter(person=person, status="member")
                assert list(members.values_list("union_id", flat=True)) == (
                    [district.base_a1.pk] if is_union or kind in ("same", "changed") else [])
            elif kind == "elsewhere":
                person = on_file.pop(id_bidx(row[1]))
                assert person.org_id == district.base_b1.pk
        assert not on_file, [p.name for p in on_file.values()]  # nobody else
        after = snapshot()

        # the same file again changes nothing
        again = check(union, data, f"花名册.{fmt}", actor=admin)
        valid = expected["added"] + expected["updated"] + expected["unchanged"]
        assert again.preview == {"total": len(roster), "added": 0, "updated": 0, "unchanged": valid,
                                 "rejected": expected["rejected"], "members_added": 0}
        again = run(again, "valid" if expected["rejected"] else mode, actor=admin)
        assert (again.added, again.updated, again.unchanged, again.rejected) == (0, 0, valid, expected["rejected"])
        assert snapshot() == after
        transaction.set_rollback(True)


def test_invisible_and_control_characters_are_dropped_not_stored(district):
    """Found by the cell fuzz test: a NUL, a zero-width space or the bidi marks that Windows puts around a number
    copied from its contact list went into names, profile text, the stored header and the problem messages —
    PostgreSQL refuses a NUL in text and in jsonb (the check or the import then failed as a whole), and an ID
    wrapped in U+202D…U+202C was refused as malformed. They are dropped (core.excel.scrub)."""
    admin = district.users["street_a.admin"]
    good, other = _id(7001), _id(7003)
    data = xlsx_bytes([["姓名", "身份证号\u200b", "性别", "工作单位", "备注\x00"],
                       ["张\x00三\u200f", "\u202d" + good + "\u202c", "男", "杭州\x00甲公司", "x"],
                       ["李四", other, "男\x00?", "", ""]])
    job = check(district.base_a1, data, actor=admin)
    assert job.status == "ready", job.message
    assert job.header == ["姓名", "身份证号", "性别", "工作单位", "备注"]
    assert job.preview["added"] == 1 and job.preview["rejected"] == 1
    assert job.problems == [[3, "性别“男?”无法识别，请填“男”或“女”"]]
    job = run(job, "valid", actor=admin)
    assert job.status == "done", job.message
    person = Person.objects.get(id_bidx=id_bidx(good))
    assert (person.name, person.employer_name) == ("张三", "杭州甲公司")


def test_a_mobile_typed_as_a_number_and_recent_dates_typed_as_numbers(district):
    """Found by the cell fuzz test: a mobile in a number cell (python-calamine returns 13912345678.0) was refused
    as "13912345678.0 不是有效的11位手机号", and a date typed as the number 20150301 as not a date (only
    1xxxxxxx numbers were read as yyyymmdd)."""
    admin = district.users["street_a.admin"]
    number = make_id_number("330106", dt.date(2001, 2, 3), 5, "F")
    data = xlsx_bytes([["姓名", "身份证号", "手机号码", "出生日期", "入会日期"],
                       ["王芳", number, 13912345678, 20010203, 20150301]])
    job = run(check(district.base_a1, data, actor=admin), "all", actor=admin)
    assert job.status == "done" and job.added == 1, (job.message, job.problems)
    person = Person.objects.get(id_bidx=id_bidx(number))
    assert person.mobile_masked == "139****5678"
    assert person.memberships.get().joined_on == dt.date(2015, 3, 1)
