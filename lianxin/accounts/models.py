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
