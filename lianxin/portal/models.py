"""Member portal data: SMS sign-in codes and rate buckets, WeChat bindings and member-card versions. Personal
data stays as in members: a mobile appears only as its blind index (lookup). A member's request to correct
their own record is an application of the workflow engine (programme ``profile_correction``, DESIGN rule 6)."""

from django.conf import settings
from django.db import models


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
