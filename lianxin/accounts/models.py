"""Accounts: a user is staff through StaffRole grants (user, organisation, role), or a member through
``person``. Django's own permission flags are not used for scope; see lianxin.core.scoping."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from lianxin.core.scoping import ROLE_CHOICES


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    person = models.OneToOneField("members.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="user", verbose_name="对应人员")
    # Set when an administrator gives the account a temporary password (services.reset_staff_password); while
    # set, otp.StaffOTPMiddleware sends every page to the change-password page. Cleared by change_own_password.
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username


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
