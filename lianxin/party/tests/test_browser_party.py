"""党支部工作 in Chromium, as a branch's own administrator does it: signs in, 党建 in the top navigation, the
compliance page shows this quarter's 支部党员大会 not yet held; opens the branch, 登记会议 → 支部党员大会 with one
member on leave, saving with two-character minutes is refused in Chinese with nothing typed lost; saved, the meeting shows the
attendance; on the branch's 党费 page ticks an unpaid member and records the month — the totals change; back on the
compliance page this quarter's 支部党员大会 is green. No JavaScript error, nothing from another origin.
Screenshots: test-artifacts/party-*.png."""

import re

import pytest
from django.utils import timezone

from lianxin.activities.testing import make_member
from lianxin.assistance.tests.test_browser_hardship import console_login, sms_login, watch
from lianxin.core.testing import ROOT, make_user
from lianxin.party import services
from lianxin.party.models import Attendance, DuesEntry, Meeting
from lianxin.party.testing import make_branch, make_meeting, make_party_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_branch_records_a_congress_and_dues_and_compliance_turns_green(
    live_server, district, page, screenshot_dir
):
    d, base, c = district, live_server.url, page
    branch = make_branch(d.street_a, "白杨街道机关党支部")
    make_user("branch.admin", branch, "admin")
    a = make_party_member(branch, "林建国", org=d.base_a1, base="6000")
    b = make_party_member(branch, "陈秀英", org=d.base_a1, base="3000")
    quarter = (timezone.localdate().month - 1) // 3
    errors, foreign = [], []
    watch(c, base, errors, foreign)
    console_login(c, base, "branch.admin")

    c.locator(".mainnav").get_by_role("link", name="党建", exact=True).click()
    c.wait_for_url(re.compile(r"/console/party/$"))
    c.click("text=落实情况")
    cell = c.locator("tr[data-kind=congress] td").nth(quarter)
    assert cell.get_attribute("class") == "open"

    c.click("nav.mainnav >> text=党建")
    c.click("#branches >> text=白杨街道机关党支部")
    c.click("#meeting-new-link")
    c.select_option("select[name=kind]", label="支部党员大会")
    c.fill("input[name=topic]", "学习贯彻全会精神")
    c.select_option(f"select[name=att_{b.pk}]", label="请假")
    c.fill("textarea[name=minutes]", "学习")
    c.click("form.card button:has-text('保存')")
    c.wait_for_selector("text=请填写会议纪要（10 至 5000 个字）")
    assert c.input_value("input[name=topic]") == "学习贯彻全会精神"
    c.fill("textarea[name=minutes]", "书记传达全会精神，党员逐一交流学习体会。")
    if c.input_value(f"select[name=att_{b.pk}]") != "leave":
        c.select_option(f"select[name=att_{b.pk}]", label="请假")
    c.click("form.card button:has-text('保存')")
    c.wait_for_selector("#attendance-counts")
    assert "出席 1" in c.inner_text("#attendance-counts") and "请假 1" in c.inner_text("#attendance-counts")
    c.screenshot(path=str(screenshot_dir / "party-meeting.png"), full_page=True)
    mt = Meeting.objects.get()
    assert mt.kind == "congress" and dict(Attendance.objects.values_list("member", "status")) == {
        a.pk: "present",
        b.pk: "leave",
    }

    c.goto(f"{base}/console/party/branches/{branch.pk}/dues/")
    assert "未缴" in c.inner_text("#dues-totals")
    c.check(f"input[name=member][value='{a.pk}']")
    c.click("#dues-pay")
    c.wait_for_selector("text=已登记 1 人的党费")
    totals = c.inner_text("#dues-totals")
    assert "105.00 元" in totals and "90.00 元" in totals and "15.00 元（1 人：陈秀英）" in totals
    c.screenshot(path=str(screenshot_dir / "party-dues.png"), full_page=True)
    assert DuesEntry.objects.get().amount_fen == 9000

    c.click("nav.mainnav >> text=党建")
    c.click("text=落实情况")
    cell = c.locator("tr[data-kind=congress] td").nth(quarter)
    assert cell.get_attribute("class") == "ok" and "达标" in cell.inner_text()
    c.screenshot(path=str(screenshot_dir / "party-compliance.png"), full_page=True)
    assert not errors and not foreign, (errors, foreign)


def test_the_branch_corrects_a_meeting_and_the_member_sees_it_on_the_phone(
    live_server, district, page, phone_page, screenshot_dir
):
    """The branch's administrator opens a recorded 支部党员大会, 更正记录: 林建国 was on leave — saving with only
    spaces as the reason is refused in Chinese, with the choice kept; saved, the meeting shows 请假 1. 林建国 signs in on the phone
    by SMS, 我的 → 党员之家: the branch, this month's 党费 paid (90.00, base 6000 × 1.5 %), the meeting with 请假,
    nothing wider than the phone. Screenshots: party-correct.png, party-phone.png."""
    d, base, c, ph = district, live_server.url, page, phone_page
    branch = make_branch(d.street_a, "白杨街道机关党支部")
    make_user("branch.admin", branch, "admin")
    lin = make_member(d.base_a1, "林建国", mobile_no="13755556666")
    m = services.enrol_member(actor=ROOT, branch=branch, person=lin.person, category="full",
                              joined_on=timezone.localdate().replace(year=2001, day=1),
                              full_on=timezone.localdate().replace(year=2002, day=1))
    m = services.set_dues(actor=ROOT, member=m, base="6000")
    make_party_member(branch, "陈秀英", org=d.base_a1)
    mt = make_meeting(branch, topic="学习贯彻全会精神")
    services.record_payment(actor=ROOT, member=m, period=services.period_of(timezone.localdate()))
    errors, foreign = [], []
    watch(c, base, errors, foreign)
    watch(ph, base, errors, foreign)

    console_login(c, base, "branch.admin")
    c.goto(f"{base}/console/party/meetings/{mt.pk}/")
    c.click("#correct-meeting")
    c.select_option(f"select[name=att_{m.pk}]", label="请假")
    c.fill("input[name=reason]", "  ")  # past the browser's own required check: spaces only
    c.click("form.card button:has-text('保存')")
    c.wait_for_selector("text=请填写更正原因")
    assert c.input_value(f"select[name=att_{m.pk}]") == "leave"
    c.fill("input[name=reason]", "林建国当天请假，误登记为出席")
    c.click("form.card button:has-text('保存')")
    c.wait_for_selector("#attendance-counts")
    assert "请假 1" in c.inner_text("#attendance-counts")
    c.screenshot(path=str(screenshot_dir / "party-correct.png"), full_page=True)
    assert Attendance.objects.get(meeting=mt, member=m).status == "leave"

    sms_login(ph, base, "13755556666")
    ph.goto(f"{base}/m/me/")
    ph.click("#party-link")
    ph.wait_for_url(f"{base}/m/party/")
    assert "白杨街道机关党支部" in ph.inner_text("#my-stint")
    month = ph.inner_text(f"#month-{services.period_of(timezone.localdate())}")
    assert "已缴 90.00" in month
    assert "请假" in ph.inner_text(f"#meeting-{mt.pk}")
    assert ph.evaluate("document.documentElement.scrollWidth") <= 375
    ph.screenshot(path=str(screenshot_dir / "party-phone.png"), full_page=True)
    assert not errors and not foreign, (errors, foreign)


def test_a_letter_goes_to_another_street_which_takes_the_member_in(live_server, district, page, screenshot_dir):
    """Street A's branch administrator opens 林建国 and 开具组织关系介绍信 to street B's branch (outside their scope):
    the member page says it waits; street B's branch administrator sees it on 党建, opens it — returning it with
    only spaces as the reason is refused in Chinese — and 接收: 林建国 is on street B's roster with the same
    党费. The sender's member page now shows 已转出. Screenshots: party-letter-*.png."""
    from lianxin.party.models import PartyMember

    d, base, c = district, live_server.url, page
    a_branch = make_branch(d.street_a, "白杨街道机关党支部")
    b_branch = make_branch(d.street_b, "下沙街道机关党支部")
    make_user("a.branch", a_branch, "admin")
    make_user("b.branch", b_branch, "admin")
    m = make_party_member(a_branch, "林建国", org=d.base_a1, base="6000")
    errors, foreign = [], []
    watch(c, base, errors, foreign)

    console_login(c, base, "a.branch")
    c.goto(f"{base}/console/party/members/{m.pk}/")
    c.select_option("#letter-form select[name=to_branch]", label="下沙街道机关党支部")
    c.fill("#letter-form input[name=note]", "工作调动至下沙")
    c.click("#letter-form button")
    c.wait_for_selector("#open-letter")
    assert "下沙街道机关党支部" in c.inner_text("#open-letter")
    c.screenshot(path=str(screenshot_dir / "party-letter-sent.png"), full_page=True)
    c.context.clear_cookies()

    console_login(c, base, "b.branch")
    c.click("nav.mainnav >> text=党建")
    c.click("#letters-incoming >> text=林建国")
    c.wait_for_selector("#accept-form")
    assert "工作调动至下沙" in c.inner_text(".card")
    c.fill("#return-form input[name=reason]", "  ")
    c.click("#return-form button")
    c.wait_for_selector("text=请填写退回原因")
    c.click("#accept-form button")
    c.wait_for_selector("text=已接收林建国的组织关系")
    assert "下沙街道机关党支部" in c.inner_text("h1 + .card") and "90.00" in c.inner_text("#dues-rule")
    c.screenshot(path=str(screenshot_dir / "party-letter-accepted.png"), full_page=True)
    new = PartyMember.objects.get(person=m.person, status="active")
    assert new.branch == b_branch and new.dues_base_fen == 600000
    c.context.clear_cookies()

    console_login(c, base, "a.branch")
    c.goto(f"{base}/console/party/members/{m.pk}/")
    assert "已转出" in c.inner_text("h1") and "下沙街道机关党支部" in c.inner_text("#transfers")
    assert not errors and not foreign, (errors, foreign)
