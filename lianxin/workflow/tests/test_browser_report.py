"""The 最多跑一次 console page on the demo district: real figures and the ECharts chart render."""

import re

import pytest
from django.core.management import call_command

from lianxin.accounts.models import User
from lianxin.workflow import selectors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_on_demo_data(page, live_server, screenshot_dir):
    call_command("seed_demo", people=400, enterprises=60)
    from lianxin.orgs.management.commands.seed_demo import DEMO_PASSWORD

    page.goto(f"{live_server.url}/console/login/")
    page.fill("input[name=username]", "qt_reviewer")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console/$"))
    page.click("text=审批")
    page.wait_for_selector("#queue")
    page.screenshot(path=str(screenshot_dir / "workflow-queue-demo.png"), full_page=True)
    page.click("text=最多跑一次统计")
    page.select_option("select[name=by]", "street")
    page.click("text=筛选")
    page.wait_for_selector("#wf-chart canvas")
    _, totals = selectors.trips_report(actor=User.objects.get(username="qt_reviewer"))
    text = page.inner_text("#totals")
    for t in totals:
        assert f"{t['zero_pct']}%（{t['zero']}）" in text and f"{t['median_days']} 天" in text
    page.screenshot(path=str(screenshot_dir / "workflow-report-demo.png"), full_page=True)
