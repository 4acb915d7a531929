"""取消培训班 in Chromium: the street's administrator opens a published class with two trainees, types the reason
in 取消培训班, first dismisses the browser's confirmation (nothing happens), then accepts it; the class page shows
已取消 with the reason and no longer offers 修改 or 报名, the list shows 已取消, both trainees get one in-app
message, and a trainee's phone (/m/training/, 375 px) shows the class as 已取消. No JavaScript error, nothing from
another origin. Screenshot: test-artifacts/training-cancel.png."""

import pytest

from lianxin.assistance.tests.test_browser_hardship import console_login, sms_login, watch
from lianxin.core.models import Notification
from lianxin.core.testing import ROOT
from lianxin.training import services
from lianxin.training.models import TrainingClass
from lianxin.training.testing import make_class, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "授课老师临时有事，改期另行通知"
MOBILE = "13755550001"


def test_cancel_a_class_through_the_page(live_server, district, page, screenshot_dir):
    d, base, c = district, live_server.url, page
    k = make_class(d.street_a, places=5, title="白杨街道班组长轮训班")
    members = [make_member(d.base_a1, name) for name in ("钱丽娟", "赵大海")]
    for m in members:
        services.enrol(actor=ROOT, klass=k, person=m.person)
    errors, foreign = [], []
    watch(c, base, errors, foreign)
    console_login(c, base, "street_a.admin")
    c.goto(f"{base}/console/training/{k.pk}/")
    c.fill("#cancel-reason", REASON)
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    c.once("dialog", dismiss)
    c.get_by_role("button", name="取消培训班").click()
    c.wait_for_timeout(300)
    assert asked and "白杨街道班组长轮训班" in asked[0]
    assert TrainingClass.objects.get(pk=k.pk).status == "open"
    c.once("dialog", lambda dialog: dialog.accept())
    c.get_by_role("button", name="取消培训班").click()
    c.wait_for_selector("#class-status")
    assert c.text_content("#class-status").strip() == "已取消"
    assert REASON in c.text_content("#cancel-facts")
    assert c.locator("#edit-link").count() == 0 and c.locator("#enrol-link").count() == 0
    assert c.locator("#cancel-form").count() == 0
    c.screenshot(path=str(screenshot_dir / "training-cancel.png"), full_page=True)
    c.goto(f"{base}/console/training/?status=cancelled")
    assert "白杨街道班组长轮训班" in c.text_content("#classes") and "已取消" in c.text_content("#classes")
    k = TrainingClass.objects.get(pk=k.pk)
    assert (k.status, k.cancel_reason) == ("cancelled", REASON)
    assert Notification.objects.filter(template="training_class_cancelled").count() == 2
    assert not errors and not foreign


def test_the_trainee_sees_the_cancellation_on_the_phone(live_server, district, phone_page, screenshot_dir):
    d, base, ph = district, live_server.url, phone_page
    k = make_class(d.street_a, places=5, title="白杨街道班组长轮训班")
    m = make_member(d.base_a1, "钱丽娟", gender="F", mobile_no=MOBILE)
    e = services.enrol(actor=ROOT, klass=k, person=m.person)
    services.cancel_class(actor=ROOT, klass=k, reason=REASON)
    errors, foreign = [], []
    watch(ph, base, errors, foreign)
    sms_login(ph, base, MOBILE)
    ph.goto(f"{base}/m/training/")
    assert ph.text_content(f"#cancelled-{e.pk}").strip() == "已取消"
    assert REASON in ph.text_content(f"#training-{e.pk}")
    assert ph.evaluate("document.documentElement.scrollWidth") <= 375
    ph.screenshot(path=str(screenshot_dir / "training-cancel-phone.png"), full_page=True)
    assert not errors and not foreign
