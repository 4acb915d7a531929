"""Accounts: a user is staff through StaffRole grants (user, organisation, role), or a member through
``person``. Django's own permission flags are not used for scope; see lianxin.core.scoping."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from lianxin.core.scoping import ROLE_CHOICES


class TemporaryPasswordExpired(ValidationError):
    """Raised by :meth:`User.check_password` when the password given is the account's temporary password and
    it has expired. A ValidationError on purpose: Django's ``authenticate()`` lets it through (it only stops on
    PermissionDenied), so the console's and the admin's AuthenticationForm show it as the form's message
    instead of the generic "wrong password"; inside any other form's ``clean_*`` it is a form error too."""

    def __init__(self, hours: int):
        super().__init__(f"临时密码已过期（发放后 {hours} 小时内有效），请联系您的管理员重新发放临时密码",
                         code="temporary_password_expired")
        self.hours = hours


def temporary_password_hours() -> int:
    """How long a temporary password is valid (settings.LIANXIN_TEMP_PASSWORD_HOURS, read per call so tests
    can change it)."""
    return int(getattr(settings, "LIANXIN_TEMP_PASSWORD_HOURS", 72))


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    person = models.OneToOneField("members.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="user", verbose_name="对应人员")
    # Set when an administrator gives the account a temporary password (services.reset_staff_password); while
    # set, otp.StaffOTPMiddleware sends every page to the change-password page. Cleared by change_own_password.
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    # When that temporary password was issued; it stops working LIANXIN_TEMP_PASSWORD_HOURS later (a password
    # handed over by phone must not stay usable for months). Set and cleared together with the flag above.
    temporary_password_issued_at = models.DateTimeField("临时密码发放时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            # a temporary password always has an issue time, so its expiry is always known
            models.CheckConstraint(
                condition=models.Q(must_change_password=False) | models.Q(temporary_password_issued_at__isnull=False),
                name="user_temporary_password_issued_at"),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def temporary_password_expires_at(self):
        """When the current temporary password stops working; None when the account has none."""
        if not self.must_change_password:
            return None
        if self.temporary_password_issued_at is None:  # cannot happen (constraint); fail closed
            return timezone.now() - timedelta(seconds=1)
        return self.temporary_password_issued_at + timedelta(hours=temporary_password_hours())

    @property
    def temporary_password_expired(self) -> bool:
        expires = self.temporary_password_expires_at
        return expires is not None and timezone.now() >= expires

    def check_password(self, raw_password):
        """Django's check, plus: an expired temporary password does not work anywhere. Every password check in
        Django goes through here (ModelBackend for the console and admin sign-in, the password-change forms,
        accounts.services.change_own_password), so this is the one place that rule can live. When the password
        given *is* the expired temporary one, the refusal is audited (``account.login_refused``) and
        :class:`TemporaryPasswordExpired` raised so the sign-in form can say why; a wrong password stays a
        plain ``False`` (and still counts towards the django-axes lockout; the refusal does not, the password
        was right). An inactive account only ever gets ``False`` (its state is not revealed). The audit entry
        has its own transaction but joins a caller's open one: a caller that catches the exception inside an
        atomic block must let that block commit (accounts.services.change_own_password does)."""
        ok = super().check_password(raw_password)
        if ok and self.temporary_password_expired:
            return self._refuse_expired_temporary_password()
        return ok

    def _refuse_expired_temporary_password(self) -> bool:
        """The right password, but the expired temporary one: False for an inactive account, else audit the
        refusal and raise (see :meth:`check_password`)."""
        if not self.is_active:
            return False
        from .services import record_expired_temporary_password

        record_expired_temporary_password(user=self)
        raise TemporaryPasswordExpired(temporary_password_hours())

    async def acheck_password(self, raw_password):
        """The async twin of :meth:`check_password` (Django's async sign-in path), same rule."""
        ok = await super().acheck_password(raw_password)
        if ok and self.temporary_password_expired:
            from asgiref.sync import sync_to_async

            return await sync_to_async(self._refuse_expired_temporary_password)()
        return ok


class StaffRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles", verbose_name="用户")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="staff_roles",
                                     verbose_name="组织")
    role = models.CharField("角色", max_length=16, choices=ROLE_CHOICES)
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("授予时间", auto_now_add=True)

    SCOPE_PATHS = ("organization__path",)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员角色"
        constraints = [models.UniqueConstraint(fields=["user", "organization", "role"], name="staffrole_unique")]

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


# ------------------------------------------------------------------ staff work reminders outside the console
#
# Grassroots union chairs rarely open the console, so a staff member may give a mobile of their own and choose
# to be told by SMS (or WeChat, when the account has a bound openid) when applications wait for them. These rows
# are the staff member's own: they are read and written only for the signed-in user (``user=actor``), never
# listed across organisations, so they carry no SCOPE_PATHS (like the outbox's inbox rows). See
# services.py, "work reminders", and lianxin/workflow/README.md.


class NotifyVia(models.TextChoices):
    INAPP = "inapp", "仅站内消息"
    SMS = "sms", "站内消息+短信"
    WECHAT = "wechat", "站内消息+微信"


class StaffContact(models.Model):
    """A staff member's contact for work reminders and the state of their reminder throttle. The mobile is
    stored like a member's (AES-GCM cipher, HMAC blind index, masked copy) and only after the person proved it
    with a one-time SMS code. ``last_sent_at``/``next_send_at`` are the throttle: at most one reminder per
    LIANXIN_STAFF_SMS_MINUTES, later arrivals wait for one summarising reminder at ``next_send_at``. They live
    in this row, and senders lock the row, so the limit holds across processes and servers."""

    user = models.OneToOneField(User, primary_key=True, on_delete=models.CASCADE, related_name="staff_contact",
                                verbose_name="用户")
    notify_via = models.CharField("工作提醒方式", max_length=8, choices=NotifyVia.choices, default=NotifyVia.INAPP)
    mobile_cipher = models.TextField(blank=True)
    mobile_bidx = models.CharField(max_length=64, blank=True, db_index=True)
    mobile_masked = models.CharField("提醒手机号", max_length=16, blank=True)
    mobile_verified_at = models.DateTimeField("手机号验证时间", null=True, blank=True)
    last_sent_at = models.DateTimeField("上次发送提醒时间", null=True, blank=True)
    next_send_at = models.DateTimeField("待发汇总提醒时间", null=True, blank=True)
    sent_count = models.PositiveIntegerField("已发送提醒数", default=0)  # numbers the reminders' outbox keys
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作提醒设置"
        constraints = [
            # SMS reminders only ever go to a number its owner proved
            models.CheckConstraint(
                condition=~models.Q(notify_via="sms") | (models.Q(mobile_verified_at__isnull=False)
                                                         & ~models.Q(mobile_cipher="")),
                name="staffcontact_sms_needs_verified_mobile"),
        ]
        indexes = [models.Index(fields=["next_send_at"], name="staffcontact_due",
                                condition=models.Q(next_send_at__isnull=False))]

    def __str__(self):
        return f"{self.user} · {self.get_notify_via_display()}"


class ContactCode(models.Model):
    """A one-time code proving a staff member holds the mobile they entered. The number waits here (encrypted)
    until the code is confirmed; only an HMAC of the code is kept. Separate from the portal's sign-in codes on
    purpose: a code sent to verify a reminder number must never sign anyone in to the member portal."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="contact_codes")
    mobile_cipher = models.TextField()
    mobile_bidx = models.CharField(max_length=64)
    mobile_masked = models.CharField(max_length=16)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-id"], name="contactcode_user_latest")]


class StaffAlert(models.Model):
    """One thing a staff member who chose SMS/WeChat reminders is to be told (an application arrived at their
    level, a step became overdue), waiting for their next reminder. Unique per (user, key) — the key names the
    step (``wf-new:<step>``, ``wf-overdue:<step>:<date>``) — so a step is announced once per reviewer however
    often its arrival is reported. ``label`` is the programme's name: a reminder carries a count and programme
    names, never an applicant's personal data (PIPL). ``batch`` is the reminder (``StaffContact.sent_count``)
    that carried it, 0 when it was dropped because the step closed first."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_alerts")
    key = models.CharField(max_length=120)
    kind = models.CharField(max_length=16)
    label = models.CharField(max_length=50)
    ref = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    batch = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="staffalert_once_per_user_key")]
        indexes = [models.Index(fields=["user"], name="staffalert_unsent", condition=models.Q(sent_at__isnull=True))]
