"""工作台 待办事项 in Chromium, as a part-time union chair uses it: base_a1's reviewer signs in and the 工作台 says
one volunteer registration waits; the link opens the list of exactly that one, 通过 approves it, and back on the
工作台 nothing is waiting. A reviewer of the other street never sees it. No JavaScript error, nothing from another
origin. Screenshot: test-artifacts/console-todos.png."""

import pytest

from lianxin.assistance.tests.test_browser_hardship import console_login, console_logout, watch
from lianxin.volunteers.models import Volunteer
from lianxin.volunteers.testing import make_volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_card_leads_to_the_work_and_empties_when_it_is_done(live_server, district, page, screenshot_dir):
    d, base, c = district, live_server.url, page
    v = make_volunteer(d.base_a1, "林志愿", approve=False).volunteer
    errors, foreign = [], []
    watch(c, base, errors, foreign)

    console_login(c, base, "street_b.reviewer")
    assert "待审核的志愿者" not in c.inner_text(".card.todos") and "暂无待办事项" in c.inner_text(".card.todos")
    console_logout(c)

    console_login(c, base, "base_a1.reviewer")
    card = c.locator(".card.todos")
    item = card.locator("li", has_text="待审核的志愿者")
    assert item.locator("b").inner_text() == "1" and "志愿服务" in item.inner_text()
    c.screenshot(path=str(screenshot_dir / "console-todos.png"), full_page=True)
    item.get_by_role("link", name="待审核的志愿者").click()
    c.wait_for_url(f"{base}/console/volunteers/volunteers/?status=pending")
    assert "林志愿" in c.inner_text("main")
    c.click(f"#approve-{v.pk}")
    c.wait_for_selector(".messages")
    assert "林志愿：已通过" in c.inner_text(".messages")
    Volunteer.objects.get(pk=v.pk, status="approved")
    c.goto(f"{base}/console/")
    assert "待审核的志愿者" not in c.inner_text(".card.todos") and "暂无待办事项" in c.inner_text(".card.todos")
    assert not errors and not foreign, (errors, foreign)
