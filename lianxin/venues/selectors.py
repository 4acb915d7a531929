"""Every read of sites, slots and bookings. Member reads see active sites only; console reads are scoped.

Distance ordering is computed here with the haversine formula: a district has hundreds of sites, not
millions, so ranking the filtered set in Python is cheaper than a geo extension, and no map tiles or
third-party geocoder are involved."""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from lianxin.core.scoping import get_scoped_or_404, scoped
from lianxin.orgs.models import Organization, OrgKind

from .models import Booking, BookingPause, BookingStatus, Site, SiteKind, SitePhoto, Slot

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def parse_point(lat, lng) -> tuple[float, float] | None:
    try:
        la, ln = float(lat), float(lng)
    except (TypeError, ValueError):
        return None
    if not (-90 <= la <= 90 and -180 <= ln <= 180) or math.isnan(la) or math.isnan(ln):
        return None
    return la, ln


def streets():
    return Organization.objects.filter(kind=OrgKind.STREET).order_by("path")


def _filter(qs, *, street_id=None, kind: str = "", q: str = ""):
    if street_id:
        if not 0 < int(street_id) < 2**63:  # foreign-key lookups do not guard the column range themselves
            return qs.none()
        qs = qs.filter(street_id=street_id)
    if kind:
        qs = qs.filter(kind=kind) if kind in SiteKind.values else qs.none()
    q = (q or "").replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(equipment__icontains=q))
    return qs


def member_sites(*, street_id=None, kind: str = "", q: str = "", point: tuple[float, float] | None = None,
                 limit: int = 200) -> list[Site]:
    """Active sites matching the filters; with ``point`` each gets ``distance_km`` and the list is sorted
    nearest first (sites without coordinates last)."""
    qs = _filter(Site.objects.filter(is_active=True).select_related("street"), street_id=street_id, kind=kind,
                 q=q).defer("equipment", "description")
    sites = list(qs[:limit] if point is None else qs)
    if point is None:
        return sites
    for s in sites:
        s.distance_km = (haversine_km(point[0], point[1], s.latitude, s.longitude)
                         if s.latitude is not None else None)
    sites.sort(key=lambda s: (s.distance_km is None, s.distance_km or 0, s.pk))
    return sites[:limit]


def member_site(pk) -> Site:
    try:
        return Site.objects.select_related("street", "org").get(pk=pk, is_active=True)
    except (Site.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def site_photo(user, pk) -> SitePhoto:
    """Photos of active sites are public like the site itself; a closed site's photos only to its staff."""
    photo = SitePhoto.objects.select_related("site").filter(pk=pk).first()
    if photo is None:
        raise Http404
    if photo.site.is_active:
        return photo
    return get_scoped_or_404(SitePhoto.objects.all(), user, pk, "view")


def upcoming_slots(site: Site, *, days: int = 7):
    now = timezone.now()
    return site.slots.filter(starts_at__gt=now, starts_at__lt=now + dt.timedelta(days=days)).order_by("starts_at")


def my_booked_slot_ids(user, slots) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Booking.objects.filter(user=user, slot__in=slots).exclude(status=BookingStatus.CANCELLED)
               .values_list("slot_id", flat=True))


def my_bookings(user):
    return Booking.objects.filter(user=user).select_related("slot__site").order_by("-slot__starts_at")


def active_pause(user) -> BookingPause | None:
    return BookingPause.objects.filter(user=user, until__gt=timezone.now()).first()


# --- console ---------------------------------------------------------------------------------------

def console_sites(actor, *, street_id=None, kind: str = "", q: str = ""):
    return _filter(scoped(Site.objects.select_related("street", "org"), actor, "view"), street_id=street_id,
                   kind=kind, q=q)


def console_site(actor, pk, action: str = "view") -> Site:
    return get_scoped_or_404(Site.objects.select_related("street", "org"), actor, pk, action)


def writable_orgs(actor):
    return scoped(Organization.objects.all(), actor, "change").order_by("path")


def console_slots(site: Site, *, past_days: int = 7):
    since = timezone.now() - dt.timedelta(days=past_days)
    return site.slots.filter(starts_at__gte=since).order_by("starts_at")[:300]


def console_slot(actor, pk) -> Slot:
    return get_scoped_or_404(Slot.objects.select_related("site"), actor, pk, "view")


def slot_bookings(slot: Slot):
    return slot.bookings.select_related("user", "user__person").order_by("id")


def console_booking(actor, pk, action: str = "view") -> Booking:
    return get_scoped_or_404(Booking.objects.select_related("slot"), actor, pk, action)


def paused_users(user_ids) -> dict[int, dt.datetime]:
    return dict(BookingPause.objects.filter(user_id__in=user_ids, until__gt=timezone.now())
                .values_list("user_id", "until"))
