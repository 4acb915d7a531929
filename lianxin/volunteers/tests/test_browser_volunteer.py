"""工会志愿者 in Chromium, as the people involved do it: a member signs in on a phone (375 px) with the SMS code,
goes 我的 → 工会志愿者, submits without a skill and is told so in Chinese, ticks 医疗救护 and 周末 and registers;
base_a1's reviewer approves the registration in the console; 白杨街道's administrator publishes a project with two
places; the member sees it (matching their skill), signs up and the places left drop; after the project the
administrator confirms the attendance; the member's page shows 2.5 hours and the history, and the approval and
the hours came as messages. No JavaScript error, nothing from another origin, no sideways scroll on the phone.
Screenshots: test-artifacts/volunteers-*.png."""

import re

import pytest
from django.utils import timezone

from lianxin.assistance.tests.test_browser_hardship import console_login, console_logout, sms_login, watch
from lianxin.volunteers.models import HoursEntry, Project, Volunteer
from lianxin.volunteers.testing import end_project, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = "13755557777"


def _local(dt_):
    return timezone.localtime(dt_).strftime("%Y-%m-%dT%H:%M")


def _no_sideways_scroll(pg):
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page wider than the phone: {width}px"


def test_register_approve_sign_up_confirm_hours(live_server, district, phone_page, page, screenshot_dir):
    d, base = district, live_server.url
    make_member(d.base_a1, "钱丽娟", gender="F", mobile_no=MOBILE)
    errors, foreign = [], []
    m, c = phone_page, page
    watch(m, base, errors, foreign)
    watch(c, base, errors, foreign)

    # 1. the member registers on the phone
    sms_login(m, base, MOBILE)
    m.goto(f"{base}/m/me/")
    m.click("#volunteers-link")
    m.wait_for_url(f"{base}/m/volunteers/")
    m.fill("textarea[name=note]", "持有红十字急救员证")
    m.check("input[name=times][value=weekend]")
    m.click("#register-submit")
    m.wait_for_selector("text=请至少选择一项特长")
    assert m.input_value("textarea[name=note]") == "持有红十字急救员证"  # nothing typed is lost
    m.check("input[name=skills][value=medic]")
    if not m.is_checked("input[name=times][value=weekend]"):
        m.check("input[name=times][value=weekend]")
    m.click("#register-submit")
    m.wait_for_selector("#registration-pending")
    _no_sideways_scroll(m)
    v = Volunteer.objects.get()
    assert v.status == "pending" and v.skills == ["medic"] and v.times == ["weekend"]

    # 2. the union's reviewer approves it
    console_login(c, base, "base_a1.reviewer")
    c.locator(".mainnav").get_by_role("link", name="志愿服务", exact=True).click()
    c.click("#pending-link")
    c.click(f"#approve-{v.pk}")
    c.wait_for_selector(".messages")
    assert "钱丽娟：已通过" in c.inner_text(".messages")
    console_logout(c)

    # 3. the street's administrator publishes a project
    console_login(c, base, "street_a.admin")
    c.goto(f"{base}/console/volunteers/")
    c.get_by_role("link", name="发布服务项目").click()
    start = timezone.now() + timezone.timedelta(days=3)
    c.select_option("[name=org]", label=d.street_a.name)
    c.fill("[name=title]", "社区义诊进楼道")
    c.fill("[name=place]", "白杨街道文体中心")
    c.fill("[name=starts_at]", _local(start))
    c.fill("[name=ends_at]", _local(start + timezone.timedelta(hours=3)))
    c.fill("[name=signup_deadline]", _local(start - timezone.timedelta(hours=12)))
    c.fill("[name=places]", "2")
    c.fill("[name=hours]", "2.5")
    c.check("input[name=skills][value=medic]")
    c.get_by_role("button", name="保存").click()
    c.wait_for_url(re.compile(r"/console/volunteers/\d+/$"))
    p = Project.objects.get()
    assert (p.places, p.minutes, p.skills) == (2, 150, ["medic"])

    # 4. the member signs up
    m.goto(f"{base}/m/volunteers/")
    assert "匹配您的特长" in m.inner_text("#open-projects")
    m.click(f"#project-{p.pk}")
    assert m.inner_text("#remaining") == "2"
    m.click("#signup")
    m.wait_for_selector("text=报名成功")
    assert m.inner_text("#remaining") == "1" and m.inner_text("#signup-status") == "已报名"
    _no_sideways_scroll(m)
    m.screenshot(path=str(screenshot_dir / "volunteers-signup.png"), full_page=True)

    # 5. after the project, the administrator confirms the attendance
    end_project(p)
    c.goto(f"{base}/console/volunteers/{p.pk}/")
    s = p.signups.get()
    c.click(f"#attend-{s.pk}")
    c.wait_for_selector(".messages")
    assert "钱丽娟：已参加，计入 2.5 小时" in c.inner_text(".messages")
    assert "2.5 小时" in c.inner_text(f"#signup-{s.pk}")
    c.screenshot(path=str(screenshot_dir / "volunteers-console.png"), full_page=True)
    assert list(HoursEntry.objects.values_list("kind", "minutes")) == [("credit", 150)]

    # 6. the member sees the hours, the history and the messages
    m.goto(f"{base}/m/volunteers/")
    assert m.inner_text("#total-hours") == "2.5"
    assert "社区义诊进楼道" in m.inner_text("#hours-history") and "+2.5 小时" in m.inner_text(
        "#hours-history"
    )
    _no_sideways_scroll(m)
    m.screenshot(path=str(screenshot_dir / "volunteers-hours.png"), full_page=True)
    m.goto(f"{base}/m/me/")
    inbox = m.inner_text("body")
    assert "志愿者登记已通过" in inbox and "志愿服务时长已计入" in inbox
    assert errors == [] and foreign == []
