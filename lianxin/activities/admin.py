"""Back office: read-only, scoped views of activities and sign-ups. Publishing, cancelling and check-in go
through the console (/console/activities/) so the capacity rules and the audit log are never bypassed."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin

from .models import Activity, Signup


@admin.register(Activity)
class ActivityAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("title", "org", "starts_at", "status", "capacity", "taken", "waitlisted")
    list_filter = ("status",)
    search_fields = ("title", "venue")
    date_hierarchy = "starts_at"


@admin.register(Signup)
class SignupAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "activity", "person", "union", "status", "created_at", "checked_in_at")
    list_filter = ("status",)
    exclude = ("checked_in_by",)
    raw_id_fields = ("activity", "person", "union")
