"""portal 0003 replaces the fixed-window counters with the sliding log: counters of the last hour come over as
events, so a number locked (or throttled) at the upgrade stays locked; stale counters are dropped."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from lianxin.portal import services

pytestmark = [pytest.mark.pg, pytest.mark.django_db(transaction=True)]

BEFORE = [("portal", "0002_delete_datacorrection")]


def test_recent_counters_become_events_and_keep_a_lock():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        RateBucket = executor.loader.project_state(BEFORE).apps.get_model("portal", "RateBucket")
        now = timezone.now()
        RateBucket.objects.create(key="smsfail:n:abc", window=now - dt.timedelta(minutes=5),
                                  count=services.FAILURES_PER_NUMBER)
        RateBucket.objects.create(key="sms:hour:abc", window=now - dt.timedelta(hours=3), count=5)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    from lianxin.portal.models import RateEvent

    assert RateEvent.objects.filter(key="smsfail:n:abc").count() == services.FAILURES_PER_NUMBER
    assert not RateEvent.objects.filter(key="sms:hour:abc").exists()
    assert services._locked("abc", "-", timezone.now()) > 0
    with connection.cursor() as cur:
        assert "portal_ratebucket" not in connection.introspection.table_names(cur)
