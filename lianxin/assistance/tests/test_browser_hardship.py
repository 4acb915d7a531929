"""困难职工帮扶 in Chromium, as the people involved do it: a member signs in on a phone with the SMS code, finds
困难职工帮扶 in 办事大厅, types an amount with three decimals and is told so next to the field (nothing typed is
lost), corrects it, attaches the proof and submits; the union's, the street's and the federation's reviewers sign
in to the console and approve in turn — the federation's reviewer first asks for more than the fund holds, is
refused with 余额不足 and the step stays open, then approves 3,000 元 as 深度困难; under 帮扶救助 the fund, its
ledger and the 困难职工档案 (ID number masked) agree. No page raises a JavaScript error or asks anything of
another origin. Screenshots go to test-artifacts/hardship-*.png and assistance-*.png."""

import re

import pytest

from lianxin.accounts.models import User
from lianxin.assistance import services
from lianxin.assistance.models import HardshipFile, LedgerEntry
from lianxin.core import notify
from lianxin.core.testing import PASSWORD, ROOT, id_number
from lianxin.members import services as members
from lianxin.workflow.models import Application
from lianxin.workflow.tests.helpers import PDF

from .helpers import fund

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = "13766668888"


def member(d):
    """A member of base_a1 whose ID number and mobile the test knows (members sign in with an SMS code; the
    password is for completeness only — the portal has no password sign-in)."""
    idno = id_number(7301)
    person = members.create_person(actor=ROOT, org=d.base_a1, name="陈秀英", id_number=idno, mobile=MOBILE,
                                   employer=d.ent_a1)
    members.admit_member(actor=ROOT, person=person, union=d.base_a1)
    user = User.objects.create_user(username="hardship_member", password=PASSWORD, display_name="陈秀英")
    user.person = person
    user.save()
    return user, idno


def watch(pg, base, errors, foreign):
    pg.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))

    def request(req):
        if not req.url.startswith(base) and req.url.split(":")[0] in ("http", "https", "ws", "wss"):
            foreign.append(req.url)

    pg.on("request", request)


def sms_login(pg, base, mobile):
    """As lianxin/portal/tests/test_browser_phone.py: the code is read from the console SMS adapter's log."""
    notify.SENT_LOG.clear()
    pg.goto(f"{base}/m/login/?next=/m/services/")
    pg.fill("#mobile", mobile)
    pg.click("button[value=send]")
    pg.wait_for_selector("text=验证码已发送")
    msg = [m for m in notify.SENT_LOG if m["to"] == mobile][-1]
    pg.fill("#code", re.search(r"\d{6}", msg["body"]).group())
    pg.click("button[value=verify]")
    pg.wait_for_url(f"{base}/m/services/")


def console_login(pg, base, username):
    pg.goto(f"{base}/console/login/")
    pg.fill("input[name=username]", username)
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(re.compile(r"/console/$"))


def console_logout(pg):
    pg.click("header .who button:has-text('退出')")
    pg.wait_for_load_state()
    pg.context.clear_cookies()


def open_from_queue(pg, number):
    """审批 in the top navigation → 待我审核 → the application."""
    pg.locator(".mainnav").get_by_role("link", name="审批", exact=True).click()
    pg.wait_for_url(re.compile(r"/console/applications/$"))
    pg.locator("#queue").get_by_role("link", name=number, exact=True).click()
    pg.wait_for_selector("#decide-form")


def approve(pg, *, amount=None, level=None):
    pg.check("input[name=decision][value=approved]")
    if amount is not None:
        pg.fill("#decide-form [name=amount]", amount)
    if level is not None:
        pg.select_option("#decide-form select[name=level]", label=level)
    pg.click("#decide-submit")
    pg.wait_for_load_state()


def test_member_applies_three_levels_approve_and_the_archive_shows_it(chromium, live_server, district, phone_page,
                                                                        page, screenshot_dir):
    d, base = district, live_server.url
    f = fund(d.fed, "10000")
    user, idno = member(d)
    errors, foreign = [], []
    watch(phone_page, base, errors, foreign)
    watch(page, base, errors, foreign)

    # 1. the member, on a phone: 办事大厅 → 困难职工帮扶
    m = phone_page
    sms_login(m, base, MOBILE)
    m.locator(".m-card", has_text="困难职工帮扶").get_by_role("link", name="去办理").click()
    m.wait_for_url(re.compile(r"/m/apply/hardship/$"))
    typed = {"situation": "爱人患尿毒症长期透析，每月自付医疗费约三千元，孩子上初中。", "family_size": "3",
             "monthly_income": "900"}
    m.select_option("select[name=cause]", label="因病")
    m.fill("textarea[name=situation]", typed["situation"])
    m.fill("input[name=family_size]", typed["family_size"])
    m.fill("input[name=monthly_income]", typed["monthly_income"])
    m.fill("input[name=amount]", "12.345")
    proof = [{"name": "诊断证明.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    m.set_input_files("#file-proof", files=proof)
    m.click("#submit")
    m.wait_for_selector("[data-field=amount].has-error")
    # told in Chinese, next to the field, and in the list at the top; nothing typed is lost
    assert "两位小数" in m.inner_text("[data-field=amount] .m-error")
    assert "申请金额" in m.inner_text("#field-errors")
    assert m.locator(".has-error").count() == 1
    assert m.input_value("select[name=cause]") == "illness"
    for name, value in typed.items():
        assert m.input_value(f"[name={name}]") == value, name
    assert m.input_value("input[name=amount]") == "12.345"
    assert not Application.objects.exists()
    # a full-page shot would paint the fixed tab bar over the field; show the field as the member sees it
    m.locator("[data-field=amount]").evaluate("e => e.scrollIntoView({block: 'center'})")
    m.screenshot(path=str(screenshot_dir / "hardship-apply-phone-error.png"))

    m.fill("input[name=amount]", "5000")
    m.set_input_files("#file-proof", files=proof)  # a browser never keeps a chosen file across a reload
    # the whole form in one picture: a full_page shot would paint the fixed tab bar (and, scrolled, the sticky
    # header) over the middle of it, so the viewport is made as tall as the page for the shot
    m.set_viewport_size({"width": 375, "height": m.evaluate("document.documentElement.scrollHeight")})
    m.screenshot(path=str(screenshot_dir / "hardship-apply-phone.png"))
    m.set_viewport_size({"width": 375, "height": 740})
    m.click("#submit")
    m.wait_for_selector("#app-state")
    assert m.inner_text("#app-state") == "已提交"
    app = Application.objects.get()
    assert (app.programme, app.org_id, app.person_id) == ("hardship", d.base_a1.pk, user.person_id)
    assert app.form["amount"] == "5,000.00"
    assert [a.slot for a in app.attachments.all()] == ["proof"]
    assert app.number in m.inner_text("body")
    assert m.evaluate("document.documentElement.scrollWidth") <= 375

    # 2. the union's and the street's reviewers approve in the console
    r = page
    for who, level in (("base_a1.reviewer", "所在工会初审"), ("street_a.reviewer", "街道总工会审核")):
        console_login(r, base, who)
        open_from_queue(r, app.number)
        assert level in r.inner_text("#decide h2")
        approve(r)
        r.wait_for_selector(".messages")
        assert "已处理：通过" in r.inner_text(".messages")
        assert r.inner_text("#app-state") == "审核中"
        console_logout(r)

    # 3. the federation: more than the fund holds is refused and nothing changes; then 3,000 as 深度困难
    console_login(r, base, "fed.reviewer")
    open_from_queue(r, app.number)
    assert "区总工会审批" in r.inner_text("#decide h2")
    assert r.locator("#decide-form label", has_text="批准金额（元）").count() == 1
    assert r.locator("#decide-form label", has_text="困难类别").count() == 1
    # a reviewer picks the category from a list; they cannot be expected to type "deep"
    levels = r.locator("#decide-form [name=level] option").all_inner_texts()
    assert levels[-3:] == ["一般困难", "深度困难", "意外致困"], (
        "困难类别 is not a dropdown of 一般困难/深度困难/意外致困 (lianxin/workflow/views.py _fields_for_approval "
        "replaces the approval form's choices with [], so _fields.html renders a free text box that accepts only "
        "the codes ordinary/deep/accident)")
    approve(r, amount="20000", level="深度困难")
    r.wait_for_selector("#decide-error")
    assert "余额不足" in r.inner_text("#decide-error")
    assert "10,000.00" in r.inner_text("#decide-error")
    assert r.inner_text("#app-state") == "审核中"
    assert r.locator("#decide-form").count() == 1  # the step is still open to decide
    # what the reviewer typed is still there, the refusal next to the amount
    assert r.input_value("#decide-form [name=amount]") == "20000"
    assert r.input_value("#decide-form select[name=level]") == "deep"
    assert "余额不足" in r.inner_text("#decide-form [data-field=amount]")
    r.screenshot(path=str(screenshot_dir / "hardship-approve-refused.png"), full_page=True)
    assert services.balance(f) == 1_000_000 and not LedgerEntry.objects.filter(application=app).exists()
    assert not HardshipFile.objects.exists()

    notify.SENT_LOG.clear()
    approve(r, amount="3000", level="深度困难")
    r.wait_for_selector(".messages")
    assert "已处理：通过" in r.inner_text(".messages")
    assert r.inner_text("#app-state") == "已通过"
    assert "批准帮扶救助金 3,000.00 元" in r.inner_text("#result")
    assert r.locator("#decide-form").count() == 0
    told = [x["body"] for x in notify.SENT_LOG if x["to"] == MOBILE]
    assert any("批准帮扶救助金 3,000.00 元" in b for b in told), told  # the member is told the amount
    r.screenshot(path=str(screenshot_dir / "hardship-approve-approved.png"), full_page=True)

    # 4. 帮扶救助: the fund's balance, its ledger, the hardship archive
    r.locator(".mainnav").get_by_role("link", name="帮扶救助", exact=True).click()
    r.wait_for_url(re.compile(r"/console/assistance/$"))
    row = r.locator("#funds tr", has_text=f.name)
    assert row.locator("td").nth(1).inner_text() == "困难职工帮扶"
    assert row.locator("td").nth(5).inner_text() == "7,000.00"
    assert row.locator("td").nth(4).inner_text() == "3,000.00"
    row.get_by_role("link", name=f.name).click()
    r.wait_for_url(re.compile(rf"/console/assistance/funds/{f.pk}/$"))
    assert r.inner_text("#fund-balance") == "7,000.00"
    pay = r.locator("#ledger tr", has_text=app.number)
    assert pay.count() == 1
    cells = [c.strip() for c in pay.locator("td").all_inner_texts()]
    assert cells[0] == "2" and cells[2] == "支出" and cells[3] == "-3,000.00" and cells[4] == "7,000.00"
    assert "陈秀英" in cells[5]
    assert pay.get_by_role("link", name=app.number).get_attribute("href") == f"/console/applications/{app.pk}/"
    assert idno not in r.content()
    r.screenshot(path=str(screenshot_dir / "assistance-ledger.png"), full_page=True)

    r.locator("nav.crumbs").get_by_role("link", name="帮扶资金", exact=True).click()  # back up to the tabs
    r.wait_for_url(re.compile(r"/console/assistance/$"))
    r.locator("nav.toolbar").get_by_role("link", name="困难职工档案", exact=True).click()
    r.wait_for_url(re.compile(r"/console/assistance/files/$"))
    row = r.locator("#files tr", has_text="陈秀英")
    assert row.count() == 1
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    masked = user.person.id_masked
    assert masked and masked != idno and cells[1] == masked
    assert cells[2] == d.base_a1.name and cells[3] == "深度困难" and cells[4] == "因病" and cells[5] == "3"
    assert cells[6] == "900.00" and cells[7] == "3,000.00" and cells[9] == "在档"
    assert idno not in r.content()
    r.screenshot(path=str(screenshot_dir / "assistance-files.png"), full_page=True)

    # the file itself: the payment, masked ID again
    row.get_by_role("link", name="陈秀英").click()
    r.wait_for_selector("#aid")
    assert "深度困难" in r.inner_text("h1")
    assert app.number in r.inner_text("#aid") and "3,000.00" in r.inner_text("#aid")
    assert idno not in r.content()

    # 5. the member sees the outcome on the phone
    m.reload()
    assert m.inner_text("#app-state") == "已通过"
    assert "批准帮扶救助金 3,000.00 元" in m.inner_text("#result")

    assert errors == []
    assert foreign == []

