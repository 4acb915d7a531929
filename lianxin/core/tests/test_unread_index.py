"""Unread counts (the console's 审批消息 badge on every page, the member's 我的消息) can be answered from the
partial index ``notif_user_unread`` — only unread in-app rows — instead of walking every message the user ever
received. The planner is told not to scan the table so that the test asks "can the index serve this query"
(its predicate must be implied by the query's filters) rather than "is it worth it on a tiny table". The user also has
a few hundred read messages and the table is analysed, as in life: on three rows and no statistics both of the
user's indexes cost the same and the planner's pick between them was a coin toss."""

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
    with connection.cursor() as c:
        c.execute(f"ANALYZE {Notification._meta.db_table}")
    unread = notify.inbox(user).filter(read_at__isnull=True).order_by()
    assert "notif_user_unread" in _plan(unread.values("id"))
    assert "notif_user_unread" in _plan(unread.filter(template__in=["workflow_new", "workflow_overdue"]).values("id"))
    assert unread.count() == 3
