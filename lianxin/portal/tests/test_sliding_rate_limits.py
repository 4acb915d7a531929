"""The sign-in limits slide: "N per period" holds over every period of that length, so a burst around a clock
boundary (5 codes at 12:59, 5 more at 13:00 under the old fixed hourly windows) is refused, and a lock does
not lift at a clock boundary but when enough failures have aged out."""

import datetime as dt

import pytest

from lianxin.portal import services
from lianxin.portal.models import RateEvent

pytestmark = [pytest.mark.django_db, pytest.mark.pg]
HOUR = dt.timedelta(hours=1)
T = dt.datetime(2026, 11, 25, 12, 59, 30, tzinfo=dt.UTC)  # 30 s before a clock hour


def test_burst_across_the_hour_is_not_doubled():
    for i in range(5):
        assert services.take("sms:hour:x", limit=5, per=HOUR, now=T + dt.timedelta(seconds=i * 6))
    # Just past 13:00 a fixed window would start counting from zero; the sliding limit still sees all five.
    for s in (31, 60, 600, 3599):
        assert not services.take("sms:hour:x", limit=5, per=HOUR, now=T + dt.timedelta(seconds=s))
    assert RateEvent.objects.filter(key="sms:hour:x").count() == 5  # refusals count nothing
    # An hour after the first one, exactly one place is free again.
    assert services.take("sms:hour:x", limit=5, per=HOUR, now=T + HOUR + dt.timedelta(seconds=1))
    assert not services.take("sms:hour:x", limit=5, per=HOUR, now=T + HOUR + dt.timedelta(seconds=2))


def test_resend_gap_holds_across_a_minute_boundary():
    gap = dt.timedelta(seconds=services.RESEND_SECONDS)
    assert services.take("sms:gap:x", limit=1, per=gap, now=T + dt.timedelta(seconds=29))  # 12:59:59
    assert not services.take("sms:gap:x", limit=1, per=gap, now=T + dt.timedelta(seconds=30))  # 13:00:00
    assert services.wait_seconds("sms:gap:x", limit=1, per=gap, now=T + dt.timedelta(seconds=30)) == 59
    assert services.take("sms:gap:x", limit=1, per=gap, now=T + dt.timedelta(seconds=90))


def test_keys_are_independent():
    assert services.take("a", limit=1, per=HOUR, now=T)
    assert services.take("b", limit=1, per=HOUR, now=T)
    assert not services.take("a", limit=1, per=HOUR, now=T)


def test_lock_lasts_until_the_failures_age_out_not_until_a_clock_boundary():
    bidx, iph = "n" * 8, "i" * 8
    start = T - dt.timedelta(minutes=1)  # 12:58:30; a fixed 30-minute window would end at 13:00
    for i in range(services.FAILURES_PER_NUMBER):
        services._fail(bidx, iph, start + dt.timedelta(seconds=i))
    last = start + dt.timedelta(seconds=services.FAILURES_PER_NUMBER - 1)
    assert services._locked(bidx, iph, last) == int(services.LOCK_WINDOW.total_seconds()) - 9
    assert services._locked(bidx, iph, T + dt.timedelta(minutes=1)) > 0  # 13:00:30: still locked
    assert services._locked(bidx, iph, start + services.LOCK_WINDOW - dt.timedelta(seconds=1)) == 1
    assert services._locked(bidx, iph, start + services.LOCK_WINDOW) == 0  # the first failure has aged out


def test_locked_number_is_told_how_long(district, monkeypatch):
    from lianxin.core.errors import ServiceError
    from lianxin.members.services import mobile_bidx

    phone = "13912345678"
    now = services.timezone.now()
    for _ in range(services.FAILURES_PER_NUMBER):
        services.record(f"smsfail:n:{mobile_bidx(phone)}", now=now - dt.timedelta(minutes=20))
    with pytest.raises(ServiceError) as e:
        services.verify_sms_code(mobile=phone, code="123456", ip="10.0.0.1")
    assert e.value.code == "locked" and "请 10 分钟后再试" in e.value.message


def test_cleanup_keeps_events_that_still_count():
    now = services.timezone.now()
    services.record("k", now=now - dt.timedelta(minutes=50))
    services.record("k", now=now - dt.timedelta(days=2))
    assert services.prune_events(dt.timedelta(minutes=1)) == 1  # never below the longest limit (1 h)
    assert RateEvent.objects.count() == 1
