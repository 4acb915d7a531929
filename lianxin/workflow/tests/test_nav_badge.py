"""The console's main navigation shows a staff member's unread 审批消息 on every console page (not only the
workflow's), with one COUNT query whatever the number of messages; nothing for users without unread workflow
messages, nothing for members, nothing for anonymous visitors."""

import re

import pytest
from django.template import Context, Template

from lianxin.core import notify
from lianxin.core.models import Notification
from lianxin.core.scoping import scope_for
from lianxin.workflow import selectors, services

from .helpers import join_data, member_user, worker

pytestmark = [pytest.mark.django_db, pytest.mark.pg]
BADGE = re.compile(r'<a id="nav-inbox-badge" href="/console/applications/messages/"[^>]*>(\d+)</a>')


def badge(client, url="/console/") -> str | None:
    resp = client.get(url)
    assert resp.status_code == 200
    m = BADGE.search(resp.content.decode())
    return m.group(1) if m else None


def submit(d, n):
    return services.create_application(actor=worker(f"w{n}"), programme="join", data=join_data(d, n=n),
                                       submit=True)


def test_badge_on_a_non_workflow_page_counts_unread_workflow_messages(district, client):
    d = district
    reviewer = d.users["base_a1.reviewer"]
    client.force_login(reviewer)
    assert badge(client) is None  # nothing yet
    submit(d, 4001)
    submit(d, 4002)
    assert badge(client) == "2"
    # next to the 审批 link of the main navigation
    page = client.get("/console/").content.decode()
    nav = page[page.index('<nav class="mainnav">'):page.index("</nav>")]
    assert '<a href="/console/applications/">审批</a><a id="nav-inbox-badge"' in nav
    # messages that are not the workflow's (a staff member who is also a member) do not count
    notify.enqueue(channel="inapp", user=reviewer, template="activity_promoted", title="候补转正", body="…",
                   dedupe_key="test-activity-1")
    assert badge(client) == "2"
    # reading one lowers it; reading all removes it
    first = selectors.staff_inbox(actor=reviewer).last()
    client.get(f"/console/applications/messages/{first.pk}/")
    assert badge(client) == "1"
    assert badge(client, "/console/applications/") == "1"  # the same figure on the workflow's own pages
    client.post("/console/applications/messages/")
    assert badge(client) is None
    assert Notification.objects.get(dedupe_key="test-activity-1").read_at is None  # the member's own stays unread


def test_no_badge_for_staff_without_messages_and_for_others(district, client):
    d = district
    submit(d, 4003)
    for username in ("base_a1.viewer", "base_a1.auditor", "street_b.reviewer", "fed.reviewer"):
        client.force_login(d.users[username])
        assert badge(client) is None, username
        assert "nav-inbox-badge" not in client.get("/console/").content.decode()
    # a member with an unread decision message: not staff, so no badge is rendered for them at all
    member = member_user(d, d.base_a1, username="m1")
    notify.enqueue(channel="inapp", user=member, template="workflow_decision", title="t", body="b",
                   dedupe_key="test-decision-1")
    html = Template("{% load workflow_nav %}{% workflow_unread_badge %}").render(Context({"user": member}))
    assert html.strip() == ""
    client.logout()
    assert client.get("/console/").status_code in (302, 403)


def test_badge_is_one_query_whatever_the_number_of_messages(district, client, django_assert_num_queries,
                                                            django_assert_max_num_queries):
    d = district
    reviewer = d.users["base_a1.reviewer"]
    submit(d, 4004)
    client.force_login(reviewer)
    baseline = client.get("/console/")  # warm up (session, grants)
    assert BADGE.search(baseline.content.decode()).group(1) == "1"
    # the tag itself: one COUNT once the grants are known (staff_required has loaded them for the page)
    scope_for(reviewer)
    tpl = Template("{% load workflow_nav %}{% workflow_unread_badge %}")
    with django_assert_num_queries(1):
        assert ">1</a>" in tpl.render(Context({"user": reviewer}))
    # the whole page: as many queries with 1 message as with 30
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/console/")
    for n in range(4005, 4034):
        submit(d, n)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert badge(client) == "30"
