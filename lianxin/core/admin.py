"""The audit log in the back office: read-only for everyone (superusers included) and visible only to roles
that may audit (administrators and auditors), each within their subtree. The chain's integrity is checked
by ``manage.py audit_verify``; the admin offers no way to add, edit or delete an entry."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from .admin_scoping import ScopedAdminMixin
from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdminMixin, ModelAdmin):
    view_action = "audit"
    list_display = ("seq", "at", "actor_label", "action", "object_type", "object_id", "reason")
    search_fields = ("=action", "=actor_label", "=object_id")
    fields = ("seq", "at", "actor_label", "action", "object_type", "object_id", "org_path", "reason", "detail",
              "prev_hash", "hash")
    ordering = ("-seq",)
    actions = None
