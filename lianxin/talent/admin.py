"""Back office: read-only, scoped views of selections, candidates and the 劳模工匠库. Every step of a selection,
every vote and every honour goes through the console (/console/talent/, /m/selections/) so the state machine,
the vote limits and the audit log are never bypassed. Votes themselves are not listed (who voted for whom is
not for the back office)."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin

from .models import Candidate, Honour, Selection


@admin.register(Selection)
class SelectionAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("title", "org", "status", "voting_opens_at", "voting_closes_at", "electorate")
    list_filter = ("status",)
    search_fields = ("title", "honour_title")
    exclude = ("created_by",)


@admin.register(Candidate)
class CandidateAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "selection", "person", "union", "status", "number", "votes", "is_winner")
    list_filter = ("status", "is_winner")
    exclude = ("nominated_by", "reviewed_by", "photo")
    raw_id_fields = ("selection", "person", "union")


@admin.register(Honour)
class HonourAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("person", "title", "level", "year", "union", "status")
    list_filter = ("level", "category", "status", "year")
    search_fields = ("title",)
    exclude = ("recorded_by",)
    raw_id_fields = ("person", "union", "selection", "candidate")
