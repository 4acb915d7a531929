"""Back office: import jobs, read only and scoped (imports are started from the console, which checks the
file and shows the preview; the admin only lists what happened). The problems list and the stored file
name stay out of the change list."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "original_name", "org", "created_by", "created_at", "status", "mode", "added", "updated",
                    "unchanged", "rejected", "members_added")
    list_filter = ("status", "mode")
    search_fields = ("original_name",)
    exclude = ("stored_name", "task_id", "problems", "header")
    list_select_related = ("org", "created_by")
