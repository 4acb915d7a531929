"""撤销结业证书 in Chromium: the street's administrator opens a held class with two certified trainees, opens 撤销证书
for one, types the reason, first dismisses the browser's confirmation (nothing happens), then accepts it; the roll
shows the number struck through as 已撤销 with the reason, offers that trainee no second 撤销 and no PDF, while the
other keeps hers; the public verification page of the revoked certificate's QR code — opened without signing in,
as on a phone — says 已撤销 with the date and not the reason. No JavaScript error, nothing from another origin.
Screenshots: test-artifacts/training-revoke.png, training-revoke-verify.png."""

import pytest
from django.utils import timezone

from lianxin.assistance.tests.test_browser_hardship import console_login, watch
from lianxin.core.testing import ROOT
from lianxin.training import services
from lianxin.training.models import Enrolment, RevokedCertificate
from lianxin.training.testing import attend_all, end_class, make_class, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "考核成绩登记错误，实为 52 分"


def test_revoke_a_certificate_through_the_page(live_server, district, page, phone_page, screenshot_dir):
    d, base, c = district, live_server.url, page
    k = make_class(d.street_a, places=5, sessions=2, title="白杨街道班组长轮训班")
    es = [
        services.enrol(actor=ROOT, klass=k, person=make_member(d.base_a1, name).person)
        for name in ("钱丽娟", "赵大海")
    ]
    end_class(k)
    attend_all(k, es)
    services.record_scores(actor=ROOT, klass=k, scores={str(e.pk): "85" for e in es})
    services.issue_certificates(actor=ROOT, klass=k)
    bad, good = (Enrolment.objects.get(pk=e.pk) for e in es)
    errors, foreign = [], []
    watch(c, base, errors, foreign)
    console_login(c, base, "street_a.admin")
    c.goto(f"{base}/console/training/{k.pk}/")
    c.click(f"#revoke-open-{bad.pk}")
    c.fill(f"#revoke-reason-{bad.pk}", REASON)
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    c.once("dialog", dismiss)
    c.click(f"#revoke-{bad.pk}")
    c.wait_for_timeout(300)
    assert asked and "钱丽娟" in asked[0] and bad.certificate_no in asked[0]
    assert not RevokedCertificate.objects.exists()
    c.once("dialog", lambda dialog: dialog.accept())
    c.click(f"#revoke-{bad.pk}")
    c.wait_for_selector(".revoked")
    row = c.text_content(f"#enrolment-{bad.pk}")
    assert bad.certificate_no in row and "已撤销" in row and REASON in row
    assert c.locator(f"#revoke-form-{bad.pk}").count() == 0 and c.locator(f"#cert-pdf-{bad.pk}").count() == 0
    assert c.locator(f"#revoke-form-{good.pk}").count() == 1 and c.locator(f"#cert-pdf-{good.pk}").count() == 1
    assert f"已撤销钱丽娟的结业证书 {bad.certificate_no}" in c.text_content(".messages")
    c.screenshot(path=str(screenshot_dir / "training-revoke.png"), full_page=True)
    r = RevokedCertificate.objects.get()
    assert (r.certificate_no, r.revoke_reason) == (bad.certificate_no, REASON)
    # the QR code on the printed certificate: the public page, no sign-in, on a phone
    ph = phone_page
    watch(ph, base, errors, foreign)
    ph.goto(f"{base}/verify/training/{bad.certificate_token}/")
    text = ph.text_content("#verify")
    assert "该证书已撤销" in text and f"已于 {timezone.localdate():%Y-%m-%d} 撤销" in text
    assert bad.certificate_no in text and "钱*娟" in text and REASON not in text and "真实有效" not in text
    assert ph.evaluate("document.documentElement.scrollWidth") <= 375
    ph.screenshot(path=str(screenshot_dir / "training-revoke-verify.png"), full_page=True)
    ph.goto(f"{base}/verify/training/{good.certificate_token}/")
    assert "证书真实有效" in ph.text_content("#verify")
    assert not errors and not foreign
