"""建家评选 in Chromium: base_a1's administrator opens the federation's round from 组织建设, applies with one score
above its item's maximum and is refused at that item in Chinese (the rest of the typing kept), corrects it and
submits; 白杨街道's reviewer passes it with a score; the federation's reviewer names it, and the home is in the
register with its valid-until date. No JavaScript error, nothing from another origin. Screenshots go to
test-artifacts/governance-*.png."""

import re

import pytest

from lianxin.assistance.tests.test_browser_hardship import console_login, console_logout, watch
from lianxin.governance.models import CRITERIA, HomeApplication, NamedHome
from lianxin.governance.testing import make_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_review_name(chromium, live_server, district, page, screenshot_dir):
    d, base, pg = district, live_server.url, page
    r = make_round(d.fed, places=2, title="2026年度区级模范职工之家评选")
    errors, foreign = [], []
    watch(pg, base, errors, foreign)

    console_login(pg, base, "base_a1.admin")
    pg.locator(".mainnav").get_by_role("link", name="组织建设", exact=True).click()
    pg.get_by_role("link", name=r.title).click()
    pg.click("#apply-link")
    pg.fill("[name=summary]", "建成职工书屋、健身房和母婴室，每季度召开职代会，会员满意率达到百分之九十六。")
    for key, label, top, _ in CRITERIA:
        pg.fill(f"[name=score_{key}]", str(top + 5 if key == "venue" else top - 1))
        pg.fill(f"[name=note_{key}]", f"{label}有台账")
    pg.get_by_role("button", name="提交申报").click()
    pg.wait_for_selector(".has-error .error")
    assert pg.inner_text(".has-error .error") == "职工活动阵地：自评分不能超过满分 15 分"
    assert pg.input_value("[name=note_rights]") == "维权机制有台账"
    pg.fill("[name=score_venue]", "14")
    pg.get_by_role("button", name="提交申报").click()
    pg.wait_for_url(re.compile(r"/console/governance/applications/\d+/$"))
    app = HomeApplication.objects.get()
    assert pg.inner_text("#application-status") == "待街道审核"
    assert pg.inner_text("#self-total") == str(sum(top - 1 for _, _, top, _ in CRITERIA))
    console_logout(pg)

    console_login(pg, base, "street_a.reviewer")
    pg.goto(f"{base}/console/governance/rounds/{r.pk}/")
    pg.get_by_role("link", name=d.base_a1.name).click()
    pg.fill("#id_score", "93")
    pg.fill("#id_comment", "实地查看，阵地规范")
    pg.click("#review-pass")
    pg.wait_for_selector("text=已推荐至评选组织单位审定")
    assert pg.inner_text("#street-score") == "93"
    assert pg.locator("#decide-form").count() == 0  # the street does not name
    pg.screenshot(path=str(screenshot_dir / "governance-review.png"), full_page=True)
    console_logout(pg)

    console_login(pg, base, "fed.reviewer")
    pg.goto(f"{base}/console/governance/applications/{app.pk}/")
    pg.click("#decide-name")
    pg.wait_for_selector("text=已命名")
    assert pg.inner_text("#application-status") == "已命名"
    home = NamedHome.objects.get()
    assert pg.inner_text("#valid-until") == f"{home.valid_until:%Y-%m-%d}"
    pg.locator(".mainnav").get_by_role("link", name="组织建设", exact=True).click()
    pg.locator("nav.toolbar").get_by_role("link", name="职工之家称号", exact=True).click()
    pg.wait_for_url(re.compile(r"/console/governance/homes/$"))
    assert d.base_a1.name in pg.inner_text("#homes")
    pg.screenshot(path=str(screenshot_dir / "governance-register.png"), full_page=True)
    assert errors == [] and foreign == []
