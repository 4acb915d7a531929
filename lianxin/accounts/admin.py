"""Back-office pages for staff accounts and role grants.

A user is listed to the staff whose subtree holds one of the user's active grants (or the person record
the account belongs to). Accounts themselves are read-only here: passwords, activation and creation go
through the account services and the console, not an unaudited admin form (a forgotten staff password: the
temporary-password reset on /console/staff-otp/; one's own: 我的账号, /console/account/). Grants are made through
``grant_role`` and withdrawn through ``revoke_role`` (the row stays, inactive, for the record); both are
audited.

Second-factor devices (django-otp) are not admin models here: django-otp's own admin would list every
account's devices unscoped and show TOTP secrets to anyone with the model permission. Staff reset a lost
phone through the scoped, audited ``reset_staff_otp`` (console page /console/staff-otp/, or the action on
the user list below).
"""

from django.contrib import admin, messages
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin, scope_queryset
from lianxin.core.errors import ServiceError

from . import services
from .models import StaffRole, User


def _unregister_otp_admins():
    from django.contrib.admin.exceptions import NotRegistered
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        try:
            admin.site.unregister(model)
        except NotRegistered:
            pass


_unregister_otp_admins()


@admin.register(User)
class UserAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff")
    search_fields = ("username", "display_name")
    fields = ("username", "display_name", "is_active", "is_staff", "must_change_password", "last_login",
              "date_joined", "person")
    ordering = ("username",)
    actions = ("reset_otp_selected",)

    def has_reset_otp_permission(self, request):
        return self._reaches(request, "change")

    @admin.action(description="重置所选工作人员的二次验证（手机丢失）", permissions=["reset_otp"])
    def reset_otp_selected(self, request, queryset):
        users = scope_queryset(queryset, request.user, "change")
        done, failed = 0, []
        for user in users:
            try:
                services.reset_staff_otp(actor=request.user, user=user, reason="后台操作：手机丢失，重置验证器")
                done += 1
            except ServiceError as e:
                failed.append(f"{user}：{e.message}")
        if done:
            self.message_user(request, f"已重置 {done} 个账号的验证器，其下次登录时重新绑定", messages.SUCCESS)
        for msg in failed:
            self.message_user(request, msg, messages.ERROR)


@admin.register(StaffRole)
class StaffRoleAdmin(ScopedAdminMixin, ModelAdmin):
    allow_add = True  # through grant_role; a grant is never edited, only revoked
    autocomplete_fields = ("user",)  # not raw_id_fields: its label lookup ignores scope
    list_display = ("user", "organization", "role", "active", "created_at")
    list_filter = ("role", "active")
    search_fields = ("user__username", "user__display_name", "organization__name")
    fields = ("user", "organization", "role", "active", "created_at")
    add_fieldsets = ((None, {"fields": ("user", "organization", "role")}),)
    actions = ("revoke_selected",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "organization")

    def get_readonly_fields(self, request, obj=None):
        return ("created_at",) if obj is None else ()

    def has_revoke_permission(self, request):
        return self._reaches(request, "change")

    def service_save(self, request, form, change):
        cd = form.cleaned_data
        return services.grant_role(actor=request.user, user=cd["user"], organization=cd["organization"],
                                   role=cd["role"])

    @admin.action(description="撤销所选角色", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        grants = scope_queryset(queryset.filter(active=True), request.user, "change")
        n = 0
        try:
            for grant in grants.select_related("organization", "user"):
                services.revoke_role(actor=request.user, grant=grant)
                n += 1
        except ServiceError as e:
            self.message_user(request, e.message, messages.ERROR)
            return
        self.message_user(request, f"已撤销 {n} 个角色", messages.SUCCESS)
