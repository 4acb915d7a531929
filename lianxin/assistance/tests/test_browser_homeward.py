"""平安返乡 in Chromium: a member on a 375 px phone signs in with the SMS code, opens 平安返乡 from 我的, first
forgets to choose a coach (told at the field, the typed hometown kept), then takes a seat on the 安徽阜阳 coach; the
union's administrator signs in to the console, finds the member flagged as a hardship-archive member, confirms;
the member's page shows 已确认 and the in-app message. No sideways scroll, no JavaScript error, nothing from
another origin. Screenshots go to test-artifacts/homeward-*.png."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.assistance import services_homeward as homeward
from lianxin.assistance.models import HardshipFile, HomewardApplication, HomewardCoach
from lianxin.core.testing import PASSWORD, ROOT, id_number
from lianxin.members import services as members

from .helpers import fund
from .test_browser_hardship import console_login, sms_login, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = "13766665555"


def test_member_takes_a_seat_staff_confirm_member_sees_it(chromium, live_server, district, page, phone_page,
                                                          screenshot_dir):
    d, base = district, live_server.url
    person = members.create_person(actor=ROOT, org=d.base_a1, name="刘春生", id_number=id_number(7601),
                                   mobile=MOBILE, employer=d.ent_a1)
    members.admit_member(actor=ROOT, person=person, union=d.base_a1)
    user = User.objects.create_user(username="homeward_member", password=PASSWORD, display_name="刘春生")
    user.person = person
    user.save()
    HardshipFile.objects.create(person=person, union=d.base_a1, level="ordinary", cause="illness", family_size=4,
                                income_fen=90000, situation="爱人患病，两个孩子上学")
    today = timezone.localdate()
    p = homeward.create_programme(actor=ROOT, org=d.fed, year=today.year, name="2027 年春节平安返乡",
                                  apply_until=today + dt.timedelta(days=10), subsidy="300",
                                  fund=fund(d.fed, "5000", purpose="warmth"))
    coach = homeward.add_coach(actor=ROOT, programme=p, destination="安徽阜阳", route="下沙客运中心—合肥—阜阳",
                               departs_at=timezone.now() + dt.timedelta(days=20), seats="45")

    errors, foreign = [], []
    m = phone_page
    watch(m, base, errors, foreign)
    sms_login(m, base, MOBILE)
    m.goto(f"{base}/m/me/")
    m.click("#homeward-link")
    m.wait_for_url(f"{base}/m/homeward/")
    form = m.locator(f"#programme-{p.pk} form.apply-form")
    form.locator("input[name=kind][value=coach]").check()
    form.locator("[name=hometown]").fill("安徽省阜阳市临泉县")
    form.get_by_role("button", name="报名").click()
    m.wait_for_selector(".m-error")
    assert "请选择要乘坐的专车" in m.inner_text(f"#programme-{p.pk}")
    assert m.input_value(f"#programme-{p.pk} [name=hometown]") == "安徽省阜阳市临泉县"
    m.select_option(f"#coach-{p.pk}", value=str(coach.pk))
    m.locator(f"#programme-{p.pk}").get_by_role("button", name="报名").click()
    m.wait_for_selector("#my-homeward")
    assert "已报名安徽阜阳专车座位" in m.inner_text(".m-messages")
    assert "待确认" in m.inner_text("#my-homeward")
    assert m.evaluate("document.documentElement.scrollWidth") <= 375
    m.screenshot(path=str(screenshot_dir / "homeward-applied.png"), full_page=True)
    assert HomewardCoach.objects.get(pk=coach.pk).taken == 1

    s = page
    watch(s, base, errors, foreign)
    console_login(s, base, "base_a1.admin")
    s.locator(".mainnav").get_by_role("link", name="帮扶救助", exact=True).click()
    s.locator("nav.toolbar").get_by_role("link", name="平安返乡", exact=True).click()
    s.get_by_role("link", name="2027 年春节平安返乡").click()
    s.wait_for_url(re.compile(r"/console/assistance/homeward/\d+/$"))
    row = s.locator("#applications tr", has_text="刘春生")
    assert "困难职工" in row.inner_text() and "安徽阜阳专车" in row.inner_text()
    row.locator("input[name=ids]").check()
    s.get_by_role("button", name="勾选的确认").click()
    s.wait_for_selector(".messages")
    assert "已确认 1 人" in s.inner_text(".messages")
    assert s.inner_text("#homeward-confirmed") == "1"
    s.screenshot(path=str(screenshot_dir / "homeward-console.png"), full_page=True)
    assert HomewardApplication.objects.get().status == "confirmed"

    m.goto(f"{base}/m/homeward/")
    assert "已确认" in m.inner_text("#my-homeward")
    m.goto(f"{base}/m/me/")
    assert "安徽阜阳专车已确认" in m.inner_text("body")
    m.screenshot(path=str(screenshot_dir / "homeward-confirmed.png"), full_page=True)
    assert errors == [] and foreign == []
