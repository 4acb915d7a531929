"""Unread counts (the console's 审批消息 badge on every page, the member's 我的消息) can be answered from the
partial index ``notif_user_unread`` — only unread in-app rows — instead of walking every message the user ever
received. The planner is told not to scan the table so that the test asks "can the index serve this query"
(its predicate must be implied by the query's filters) rather than "is it worth it on a tiny table". The user also has
a few hundred read messages and the table is analysed, as in life; the other user_id indexes are dropped for the
test (see below), since with statistics or without, the planner's pick between near-equal costs was a coin toss."""

import pytest
from django.db import connection
from django.utils import timezone

from lianxin.core import notify
from lianxin.core.models import Notification

pytestmark = [pytest.mark.pgonly, pytest.mark.django_db]


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as c:
        c.execute("SET LOCAL enable_seqscan = off")
        c.execute("EXPLAIN " + sql, params)
        return "\n".join(r[0] for r in c.fetchall())


def test_unread_counts_use_the_partial_index(district):
    user = district.users["base_a1.reviewer"]
    Notification.objects.bulk_create(
        Notification(channel="inapp", user=user, template="workflow_new", title="t", body="b",
                     dedupe_key=f"test-read-{i}", read_at=timezone.now()) for i in range(400))
    for i in range(3):
        notify.enqueue(channel="inapp", user=user, template="workflow_new", title="t", body="b",
                       dedupe_key=f"test-unread-{i}")
    table = Notification._meta.db_table
    with connection.cursor() as c:
        c.execute(f"ANALYZE {table}")
        # The other indexes on user_id (the foreign key's) would also serve the filter, and the planner's pick
        # between two near-equal costs is not what this test asks. Inside the test's transaction (rolled back
        # after it) they are dropped: with sequential scans off, the plan then names the partial index exactly
        # when its predicate is implied by the query, and falls back to a scan of the table when it is not.
        for name, info in connection.introspection.get_constraints(c, table).items():
            if info["index"] and not info["unique"] and name != "notif_user_unread" and "user_id" in info["columns"]:
                c.execute(f'DROP INDEX "{name}"')
    unread = notify.inbox(user).filter(read_at__isnull=True).order_by()
    assert "notif_user_unread" in _plan(unread.values("id"))
    assert "notif_user_unread" in _plan(unread.filter(template__in=["workflow_new", "workflow_overdue"]).values("id"))
    assert unread.count() == 3
