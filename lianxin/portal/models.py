"""Member portal data: SMS sign-in codes and rate events, WeChat bindings, member-card versions and member API
token generations. Personal data stays as in members: a mobile appears only as its blind index (lookup). A
member's request to correct their own record is an application of the workflow engine (programme
``profile_correction``, DESIGN rule 6)."""

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


class RateEvent(models.Model):
    """One counted event (an SMS sent, a wrong code) of a rate limit: a sliding log. A limit "N per T" counts
    the key's events in the last T, so it holds over *every* period of length T, not only over clock-aligned
    windows (a fixed hourly window let 5 codes at 12:59 and 5 more at 13:00 through). ``services.take``
    serialises takers of one key in the database (an advisory transaction lock on PostgreSQL), so the count
    and the insert agree across any number of app processes. Rows older than the longest limit are pruned
    by ``portal_cleanup``; a key never holds more rows than its limit within its period."""

    key = models.CharField(max_length=100)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="rateevent_key_at"),
                   models.Index(fields=["at"], name="rateevent_at")]


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


class MemberTokenGeneration(models.Model):
    """The generation of a user's member API tokens (``lianxin.portal.tokens``). Every token carries the
    generation current when it was issued; signing out raises it, which refuses every token issued before
    (all of that user's tokens, on every device: a token is not tied to a device). A user without a row is at
    generation 0. Kept in the database, not in a process, so every app server refuses the same tokens."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                related_name="member_token_generation")
    generation = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
