"""JSON API for service sites and bookings (/api/v1/venues/), for the WeChat front ends.

Sites and their upcoming slots are public; booking, cancelling and "my bookings" need a signed-in member and
go through the same services (and database limits) as the H5 pages."""

import datetime as dt

from ninja import Router, Schema, Status

from lianxin.core.api_errors import WRITE, answers

from . import selectors, services

router = Router(tags=["服务阵地与预约"])


class SiteOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    street_id: int
    street_name: str
    address: str
    opening_hours: str
    latitude: float | None
    longitude: float | None
    bookable: bool
    distance_km: float | None = None

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_street_name(obj):
        return obj.street.name

    @staticmethod
    def resolve_distance_km(obj):
        d = getattr(obj, "distance_km", None)
        return round(d, 2) if d is not None else None


class SlotOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    remaining: int


class SiteDetailOut(SiteOut):
    equipment: str
    description: str
    contact_name: str
    contact_phone: str
    photo_urls: list[str]
    slots: list[SlotOut]

    @staticmethod
    def resolve_photo_urls(obj):
        return [f"/m/sites/photos/{p.pk}/" for p in obj.photos.all()]

    @staticmethod
    def resolve_slots(obj):
        return list(selectors.upcoming_slots(obj)) if obj.bookable else []


class BookingOut(Schema):
    id: int
    status: str
    status_label: str
    site_id: int
    site_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_site_id(obj):
        return obj.slot.site_id

    @staticmethod
    def resolve_site_name(obj):
        return obj.slot.site.name

    @staticmethod
    def resolve_starts_at(obj):
        return obj.slot.starts_at

    @staticmethod
    def resolve_ends_at(obj):
        return obj.slot.ends_at


@router.get("/sites", response=answers(list[SiteOut], 422), auth=None)
def list_sites(request, street: int | None = None, kind: str = "", q: str = "", lat: float | None = None,
               lng: float | None = None):
    point = selectors.parse_point(lat, lng) if lat is not None and lng is not None else None
    return selectors.member_sites(street_id=street, kind=kind, q=q.strip(), point=point)


@router.get("/sites/{site_id}", response=answers(SiteDetailOut, 404, 422), auth=None)
def get_site(request, site_id: int):
    return selectors.member_site(site_id)


@router.post("/slots/{slot_id}/book", response=answers(BookingOut, *WRITE, 404, 422, status=201))
def book(request, slot_id: int):
    return Status(201, services.book_slot(actor=request.user, slot_id=slot_id))


@router.get("/bookings", response=answers(list[BookingOut]))
def my_bookings(request):
    return list(selectors.my_bookings(request.user)[:100])


@router.post("/bookings/{booking_id}/cancel", response=answers(BookingOut, *WRITE, 404, 422))
def cancel(request, booking_id: int):
    return services.cancel_booking(actor=request.user, booking_id=booking_id)
