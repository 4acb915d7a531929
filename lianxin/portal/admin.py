"""Back office: read-only, scoped list of members' data-correction requests (decided in the console at
/console/corrections/, where approval goes through members.services and is audited)."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin

from .models import DataCorrection


@admin.register(DataCorrection)
class DataCorrectionAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "person", "field", "requested_display", "status", "created_at")
    list_filter = ("status", "field")
    exclude = ("requested_cipher", "user", "reviewer")
