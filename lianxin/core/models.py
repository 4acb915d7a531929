"""Core data: the hash-chained audit log (DESIGN rule 3)."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One audited act. Rows are only ever appended (services call :func:`lianxin.core.audit.record`).
    ``seq`` is gap-free and ``hash`` chains each row to the previous one; :class:`AuditHead` holds the last
    seq and hash, so editing, deleting (even the newest rows) or reordering is detected by audit_verify."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              db_constraint=False, related_name="+")
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("动作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True)
    org_path = models.CharField("所属组织路径", max_length=255, blank=True, db_index=True)
    reason = models.CharField("事由", max_length=500, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

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
