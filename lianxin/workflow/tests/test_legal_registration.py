"""Service 3, legal-person registration: street pre-review then federation registration, the certificate (code,
validity = the committee's term, PDF with a QR code), the public verification page, the other kinds, and the
30-day expiry reminder."""

import datetime as dt

import pytest
from django.utils import timezone
from stdnum.cn import uscc

from lianxin.core.errors import ServiceError
from lianxin.core.models import Notification
from lianxin.workflow import services
from lianxin.workflow.models import Certificate, State

from .helpers import attach_all, legal_data

pytestmark = [pytest.mark.django_db, pytest.mark.pg]
SLOTS = ["approval_doc", "chairman_id", "filer_id"]


def union_code(n=7):
    body = f"81330114MC{n:07d}"
    return body + uscc.calc_check_digit(body)


def register(d, kind="apply", code=None, **kw):
    admin = d.users["base_a1.admin"]
    app = services.create_application(actor=admin, programme="legal", data=legal_data(d.base_a1, kind=kind, **kw))
    attach_all(app, admin, SLOTS)
    services.submit_application(actor=admin, app=app)
    s1 = app.steps.get(decision__isnull=True)
    assert s1.org == d.street_a
    services.decide(actor=d.users["street_a.reviewer"], step_id=s1.pk, decision="approved")
    s2 = app.steps.get(decision__isnull=True)
    assert s2.org == d.fed
    services.decide(actor=d.users["fed.reviewer"], step_id=s2.pk, decision="approved",
                    approval={"credit_code": code or ""})
    app.refresh_from_db()
    return app


def test_apply_issues_certificate_pdf_and_verifies(district, client):
    d = district
    app = register(d, code=union_code())
    assert app.state == State.APPROVED
    cert = Certificate.objects.get()
    assert cert.credit_code == union_code() and cert.status == "valid"
    assert cert.valid_until == dt.date.fromisoformat(legal_data(d.base_a1)["term_end"])
    client.force_login(d.users["base_a1.admin"])
    pdf = client.get(f"/applications/certificates/{cert.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and len(pdf.content) > 3000
    client.logout()
    page = client.get(f"/verify/cert/{cert.token}/").content.decode()
    assert "证书有效" in page and cert.number in page and "赵主席" not in page  # no personal data
    assert d.fed.name in page  # the registrar
    assert client.get("/verify/cert/not-a-token/").status_code == 404
    # someone outside the union's tree cannot download it
    client.force_login(d.users["street_b.admin"])
    assert client.get(f"/applications/certificates/{cert.pk}.pdf").status_code == 404


def test_first_registration_needs_a_union_code(district):
    d = district
    with pytest.raises(ServiceError) as e:
        register(d, code="")
    assert "统一社会信用代码" in e.value.message
    step = d.fed.workflow_steps.get(decision__isnull=True)  # the failed approval left the step open
    body = "91330114MC0000001"
    with pytest.raises(ServiceError) as e:
        services.decide(actor=d.users["fed.reviewer"], step_id=step.pk, decision="approved",
                        approval={"credit_code": body + uscc.calc_check_digit(body)})
    assert "81" in e.value.message
    assert not Certificate.objects.exists()
    services.decide(actor=d.users["fed.reviewer"], step_id=step.pk, decision="approved",
                    approval={"credit_code": union_code()})
    assert Certificate.objects.get().credit_code == union_code()


def test_term_must_be_three_to_five_years(district):
    d = district
    today = dt.date.today()
    with pytest.raises(ServiceError) as e:
        services.create_application(actor=d.users["base_a1.admin"], programme="legal", data=legal_data(
            d.base_a1, term_end=today.replace(year=today.year + 7).isoformat()))
    assert "3至5年" in e.value.message


def test_replace_voids_the_lost_certificate_and_cancel_ends_it(district, client):
    d = district
    register(d, code=union_code())
    first = Certificate.objects.get()
    with pytest.raises(ServiceError):  # a second 申请 while one is valid
        services.create_application(actor=d.users["base_a1.admin"], programme="legal", data=legal_data(d.base_a1))
    register(d, kind="replace", reason="证书遗失")
    first.refresh_from_db()
    second = Certificate.objects.get(status="valid")
    assert first.status == "revoked" and second.credit_code == first.credit_code and second.number != first.number
    assert "不再有效" in client.get(f"/verify/cert/{first.token}/").content.decode()
    register(d, kind="cancel", reason="企业注销")
    assert not Certificate.objects.filter(status="valid").exists()


def test_union_admin_only_for_own_union(district):
    d = district
    with pytest.raises(ServiceError):
        services.create_application(actor=d.users["base_a1.admin"], programme="legal",
                                    data=legal_data(d.base_b1))


def test_expiry_reminder_thirty_days_before(district):
    d = district
    register(d, code=union_code())
    cert = Certificate.objects.get()
    Certificate.objects.filter(pk=cert.pk).update(valid_until=timezone.localdate() + dt.timedelta(days=40))
    assert services.run_daily()["cert_reminders"] == 0
    Certificate.objects.filter(pk=cert.pk).update(valid_until=timezone.localdate() + dt.timedelta(days=29))
    assert services.run_daily()["cert_reminders"] == 1
    assert services.run_daily()["cert_reminders"] == 0  # once only
    n = Notification.objects.filter(template="cert_expiry")
    assert n.count() == 1 and n.get().user == d.users["base_a1.admin"]


def test_public_page_is_a_chinese_phone_page_with_nothing_from_elsewhere(district, client):
    """The member pages' checks (portal/tests/test_portal_crawl.py) on /verify/cert/, valid and not: Chinese, a
    viewport, no untranslated interface words, nothing loaded from another origin; the CSP header our own host's."""
    from lianxin.portal.tests.test_portal_crawl import problems_of, raw_codes

    register(district, code=union_code())
    cert = Certificate.objects.get()
    for url, status in ((f"/verify/cert/{cert.token}/", 200), ("/verify/cert/forged-token/", 404)):
        resp = client.get(url)
        assert resp.status_code == status
        found, page = problems_of(url, resp.content.decode(), raw_codes())
        assert not found, (url, found)
        assert page.foreign_urls() == []
        csp = resp.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp and "http" not in csp.replace("https:", "")
