"""劳动竞赛 in Chromium, end to end: the federation's administrator sets up a contest (技术能手 to the top two) from
the console's navigation; base_a1's chair enters two members by mobile and is refused a third in Chinese (the
per-union cap of two, shown at the field); the organiser closes sign-up, types both members' scores into the score
sheet (one bad score first: refused in Chinese, the typed values kept), publishes the ranking and confirms the
titles; the 劳模工匠库 lists both with the title. No JavaScript error, nothing from another origin. Screenshots go to
test-artifacts/competition-*.png."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from lianxin.assistance.tests.test_browser_hardship import console_login, console_logout, watch
from lianxin.core.testing import ROOT, id_number
from lianxin.members import services as members
from lianxin.talent.models import Competition, Honour

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def worker(d, n, name, mobile):
    p = members.create_person(actor=ROOT, org=d.base_a1, name=name, id_number=id_number(n), mobile=mobile)
    members.admit_member(actor=ROOT, person=p, union=d.base_a1)
    return p


def test_set_up_enter_score_publish_and_the_title_is_in_the_register(live_server, district, page, screenshot_dir):
    d, base, r = district, live_server.url, page
    worker(d, 8101, "孙志刚", "13788881111")
    worker(d, 8102, "何美玲", "13788882222")
    worker(d, 8103, "冯国强", "13788883333")
    errors, foreign = [], []
    watch(r, base, errors, foreign)

    console_login(r, base, "fed.admin")
    r.locator(".mainnav").get_by_role("link", name="劳动竞赛", exact=True).click()
    r.get_by_role("link", name="新建竞赛").click()
    now = timezone.localtime()
    r.fill("[name=title]", "2026年开发区职工技能竞赛（数控车工）")
    r.fill("[name=trade]", "数控车工")
    r.fill("[name=signup_opens_at]", (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    r.fill("[name=signup_closes_at]", (now + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    r.fill("[name=max_entrants]", "10")
    r.fill("[name=union_cap]", "2")
    r.fill("[name=award_title]", "技术能手")
    r.fill("[name=award_places]", "2")
    r.get_by_role("button", name="保存").click()
    r.wait_for_url(re.compile(r"/console/talent/competitions/\d+/$"))
    comp = Competition.objects.get()
    console_logout(r)

    console_login(r, base, "base_a1.admin")
    r.goto(f"{base}/console/talent/competitions/{comp.pk}/")
    for mobile in ("13788881111", "13788882222"):
        r.fill("#enter-form [name=who]", mobile)
        r.click("#enter-form button")
        r.wait_for_selector(".messages")
    assert r.inner_text("#entrants") == "2/10"
    r.fill("#enter-form [name=who]", "13788883333")
    r.click("#enter-form button")
    r.wait_for_selector("#enter-form .has-error .error")
    assert "每个工会 2 人的上限" in r.inner_text("#enter-form .has-error .error")
    assert r.input_value("#enter-form [name=who]") == "13788883333"
    r.screenshot(path=str(screenshot_dir / "competition-enter.png"), full_page=True)
    console_logout(r)

    console_login(r, base, "fed.admin")
    r.goto(f"{base}/console/talent/competitions/{comp.pk}/")
    r.click("#close-signup")
    r.wait_for_selector("#scores-link")
    r.click("#scores-link")
    inputs = r.locator("#score-sheet input")
    assert inputs.count() == 4
    sun, he = (r.locator("#score-sheet tr", has_text=n) for n in ("孙志刚", "何美玲"))
    sun.locator("input").nth(0).fill("88.5")
    sun.locator("input").nth(1).fill("92")
    he.locator("input").nth(0).fill("95")
    he.locator("input").nth(1).fill("101")
    r.click("#save-scores")
    r.wait_for_selector("#scores-error")
    assert "何美玲的实操成绩应在 0–100 之间" in r.inner_text("#scores-error")
    assert he.locator("input").nth(1).input_value() == "101"
    he.locator("input").nth(1).fill("90.5")
    r.click("#save-scores")
    r.wait_for_url(re.compile(rf"/console/talent/competitions/{comp.pk}/$"))
    # 88.5 × 30% + 92 × 70% = 90.95; 95 × 30% + 90.5 × 70% = 91.85
    assert r.locator("#contestants tr", has_text="何美玲").locator(".total").inner_text() == "91.85"
    r.click("#publish")
    r.wait_for_selector("#confirm-awards")
    first = r.locator("#contestants tr").nth(1)
    assert "何美玲" in first.inner_text() and first.locator("td").first.inner_text() == "1"
    r.click("#confirm-awards")
    r.wait_for_selector("text=已将 2 名选手的“技术能手”称号记入劳模工匠库")
    r.screenshot(path=str(screenshot_dir / "competition-published.png"), full_page=True)

    r.locator(".mainnav").get_by_role("link", name="劳模工匠库", exact=True).click()
    r.wait_for_url(re.compile(r"/console/talent/honours/"))
    body = r.inner_text("main")
    assert "孙志刚" in body and "何美玲" in body and "技术能手" in body
    assert Honour.objects.filter(title="技术能手", contestant__competition=comp).count() == 2
    r.screenshot(path=str(screenshot_dir / "competition-honours.png"), full_page=True)
    assert not errors and not foreign, (errors, foreign)
