"""A street administrator, in desktop Chromium, opens an activity in the console, cancels a member's sign-up
with a reason, and sees the waitlisted member take the place; the door then refuses the cancelled member's
code. Screenshots go to the test-artifacts directory."""

import re

import pytest

from lianxin.activities import services
from lianxin.activities.models import Signup
from lianxin.activities.testing import make_activity_at_the_door, make_member
from lianxin.core.models import Notification
from lianxin.core.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_street_admin_cancels_a_signup_from_the_console(page, live_server, district, screenshot_dir):
    a = make_activity_at_the_door(district.street_a, title="职工气排球友谊赛", capacity=1, waitlist_size=2)
    holder, waiting = make_member(district.base_a1, "周敏"), make_member(district.base_a1, "吴刚")
    held = services.sign_up(actor=holder.user, activity_id=a.pk)
    queued = services.sign_up(actor=waiting.user, activity_id=a.pk)
    token = services.checkin_token(held)

    base = live_server.url
    page.goto(f"{base}/console/login/")
    page.fill("input[name=username]", "street_a.admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console/$"))
    page.goto(f"{base}/console/activities/{a.pk}/")
    row = page.locator(f"#signup-{held.pk}")
    assert "周敏" in row.inner_text() and "报名成功" in row.inner_text()
    assert "候补中" in page.locator(f"#signup-{queued.pk}").inner_text()

    row.locator("summary").click()
    row.locator("input[name=reason]").fill("会员来电，家中有事无法参加")
    page.screenshot(path=str(screenshot_dir / "console-activity-cancel-signup.png"), full_page=True)
    row.locator("button").click()
    page.wait_for_selector("text=已取消 周敏 的报名")
    assert "候补会员 吴刚 已递补为正式报名" in page.inner_text(".messages")
    assert "已取消" in page.inner_text(f"#signup-{held.pk}")
    assert "报名成功（候补转正）" in page.inner_text(f"#signup-{queued.pk}")
    assert page.locator(f"#signup-{held.pk} summary").count() == 0  # nothing left to cancel on that row
    page.screenshot(path=str(screenshot_dir / "console-activity-signup-cancelled.png"), full_page=True)

    assert Signup.objects.get(pk=held.pk).status == "cancelled"
    assert "家中有事" in Notification.objects.get(user=holder.user, template="activity_signup_cancelled").body

    # At the door (the check-in window is open now), the cancelled member's code is refused.
    page.goto(f"{base}/console/activities/checkin/?activity={a.pk}")
    page.fill("#token", token)
    page.press("#token", "Enter")
    page.wait_for_selector("#checkin-result")
    assert "该报名已取消" in page.inner_text("#checkin-result")
