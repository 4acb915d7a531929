"""Notifications outbox and delivery adapters.

    enqueue(channel="sms", recipient="138…", user=None, template="otp", title="验证码", body="…",
            dedupe_key="otp:42")

writes a Notification row in the caller's transaction and, once that commits, enqueues the delivery task.
Delivery claims the row (``pending → sending`` by a conditional UPDATE): only the claimer sends, so a message
is sent at most once even when two workers pick it up; a failure puts it back to ``pending`` with a backoff,
up to MAX_ATTEMPTS, then ``failed``. A crash between the provider accepting and our ``sent`` mark leaves it in
``sending`` for a person to check rather than risking a second SMS.

Adapters are chosen by settings (LIANXIN_SMS_BACKEND, LIANXIN_WECHAT_BACKEND); the console ones log and keep
the last messages in ``SENT_LOG`` (used by tests and by the demo's SMS sign-in).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import deque

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from . import crypto
from .models import Notification

log = logging.getLogger("lianxin.notify")
MAX_ATTEMPTS = 5
RECIPIENT_CTX = "notification.recipient"
SENT_LOG: deque = deque(maxlen=200)  # console adapters only: what was "sent", for tests and the demo


class ConsoleSMS:
    def send(self, *, to: str, body: str, template: str, context: dict) -> None:
        SENT_LOG.append({"channel": "sms", "to": to, "body": body, "template": template})
        log.warning("[SMS to %s] %s", to, body)


class ConsoleWeChat:
    def send(self, *, to: str, body: str, template: str, context: dict) -> None:
        SENT_LOG.append({"channel": "wechat", "to": to, "body": body, "template": template})
        log.warning("[WeChat to %s] %s", to, body)


def _adapter(channel: str):
    path = {"sms": settings.LIANXIN_SMS_BACKEND, "wechat": settings.LIANXIN_WECHAT_BACKEND}[channel]
    return import_string(path)()


def enqueue(*, channel: str, template: str, title: str, body: str, dedupe_key: str, user=None,
            recipient: str = "", context: dict | None = None) -> Notification:
    """Record a message in the outbox (idempotent on ``dedupe_key``) and deliver it after commit."""
    if channel not in Notification.Channel.values:
        raise ValueError(f"unknown channel {channel}")
    if channel != "inapp" and not recipient:
        raise ValueError("SMS and WeChat messages need a recipient")
    with transaction.atomic():
        n, created = Notification.objects.get_or_create(
            dedupe_key=dedupe_key,
            defaults=dict(channel=channel, user=user, template=template, title=title[:200], body=body,
                          context=context or {},
                          recipient_cipher=crypto.encrypt(recipient, context=RECIPIENT_CTX) if recipient else ""),
        )
        if created:
            nid = n.pk
            transaction.on_commit(lambda: deliver_notification.enqueue(nid))
    return n


def tell_members(rows, *, person_of, template: str, title: str, body, key: str) -> int:
    """An in-app message to the portal account of each row's person (``person_of(row)``; people without an account
    are skipped), e.g. everyone signed up when a class is cancelled or moved. ``body`` is a text or a function of
    the row; the dedupe key is ``f"{key}:{row.pk}"``, so a double submit — or a retried task — tells nobody
    twice. Returns how many were told."""
    told = 0
    for r in rows:
        user = getattr(person_of(r), "user", None)
        if user is not None:
            enqueue(channel="inapp", user=user, template=template, title=title,
                    body=body(r) if callable(body) else body, dedupe_key=f"{key}:{r.pk}")
            told += 1
    return told


def rotate_recipient_keys(*, batch: int = 2000) -> int:
    """Re-seal the outbox's recipients (phones, openids) under the active field key (``manage.py
    rotate_field_keys``). Returns how many were rewritten."""
    return crypto.rotate_column(Notification.objects.all(), "recipient_cipher", context=RECIPIENT_CTX, batch=batch)


def _claim(nid: int) -> bool:
    now = timezone.now()
    return bool(
        Notification.objects.filter(pk=nid, status=Notification.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Notification.Status.SENDING, attempts=F("attempts") + 1)
    )


def deliver(nid: int) -> str:
    """Deliver one message if it is due and nobody else has claimed it. Returns the resulting status."""
    if not _claim(nid):
        return "skipped"
    n = Notification.objects.get(pk=nid)
    try:
        if n.channel != Notification.Channel.INAPP:
            to = crypto.decrypt(n.recipient_cipher, context=RECIPIENT_CTX)
            _adapter(n.channel).send(to=to, body=n.body, template=n.template, context=n.context)
    except Exception as exc:  # noqa: BLE001 - any provider failure is retried, then recorded
        failed = n.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=nid, status=Notification.Status.SENDING).update(
            status=Notification.Status.FAILED if failed else Notification.Status.PENDING,
            next_attempt_at=timezone.now() + dt.timedelta(seconds=30 * 2 ** n.attempts),
            last_error=str(exc)[:500],
        )
        log.warning("notification %s attempt %s failed: %s", nid, n.attempts, exc)
        return "failed" if failed else "retry"
    Notification.objects.filter(pk=nid, status=Notification.Status.SENDING).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


@task()
def deliver_notification(nid: int) -> str:
    return deliver(nid)


def deliver_due(limit: int = 500) -> int:
    """Retry sweep (manage.py deliver_notifications, run from cron or the worker host): deliver what is due."""
    now = timezone.now()
    ids = list(Notification.objects.filter(status=Notification.Status.PENDING)
               .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
               .values_list("pk", flat=True)[:limit])
    return sum(1 for nid in ids if deliver(nid) == "sent")


def inbox(user):
    """A member's in-app messages, newest first (reads are always the user's own)."""
    return Notification.objects.filter(user=user, channel=Notification.Channel.INAPP).order_by("-id")


def unread(user):
    """The member's in-app messages not yet read (the partial index ``notif_user_unread`` covers them)."""
    return inbox(user).filter(read_at__isnull=True)
