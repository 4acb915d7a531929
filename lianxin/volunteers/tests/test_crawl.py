"""The console crawl's checks (lianxin/core/tests/test_console_crawl.py) over this app's pages alone, on the demo
data: from /console/volunteers/ every link a federation administrator, a street viewer and a grassroots reviewer
are shown answers without an error or a dead end, in Chinese, with no raw codes or UTC times — and the member's
/m/volunteers/ pages likewise for the portal demo's member (the shared crawls may not get this deep within their
page budgets)."""

import re

import pytest
from django.test import Client

from lianxin.core.pagecheck import choice_codes, crawl, report
from lianxin.core.tests.test_console_crawl import console_check
from lianxin.portal.tests.test_portal_crawl import problems_of
from lianxin.volunteers.models import HoursEntry, Volunteer

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
        client,
        "/console/volunteers/",
        console_check(codes),
        inside="/console/volunteers/",
        max_pages=120,
        per_kind=4,
    )
    ok = {re.sub(r"\d+", "N", u.split("?")[0]) for u, s in status.items() if s == 200}
    assert {
        "/console/volunteers/",
        "/console/volunteers/N/",
        "/console/volunteers/volunteers/",
        "/console/volunteers/volunteers/N/",
        "/console/volunteers/ranking/",
    } <= ok, sorted(ok)
    if username == "qt_admin":
        assert "/console/volunteers/N/edit/" in ok and "/console/volunteers/new/" in ok
    assert not problems, f"as {username}:\n" + report(problems)


def test_member_pages(demo, codes):
    vol = (
        Volunteer.objects.filter(status="approved", person__user__isnull=False, person__mobile_cipher__gt="")
        .order_by("pk")
        .first()
    )
    assert HoursEntry.objects.filter(volunteer=vol).exists()
    client = Client()
    client.force_login(vol.person.user)

    def check(url, resp, referrer):
        assert resp.status_code < 500, f"{url} answered {resp.status_code}"
        if resp.status_code in (301, 302):
            return [], [resp["Location"]]
        found, page = problems_of(url, resp.content.decode(), codes)
        return found, page.links

    status, problems = crawl(client, "/m/volunteers/", check, inside="/m/volunteers/", max_pages=60)
    assert sum(1 for u, s in status.items() if u.startswith("/m/volunteers/projects/") and s == 200) >= 3
    assert not problems, report(problems)
