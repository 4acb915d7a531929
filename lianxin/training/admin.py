"""Back office: read-only, scoped views of training classes, enrolments and 教育补助 grants. Every write goes
through the console (/console/training/) and the applications engine, so the places and quota counters, the
certificate numbers, the once-per-level grant and the audit log are never bypassed."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin

from .models import EducationGrant, Enrolment, RevokedCertificate, TrainingClass


@admin.register(TrainingClass)
class TrainingClassAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("title", "org", "status", "starts_on", "ends_on", "places", "remaining", "pass_mark")
    list_filter = ("status",)
    search_fields = ("title",)
    exclude = ("created_by",)
    raw_id_fields = ("org",)


@admin.register(Enrolment)
class EnrolmentAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "person", "klass", "union", "status", "score", "certificate_no")
    list_filter = ("status",)
    search_fields = ("certificate_no",)
    exclude = ("enrolled_by",)
    raw_id_fields = ("klass", "person", "union")


@admin.register(RevokedCertificate)
class RevokedCertificateAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("certificate_no", "enrolment", "certified_at", "revoked_at", "revoke_reason")
    search_fields = ("certificate_no",)
    exclude = ("revoked_by", "certificate_token")
    raw_id_fields = ("enrolment",)


@admin.register(EducationGrant)
class EducationGrantAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "person", "level", "school", "amount_fen", "union", "created_at")
    list_filter = ("level",)
    raw_id_fields = ("application", "person", "union")
