"""The member's side on a phone-sized Chromium: sign in with the SMS code (read from the console adapter's
log), show the member card, sign up for an activity, cancel — and the waitlisted member is promoted and sees
it. Screenshots go to the test-artifacts directory."""

import re

import pytest

from lianxin.activities.models import Signup
from lianxin.activities.testing import make_activity, make_member
from lianxin.core import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sms_login(page, base, mobile):
    notify.SENT_LOG.clear()
    page.goto(f"{base}/m/login/")
    page.fill("#mobile", mobile)
    page.click("button[value=send]")
    page.wait_for_selector("text=验证码已发送")
    msg = [m for m in notify.SENT_LOG if m["to"] == mobile][-1]
    code = re.search(r"\d{6}", msg["body"]).group()
    page.fill("#code", code)
    page.click("button[value=verify]")
    page.wait_for_url(f"{base}/m/")


def test_phone_sign_in_card_signup_cancel_promotion(live_server, phone_page, screenshot_dir):
    from lianxin.core.testing import build_district

    d = build_district()
    alice = make_member(d.base_a1, "林晓", gender="F", mobile_no="13711112222")
    bob = make_member(d.base_a1, "黄磊", mobile_no="13733334444")
    a = make_activity(d.street_a, title="端午包粽子比赛", capacity=1, waitlist_size=3)
    base, page = live_server.url, phone_page

    sms_login(page, base, "13711112222")
    page.screenshot(path=screenshot_dir / "portal-home.png", full_page=True)
    page.click("text=点击出示电子会员卡")
    page.wait_for_selector("#member-card svg")
    assert "林晓" in page.inner_text("#member-card")
    assert alice.membership.member_no in page.inner_text("#member-card")
    page.screenshot(path=screenshot_dir / "portal-card.png", full_page=True)

    page.goto(f"{base}/m/activities/?month={a.starts_at:%Y-%m}")
    page.screenshot(path=screenshot_dir / "portal-activities.png", full_page=True)
    page.click("text=端午包粽子比赛")
    page.click("#signup-btn")
    page.wait_for_selector("#signup-status")
    assert page.inner_text("#signup-status") == "报名成功"
    page.screenshot(path=screenshot_dir / "portal-signed-up.png", full_page=True)

    # Bob finds it full and joins the waitlist (from his own phone, here through the service).
    from lianxin.activities import services

    assert services.sign_up(actor=bob.user, activity_id=a.pk).status == "waitlisted"

    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.click("#cancel-btn")  # a tap by mistake: the phone asks first, and "取消" keeps the place
    assert asked and "确定取消报名" in asked[0]
    assert Signup.objects.get(person=alice.person, activity=a).status == "confirmed"
    page.once("dialog", lambda d: d.accept())
    page.click("#cancel-btn")
    page.wait_for_selector("text=已取消报名")
    assert Signup.objects.get(person=bob.person, status__in=Signup.LIVE).status == "confirmed"

    page.context.clear_cookies()
    sms_login(page, base, "13733334444")
    page.goto(f"{base}/m/activities/{a.pk}/")
    assert page.inner_text("#signup-status") == "报名成功"
    page.goto(f"{base}/m/me/")
    assert "候补成功" in page.inner_text("body")
    page.screenshot(path=screenshot_dir / "portal-promoted.png", full_page=True)
