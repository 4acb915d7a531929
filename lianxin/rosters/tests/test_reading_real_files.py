"""Files as union offices make them: title rows, merged headers, header variants, messy IDs and dates, xls,
CSV in UTF-8 and GBK — all read into the same people."""

import datetime as dt

import pytest

from lianxin.core.testing import id_number, mobile
from lianxin.members.models import Person

from .helpers import check, csv_bytes, problems, run, xls_bytes, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _id_ending_in_x() -> str:
    for n in range(1, 400):
        v = id_number(n + 7000, gender="F")
        if v.endswith("X"):
            return v
    raise AssertionError("no X id found")


def test_title_rows_merged_header_and_header_variants(district):
    admin = district.users["street_a.admin"]
    header = ["姓名", "公民身份号码", "联系电话", "性别"]
    rows = [header, ["王芳", id_number(gender="F"), mobile(), "女"], ["李强", id_number(), mobile(), "男"]]
    data = xlsx_bytes(rows, title_rows=[["白杨街道甲科技公司工会会员花名册"], ["填报日期：2026年3月"]],
                      merged_header=True)
    job = check(district.base_a1, data, actor=admin)
    assert job.status == "ready", job.message
    assert job.header_row == 4  # two title rows, then a two-row header
    assert job.preview["added"] == 2 and job.preview["rejected"] == 0
    job = run(job, actor=admin)
    assert sorted(Person.objects.values_list("name", flat=True)) == ["李强", "王芳"]


def test_ids_with_lowercase_x_spaces_and_fullwidth_digits(district):
    admin = district.users["street_a.admin"]
    x_id, spaced, wide = _id_ending_in_x(), id_number(), id_number()
    rows = [["职工姓名", "身份证号码", "手机号"],
            ["甲", x_id.lower(), ""],
            ["乙", f"{spaced[:6]} {spaced[6:14]} {spaced[14:]}", f"139 {mobile()[3:]}"],
            ["丙", wide.translate(FULLWIDTH), ""]]
    job = check(district.base_a1, xlsx_bytes(rows), actor=admin)
    assert job.preview["rejected"] == 0, job.problems
    run(job, actor=admin)
    from lianxin.members.services import id_bidx

    for number in (x_id, spaced, wide):
        assert Person.objects.filter(id_bidx=id_bidx(number)).exists()


@pytest.mark.parametrize("written", [dt.date(1990, 1, 1), "1990-01-01", "1990/1/1", "1990.01.01", "19900101",
                                     "1990年1月1日", 32874])
def test_birth_dates_as_excel_dates_or_text(district, written):
    admin = district.users["street_a.admin"]
    number = id_number(birth=dt.date(1990, 1, 1))
    job = check(district.base_a1, xlsx_bytes([["姓名", "身份证号", "出生日期"], ["张三", number, written]]), actor=admin)
    assert job.preview["rejected"] == 0, job.problems
    assert job.preview["added"] == 1


def test_xls_workbook(district):
    admin = district.users["street_a.admin"]
    rows = [["姓名", "身份证号", "出生日期"], ["赵六", id_number(birth=dt.date(1985, 5, 6)), dt.date(1985, 5, 6)]]
    job = check(district.base_a1, xls_bytes(rows), name="老花名册.xls", actor=admin)
    assert job.kind == "xls" and job.status == "ready", job.message
    assert job.preview["added"] == 1 and not job.problems


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_or_gbk(district, encoding):
    admin = district.users["street_a.admin"]
    rows = [["姓名", "身份证号码", "手机"], ["钱七", id_number(), mobile()], ["孙八", id_number(), ""]]
    job = check(district.base_a1, csv_bytes(rows, encoding), name="roster.csv", actor=admin)
    assert job.kind == "csv" and job.status == "ready", job.message
    assert job.preview["added"] == 2 and not job.problems
    run(job, actor=admin)
    assert set(Person.objects.values_list("name", flat=True)) == {"钱七", "孙八"}


def test_content_decides_the_format_not_the_extension(district):
    """A CSV saved with an .xls name (common with exports from other systems) is read as CSV."""
    admin = district.users["street_a.admin"]
    job = check(district.base_a1, csv_bytes([["姓名", "身份证号"], ["周九", id_number()]]), name="导出.xls",
                actor=admin)
    assert job.kind == "csv" and job.preview["added"] == 1


def test_blank_rows_are_skipped_and_row_numbers_stay_true(district):
    admin = district.users["street_a.admin"]
    rows = [["姓名", "身份证号"], ["吴一", id_number()], ["", ""], ["郑二", "123"]]
    job = check(district.base_a1, xlsx_bytes(rows, title_rows=[["标题"]]), actor=admin)
    assert job.total_rows == 2
    assert list(problems(job)) == [5]  # spreadsheet row 5: title, header, 吴一, blank, 郑二
