"""我的账号 and the temporary password in Debian chromium: a staff member changes the password from the top
bar's 我的账号 link (a mismatch first, shown in Chinese), signs out and back in with the new one; an
administrator resets a colleague's forgotten password, reads the temporary password off the page, and the
colleague is made to set a new one before anything else. Screenshots: test-artifacts/accounts-password-*.png."""

import re

import pytest

from lianxin.accounts.testing import current_code, enroll
from lianxin.core.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW = "Qiantang-River#2027"


def _sign_in(page, base, username, password, code):
    page.goto(f"{base}/console/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console/otp/\?next="))
    page.fill("#otp-code", code)
    page.click("button[type=submit]")


def test_staff_changes_the_password_on_my_account_and_signs_in_with_it(page, live_server, district, otp_required,
                                                                       screenshot_dir):
    from lianxin.accounts.models import User

    base = live_server.url
    user = district.users["street_a.reviewer"]
    User.objects.filter(pk=user.pk).update(display_name="王小明")
    device, backup = enroll(user)
    _sign_in(page, base, user.username, PASSWORD, current_code(device, steps_ahead=1))
    page.wait_for_url(re.compile(r"/console/$"))

    page.click("#my-account")
    page.wait_for_url(re.compile(r"/console/account/$"))
    assert "我的账号" in page.title()
    assert page.inner_text("#account-username") == user.username
    assert "白杨街道总工会 · 审核员" in page.inner_text("#account-roles")
    assert "已绑定手机验证器" in page.inner_text("#account-otp")
    page.screenshot(path=str(screenshot_dir / "accounts-password-my-account.png"), full_page=True)

    page.fill("#pw-current", PASSWORD)
    page.fill("#pw-new", NEW)
    page.fill("#pw-new-again", NEW + "!")
    page.click("#pw-submit")
    page.wait_for_selector("text=两次输入的新密码不一致")
    page.screenshot(path=str(screenshot_dir / "accounts-password-mismatch.png"), full_page=True)

    page.fill("#pw-current", PASSWORD)
    page.fill("#pw-new", NEW)
    page.fill("#pw-new-again", NEW)
    page.click("#pw-submit")
    page.wait_for_url(re.compile(r"/console/account/$"))
    assert "密码已修改" in page.inner_text(".messages")
    page.screenshot(path=str(screenshot_dir / "accounts-password-changed.png"), full_page=True)

    page.click("text=退出")
    page.wait_for_url(re.compile(r"/console/login/"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)  # the old password no longer works
    page.click("button[type=submit]")
    page.wait_for_selector("text=用户名或密码不正确")
    # the new one does (and the code step follows, here with a backup code)
    _sign_in(page, base, user.username, NEW, backup[0])
    page.wait_for_url(re.compile(r"/console/$"))
    assert "工作台" in page.title()
    page.screenshot(path=str(screenshot_dir / "accounts-password-signed-in-again.png"), full_page=True)


def test_a_temporary_password_leads_to_a_new_one(page, chromium, live_server, district, otp_required,
                                                  screenshot_dir):
    base = live_server.url
    admin, target = district.users["street_a.admin"], district.users["base_a1.viewer"]
    admin_device, _ = enroll(admin)
    target_device, _ = enroll(target)
    _sign_in(page, base, admin.username, PASSWORD, current_code(admin_device, steps_ahead=1))
    page.wait_for_url(re.compile(r"/console/$"))
    page.goto(f"{base}/console/staff-otp/")
    row = page.locator("#otp-row-base_a1\\.viewer")
    row.locator(f"form[action='/console/staff-otp/{target.pk}/password/'] input[name=reason]").fill("忘记密码，电话核实")
    row.locator("text=重置密码").click()
    page.wait_for_selector("#temp-password")
    temporary = page.inner_text("#temp-password").strip()
    assert len(temporary) == 12
    page.screenshot(path=str(screenshot_dir / "accounts-password-temporary.png"), full_page=True)

    ctx = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    try:
        other = ctx.new_page()
        other.set_default_timeout(15_000)
        _sign_in(other, base, target.username, temporary, current_code(target_device, steps_ahead=1))
        other.wait_for_url(re.compile(r"/console/account/password/\?next="))
        assert "临时密码" in other.inner_text("#pw-forced")
        other.goto(f"{base}/console/people/")  # anything else leads back here
        other.wait_for_url(re.compile(r"/console/account/password/\?next=/console/people/"))
        other.screenshot(path=str(screenshot_dir / "accounts-password-forced-change.png"), full_page=True)
        other.fill("#pw-current", temporary)
        other.fill("#pw-new", "Ab1")
        other.fill("#pw-new-again", "Ab1")
        other.click("#pw-submit")
        other.wait_for_selector("text=此密码太短，至少要包含 8 个字符。")
        other.fill("#pw-current", temporary)
        other.fill("#pw-new", NEW)
        other.fill("#pw-new-again", NEW)
        other.click("#pw-submit")
        other.wait_for_url(re.compile(r"/console/people/$"))
    finally:
        ctx.close()
    target.refresh_from_db()
    assert not target.must_change_password and target.check_password(NEW)
