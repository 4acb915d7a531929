"""Back office: read-only, scoped views of the care records. Every write goes through the console and the member
pages (/console/care/, /m/care/), so the places counters, the shares, the one-per-child rule, the rating history
and the audit log are never bypassed."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin

from .models import Campaign, CampaignShare, CampaignSignup, CareClass, Enrolment, Room, RoomRating


@admin.register(Campaign)
class CampaignAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("title", "org", "kind", "starts_at", "places", "remaining", "status")
    list_filter = ("status", "kind")
    search_fields = ("title", "place")
    exclude = ("created_by",)
    raw_id_fields = ("org",)


@admin.register(CampaignShare)
class CampaignShareAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("campaign", "union", "places", "taken")
    raw_id_fields = ("campaign", "union")


@admin.register(CampaignSignup)
class CampaignSignupAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "campaign", "person", "union", "age", "status", "signed_at")
    list_filter = ("status",)
    exclude = ("marked_by",)
    raw_id_fields = ("campaign", "person", "union", "share")


@admin.register(CareClass)
class CareClassAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("title", "org", "starts_on", "ends_on", "places", "remaining", "status")
    list_filter = ("status",)
    exclude = ("created_by",)
    raw_id_fields = ("org",)


@admin.register(Enrolment)
class EnrolmentAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "care_class", "child_name", "child_id_masked", "guardian", "status")
    list_filter = ("status",)
    # ciphertexts and blind indexes are never shown; the masked copies are
    exclude = ("child_id_cipher", "child_id_bidx", "guardian_mobile_cipher")
    raw_id_fields = ("care_class", "guardian", "union")


@admin.register(Room)
class RoomAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("enterprise_name", "union", "area_m2", "status", "stars")
    list_filter = ("status", "stars")
    raw_id_fields = ("union",)


@admin.register(RoomRating)
class RoomRatingAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("room", "stars", "previous", "reason", "rated_at")
    exclude = ("rated_by",)
    raw_id_fields = ("room",)
