"""两节送温暖 in Chromium, as the people involved do it: the federation's administrator sets up the campaign from
帮扶救助 → 两节送温暖; base_a1's administrator (a part-time union chair) puts a member forward by ID number, asks
for more than the ceiling and is told so at the field with what was typed kept, corrects it, and adds the union's
hardship archive with one button; the federation's administrator ticks and approves them, pays them all at once and
sees the fund's ledger hold each payment; the chair ticks the visits as done and downloads the sign sheet, which
holds masked ID numbers only. No page raises a JavaScript error or asks anything of another origin. Screenshots go
to test-artifacts/campaign-*.png."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from lianxin.assistance import services
from lianxin.assistance.models import Campaign, HardshipFile, LedgerEntry, Recipient
from lianxin.core.testing import ROOT, id_number
from lianxin.members import services as members

from .helpers import fund
from .test_browser_hardship import console_login, console_logout, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_campaign_from_setting_up_to_the_visits(chromium, live_server, district, page, screenshot_dir):
    d, base = district, live_server.url
    fund(d.fed, "20000", purpose="warmth")
    idno = id_number(7402)
    worker = members.create_person(actor=ROOT, org=d.base_a1, name="林建国", id_number=idno, mobile="13766660001")
    members.admit_member(actor=ROOT, person=worker, union=d.base_a1)
    poor = members.create_person(actor=ROOT, org=d.base_a1, name="黄美兰", id_number=id_number(7403),
                                 mobile="13766660002")
    members.admit_member(actor=ROOT, person=poor, union=d.base_a1)
    HardshipFile.objects.create(person=poor, union=d.base_a1, level="deep", cause="illness", family_size=3,
                                income_fen=80000, situation="本人患病，长期服药")
    errors, foreign = [], []
    r = page
    watch(r, base, errors, foreign)

    # 1. the federation sets it up
    console_login(r, base, "fed.admin")
    r.locator(".mainnav").get_by_role("link", name="帮扶救助", exact=True).click()
    r.locator("nav.toolbar").get_by_role("link", name="两节送温暖", exact=True).click()
    r.wait_for_url(re.compile(r"/console/assistance/campaigns/$"))
    r.get_by_role("link", name="设立送温暖活动").click()
    r.fill("[name=name]", "2027 年元旦春节送温暖")
    r.fill("[name=standard]", "500")
    r.fill("[name=maximum]", "1000")
    r.fill("[name=budget]", "10000")
    r.fill("[name=deadline]", (timezone.localdate() + dt.timedelta(days=10)).isoformat())
    r.get_by_role("button", name="设立").click()
    r.wait_for_url(re.compile(r"/console/assistance/campaigns/\d+/$"))
    c = Campaign.objects.get()
    assert "各工会现在可以报送" in r.inner_text(".messages")
    console_logout(r)

    # 2. the union's chair puts people forward
    console_login(r, base, "base_a1.admin")
    r.goto(f"{base}/console/assistance/campaigns/")
    r.get_by_role("link", name=c.name).click()
    r.wait_for_selector("#add-recipient")
    r.fill("#add-recipient [name=who]", idno)
    r.select_option("#add-recipient [name=category]", label="一线职工")
    r.fill("#add-recipient [name=amount]", "1500")
    r.fill("#add-recipient [name=reason]", "春节期间坚守岗位")
    r.click("#add-recipient button")
    r.wait_for_selector("#add-recipient .error, #add-recipient .errorlist")
    assert "每人最高 1,000.00" in r.inner_text("#add-recipient")
    assert r.input_value("#add-recipient [name=reason]") == "春节期间坚守岗位"
    assert r.input_value("#add-recipient [name=amount]") == "1500"
    assert not Recipient.objects.exists()
    r.fill("#add-recipient [name=amount]", "800")
    r.click("#add-recipient button")
    r.wait_for_selector(".messages")
    assert "已报送 林建国，慰问金 800.00 元" in r.inner_text(".messages")
    r.click("#add-archive button")
    r.wait_for_selector(".messages")
    assert "已从困难职工档案报送 1 人" in r.inner_text(".messages")
    rows = r.locator("#recipients tr[data-status=proposed]")
    assert rows.count() == 2
    assert idno not in r.content() and worker.id_masked in r.inner_text("#recipients")
    assert r.locator("#decide").count() == 0 and r.locator("#pay").count() == 0  # not the chair's to decide
    r.screenshot(path=str(screenshot_dir / "campaign-union.png"), full_page=True)
    console_logout(r)

    # 3. the federation approves both and pays
    console_login(r, base, "fed.admin")
    r.goto(f"{base}/console/assistance/campaigns/{c.pk}/")
    for name in ("林建国", "黄美兰"):
        r.check(f"#recipients input[aria-label='勾选 {name}']")
    r.click("#decide button[value=approve]")
    r.wait_for_selector(".messages")
    assert "已审核通过 2 人" in r.inner_text(".messages")
    assert r.inner_text("#campaign-approved") == "2"
    r.click("#pay button:has-text('发放')")
    r.wait_for_selector(".messages")
    assert "已向 2 人发放慰问金共 1,300.00 元" in r.inner_text(".messages")
    assert r.inner_text("#campaign-paid") == "1,300.00"
    r.screenshot(path=str(screenshot_dir / "campaign-paid.png"), full_page=True)
    r.locator("#campaign-figures").get_by_role("link", name=c.fund.name).click()
    r.wait_for_selector("#ledger")
    assert r.inner_text("#fund-balance") == "18,700.00"
    assert r.locator("#ledger tr", has_text="林建国").locator("td").nth(3).inner_text() == "-800.00"
    assert LedgerEntry.objects.filter(kind="disburse").count() == 2
    console_logout(r)

    # 4. the chair records the visits and takes the sign sheet
    console_login(r, base, "base_a1.admin")
    r.goto(f"{base}/console/assistance/campaigns/{c.pk}/")
    r.check("#recipients input[aria-label='勾选 林建国']")
    r.click("#deliver")
    r.wait_for_selector(".messages")
    assert "已登记送达 1 人" in r.inner_text(".messages")
    assert r.locator("#recipients tr[data-status=delivered]", has_text="林建国").count() == 1
    with r.expect_download() as dl:
        r.get_by_role("link", name="导出签收表").click()
    from python_calamine import CalamineWorkbook

    data = open(dl.value.path(), "rb").read()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert [(row[2], row[8]) for row in sheet[1:]] == [("林建国", "已送达"), ("黄美兰", "已发放")]
    assert all(idno not in str(cell) for row in sheet for cell in row)
    assert services.balance(c.fund) == 1_870_000

    assert errors == []
    assert foreign == []
