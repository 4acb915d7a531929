"""The demo seed (through the real services) leaves something on every page of this app, and the console crawl's
checks (lianxin/core/tests/test_console_crawl.py) pass over them: from /console/training/ every link a federation
administrator, a street viewer and a grassroots administrator are shown answers without an error or a dead end,
in Chinese, with no raw codes — and the member's /m/training/ page for the portal demo's member shows a
certificate (its PDF and its public verification page) and a grant."""

import re

import pytest
from django.test import Client

from lianxin.core.pagecheck import choice_codes, crawl, report
from lianxin.core.tests.test_console_crawl import console_check
from lianxin.portal.tests.test_portal_crawl import problems_of
from lianxin.training.models import EducationGrant, Enrolment, RevokedCertificate, TrainingClass
from lianxin.workflow.models import Application

pytestmark = [pytest.mark.django_db]


@pytest.fixture(scope="module")
def codes():
    return choice_codes()


@pytest.fixture
def demo(demo_once, db):
    """The demo district, seeded once for the module (``demo_once`` in the root conftest)."""


def test_demo_data(demo):
    assert TrainingClass.objects.count() == 4
    cancelled = TrainingClass.objects.get(status="cancelled")
    assert cancelled.cancel_reason and Enrolment.objects.filter(klass=cancelled, status="enrolled").count() == 2
    certified = Enrolment.objects.filter(certificate_no__isnull=False)
    assert certified.count() >= 5
    revoked = list(RevokedCertificate.objects.values_list("certificate_no", flat=True))
    assert len(revoked) == 1  # one issued in error and revoked: its number stays used
    numbers = sorted(int(n[4:]) for n in [*certified.values_list("certificate_no", flat=True), *revoked])
    assert numbers == list(range(1, len(numbers) + 1))  # gap-free from 1
    # not everyone qualified: one missed half the sessions, one failed the exam
    assert (
        Enrolment.objects.filter(klass__certified_at__isnull=False, certificate_no__isnull=True).count() >= 2
    )
    assert EducationGrant.objects.count() == 1
    assert set(Application.objects.filter(programme="education").values_list("state", flat=True)) == {
        "approved",
        "in_review",
    }


@pytest.mark.parametrize("username", ["qt_admin", "by_viewer", "base_admin"])
def test_console_pages(demo, codes, username):
    from lianxin.accounts.models import User

    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    status, problems = crawl(
        client,
        "/console/training/",
        console_check(codes),
        inside="/console/training/",
        max_pages=120,
        per_kind=4,
    )
    ok = {re.sub(r"\d+", "N", u.split("?")[0]) for u, s in status.items() if s == 200}
    assert {
        "/console/training/",
        "/console/training/N/",
        "/console/training/verify/",
        "/console/training/grants/",
    } <= ok, sorted(ok)
    if username == "qt_admin":
        assert {
            "/console/training/new/",
            "/console/training/N/sessions/N/",
            "/console/training/N/scores/",
            "/console/training/N/enrol/",
        } <= ok, sorted(ok)
    if username == "base_admin":
        assert "/console/training/N/enrol/" in ok
    assert not problems, f"as {username}:\n" + report(problems)
    # a certificate is verified by staff whose subtree holds the class or the trainee's union
    from lianxin.core.scoping import can

    user = User.objects.get(username=username)
    for e in Enrolment.objects.filter(certificate_no__isnull=False).select_related("union", "klass__org")[:6]:
        html = client.get(f"/console/training/verify/?no={e.certificate_no}").content.decode()
        assert ("证书有效" in html) == (
            can(user, "view", e.union.path) or can(user, "view", e.klass.org.path)
        )


def test_member_page(demo, codes):
    e = Enrolment.objects.filter(
        certificate_no__isnull=False, person__user__isnull=False, person__education_grants__isnull=False
    ).first()
    assert e is not None, "the portal demo's member has a certificate and a grant"
    client = Client()
    client.force_login(e.person.user)
    resp = client.get("/m/training/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert e.certificate_no in html and "3,000.00 元" in html
    found, page = problems_of("/m/training/", html, codes)
    assert not found, found
    # the certificate's PDF from the member's page, and its public verification page — for anyone, signed in or
    # not — pass the member pages' checks too (Chinese phone page, nothing from another origin)
    pdf = f"/m/training/certificates/{e.pk}.pdf"
    assert pdf in page.links
    assert client.get(pdf).content.startswith(b"%PDF")
    for who in (client, Client()):
        url = f"/verify/training/{e.certificate_token}/"
        resp = who.get(url)
        assert resp.status_code == 200 and e.certificate_no in resp.content.decode()
        found, _page = problems_of(url, resp.content.decode(), codes)
        assert not found, found
    # the demo's revoked certificate: its public page says so, and passes the same checks
    r = RevokedCertificate.objects.get()
    url = f"/verify/training/{r.certificate_token}/"
    html = Client().get(url).content.decode()
    assert "已撤销" in html and r.revoke_reason not in html
    found, _page = problems_of(url, html, codes)
    assert not found, found
