"""Back office: read-only, scoped views of the 党员名册, 三会一课 records, the 党费 ledger and the transfers. Every
write goes through the console (/console/party/), so the one-branch-at-a-time rule, the append-only ledger with its
reversals, the attendance fixed from the day's roster and the audit log are never bypassed."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin

from .models import DuesEntry, Meeting, PartyMember, Transfer, TransferLetter


@admin.register(PartyMember)
class PartyMemberAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "person", "branch", "category", "status", "joined_on", "full_on", "entered_on", "left_on")
    list_filter = ("status", "category")
    exclude = ("created_by",)
    raw_id_fields = ("person", "branch")


@admin.register(Meeting)
class MeetingAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "branch", "kind", "held_on", "topic", "created_at")
    list_filter = ("kind",)
    search_fields = ("topic",)
    exclude = ("recorded_by",)
    raw_id_fields = ("branch",)


@admin.register(DuesEntry)
class DuesEntryAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "member", "period", "kind", "round", "amount_fen", "created_at")
    list_filter = ("kind",)
    exclude = ("actor",)
    raw_id_fields = ("member", "reverses")


@admin.register(Transfer)
class TransferAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "person", "kind", "from_branch", "to_branch", "external_org", "on")
    list_filter = ("kind",)
    exclude = ("actor",)
    raw_id_fields = ("person", "from_member", "to_member", "from_branch", "to_branch")


@admin.register(TransferLetter)
class TransferLetterAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "member", "from_branch", "to_branch", "status", "sent_at", "decided_at")
    list_filter = ("status",)
    exclude = ("sent_by", "decided_by")
    raw_id_fields = ("member", "from_branch", "to_branch", "transfer")
