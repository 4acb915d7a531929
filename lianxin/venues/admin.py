"""Back office: read-only, scoped views of sites, slots and bookings. Changes go through the console
(/console/venues/) so the booking rules and the audit log are never bypassed."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin

from .models import Booking, Site, Slot


@admin.register(Site)
class SiteAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("name", "kind", "street", "org", "bookable", "is_active")
    list_filter = ("kind", "bookable", "is_active")
    search_fields = ("name", "address")


@admin.register(Slot)
class SlotAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("site", "starts_at", "ends_at", "capacity", "booked")
    date_hierarchy = "starts_at"


@admin.register(Booking)
class BookingAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("id", "slot", "status", "created_at")
    list_filter = ("status",)
    exclude = ("user", "marked_by")
