"""女职工关爱行动 in Chromium, as the people involved do it: a woman member signs in on a phone (375 px) with the SMS
code, goes 我的 → 关爱服务, opens the federation's “两癌”免费筛查 and signs up (the places left drop); the
federation's administrator sees her (masked ID and mobile) on the campaign's page and, once the screening has
started, marks her 已参加; the member's page then shows 已参加. No JavaScript error, nothing from another origin,
no sideways scroll on the phone. Screenshots: test-artifacts/care-*.png."""

import pytest

from lianxin.assistance.tests.test_browser_hardship import console_login, sms_login, watch
from lianxin.care.models import CampaignSignup
from lianxin.care.testing import make_campaign, make_woman, start_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = "13755558888"


def _no_sideways_scroll(pg):
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page wider than the phone: {width}px"


def test_a_woman_signs_up_and_staff_mark_her_attended(
    live_server, district, phone_page, page, screenshot_dir
):
    d, base = district, live_server.url
    w = make_woman(d.base_a1, "钱丽娟", age=42, mobile_no=MOBILE)
    c = make_campaign(d.fed, title="女职工“两癌”免费筛查", places=3, min_age=25, max_age=64)
    errors, foreign = [], []
    m, s = phone_page, page
    watch(m, base, errors, foreign)
    watch(s, base, errors, foreign)

    # 1. the member signs up on the phone
    sms_login(m, base, MOBILE)
    m.goto(f"{base}/m/me/")
    m.click("#care-link")
    m.wait_for_url(f"{base}/m/care/")
    m.click(f"#campaign-{c.pk}")
    assert m.inner_text("#remaining") == "3"
    m.click("#signup")
    m.wait_for_selector("text=报名成功")
    assert m.inner_text("#remaining") == "2" and m.inner_text("#signup-status") == "已报名"
    _no_sideways_scroll(m)
    m.screenshot(path=str(screenshot_dir / "care-signup.png"), full_page=True)
    signup = CampaignSignup.objects.get()
    assert signup.person == w.person and signup.age == 42

    # 2. the federation's administrator sees her, masked, and after the start marks her 已参加
    console_login(s, base, "fed.admin")
    s.locator(".mainnav").get_by_role("link", name="关爱", exact=True).click()
    s.click(f"text={c.title}")
    row = s.inner_text(f"#signup-{signup.pk}")
    assert "钱丽娟" in row and "137****8888" in row and MOBILE not in row and w.person.id_masked in row
    start_campaign(c)
    s.reload()
    s.click(f"#attend-{signup.pk}")
    s.wait_for_selector(".messages")
    assert "钱丽娟：已参加" in s.inner_text(".messages")
    assert s.inner_text(f"#status-{signup.pk}") == "已参加"
    s.screenshot(path=str(screenshot_dir / "care-console.png"), full_page=True)
    signup.refresh_from_db()
    assert signup.status == "attended"

    # 3. the member sees it
    m.goto(f"{base}/m/care/campaigns/{c.pk}/")
    assert m.inner_text("#signup-status") == "已参加"
    _no_sideways_scroll(m)
    assert errors == [] and foreign == []
