"""上传慰问名单 in Chromium, as a grassroots union chair does it: on the 两节送温暖 campaign page base_a1's
administrator downloads the template, fills it in (one member's name typed 「林 建国」 with a padding space, the
other's misspelt), uploads it and sees the preview: the misspelt row marked with its Chinese problem
(姓名与身份证号不符), nothing written yet. The chair downloads the error report (the bad row as written, 错误说明
last) and sends the good row alone (只报送无误的 1 人); corrects the name in the report itself, uploads it, sees
it preview clean and confirms; both members are listed as 待审核 on the campaign page with masked ID numbers. The pages pass the
console crawl's checks (Chinese, no English interface words, no raw codes or UTC times, not Django's own pages), no
page raises a JavaScript error or asks anything of another origin. Screenshots go to test-artifacts/warmth-*.png."""

import re

import pytest

from lianxin.assistance import services_warmth as warmth
from lianxin.assistance.models import Recipient
from lianxin.core.excel import open_table, sniff, write_xlsx
from lianxin.core.pagecheck import choice_codes
from lianxin.core.testing import ROOT, id_number
from lianxin.core.tests.test_console_crawl import page_problems
from lianxin.members import services as members

from .helpers import campaign
from .test_browser_hardship import console_login, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def worker(d, n, name):
    number = id_number(n)
    p = members.create_person(actor=ROOT, org=d.base_a1, name=name, id_number=number)
    members.admit_member(actor=ROOT, person=p, union=d.base_a1)
    return p, number


def fill(template: str, rows: list[list], out: str) -> str:
    """The downloaded template filled in: its own header and instructions row kept, people from the third row."""
    head = list(open_table(template, sniff(template)).rows)[:2]
    assert head[0][:5] == warmth.HEADER and head[1][0].startswith("填表说明")
    write_xlsx(out, head[0][:5], [head[1][:1], *rows])
    return out


def checked(r, codes):
    found, _ = page_problems(r.content(), codes)
    assert found == [], (r.url, found)


def test_union_uploads_its_list_fixes_a_row_and_confirms(chromium, live_server, district, page, screenshot_dir,
                                                         tmp_path):
    d, base = district, live_server.url
    c = campaign(d)
    lin, lin_no = worker(d, 7601, "林建国")
    huang, huang_no = worker(d, 7602, "黄美兰")
    codes = choice_codes()
    errors, foreign = [], []
    r = page
    watch(r, base, errors, foreign)

    console_login(r, base, "base_a1.admin")
    r.locator(".mainnav").get_by_role("link", name="帮扶救助", exact=True).click()
    r.locator("nav.toolbar").get_by_role("link", name="两节送温暖", exact=True).click()
    r.get_by_role("link", name=c.name).click()
    r.wait_for_selector("#warmth-upload")
    checked(r, codes)
    with r.expect_download() as dl:
        r.locator("#warmth-upload").get_by_role("link", name="下载模板").click()
    assert dl.value.suggested_filename == "慰问名单模板.xlsx"
    template = str(tmp_path / "模板.xlsx")
    dl.value.save_as(template)

    kept = set(warmth.storage_dir().iterdir())
    # 1. one good row (the name padded with a space, as lists line names up), one misspelt name
    bad = fill(template, [[lin_no, "林 建国", "一线职工", "春节期间坚守岗位", ""],
                          [huang_no, "黄美蓝", "患病职工", "大病住院，家庭困难", "800"]], str(tmp_path / "名单.xlsx"))
    r.set_input_files("#warmth-upload input[name=file]", bad)
    r.locator("#warmth-upload").get_by_role("button", name="上传并预览").click()
    r.wait_for_selector("#upload-rows")
    checked(r, codes)
    assert "共 2 行，可报送 1 人" in r.inner_text("main") and "1 行有问题" in r.inner_text("main")
    good_row, bad_row = r.locator("#upload-rows tr").nth(1), r.locator("#upload-rows tr").nth(2)
    assert good_row.get_attribute("data-error") is None and good_row.locator("td").nth(6).inner_text() == "—"
    assert good_row.locator("td").nth(5).inner_text() == "500.00"  # empty = the campaign's standard
    assert bad_row.get_attribute("data-error") == "1"
    assert [bad_row.locator("td").nth(i).inner_text() for i in (0, 1, 2, 6)] == [
        "4", huang.id_masked, "黄美蓝", "姓名与身份证号不符"]
    assert r.locator("#upload-refused").is_visible()
    assert lin_no not in r.content() and huang_no not in r.content()  # masked in the preview too
    r.screenshot(path=str(screenshot_dir / "warmth-upload-refused.png"), full_page=True)
    assert not Recipient.objects.exists()
    with r.expect_download() as dl:
        r.locator("#upload-errors").get_by_role("button", name="下载错误报告（1 行）").click()
    assert dl.value.suggested_filename == "名单-错误报告.xlsx"
    report = str(tmp_path / "错误报告.xlsx")
    dl.value.save_as(report)
    rows = list(open_table(report, sniff(report)).rows)
    assert rows[0] == ["原行号", *warmth.HEADER, "错误说明"]
    assert rows[1] == [4, huang_no, "黄美蓝", "患病职工", "大病住院，家庭困难", "800", "姓名与身份证号不符"]

    # 2. the good row alone
    assert "跳过有问题的 1 行" in r.inner_text("#upload-confirm")
    r.locator("#upload-confirm").get_by_role("button", name="只报送无误的 1 人").click()
    r.wait_for_url(re.compile(rf"/console/assistance/campaigns/{c.pk}/$"))
    assert "已上传慰问名单 1 人，慰问金合计 500.00 元，待审核；跳过有问题的 1 行" in r.inner_text(".messages")
    checked(r, codes)
    assert list(Recipient.objects.values_list("person_id", flat=True)) == [lin.pk]

    # 3. the report, its name corrected, uploaded as it is: previewed clean, confirmed, listed
    fixed = str(tmp_path / "错误报告-已改.xlsx")
    write_xlsx(fixed, rows[0], [[4, huang_no, "黄美兰", *rows[1][3:6], rows[1][6]]])
    r.set_input_files("#warmth-upload input[name=file]", fixed)
    r.locator("#warmth-upload").get_by_role("button", name="上传并预览").click()
    r.wait_for_selector("#upload-confirm")
    checked(r, codes)
    assert r.locator("#upload-rows tr[data-error]").count() == 0 and r.locator("#upload-errors").count() == 0
    assert "慰问金合计 800.00 元" in r.inner_text("#upload-confirm")
    r.screenshot(path=str(screenshot_dir / "warmth-upload-preview.png"), full_page=True)
    r.locator("#upload-confirm").get_by_role("button", name="确认报送 1 人").click()
    r.wait_for_url(re.compile(rf"/console/assistance/campaigns/{c.pk}/$"))
    assert "已上传慰问名单 1 人，慰问金合计 800.00 元，待审核" in r.inner_text(".messages")
    checked(r, codes)
    listed = r.locator("#recipients tr[data-status=proposed]")
    assert listed.count() == 2
    for person, category, amount in ((lin, "一线职工", "500.00"), (huang, "患病职工", "800.00")):
        row = r.locator("#recipients tr", has_text=person.name)
        assert [row.locator("td").nth(i).inner_text() for i in (2, 3, 4, 6, 7)] == [
            person.id_masked, d.base_a1.name, category, amount, "待审核"]
    r.screenshot(path=str(screenshot_dir / "warmth-upload-listed.png"), full_page=True)
    assert dict(Recipient.objects.values_list("person_id", "amount_fen")) == {lin.pk: 50000, huang.pk: 80000}
    assert set(warmth.storage_dir().iterdir()) == kept  # neither file is kept once its rows are written

    assert errors == []
    assert foreign == []
