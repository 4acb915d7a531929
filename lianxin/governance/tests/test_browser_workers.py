"""社会化工会工作者 in Chromium: the federation's administrator opens 组织建设 → 社会化工会工作者, recruits a worker
and posts them to 白杨街道 (the ID number and mobile then shown masked), and opens this year's assessment; 白杨街道's
administrator finds the worker, enters a month's log (a count that is not a number is refused on its field in
Chinese), confirms it (then no edit is offered), and grades the worker 优秀 in the open round. No JavaScript error,
nothing from another origin. Screenshots go to test-artifacts/governance-workers-*.png."""

import re

import pytest
from django.utils import timezone

from lianxin.assistance.tests.test_browser_hardship import console_login, console_logout, watch
from lianxin.core.testing import id_number
from lianxin.governance.models import Assessment, SocialWorker, WorkLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_post_log_confirm_grade(chromium, live_server, district, page, screenshot_dir):
    d, base, pg = district, live_server.url, page
    errors, foreign = [], []
    watch(pg, base, errors, foreign)
    today = timezone.localdate()
    number = id_number()

    console_login(pg, base, "fed.admin")
    pg.locator(".mainnav").get_by_role("link", name="组织建设", exact=True).click()
    pg.click("#workers-tab")
    pg.click("#recruit-link")
    pg.select_option("#id_post", value=str(d.street_a.pk))
    pg.fill("#id_name", "沈佳怡")
    pg.fill("#id_id_number", number)
    pg.fill("#id_mobile", "13757101234")
    pg.select_option("#id_grade", value="2")
    pg.fill("#id_contract_start", f"{today.replace(day=1):%Y-%m-%d}")
    pg.fill("#id_contract_end", f"{today.replace(year=today.year + 3, day=1):%Y-%m-%d}")
    pg.get_by_role("button", name="保存").click()
    pg.wait_for_url(re.compile(r"/console/governance/workers/\d+/$"))
    w = SocialWorker.objects.get()
    assert pg.inner_text("#worker-post") == d.street_a.name
    html = pg.content()
    assert number not in html and "13757101234" not in html and "137****1234" in html
    pg.locator(".crumbs").get_by_role("link", name="社会化工会工作者").click()
    pg.locator("nav.toolbar").get_by_role("link", name="年度考核", exact=True).click()
    pg.fill("#id_year", str(today.year))
    pg.click("#open-submit")
    pg.wait_for_selector("text=优秀名额 1 个")
    console_logout(pg)

    console_login(pg, base, "street_a.admin")
    pg.goto(f"{base}/console/governance/workers/")
    pg.get_by_role("link", name="沈佳怡").click()
    pg.click("#log-new")
    pg.fill("#id_month", f"{today:%Y-%m}")
    pg.fill("#id_visits", "很多")
    pg.fill("#id_unions_founded", "1")
    pg.fill("#id_members_recruited", "26")
    pg.fill("#id_disputes_mediated", "2")
    pg.fill("#id_summary", "走访辖区小微企业，协助一家企业建会。")
    pg.get_by_role("button", name="保存").click()
    pg.wait_for_selector(".has-error .error")
    assert "走访企业" in pg.inner_text(".has-error .error")
    assert pg.input_value("#id_members_recruited") == "26"
    pg.fill("#id_visits", "12")
    pg.get_by_role("button", name="保存").click()
    pg.wait_for_url(re.compile(r"/console/governance/workers/logs/\d+/$"))
    assert pg.inner_text("#worklog-status") == "待确认" and pg.inner_text("#log-visits") == "12"
    pg.click("#worklog-confirm")
    pg.wait_for_selector("text=不能再修改")
    assert pg.inner_text("#worklog-status") == "已确认"
    assert pg.locator("#worklog-edit").count() == 0
    assert WorkLog.objects.get().status == "confirmed"
    pg.screenshot(path=str(screenshot_dir / "governance-workers-log.png"), full_page=True)

    pg.goto(f"{base}/console/governance/workers/assessments/")
    pg.get_by_role("link", name=f"{today.year}年度考核").click()
    a = Assessment.objects.get(worker=w)
    pg.click(f"#grade-{a.pk}")
    pg.check("input[name=grade][value=excellent]")
    pg.fill("#id_comment", "建会入会成效突出")
    pg.click("#grade-submit")
    pg.wait_for_selector("text=已评定沈佳怡为优秀")
    assert pg.inner_text("#excellent-used") == "1 / 1"
    assert "建会入会成效突出" in pg.inner_text("#assessment-items")
    pg.screenshot(path=str(screenshot_dir / "governance-workers-grade.png"), full_page=True)
    assert errors == [] and foreign == []


def test_leave_then_rehire(chromium, live_server, district, page, screenshot_dir):
    """The federation's administrator records a worker's leaving on the worker page; the page then offers 重新聘用,
    which engages them again at 下沙街道 on a new contract and opens the new engagement's page, listing both."""
    from lianxin.governance.testing import recruit

    d, base, pg = district, live_server.url, page
    errors, foreign = [], []
    watch(pg, base, errors, foreign)
    today = timezone.localdate()
    old = recruit(d.street_a, name="沈佳怡")

    console_login(pg, base, "fed.admin")
    pg.goto(f"{base}/console/governance/workers/{old.pk}/")
    assert pg.locator("#rehire-form").count() == 0
    pg.fill("#leave-form #id_on", f"{today:%Y-%m-%d}")
    pg.fill("#leave-form #id_reason", "家庭原因")
    pg.click("#leave-submit")
    pg.wait_for_selector("#rehire-form")
    assert pg.inner_text("#worker-status") == "离职"
    pg.select_option("#rehire-form #id_post", value=str(d.street_b.pk))
    pg.select_option("#rehire-form #id_grade", value="1")
    pg.fill("#rehire-form #id_contract_start", f"{today:%Y-%m-%d}")
    pg.fill("#rehire-form #id_contract_end", f"{today.replace(day=1).replace(year=today.year + 2):%Y-%m-%d}")
    pg.click("#rehire-submit")
    pg.wait_for_selector("text=已重新聘用沈佳怡")
    new = SocialWorker.objects.get(status="active")
    assert pg.url.endswith(f"/console/governance/workers/{new.pk}/") and new.person_id == old.person_id
    assert pg.inner_text("#worker-status") == "在岗" and pg.inner_text("#worker-post") == d.street_b.name
    rows = pg.locator("#engagements tr")
    assert rows.count() == 3 and "本次" in rows.nth(1).inner_text() and "离职" in rows.nth(2).inner_text()
    pg.screenshot(path=str(screenshot_dir / "governance-workers-rehire.png"), full_page=True)
    pg.locator("#engagements").get_by_role("link", name="第 1 次").click()
    pg.wait_for_url(re.compile(rf"/console/governance/workers/{old.pk}/$"))
    assert pg.inner_text("#worker-status") == "离职" and pg.locator("#rehire-form").count() == 0
    assert errors == [] and foreign == []
