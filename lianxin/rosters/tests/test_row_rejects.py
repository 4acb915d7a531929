"""Each kind of bad row is rejected with its own Chinese message naming the problem and the row."""

import datetime as dt

import pytest

from lianxin.core.testing import ROOT, id_number, make_person, mobile
from lianxin.members.models import Person
from lianxin.members.services import admit_member

from .helpers import check, problems, run, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

HEADER = ["姓名", "身份证号", "手机号码", "性别", "出生日期"]


def _one(district, row, header=HEADER):
    job = check(district.base_a1, xlsx_bytes([header, row]), actor=district.users["street_a.admin"])
    assert job.status == "ready", job.message
    p = problems(job)
    assert list(p) == [2], p
    return p[2]


def test_id_stored_by_excel_as_a_number(district):
    assert "被 Excel 存成了数字" in _one(district, ["甲", 3.30106199001011e17, "", "", ""])


def test_id_shown_in_scientific_notation_text(district):
    msg = _one(district, ["甲", "3.30106E+17", "", "", ""])
    assert "科学计数法" in msg and "末几位已丢失" in msg


def test_bad_checksum(district):
    good = id_number()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert "校验位不正确" in _one(district, ["甲", bad, "", "", ""])


def test_impossible_birth_date(district):
    from lianxin.core.idnumbers import id_check_char

    body = "33011419900230123"
    assert "出生日期 19900230 不存在" in _one(district, ["甲", body + id_check_char(body), "", "", ""])


def test_gender_disagrees_with_id(district):
    assert "性别与身份证号不符" in _one(district, ["甲", id_number(gender="M"), "", "女", ""])


def test_birth_date_disagrees_with_id(district):
    number = id_number(birth=dt.date(1990, 1, 1))
    assert "出生日期与身份证号不符" in _one(district, ["甲", number, "", "", "1991-01-01"])


def test_malformed_mobile(district):
    assert "不是有效的11位手机号" in _one(district, ["甲", id_number(), "1381234", "", ""])


def test_required_value_missing(district):
    msg = _one(district, ["", id_number(), "", "", ""])
    assert "姓名不能为空" in msg
    assert "身份证号不能为空" in _one(district, ["乙", "", mobile(), "", ""])


def test_bad_coded_value_and_bad_date(district):
    msg = _one(district, ["甲", id_number(), "", "", "去年"], header=HEADER)
    assert "出生日期“去年”不是有效日期" in msg
    job = check(district.base_a1, xlsx_bytes([["姓名", "身份证号", "学历"], ["甲", id_number(), "幼儿园"]]),
                actor=district.users["street_a.admin"])
    assert "学历“幼儿园”不在可选范围内" in problems(job)[2]


def test_same_person_twice_in_the_file(district):
    n = id_number()
    job = check(district.base_a1, xlsx_bytes([HEADER, ["甲", n, "", "", ""], ["乙", id_number(), "", "", ""],
                                               ["甲", n.lower(), "", "", ""]]),
                actor=district.users["street_a.admin"])
    assert problems(job) == {4: "与第 2 行是同一人（身份证号重复），请删除重复行"}
    assert job.preview["added"] == 2


def test_member_of_another_union_is_told_to_transfer(district):
    other = make_person(district.base_b1, "刘洋")
    admit_member(actor=ROOT, person=other, union=district.base_b1)
    from lianxin.core import crypto
    from lianxin.members.services import ID_CTX

    number = crypto.decrypt(other.id_cipher, context=ID_CTX)
    msg = _one(district, ["刘洋", number, "", "", ""])
    assert "已是“杭州乙制造有限公司工会”的会员" in msg and "转会" in msg


def test_required_column_missing_refuses_the_file(district):
    job = check(district.base_a1, xlsx_bytes([["姓名", "手机号码", "性别"], ["甲", mobile(), "男"]]),
                actor=district.users["street_a.admin"])
    assert job.status == "refused"
    assert "缺少必填列：身份证号" in job.message


def test_every_problem_of_a_row_is_listed(district):
    msg = _one(district, ["", id_number(), "", "未知", "某天"])
    for part in ("姓名不能为空", "性别“未知”无法识别", "出生日期“某天”不是有效日期"):
        assert part in msg


def test_rejected_rows_are_not_written_in_valid_rows_mode(district):
    admin = district.users["street_a.admin"]
    job = check(district.base_a1, xlsx_bytes([HEADER, ["甲", id_number(), "", "", ""], ["乙", "123", "", "", ""]]),
                actor=admin)
    job = run(job, "valid", actor=admin)
    assert job.status == "done" and (job.added, job.rejected) == (1, 1)
    assert list(Person.objects.values_list("name", flat=True)) == ["甲"]
