"""Core data: the hash-chained audit log (DESIGN rule 3)."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One audited act. Rows are only ever appended (services call :func:`lianxin.core.audit.record`).
    ``seq`` is gap-free and ``hash`` chains each row to the previous one; :class:`AuditHead` holds the last
    seq and hash, so editing, deleting (even the newest rows) or reordering is detected by audit_verify."""

    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              db_constraint=False, related_name="+")
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("动作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True)
    org_path = models.CharField("所属组织路径", max_length=255, blank=True, db_index=True)
    reason = models.CharField("事由", max_length=500, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)

    SCOPE_PATHS = ("org_path",)

    class Meta:
        ordering = ["-seq"]
        verbose_name = verbose_name_plural = "审计日志"

    def __str__(self):
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """A single row: the chain's last seq and hash. Locked FOR UPDATE by every append, which also
    serialises appends across processes."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audithead_singleton")]


class Counter(models.Model):
    """Named gap-free counters (member numbers, certificate numbers). ``next_value`` increments under a row
    lock, so two processes never hand out the same number."""

    name = models.CharField(max_length=64, primary_key=True)
    value = models.BigIntegerField(default=0)


class Notification(models.Model):
    """Outbox: every message to a person (in-app, SMS, WeChat template) is a row written in the same transaction
    as the decision that caused it, then delivered by a background task. ``dedupe_key`` makes enqueueing
    idempotent; delivery claims the row with a conditional UPDATE, so a message is never sent twice."""

    class Channel(models.TextChoices):
        INAPP = "inapp", "站内消息"
        SMS = "sms", "短信"
        WECHAT = "wechat", "微信模板消息"

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    channel = models.CharField(max_length=8, choices=Channel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notifications")
    recipient_cipher = models.TextField(blank=True)  # phone or WeChat openid, encrypted (PII)
    template = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    body = models.TextField()
    context = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_due"),
                   models.Index(fields=["user", "channel", "-id"], name="notif_user_inbox"),
                   # unread counts (nav badges, the member's 我的消息): only the unread in-app rows, so a count
                   # costs what is unread, not everything the user ever received
                   models.Index(fields=["user", "template"], name="notif_user_unread",
                                condition=models.Q(read_at__isnull=True, channel="inapp"))]
