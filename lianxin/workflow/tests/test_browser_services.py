"""Each service end to end in Chromium: apply, return for correction, fix, approve at each level, see the
result. Members use the phone layout; reviewers the console. Screenshots go to test-artifacts/workflow-*.png."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from stdnum.cn import uscc

from lianxin.core.testing import PASSWORD
from lianxin.members.models import Membership
from lianxin.workflow.models import Application, Certificate

from .helpers import PDF, PNG, join_data, member_user, worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def session_for(chromium, live_server, user, *, phone=False):
    """A browser context signed in as ``user`` (session made server-side: the portal's SMS sign-in belongs to
    another module; console sign-in through the form is exercised in the legal-person test)."""
    c = Client()
    c.force_login(user)
    opts = dict(locale="zh-CN", timezone_id="Asia/Shanghai")
    if phone:
        opts.update(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2)
    else:
        opts.update(viewport={"width": 1280, "height": 900})
    ctx = chromium.new_context(**opts)
    ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                      "url": live_server.url}])
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    return pg


def decide(pg, live_server, app, decision, *, fields=(), comment="", in_person=False, extra=None, tab="mine",
           shot=None):
    pg.goto(f"{live_server.url}/console/applications/?tab={tab}")
    pg.click(f"#queue >> text={app.number}")
    pg.wait_for_selector("#decide-form")
    pg.check(f"input[name=decision][value={decision}]")
    for f in fields:
        pg.check(f"input[name=fields][value='{f}']")
    if comment:
        pg.fill("textarea[name=comment]", comment)
    if in_person:
        pg.check("input[name=in_person]")
    for k, v in (extra or {}).items():
        pg.fill(f"#decide-form input[name={k}]", v)
    if shot:
        pg.screenshot(path=str(shot), full_page=True)
    pg.click("#decide-submit")
    pg.wait_for_selector(".messages")


def test_join_end_to_end(chromium, live_server, district, screenshot_dir):
    d = district
    u = worker("phone_worker")
    m = session_for(chromium, live_server, u, phone=True)
    m.goto(f"{live_server.url}/m/services/")
    m.click("text=去办理 >> nth=0")
    m.wait_for_url(re.compile(r"/m/join/$"))
    data = join_data(d, n=2001, job="临时工")
    m.fill("input[name=name]", data["name"])
    m.fill("input[name=id_number]", data["id_number"])
    m.fill("input[name=mobile]", data["mobile"])
    m.fill("input[name=employer_q]", "甲科技")  # the search narrows the picker (htmx)
    m.wait_for_selector("#f-employer_id option:has-text('找到 1 家')", state="attached")
    m.select_option("select[name=employer_id]", label=d.ent_a1.name)
    m.fill("input[name=job]", "临时工")
    m.screenshot(path=str(screenshot_dir / "workflow-join-1-form.png"), full_page=True)
    m.click("#submit")
    m.wait_for_selector("#app-state")
    assert m.inner_text("#app-state") == "已提交"
    app = Application.objects.get()

    r = session_for(chromium, live_server, d.users["base_a1.reviewer"])
    decide(r, live_server, app, "returned", fields=["job"], comment="岗位请写具体工种",
           shot=screenshot_dir / "workflow-join-2-return.png")
    assert "退回补正" in r.inner_text("#app-state")

    m.reload()
    assert "岗位请写具体工种" in m.inner_text("#returned")
    assert m.locator("input[name=name]").count() == 0  # only the returned field is editable
    m.screenshot(path=str(screenshot_dir / "workflow-join-3-returned.png"), full_page=True)
    m.fill("input[name=job]", "数控车工")
    m.click("#submit")
    m.wait_for_selector("#app-state")
    assert m.inner_text("#app-state") == "已提交"

    decide(r, live_server, app, "approved")
    assert r.inner_text("#app-state") == "已通过"
    membership = Membership.objects.get(person__name=data["name"])
    m.reload()
    assert membership.member_no in m.inner_text("#result")
    m.screenshot(path=str(screenshot_dir / "workflow-join-4-approved.png"), full_page=True)
    u.refresh_from_db()
    assert u.person_id == membership.person_id


def test_transfer_end_to_end(chromium, live_server, district, screenshot_dir):
    d = district
    u = member_user(d, d.base_a1, username="mover", name="赵转会", employer=d.ent_a1)
    number = Membership.objects.get(person=u.person).member_no
    m = session_for(chromium, live_server, u, phone=True)
    m.goto(f"{live_server.url}/m/apply/transfer/")
    m.select_option("select[name=employer_id]", label=d.ent_b1.name)
    m.fill("textarea[name=reason]", "换")
    m.screenshot(path=str(screenshot_dir / "workflow-transfer-1-form.png"), full_page=True)
    m.click("#submit")
    m.wait_for_selector("#app-state")
    app = Application.objects.get()

    old = session_for(chromium, live_server, d.users["base_a1.reviewer"])
    decide(old, live_server, app, "approved")  # the old union releases
    assert old.inner_text("#app-state") == "审核中"

    new = session_for(chromium, live_server, d.users["street_b.reviewer"])  # reaches 乙制造工会 through its subtree
    decide(new, live_server, app, "returned", fields=["reason"], comment="请写明转会原因", tab="all")
    m.reload()
    m.fill("textarea[name=reason]", "已与原单位解除劳动合同，入职杭州乙制造有限公司")
    m.click("#submit")
    m.wait_for_selector("#app-state")
    assert m.inner_text("#app-state") == "审核中"  # resumes at the receiving union, not from the start
    decide(new, live_server, app, "approved", tab="all",
           shot=screenshot_dir / "workflow-transfer-2-accept.png")
    assert new.inner_text("#app-state") == "已通过"
    m.reload()
    assert "转入杭州乙制造有限公司工会" in m.inner_text("#result") and number in m.inner_text("#result")
    m.screenshot(path=str(screenshot_dir / "workflow-transfer-3-done.png"), full_page=True)
    assert [x.status for x in Membership.objects.filter(person=u.person).order_by("id")] == ["transferred", "member"]


def test_legal_person_registration_end_to_end(chromium, live_server, district, screenshot_dir):
    d = district
    a = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    admin = a.new_page()
    admin.set_default_timeout(15_000)
    admin.goto(f"{live_server.url}/console/login/")
    admin.fill("input[name=username]", "base_a1.admin")
    admin.fill("input[name=password]", PASSWORD)
    admin.click("button[type=submit]")
    admin.wait_for_url(re.compile(r"/console/$"))
    admin.goto(f"{live_server.url}/console/applications/certificates/")
    admin.click("text=在线申请登记")
    today = dt.date.today()
    admin.select_option("select[name=union_id]", label=d.base_a1.name)
    admin.select_option("select[name=kind]", value="apply")
    admin.fill("input[name=union_name]", d.base_a1.name)
    admin.fill("input[name=address]", "杭州市钱塘区白杨街道科技园路 88 号")
    admin.fill("input[name=chairman]", "钱主席")
    admin.select_option("select[name=funding]", index=1)
    admin.fill("input[name=approval_no]", "白工〔2026〕3号")
    admin.fill("input[name=term_start]", today.isoformat())
    admin.fill("input[name=term_end]", today.replace(year=today.year + 5).isoformat())
    admin.set_input_files("#file-approval_doc", files=[{"name": "批复.pdf", "mimeType": "application/pdf",
                                                        "buffer": PDF}])
    admin.set_input_files("#file-chairman_id", files=[{"name": "主席身份证.png", "mimeType": "image/png",
                                                       "buffer": PNG}])
    admin.set_input_files("#file-filer_id", files=[{"name": "经办人.png", "mimeType": "image/png", "buffer": PNG}])
    admin.screenshot(path=str(screenshot_dir / "workflow-legal-1-form.png"), full_page=True)
    admin.click("#submit")
    admin.wait_for_selector("#app-state")
    assert admin.inner_text("#app-state") == "已提交"
    app = Application.objects.get()
    assert app.attachments.count() == 3

    street = session_for(chromium, live_server, d.users["street_a.reviewer"])
    decide(street, live_server, app, "approved")
    fed = session_for(chromium, live_server, d.users["fed.reviewer"])
    decide(fed, live_server, app, "returned", fields=["approval_no", "att:approval_doc"], in_person=True,
           comment="批准文号与批复文件不一致，请上传清晰批复并带原件核对")

    admin.reload()
    assert "批准文号" in admin.inner_text("#returned")
    admin.screenshot(path=str(screenshot_dir / "workflow-legal-2-returned.png"), full_page=True)
    admin.fill("input[name=approval_no]", "白工〔2026〕4号")
    admin.set_input_files("#file-approval_doc", files=[{"name": "批复（清晰）.pdf", "mimeType": "application/pdf",
                                                        "buffer": PDF}])
    admin.click("#submit")
    admin.wait_for_selector("#app-state")
    assert admin.inner_text("#app-state") == "审核中"  # straight back to the federation

    body = "81330114MC0000042"
    decide(fed, live_server, app, "approved", extra={"credit_code": body + uscc.calc_check_digit(body)},
           shot=screenshot_dir / "workflow-legal-3-register.png")
    assert fed.inner_text("#app-state") == "已通过"
    cert = Certificate.objects.get()
    app.refresh_from_db()
    assert app.trips == 1

    admin.reload()
    assert cert.number in admin.inner_text("#result")
    admin.screenshot(path=str(screenshot_dir / "workflow-legal-4-certificate.png"), full_page=True)
    pdf = admin.request.get(f"{live_server.url}/applications/certificates/{cert.pk}.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF") and b"STSong-Light" in pdf.body()
    (screenshot_dir / "workflow-legal-certificate.pdf").write_bytes(pdf.body())

    public = chromium.new_context(locale="zh-CN").new_page()
    public.goto(f"{live_server.url}/verify/cert/{cert.token}/")
    assert "证书有效" in public.inner_text("#verify") and "钱主席" not in public.content()
    public.screenshot(path=str(screenshot_dir / "workflow-legal-5-verify.png"), full_page=True)

    fed.goto(f"{live_server.url}/console/applications/report/")
    assert "工会法人资格登记" in fed.inner_text("#totals")
    fed.screenshot(path=str(screenshot_dir / "workflow-report.png"), full_page=True)
