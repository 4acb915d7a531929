"""The console crawl's checks (lianxin/core/tests/test_console_crawl.py) over this app's pages alone, on the demo
data: from /console/party/ every link a federation administrator, a street viewer and a grassroots union's
administrator are shown answers without an error or a dead end, in Chinese, with no raw codes or UTC times."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from lianxin.core.pagecheck import choice_codes, crawl, report
from lianxin.core.tests.test_console_crawl import console_check

pytestmark = [pytest.mark.django_db]


@pytest.fixture(scope="module")
def codes():
    return choice_codes()


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", people=400, enterprises=40, stdout=io.StringIO())


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
    } <= ok, sorted(ok)
    if username != "by_viewer":
        assert {"/console/party/branches/N/members/new/", "/console/party/members/N/dues/edit/"} <= ok
    assert not problems, f"as {username}:\n" + report(problems)
