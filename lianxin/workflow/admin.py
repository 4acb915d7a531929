"""Back office: read-only, scoped views of applications, steps and certificates. Decisions are made in the
console (/console/applications/) so the engine's rules, audit and notifications are never bypassed; the sealed
personal data and the raw files are not shown here at all."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin

from .models import Application, Certificate, Step


@admin.register(Application)
class ApplicationAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("number", "programme", "title", "org", "state", "trips", "submitted_at", "decided_at")
    list_filter = ("programme", "state")
    search_fields = ("number", "title")
    exclude = ("sealed", "subject_key", "applicant", "entered_by", "person")
    list_select_related = ("org",)


@admin.register(Step)
class StepAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("application", "level", "org", "decision", "due_at", "decided_at", "escalated_to")
    list_filter = ("decision",)
    exclude = ("reviewer",)
    list_select_related = ("application", "org", "escalated_to")


@admin.register(Certificate)
class CertificateAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("number", "union_name", "credit_code", "valid_from", "valid_until", "status")
    list_filter = ("status",)
    search_fields = ("number", "union_name", "credit_code")
    exclude = ("token", "chairman")
