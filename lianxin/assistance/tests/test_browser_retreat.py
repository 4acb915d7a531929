"""疗休养 in Chromium: the federation's administrator arranges a trip with two places and shares one to 白杨街道;
base_a1's chair nominates a member by mobile, is refused for a second one (the street's share is used up) with the
reason at the field and the typed text kept, puts the second on the 候补名单 offered there, withdraws (退出) the first
with a reason, and the place goes to the waiting one. Screenshots go to test-artifacts/retreat-*.png."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from lianxin.assistance.models import Retreat, RetreatSeat
from lianxin.core.testing import ROOT, id_number
from lianxin.members import services as members

from .test_browser_hardship import console_login, console_logout, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def worker(d, n, name, mobile):
    p = members.create_person(actor=ROOT, org=d.base_a1, name=name, id_number=id_number(n), mobile=mobile)
    members.admit_member(actor=ROOT, person=p, union=d.base_a1)
    return p


def test_arrange_share_nominate_waitlist_withdraw(chromium, live_server, district, page, screenshot_dir):
    d, base = district, live_server.url
    worker(d, 7501, "周大勇", "13766661111")
    worker(d, 7502, "吴小红", "13766662222")
    errors, foreign = [], []
    r = page
    watch(r, base, errors, foreign)

    console_login(r, base, "fed.admin")
    r.locator(".mainnav").get_by_role("link", name="帮扶救助", exact=True).click()
    r.locator("nav.toolbar").get_by_role("link", name="疗休养", exact=True).click()
    r.get_by_role("link", name="安排疗休养").click()
    today = timezone.localdate()
    r.fill("[name=name]", "2027 年一线职工疗休养第一期")
    r.fill("[name=destination]", "千岛湖职工疗休养基地")
    r.select_option("[name=audience]", label="全体会员")
    r.fill("[name=starts_on]", (today + dt.timedelta(days=30)).isoformat())
    r.fill("[name=ends_on]", (today + dt.timedelta(days=34)).isoformat())
    r.fill("[name=nominate_until]", (today + dt.timedelta(days=10)).isoformat())
    r.fill("[name=places]", "2")
    r.get_by_role("button", name="保存").click()
    r.wait_for_url(re.compile(r"/console/assistance/retreats/\d+/$"))
    trip = Retreat.objects.get()
    r.select_option("#share-form [name=org]", label=d.street_a.name)
    r.fill("#share-form [name=places]", "1")
    r.click("#share-form button")
    r.wait_for_selector(".messages")
    assert r.locator("#shares tr", has_text=d.street_a.name).locator("td").nth(1).inner_text() == "1"
    console_logout(r)

    console_login(r, base, "base_a1.admin")
    r.goto(f"{base}/console/assistance/retreats/{trip.pk}/")
    r.fill("#nominate-form [name=who]", "13766661111")
    r.fill("#nominate-form [name=reason]", "连续三年优秀员工")
    r.click("#nominate-form button")
    r.wait_for_selector(".messages")
    assert "已推荐 周大勇" in r.inner_text(".messages")
    assert r.inner_text("#retreat-taken") == "1"
    r.fill("#nominate-form [name=who]", "13766662222")
    r.fill("#nominate-form [name=reason]", "技术骨干")
    r.click("#nominate-form button")
    r.wait_for_selector("#nominate-form .error, #nominate-form .errorlist")
    assert "分到的 1 个名额已用完" in r.inner_text("#nominate-form")
    assert r.input_value("#nominate-form [name=reason]") == "技术骨干"
    r.screenshot(path=str(screenshot_dir / "retreat-full.png"), full_page=True)
    r.locator("#waitlist-offer").get_by_role("button", name="加入候补名单").click()
    r.wait_for_selector(".messages")
    assert "吴小红已列入" in r.inner_text(".messages") and "候补名单第 1 位" in r.inner_text(".messages")
    assert r.inner_text("#retreat-taken") == "1"
    assert r.locator("#waitlist tr", has_text="吴小红").locator("td").first.inner_text() == "1"
    row = r.locator("#seats tr", has_text="周大勇")
    row.locator("input[name=reason]").fill("家中有事")
    row.get_by_role("button", name="退出").click()
    r.wait_for_selector(".messages")
    assert "已办理 周大勇退出，名额由候补的 吴小红递补" in r.inner_text(".messages")
    assert r.inner_text("#retreat-taken") == "1"
    assert "没有候补人员" in r.inner_text("#waitlist")
    r.screenshot(path=str(screenshot_dir / "retreat-promoted.png"), full_page=True)
    assert dict(RetreatSeat.objects.values_list("person__name", "status")) == {"周大勇": "withdrawn",
                                                                              "吴小红": "nominated"}
    assert errors == [] and foreign == []
