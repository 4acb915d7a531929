"""The console crawl's checks (lianxin/core/tests/test_console_crawl.py) over this app's pages alone, on the demo
data: from /console/care/ every link a federation administrator, a street viewer and a grassroots administrator
are shown answers without an error or a dead end, in Chinese, with no raw codes or UTC times — and the member's
/m/care/ pages likewise for the portal demo's member."""

import re

import pytest
from django.test import Client

from lianxin.care.models import CampaignSignup, Enrolment
from lianxin.core.pagecheck import choice_codes, crawl, report
from lianxin.core.tests.test_console_crawl import console_check
from lianxin.portal.tests.test_portal_crawl import problems_of

pytestmark = [pytest.mark.django_db]


@pytest.fixture(scope="module")
def codes():
    return choice_codes()


@pytest.fixture
def demo(demo_once, db):
    """The demo district, seeded once for the module (``demo_once`` in the root conftest)."""


@pytest.mark.parametrize("username", ["qt_admin", "by_viewer", "base_admin"])
def test_console_pages(demo, codes, username):
    from lianxin.accounts.models import User

    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    status, problems = crawl(
        client, "/console/care/", console_check(codes), inside="/console/care/", max_pages=120, per_kind=4
    )
    ok = {re.sub(r"\d+", "N", u.split("?")[0]) for u, s in status.items() if s == 200}
    assert {
        "/console/care/",
        "/console/care/classes/",
        "/console/care/rooms/",
        "/console/care/rooms/N/",
    } <= ok, sorted(ok)
    if username != "base_admin":
        assert {"/console/care/N/", "/console/care/classes/N/"} <= ok, sorted(ok)
    if username == "qt_admin":
        assert {"/console/care/new/", "/console/care/classes/new/", "/console/care/N/export/"} <= ok, sorted(
            ok
        )
    assert not problems, f"as {username}:\n" + report(problems)


def test_member_pages(demo, codes):
    s = (
        CampaignSignup.objects.filter(status="attended", person__user__isnull=False)
        .order_by("person_id")
        .first()
    )
    person = s.person
    assert Enrolment.objects.filter(guardian=person).exists()
    client = Client()
    client.force_login(person.user)

    def check(url, resp, referrer):
        assert resp.status_code < 500, f"{url} answered {resp.status_code}"
        if resp.status_code in (301, 302):
            return [], [resp["Location"]]
        found, page = problems_of(url, resp.content.decode(), codes)
        return found, page.links

    status, problems = crawl(client, "/m/care/", check, inside="/m/care/", max_pages=60)
    ok = {re.sub(r"\d+", "N", u.split("?")[0]) for u, st in status.items() if st == 200}
    assert {"/m/care/", "/m/care/campaigns/N/", "/m/care/classes/N/", "/m/care/rooms/"} <= ok, sorted(ok)
    assert not problems, report(problems)
