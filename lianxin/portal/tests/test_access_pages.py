"""The two "not for you" answers are phone pages in Chinese that say what to do next, not bare text: a worker
without a member record opening a members-only page is offered 申请入会; an account without any staff grant
opening the console is sent to the member home page."""

import pytest
from django.contrib.auth import get_user_model

from lianxin.activities.testing import make_member

pytestmark = pytest.mark.django_db


def test_worker_without_member_record_is_offered_to_join(client):
    worker = get_user_model().objects.create_user(username="worker1", display_name="王五")
    client.force_login(worker)
    r = client.get("/m/my/bookings/")
    html = r.content.decode()
    assert r.status_code == 403 and r["Content-Type"].startswith("text/html")
    assert '<html lang="zh-hans">' in html and 'name="viewport"' in html
    assert "仅限已登记的工会会员使用" in html and 'href="/m/join/"' in html


def test_member_opening_the_console_is_sent_to_the_member_home(client, district):
    member = make_member(district.base_a1)
    client.force_login(member.user)
    r = client.get("/console/people/")
    html = r.content.decode()
    assert r.status_code == 403 and '<html lang="zh-hans">' in html
    assert "您没有工作人员权限" in html and 'href="/m/"' in html and 'href="/console/"' not in html
