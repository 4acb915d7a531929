"""The two-step staff sign-in in Debian chromium: password, scan (here: read) the secret from the enrolment
page, confirm with a code computed from it, see the backup codes once, reach the console; sign out and back in
with a fresh code; a wrong code shows the Chinese message. Screenshots go to test-artifacts/."""

import re

import pytest

from lianxin.accounts.testing import current_code, key_from_secret
from lianxin.core.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password_step(page, base, username):
    page.goto(f"{base}/console/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_staff_enrols_an_authenticator_and_signs_in_with_a_code(page, live_server, district, otp_required,
                                                                  screenshot_dir):
    base = live_server.url
    _password_step(page, base, "street_a.admin")
    page.wait_for_url(re.compile(r"/console/otp/setup/"))
    assert page.locator("#otp-qr svg").count() == 1  # drawn inline, nothing fetched
    secret = page.inner_text("#otp-secret")
    key = key_from_secret(secret)
    page.screenshot(path=str(screenshot_dir / "accounts-otp-enrol.png"), full_page=True)

    page.fill("#otp-code", current_code(key))
    page.click("button[type=submit]")
    page.wait_for_selector("#backup-codes")
    codes = page.locator("#backup-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    page.screenshot(path=str(screenshot_dir / "accounts-otp-backup-codes.png"), full_page=True)
    page.click("#otp-continue")
    page.wait_for_url(re.compile(r"/console/$"))
    assert "工作台" in page.title()

    # sign out, sign in again: the code page this time (enrolment is done)
    page.click("text=退出")
    page.wait_for_url(re.compile(r"/console/login/"))
    _password_step(page, base, "street_a.admin")
    page.wait_for_url(re.compile(r"/console/otp/\?next="))
    accepted = {current_code(key, steps_ahead=s) for s in (-1, 0, 1, 2)}
    page.fill("#otp-code", next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in accepted))
    page.click("button[type=submit]")
    page.wait_for_selector("#otp-error")
    assert "验证码不正确或已过期" in page.inner_text("#otp-error")
    page.screenshot(path=str(screenshot_dir / "accounts-otp-wrong-code.png"), full_page=True)

    # after the one-second back-off, the next step's code (the last one is spent) lets the admin in
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user__username="street_a.admin").update(throttling_failure_timestamp=None)
    from django_otp.plugins.otp_static.models import StaticDevice

    StaticDevice.objects.filter(user__username="street_a.admin").update(throttling_failure_timestamp=None)
    page.fill("#otp-code", current_code(key, steps_ahead=1))
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console/$"))
    page.goto(f"{base}/console/staff-otp/")
    row = page.locator("#otp-row-street_a\\.admin")
    assert "已绑定" in row.inner_text() and row.locator("td").nth(4).inner_text() == "0"  # failures cleared
    page.screenshot(path=str(screenshot_dir / "accounts-otp-staff-overview.png"), full_page=True)
    page.goto(f"{base}/admin/")
    assert "/console/otp/" not in page.url  # the admin opens in the same verified session
