"""Chromium: a street admin uploads a messy roster, sees the preview, imports the valid rows and downloads
the error report."""

import re

import pytest

from lianxin.core.testing import PASSWORD, id_number, mobile
from lianxin.members.models import Membership, Person

from .helpers import xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_street_admin_imports_the_valid_rows_of_a_messy_roster(page, live_server, district, screenshot_dir,
                                                               tmp_path):
    good = [id_number() for _ in range(3)]
    rows = [["序号", "姓名", "公民身份号码", "联系电话", "性别"],
            [1, "王芳", good[0].lower(), mobile(), ""],
            [2, "李强", f"{good[1][:6]} {good[1][6:]}", mobile(), ""],
            [3, "张秀英", good[2], "138123", ""],  # malformed mobile
            [4, "刘洋", "3.30106E+17", "", ""],  # Excel ate the digits
            [5, "陈静", good[0], "", ""],  # same person as row 1
            [6, "赵六", id_number(), mobile(), ""]]
    path = tmp_path / "白杨街道花名册.xlsx"
    path.write_bytes(xlsx_bytes(rows, title_rows=[["白杨街道甲科技公司工会会员花名册"], ["填报单位：甲科技"]]))

    page.goto(f"{live_server.url}/console/login/")
    page.fill("input[name=username]", "street_a.admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console/$"))
    page.click("text=花名册导入")
    page.wait_for_selector("#upload-form")
    page.select_option("select[name=org]", label=f"{district.base_a1.name}（基层工会）")
    page.set_input_files("input[name=file]", str(path))
    page.click("#upload-form button[type=submit]")

    page.wait_for_selector("#summary")
    assert page.inner_text("#n-added") == "3"
    assert page.inner_text("#n-rejected") == "3"
    problems = page.inner_text("#problems")
    assert "第 6 行" in problems and "手机号码“138123”" in problems
    assert "科学计数法" in problems and "与第 4 行是同一人" in problems
    assert page.is_disabled("#run-form input[value=all]")
    page.screenshot(path=str(screenshot_dir / "rosters-import-preview.png"), full_page=True)

    page.check("#run-form input[value=valid]")
    page.click("#run-form button[type=submit]")
    page.wait_for_selector("text=导入完成")
    assert page.inner_text("#n-added") == "3" and page.inner_text("#n-rejected") == "3"
    assert Person.objects.filter(org=district.base_a1).count() == 3
    assert Membership.objects.filter(union=district.base_a1, status="member").count() == 3

    with page.expect_download() as dl:
        page.click("#error-report")
    report = tmp_path / "report.xlsx"
    dl.value.save_as(report)
    assert dl.value.suggested_filename.endswith("错误报告.xlsx")
    from python_calamine import CalamineWorkbook

    data = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert data[0][-1] == "错误说明" and len(data) == 4
    assert [r[2] for r in data[1:]] == ["张秀英", "刘洋", "陈静"]
    page.screenshot(path=str(screenshot_dir / "rosters-import-done.png"), full_page=True)
