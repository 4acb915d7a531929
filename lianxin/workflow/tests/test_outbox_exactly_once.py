"""The notifications outbox (lianxin.core.notify) that the engine writes decisions to: enqueueing is
idempotent on the dedupe key, a failed send is retried, a sent message is never sent again, and two workers
delivering the same row at the same moment send it once (PostgreSQL, threads with their own connections)."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from lianxin.core import crypto, notify
from lianxin.core.models import Notification

SENDS: list[str] = []
LOCK = threading.Lock()


class CountingSMS:
    """Records every send; the first send to 13900000000 fails (a provider timeout)."""

    failed: set = set()

    def send(self, *, to, body, template, context):
        with LOCK:
            if to == "13900000000" and to not in CountingSMS.failed:
                CountingSMS.failed.add(to)
                raise RuntimeError("gateway timeout")
            SENDS.append(to)


@pytest.fixture(autouse=True)
def counting(settings):
    settings.LIANXIN_SMS_BACKEND = f"{__name__}.CountingSMS"
    SENDS.clear()
    CountingSMS.failed.clear()


def _pending(phone: str, key: str) -> Notification:
    return Notification.objects.create(channel="sms", template="t", title="t", body="b", dedupe_key=key,
                                       recipient_cipher=crypto.encrypt(phone, context=notify.RECIPIENT_CTX))


@pytest.mark.django_db
@pytest.mark.pg
def test_same_dedupe_key_one_row():
    a = notify.enqueue(channel="sms", recipient="13900001111", template="t", title="t", body="b", dedupe_key="k1")
    b = notify.enqueue(channel="sms", recipient="13900001111", template="t", title="t", body="b2", dedupe_key="k1")
    assert a.pk == b.pk and Notification.objects.filter(dedupe_key="k1").count() == 1


@pytest.mark.django_db
@pytest.mark.pg
def test_retry_after_failure_then_sent_once():
    n = _pending("13900000000", "k2")
    assert notify.deliver(n.pk) == "retry"
    n.refresh_from_db()
    assert n.status == "pending" and n.attempts == 1 and n.last_error == "gateway timeout"
    assert notify.deliver(n.pk) == "skipped"  # backoff: not due yet
    Notification.objects.filter(pk=n.pk).update(next_attempt_at=timezone.now())
    assert notify.deliver_due() == 1
    assert notify.deliver(n.pk) == "skipped"  # already sent
    n.refresh_from_db()
    assert n.status == "sent" and SENDS == ["13900000000"]


@pytest.mark.django_db
@pytest.mark.pg
def test_decision_notifications_deduplicated(district):
    """The engine keys its messages on the step, so redelivering a decision's messages cannot duplicate them."""
    from lianxin.workflow import services

    from .helpers import join_data, worker

    app = services.create_application(actor=worker(), programme="join", data=join_data(district, n=951),
                                      submit=True)
    step = app.steps.get()
    services.decide(actor=district.users["base_a1.reviewer"], step_id=step.pk, decision="approved")
    rows = Notification.objects.filter(dedupe_key__startswith=f"wf:{step.pk}:")
    assert sorted(rows.values_list("channel", flat=True)) == ["inapp", "sms"]
    body = rows.get(channel="inapp").body
    services._notify_applicant(app, f"wf:{step.pk}:approved", "again", body)
    assert rows.count() == 2


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_send_once():
    rows = [_pending(f"1390011{i:04d}", f"c{i}") for i in range(20)]
    for n in rows:
        barrier = threading.Barrier(2)
        out = []

        def run(nid=n.pk, barrier=barrier, out=out):
            try:
                barrier.wait()
                out.append(notify.deliver(nid))
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(out) == ["sent", "skipped"]
    assert len(SENDS) == 20 and len(set(SENDS)) == 20
    assert Notification.objects.filter(status="sent").count() == 20
