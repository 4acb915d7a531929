"""The console crawl's checks (lianxin/core/tests/test_console_crawl.py) over this app's pages alone, on the demo
data: from /console/party/ every link a federation administrator, a street viewer and a grassroots union's
administrator are shown answers without an error or a dead end, in Chinese, with no raw codes or UTC times."""

import re

import pytest
from django.test import Client

from lianxin.core.pagecheck import choice_codes, crawl, report
from lianxin.core.tests.test_console_crawl import console_check

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
        client, "/console/party/", console_check(codes), inside="/console/party/", max_pages=120, per_kind=4
    )
    ok = {re.sub(r"\d+", "N", u.split("?")[0]) for u, s in status.items() if s == 200}
    assert {
        "/console/party/",
        "/console/party/branches/N/",
        "/console/party/members/N/",
        "/console/party/meetings/",
        "/console/party/meetings/N/",
        "/console/party/compliance/",
        "/console/party/branches/N/dues/",
        "/console/party/letters/",
        "/console/party/letters/N/",
    } <= ok, sorted(ok)
    if username != "by_viewer":
        assert {"/console/party/branches/N/members/new/", "/console/party/members/N/dues/edit/"} <= ok
    assert not problems, f"as {username}:\n" + report(problems)


def test_member_page(demo, codes):
    """The portal demo's member is a 正式党员 of the first street's branch: 我的 links 党员之家, which shows this
    year's 党费 months and meetings in Chinese, with no raw codes."""
    from lianxin.party.models import PartyMember
    from lianxin.portal.tests.test_portal_crawl import problems_of

    m = PartyMember.objects.filter(person__user__isnull=False, status="active").select_related("person__user").first()
    assert m is not None, "the portal demo's member is on a branch's roster"
    client = Client()
    client.force_login(m.person.user)
    assert 'href="/m/party/"' in client.get("/m/me/").content.decode()
    resp = client.get("/m/party/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert m.branch.name in html and "已缴" in html and "出席" in html
    found, _page = problems_of("/m/party/", html, codes)
    assert not found, found
