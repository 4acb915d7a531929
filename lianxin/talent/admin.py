"""Back office: read-only, scoped views of selections, candidates and the 劳模工匠库. Every step of a selection,
every vote and every honour goes through the console (/console/talent/, /m/selections/) so the state machine,
the vote limits and the audit log are never bypassed. Votes themselves are not listed (who voted for whom is
not for the back office); nor are the judges' marks of 创新成果评审.

劳动竞赛 and 创新成果评审 are listed here too; their steps go through /console/talent/competitions/ and
/console/talent/innovation/ for the same reason."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin

from .models import Candidate, Competition, Contestant, Honour, InnovationEntry, InnovationRound, Selection


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
    raw_id_fields = ("person", "union", "selection", "candidate", "contestant")


@admin.register(Competition)
class CompetitionAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("title", "trade", "org", "status", "entrants", "max_entrants", "union_cap")
    list_filter = ("status", "level")
    search_fields = ("title", "trade")
    exclude = ("created_by",)


@admin.register(Contestant)
class ContestantAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "competition", "person", "union", "theory", "practice", "rank", "awarded")
    list_filter = ("awarded",)
    exclude = ("entered_by", "scored_by")
    raw_id_fields = ("competition", "person", "union")


@admin.register(InnovationRound)
class InnovationRoundAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("title", "org", "status", "submit_until", "first_prizes", "second_prizes", "third_prizes")
    list_filter = ("status",)
    search_fields = ("title",)
    exclude = ("created_by",)


@admin.register(InnovationEntry)
class InnovationEntryAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("title", "round", "union", "category", "average", "rank", "prize")
    list_filter = ("category", "prize")
    search_fields = ("title", "team")
    exclude = ("submitted_by",)
    raw_id_fields = ("round", "union")
