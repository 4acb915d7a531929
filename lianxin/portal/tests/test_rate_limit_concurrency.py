"""The sign-in limits hold when many requests arrive at once, each on its own database connection
(PostgreSQL): one code per number per resend gap, and a bucket never counts past its limit."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from lianxin.core.errors import ServiceError
from lianxin.portal import services
from lianxin.portal.models import RateEvent, SmsCode

pytestmark = [pytest.mark.pgonly, pytest.mark.django_db(transaction=True)]


def run_at_once(fn, n):
    barrier = threading.Barrier(n)

    def one(i):
        try:
            barrier.wait(timeout=20)
            return fn(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_bucket_never_passes_its_limit():
    results = run_at_once(lambda i: services.take("test:burst", limit=5, per=dt.timedelta(hours=1)), 24)
    assert results.count(True) == 5
    assert RateEvent.objects.filter(key="test:burst").count() == 5


def test_simultaneous_code_requests_send_one_code():
    def ask(i):
        try:
            services.request_sms_code(mobile="13912345678", ip=f"10.0.0.{i}")
            return "sent"
        except ServiceError as e:
            return e.code

    results = run_at_once(ask, 12)
    assert results.count("sent") == 1 and results.count("throttled") == 11
    assert SmsCode.objects.count() == 1


def test_burst_just_after_the_hour_is_refused_when_the_last_hour_is_full():
    """The sliding limit under concurrency: five events 59 minutes ago fill the hour, so a simultaneous burst
    gets nothing; once they are 61 minutes old the same burst gets exactly five."""
    import django.utils.timezone as tz

    now, hour = tz.now(), dt.timedelta(hours=1)
    RateEvent.objects.bulk_create(RateEvent(key="test:slide", at=now - dt.timedelta(minutes=59)) for _ in range(5))
    results = run_at_once(lambda i: services.take("test:slide", limit=5, per=hour, now=now), 16)
    assert results.count(True) == 0
    RateEvent.objects.filter(key="test:slide").update(at=now - dt.timedelta(minutes=61))
    results = run_at_once(lambda i: services.take("test:slide", limit=5, per=hour, now=now), 16)
    assert results.count(True) == 5
    assert RateEvent.objects.filter(key="test:slide", at=now).count() == 5


def test_simultaneous_wrong_guesses_lock_the_number():
    """Wrong guesses from many addresses at once are all counted (no lost updates) and lock the number; the
    count may pass the limit only by guesses already in flight, never stop short of it."""
    import re

    from lianxin.core.models import Notification
    from lianxin.members.services import mobile_bidx

    phone = "13912345678"
    services.request_sms_code(mobile=phone, ip="10.1.0.1")
    real = re.search(r"\d{6}", Notification.objects.get(dedupe_key__startswith="sms-login:").body).group()
    wrong = [f"{(int(real) + k) % 1_000_000:06d}" for k in (1, 2)]
    n = services.FAILURES_PER_NUMBER + 2

    def guess(i):
        try:
            services.verify_sms_code(mobile=phone, code=wrong[i % 2], ip=f"10.2.0.{i}")
        except ServiceError as e:
            return e.code
        return "signed in"

    results = run_at_once(guess, n)
    assert set(results) <= {"bad_code", "locked"}
    assert results.count("bad_code") >= services.FAILURES_PER_NUMBER
    failures = services.count(f"smsfail:n:{mobile_bidx(phone)}", per=services.LOCK_WINDOW)
    assert failures == results.count("bad_code")
    with pytest.raises(ServiceError) as e:
        services.verify_sms_code(mobile=phone, code=real, ip="10.3.0.1")
    assert e.value.code == "locked"
