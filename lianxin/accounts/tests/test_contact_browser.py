"""工作提醒 on 我的账号 in Debian chromium, end to end: a grassroots reviewer enters a wrong number (refused in
Chinese), their own number, a wrong code (refused, attempts left), the code from the SMS, chooses 站内消息+短信;
then an application reaches their level and the SMS "您有1件新的申请待审核" goes to that number through the outbox
and the console SMS adapter. Screenshots: test-artifacts/accounts-contact-*.png."""

import datetime as dt
import re
import zoneinfo

import pytest

from lianxin.accounts.testing import sent_contact_code
from lianxin.core.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = "13812345678"


def test_a_reviewer_sets_an_sms_reminder_and_gets_one(page, live_server, district, screenshot_dir, monkeypatch):
    from django.utils import timezone

    from lianxin.accounts.models import StaffContact
    from lianxin.core import notify
    from lianxin.workflow import services as workflow
    from lianxin.workflow.tests.helpers import join_data, worker

    base = live_server.url
    user = district.users["base_a1.reviewer"]
    page.goto(f"{base}/console/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console/$"))
    page.click("#my-account")
    page.wait_for_url(re.compile(r"/console/account/$"))
    assert "未设置" in page.inner_text("#contact-mobile")
    assert "仅站内消息" in page.inner_text("#contact-via")
    assert "目前只能选择短信提醒" in page.inner_text("#contact-wechat-note")
    assert page.locator("#via-wechat").count() == 0

    # choosing SMS before a number is proven is refused
    page.check("#via-sms")
    page.click("#contact-save")
    page.wait_for_selector("#contact-via-error")
    assert page.inner_text("#contact-via-error") == "请先填写并验证提醒手机号，再选择短信提醒"

    page.fill("#contact-mobile-input", "1381234")
    page.click("#contact-send")
    page.wait_for_selector("#contact-mobile-error")
    assert "不是有效的11位手机号" in page.inner_text("#contact-mobile-error")
    assert page.input_value("#contact-mobile-input") == "1381234"  # kept to correct
    page.screenshot(path=str(screenshot_dir / "accounts-contact-bad-number.png"), full_page=True)

    page.fill("#contact-mobile-input", PHONE)
    page.click("#contact-send")
    page.wait_for_selector("text=验证码已发送至 138****5678")
    page.fill("#contact-code", "000000" if sent_contact_code(user) != "000000" else "111111")
    page.click("#contact-confirm")
    page.wait_for_selector("#contact-code-error")
    assert page.inner_text("#contact-code-error") == "验证码不正确（还可尝试 4 次）"
    page.fill("#contact-code", sent_contact_code(user))
    page.click("#contact-confirm")
    page.wait_for_selector("text=提醒手机号 138****5678 已验证")
    assert "138****5678" in page.inner_text("#contact-mobile") and "已验证" in page.inner_text("#contact-mobile")
    assert PHONE not in page.content()
    page.check("#via-sms")
    page.click("#contact-save")
    page.wait_for_selector("text=工作提醒方式已设为“站内消息+短信”")
    assert page.inner_text("#contact-via") == "站内消息+短信"
    page.screenshot(path=str(screenshot_dir / "accounts-contact-sms-on.png"), full_page=True)
    assert StaffContact.objects.get(user=user).notify_via == "sms"

    # an application reaches the reviewer's level at 10:00 in Shanghai (outside quiet hours, whatever the hour
    # this test runs at): the SMS goes out through the outbox and the console adapter
    at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(timezone, "now", lambda: at)
    notify.SENT_LOG.clear()
    workflow.create_application(actor=worker(), programme="join", data=join_data(district, n=7001, name="王小明"),
                                submit=True)
    texts = [m for m in notify.SENT_LOG if m["channel"] == "sms" and m["to"] == PHONE]
    assert [m["body"] for m in texts] == ["【连心】您有1件新的申请待审核（申请入会1件），请登录工会工作台“待我审核”处理。"]
