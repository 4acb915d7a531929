"""Member portal data: SMS sign-in codes and rate buckets, WeChat bindings, member-card versions and data
correction requests. Personal data stays as in members: a mobile appears only as its blind index (lookup) or
encrypted (a requested new number)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class SmsCode(models.Model):
    """A one-time sign-in code. Only an HMAC of the code is stored; it dies after its expiry, its first
    successful use, or too many wrong guesses."""

    mobile_bidx = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["mobile_bidx", "-id"], name="smscode_mobile_latest")]


class RateBucket(models.Model):
    """A fixed-window counter (key, window start). Raised by one ``INSERT ... ON CONFLICT DO UPDATE ...
    WHERE count < limit`` so a limit holds across any number of app processes; old windows are pruned."""

    key = models.CharField(max_length=100)
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="ratebucket_key_window")]
        indexes = [models.Index(fields=["window"], name="ratebucket_window")]


class WeChatIdentity(models.Model):
    """An official-account openid bound to a user (after the user proved their mobile once)."""

    openid = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat_ids")
    created_at = models.DateTimeField(auto_now_add=True)


class MemberCard(models.Model):
    """The current version of a membership's electronic card. Card QR tokens carry (membership, version);
    raising the version revokes every token issued before."""

    membership = models.OneToOneField("members.Membership", on_delete=models.CASCADE, related_name="card")
    version = models.PositiveIntegerField(default=1)
    reissued_at = models.DateTimeField(null=True, blank=True)

    SCOPE_PATHS = ("membership__union__path",)


class DataCorrection(models.Model):
    """A member asks staff to correct their record; nothing changes until an administrator of the person's
    union approves (then members.services.update_person applies it, audited)."""

    class Field(models.TextChoices):
        NAME = "name", "姓名"
        MOBILE = "mobile", "手机号码"
        EMPLOYER_NAME = "employer_name", "工作单位名称"
        JOB = "job", "岗位/职务"
        EDUCATION = "education", "学历"
        POLITICAL = "political_status", "政治面貌"
        ETHNICITY = "ethnicity", "民族"

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "已驳回"

    person = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="corrections",
                               verbose_name="人员")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    field = models.CharField("更正项目", max_length=32, choices=Field.choices)
    current_display = models.CharField("原值", max_length=200, blank=True)
    requested_display = models.CharField("申请改为", max_length=200)
    requested_cipher = models.TextField(blank=True)  # a new mobile number, encrypted
    reason = models.CharField("说明", max_length=300, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("person__org__path",)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "信息更正申请"
        constraints = [
            models.UniqueConstraint(fields=["person", "field"], condition=Q(status="pending"),
                                    name="correction_one_pending_per_field"),
        ]
