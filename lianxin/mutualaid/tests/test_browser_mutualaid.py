"""职工医疗互助 in Chromium, kept short: an enrolled member on a phone opens 办事大厅 → 职工医疗互助, fills the stay,
attaches the invoice (a photo) and the discharge summary (a PDF) and submits; the union's reviewer approves; the
federation's reviewer finds the rule's amount already in the approval form with its working, confirms it; the
member's /m/mutualaid/ shows what was paid and what remains of the cap. No page raises a JavaScript error or asks
anything of another origin. Screenshots: test-artifacts/mutualaid-*.png."""

import re

import pytest
from django.conf import settings
from django.test import Client

from lianxin.mutualaid.models import MedicalAccount
from lianxin.workflow.models import Application
from lianxin.workflow.tests.helpers import PDF, PNG

from .helpers import enrolled_member, fund, plan, stay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def session(chromium, live_server, user, *, phone=False, errors, foreign):
    c = Client()
    c.force_login(user)
    opts = dict(locale="zh-CN", timezone_id="Asia/Shanghai")
    opts.update(dict(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2)
                if phone else dict(viewport={"width": 1280, "height": 900}))
    ctx = chromium.new_context(**opts)
    ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                      "url": live_server.url}])
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("request", lambda req: foreign.append(req.url) if not req.url.startswith(live_server.url)
          and req.url.split(":")[0] in ("http", "https", "ws", "wss") else None)
    return pg


def approve(pg, base, app):
    pg.goto(f"{base}/console/applications/{app.pk}/")
    pg.wait_for_selector("#decide-form")
    pg.check("input[name=decision][value=approved]")
    pg.click("#decide-submit")
    pg.wait_for_selector(".messages")


def test_member_claims_reviewers_approve_member_sees_the_payment(chromium, live_server, district, screenshot_dir):
    d, base = district, live_server.url
    p = plan(d)
    fund(d, "50000")
    user = enrolled_member(d, p, username="claimant")
    errors, foreign = [], []

    m = session(chromium, live_server, user, phone=True, errors=errors, foreign=foreign)
    m.goto(f"{base}/m/services/")
    m.locator(".m-card", has_text="职工医疗互助").get_by_role("link", name="去办理").click()
    m.wait_for_url(re.compile(r"/m/apply/medical_aid/$"))
    s = stay(self_pay="8,000.50")
    m.fill("input[name=hospital]", s["hospital"])
    m.fill("input[name=admitted_on]", s["admitted_on"])
    m.fill("input[name=discharged_on]", s["discharged_on"])
    m.fill("input[name=self_pay]", s["self_pay"])
    m.set_input_files("#file-invoice", files=[{"name": "发票.png", "mimeType": "image/png", "buffer": PNG}])
    m.set_input_files("#file-discharge", files=[{"name": "出院小结.pdf", "mimeType": "application/pdf",
                                                 "buffer": PDF}])
    m.screenshot(path=str(screenshot_dir / "mutualaid-1-claim.png"), full_page=True)
    m.click("#submit")
    m.wait_for_selector("#app-state")
    assert m.inner_text("#app-state") == "已提交"
    app = Application.objects.get(programme="medical_aid")
    assert set(app.attachments.values_list("slot", flat=True)) == {"invoice", "discharge"}

    r = session(chromium, live_server, d.users["base_a1.reviewer"], errors=errors, foreign=foreign)
    approve(r, base, app)
    assert r.inner_text("#app-state") == "审核中"

    f = session(chromium, live_server, d.users["fed.reviewer"], errors=errors, foreign=foreign)
    f.goto(f"{base}/console/applications/{app.pk}/")
    f.wait_for_selector("#decide-form")
    assert f.input_value("#decide-form [name=amount]") == "4,200.30"  # (8,000.50 − 1,000) × 60%
    assert "剩余 20,000.00 元" in f.inner_text("#decide-form")
    f.screenshot(path=str(screenshot_dir / "mutualaid-2-approve.png"), full_page=True)
    f.check("input[name=decision][value=approved]")
    f.click("#decide-submit")
    f.wait_for_selector(".messages")
    assert f.inner_text("#app-state") == "已通过" and "核定住院补助 4,200.30 元" in f.inner_text("#result")

    m.reload()
    assert "4,200.30" in m.inner_text("#medical-amount")
    m.goto(f"{base}/m/me/")
    m.click("#mutualaid-link")
    m.wait_for_url(re.compile(r"/m/mutualaid/$"))
    assert m.inner_text("#paid") == "4,200.30" and m.inner_text("#remaining") == "15,799.70"
    assert "杭州市第一人民医院" in m.inner_text("#payments")
    m.screenshot(path=str(screenshot_dir / "mutualaid-3-account.png"), full_page=True)
    assert m.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    assert MedicalAccount.objects.get(person=user.person).paid_fen == 420030
    assert errors == [] and foreign == []
