"""Back office: read-only, scoped views of volunteers, projects, sign-ups and the hours ledger. Every write goes
through the console and the member pages (/console/volunteers/, /m/volunteers/), so the places counter, the
one-credit rule and the audit log are never bypassed."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin

from .models import HoursEntry, Project, Signup, Volunteer


@admin.register(Volunteer)
class VolunteerAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("person", "union", "status", "created_at")
    list_filter = ("status",)
    exclude = ("decided_by",)
    raw_id_fields = ("person", "union")


@admin.register(Project)
class ProjectAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("title", "org", "starts_at", "places", "remaining", "minutes", "status")
    list_filter = ("status",)
    search_fields = ("title", "place")
    exclude = ("created_by",)
    raw_id_fields = ("org",)


@admin.register(Signup)
class SignupAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "project", "volunteer", "status", "signed_at")
    list_filter = ("status",)
    exclude = ("confirmed_by",)
    raw_id_fields = ("project", "volunteer")


@admin.register(HoursEntry)
class HoursEntryAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "volunteer", "kind", "minutes", "signup", "created_at")
    list_filter = ("kind",)
    exclude = ("actor",)
    raw_id_fields = ("volunteer", "signup", "reverses")
