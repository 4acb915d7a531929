"""The sign-in limits hold when many requests arrive at once, each on its own database connection
(PostgreSQL): one code per number per resend gap, and a bucket never counts past its limit."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from lianxin.core.errors import ServiceError
from lianxin.portal import services
from lianxin.portal.models import RateBucket, SmsCode

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
    assert RateBucket.objects.get(key="test:burst").count == 5


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
