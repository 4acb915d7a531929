"""撤销结业证书 (both databases): the organiser's 管理员 revokes a certificate issued in error, with a reason; the
certificate moves to RevokedCertificate (number, token, issue time, score), the enrolment's certificate and score
are emptied, the trainee is told, the act is audited; refusals — another union's or a viewer's role, no reason or
too long, twice, no certificate; the number is never given again, and once the score is corrected the trainee gets
a new number; the public page of the old QR code says 已撤销 with the date (not the reason); the PDF is refused to
the member and to staff; the member's page, the class page (no second 撤销) and the console's 证书查验 show it; the
CHECKs and UNIQUEs hold past the service."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.core.testing import ROOT
from lianxin.training import services
from lianxin.training.models import Enrolment, RevokedCertificate
from lianxin.training.testing import attend_all, end_class, make_class, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

REASON = "考核成绩登记错误（实为 58 分）"


@pytest.fixture
def world(district):
    """Street A's class, held: 钱小娟 (88) and 赵大海 (90) certified, 林班长 (40) not."""
    d = district
    k = make_class(d.street_a, title="2027 年第一期班组长培训班", places=5, sessions=2)
    a = make_member(d.base_a1, "钱小娟", mobile_no="13912345678")
    b = make_member(d.base_a1, "赵大海", mobile_no="13912345679")
    f = make_member(d.base_a1, "林班长", mobile_no="13912340000")
    ea, eb, ef = (services.enrol(actor=ROOT, klass=k, person=m.person) for m in (a, b, f))
    end_class(k)
    attend_all(k, [ea, eb, ef])
    services.record_scores(actor=ROOT, klass=k, scores={str(ea.pk): "88", str(eb.pk): "90", str(ef.pk): "40"})
    services.issue_certificates(actor=ROOT, klass=k)
    for e in (ea, eb, ef):
        e.refresh_from_db()
    assert ea.certificate_no and eb.certificate_no and not ef.certificate_no
    return d, k, a, ea, eb, ef


def _refused(fn, **kw):
    with pytest.raises(ServiceError) as e:
        fn(**kw)
    return e.value


def _today():
    return timezone.localdate().strftime("%Y-%m-%d")


def test_revoking_moves_the_certificate_tells_the_trainee_and_is_audited(world):
    d, k, a, ea, eb, ef = world
    number, token, issued = ea.certificate_no, ea.certificate_token, ea.certified_at
    r = services.revoke_certificate(actor=d.users["street_a.admin"], enrolment=ea, reason=f"  {REASON} ")
    r.refresh_from_db()
    assert (r.certificate_no, r.certificate_token, r.certified_at, r.score) == (number, token, issued, 88)
    assert r.revoke_reason == REASON and r.revoked_by == d.users["street_a.admin"] and r.revoked_at >= issued
    ea.refresh_from_db()
    # the enrolment holds no certificate any more, and no score: the certificate vouched for it
    assert (ea.certificate_no, ea.certificate_token, ea.certified_at, ea.score) == (None, None, None, None)
    assert ea.status == "enrolled"
    eb.refresh_from_db()
    assert eb.certificate_no and eb.score == 90  # the other certificate is untouched
    note = Notification.objects.get(template="training_certificate_revoked")
    assert note.user == a.user and number in note.body and REASON in note.body
    entry = AuditEntry.objects.get(action="training.certificate_revoke")
    assert entry.reason == REASON and entry.actor == d.users["street_a.admin"]
    assert entry.detail["certificate"] == number and entry.object_id == str(ea.pk)
    assert entry.org_path == d.street_a.path


@pytest.mark.parametrize("who", ["base_a1.admin", "street_a.viewer", "street_a.auditor", "street_b.admin"])
def test_only_the_organisers_administrator_revokes(world, who):
    """The trainee's own union (base_a1) may not: the certificate is the organiser's act, as issuing it."""
    d, k, a, ea, eb, ef = world
    with pytest.raises(PermissionDenied) as e:
        services.revoke_certificate(actor=d.users[who], enrolment=ea, reason=REASON)
    assert "主办单位的管理员" in e.value.message
    ea.refresh_from_db()
    assert ea.certificate_no and not RevokedCertificate.objects.exists()
    assert not AuditEntry.objects.filter(action="training.certificate_revoke").exists()


@pytest.mark.parametrize("reason", ["", "   ", "错", "理" * 201, None])
def test_a_reason_is_required(world, reason):
    d, k, a, ea, eb, ef = world
    e = _refused(services.revoke_certificate, actor=ROOT, enrolment=ea, reason=reason)
    assert (e.message, e.field) == ("请填写撤销原因（2 至 200 个字）", "reason")
    ea.refresh_from_db()
    assert ea.certificate_no and not RevokedCertificate.objects.exists()


def test_revoking_twice_is_refused_clearly(world):
    d, k, a, ea, eb, ef = world
    number = ea.certificate_no
    services.revoke_certificate(actor=ROOT, enrolment=ea, reason=REASON)
    # the same (stale) object, as a double click would send it, and a fresh read of the row
    fresh = Enrolment.objects.get(pk=ea.pk)
    for e in (ea, fresh):
        err = _refused(services.revoke_certificate, actor=ROOT, enrolment=e, reason=REASON)
        assert err.code == "revoked"
        assert err.message == f"结业证书 {number} 已于 {_today()} 撤销，不能重复撤销"
    assert RevokedCertificate.objects.count() == 1
    assert AuditEntry.objects.filter(action="training.certificate_revoke").count() == 1
    assert Notification.objects.filter(template="training_certificate_revoked").count() == 1
    # an enrolment that never had a certificate
    err = _refused(services.revoke_certificate, actor=ROOT, enrolment=ef, reason=REASON)
    assert (err.code, err.message) == ("not_certified", "林班长没有结业证书，无需撤销")


def test_the_number_is_never_reused_and_a_corrected_score_gets_a_new_one(world):
    """Issuing again right after the revocation gives nothing (the score was cleared); once the corrected score
    qualifies, a new number — the next of the year's sequence, never the revoked one — and a new token. A stale
    form carrying the revoked number cannot revoke the new certificate."""
    d, k, a, ea, eb, ef = world
    year = timezone.localdate().year
    old_no, old_token = ea.certificate_no, ea.certificate_token
    assert {old_no, eb.certificate_no} == {f"{year}00001", f"{year}00002"}
    services.revoke_certificate(actor=ROOT, enrolment=ea, reason=REASON)
    assert services.issue_certificates(actor=ROOT, klass=k) == []
    # the score is no longer locked by a certificate: the organiser enters the corrected one
    services.record_scores(actor=ROOT, klass=k, scores={str(ea.pk): "58"})
    assert services.issue_certificates(actor=ROOT, klass=k) == []  # 58 < 60: not qualified
    services.record_scores(actor=ROOT, klass=k, scores={str(ea.pk): "75"})  # after a re-sit
    issued = services.issue_certificates(actor=ROOT, klass=k)
    assert [e.pk for e in issued] == [ea.pk]
    ea.refresh_from_db()
    assert ea.certificate_no == f"{year}00003" and ea.certificate_token not in (None, old_token)
    assert RevokedCertificate.objects.get().certificate_no == old_no
    # a page loaded before (the form sends the number it showed) never revokes the new certificate
    err = _refused(services.revoke_certificate, actor=ROOT, enrolment=ea, reason=REASON, number=old_no)
    assert err.code == "revoked" and old_no in err.message
    ea.refresh_from_db()
    assert ea.certificate_no == f"{year}00003"
    # revoked again, the history keeps both
    services.revoke_certificate(actor=ROOT, enrolment=ea, reason="复核发现考试作弊")
    assert sorted(RevokedCertificate.objects.values_list("certificate_no", flat=True)) == [
        old_no,
        f"{year}00003",
    ]


def test_the_public_page_says_revoked_with_the_date_not_the_reason(client, world):
    d, k, a, ea, eb, ef = world
    token, number = ea.certificate_token, ea.certificate_no
    assert "证书真实有效" in client.get(f"/verify/training/{token}/").content.decode()
    services.revoke_certificate(actor=ROOT, enrolment=ea, reason=REASON)
    resp = client.get(f"/verify/training/{token}/")  # no login: the QR code on the printed certificate
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "已撤销" in html and f"已于 {_today()} 撤销" in html and "不再有效" in html
    assert "证书真实有效" not in html and 'id="verify-ok"' not in html
    assert number in html and "钱*娟" in html and "钱小娟" not in html and k.title in html
    assert REASON not in html and "成绩" not in html and "13912345678" not in html
    # the other certificate still verifies; a forged token is still a 404
    assert "证书真实有效" in client.get(f"/verify/training/{eb.certificate_token}/").content.decode()
    assert client.get(f"/verify/training/{token[:-1]}x/").status_code == 404
    # after a new certificate: the old code stays revoked, the new one verifies
    services.record_scores(actor=ROOT, klass=k, scores={str(ea.pk): "75"})
    services.issue_certificates(actor=ROOT, klass=k)
    ea.refresh_from_db()
    assert "已撤销" in client.get(f"/verify/training/{token}/").content.decode()
    html = client.get(f"/verify/training/{ea.certificate_token}/").content.decode()
    assert "证书真实有效" in html and ea.certificate_no in html and "已撤销" not in html


def test_the_pdf_is_refused_to_the_member_and_to_staff(client, world):
    d, k, a, ea, eb, ef = world
    client.force_login(a.user)
    assert client.get(f"/m/training/certificates/{ea.pk}.pdf").status_code == 200
    client.force_login(d.users["street_a.admin"])
    assert client.get(f"/console/training/certificates/{ea.pk}.pdf").status_code == 200
    services.revoke_certificate(actor=ROOT, enrolment=ea, reason=REASON)
    for who in ("street_a.admin", "base_a1.admin", "fed.admin"):
        client.force_login(d.users[who])
        resp = client.get(f"/console/training/certificates/{ea.pk}.pdf")
        assert resp.status_code == 404 and not resp.content.startswith(b"%PDF"), who
        assert client.get(f"/console/training/certificates/{eb.pk}.pdf").status_code == 200, who
    client.force_login(a.user)
    resp = client.get(f"/m/training/certificates/{ea.pk}.pdf")
    assert resp.status_code == 404 and not resp.content.startswith(b"%PDF")


def test_the_members_page_shows_it_revoked_without_a_download(client, world):
    d, k, a, ea, eb, ef = world
    number = ea.certificate_no
    r = services.revoke_certificate(actor=ROOT, enrolment=ea, reason=REASON)
    client.force_login(a.user)
    html = client.get("/m/training/").content.decode()
    assert f'id="revoked-{r.pk}"' in html and number in html and "已撤销" in html
    assert f"已于 {_today()} 撤销：{REASON}" in html  # the holder is told why
    assert f"/m/training/certificates/{ea.pk}.pdf" not in html and "下载结业证书" not in html


def test_the_class_page_shows_it_and_offers_no_second_revocation(client, world):
    d, k, a, ea, eb, ef = world
    client.force_login(d.users["street_a.admin"])
    html = client.get(f"/console/training/{k.pk}/").content.decode()
    assert f'id="revoke-form-{ea.pk}"' in html and f'id="revoke-form-{eb.pk}"' in html
    assert f'id="revoke-form-{ef.pk}"' not in html and "js/confirm.js" in html
    number = ea.certificate_no
    r = services.revoke_certificate(actor=ROOT, enrolment=ea, reason=REASON)
    html = client.get(f"/console/training/{k.pk}/").content.decode()
    assert f'id="revoked-{r.pk}"' in html and number in html and REASON in html
    assert f'id="revoke-form-{ea.pk}"' not in html and f'id="revoke-form-{eb.pk}"' in html
    assert f'id="cert-pdf-{ea.pk}"' not in html
    # the trainee's union sees the certificates but is offered no 撤销
    client.force_login(d.users["base_a1.admin"])
    html = client.get(f"/console/training/{k.pk}/").content.decode()
    assert f'id="revoked-{r.pk}"' in html and 'id="revoke-form-' not in html


def test_console_verification_finds_a_revoked_number_in_scope(client, world):
    d, k, a, ea, eb, ef = world
    number = ea.certificate_no
    services.revoke_certificate(actor=ROOT, enrolment=ea, reason=REASON)
    for who in ("street_a.viewer", "base_a1.admin"):
        client.force_login(d.users[who])
        html = client.get(f"/console/training/verify/?no={number}").content.decode()
        assert 'id="certificate-revoked"' in html and REASON in html and 'id="certificate-found"' not in html
    client.force_login(d.users["street_b.admin"])
    html = client.get(f"/console/training/verify/?no={number}").content.decode()
    assert 'id="certificate-missing"' in html and REASON not in html


def test_the_console_form(client, world):
    """POST only; 404 outside the organiser's subtree, 403 for a viewer; a blank reason is refused in Chinese and
    changes nothing; then the revocation, with the number the page showed."""
    d, k, a, ea, eb, ef = world
    url = f"/console/training/{k.pk}/enrolments/{ea.pk}/revoke/"
    client.force_login(d.users["street_a.admin"])
    assert client.get(url).status_code == 405
    client.force_login(d.users["street_b.admin"])
    assert client.post(url, {"reason": REASON, "number": ea.certificate_no}).status_code == 404
    client.force_login(d.users["street_a.viewer"])
    assert client.post(url, {"reason": REASON, "number": ea.certificate_no}).status_code == 403
    client.force_login(d.users["street_a.admin"])
    resp = client.post(url, {"reason": " ", "number": ea.certificate_no}, follow=True)
    assert "请填写撤销原因（2 至 200 个字）" in resp.content.decode()
    assert not RevokedCertificate.objects.exists()
    resp = client.post(url, {"reason": REASON, "number": ea.certificate_no})
    assert resp.status_code == 302 and resp["Location"] == f"/console/training/{k.pk}/#enrolment-{ea.pk}"
    assert RevokedCertificate.objects.get().enrolment_id == ea.pk
    resp = client.post(url, {"reason": REASON, "number": ea.certificate_no}, follow=True)
    assert "不能重复撤销" in resp.content.decode() and RevokedCertificate.objects.count() == 1


def test_the_form_needs_its_csrf_token(world, district):
    from django.test import Client

    d, k, a, ea, eb, ef = world
    c = Client(enforce_csrf_checks=True)
    c.force_login(d.users["street_a.admin"])
    resp = c.post(f"/console/training/{k.pk}/enrolments/{ea.pk}/revoke/", {"reason": REASON})
    assert resp.status_code == 403 and not RevokedCertificate.objects.exists()


def test_the_database_keeps_revoked_certificates_whole(world):
    d, k, a, ea, eb, ef = world
    r = services.revoke_certificate(actor=ROOT, enrolment=ea, reason=REASON)
    base = dict(
        enrolment=eb,
        certificate_no="209900001",
        certificate_token="t" * 32,
        certified_at=eb.certified_at,
        score=90,
        revoked_at=timezone.now(),
        revoke_reason=REASON,
    )
    for change in (
        {"revoke_reason": ""},
        {"certificate_no": ""},
        {"certificate_token": ""},
        {"revoked_at": eb.certified_at - dt.timedelta(seconds=1)},
        {"score": 101},
        {"certificate_no": r.certificate_no},  # a revoked number is revoked once
        {"certificate_token": r.certificate_token},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            RevokedCertificate.objects.create(**{**base, **change})
    RevokedCertificate.objects.create(**base)  # the same, whole, is accepted


def test_the_revoked_public_page_passes_the_member_pages_checks(client, world):
    """As the valid page (test_certificate.py): Chinese phone page, nothing from another origin, our CSP."""
    from lianxin.core.pagecheck import Page
    from lianxin.portal.tests.test_portal_crawl import problems_of, raw_codes

    d, k, a, ea, eb, ef = world
    url = f"/verify/training/{ea.certificate_token}/"
    services.revoke_certificate(actor=ROOT, enrolment=ea, reason=REASON)
    resp = client.get(url)
    found, page = problems_of(url, resp.content.decode(), raw_codes())
    assert resp.status_code == 200 and not found, found
    assert isinstance(page, Page) and page.foreign_urls() == []
    assert "default-src 'self'" in resp.get("Content-Security-Policy", "")
