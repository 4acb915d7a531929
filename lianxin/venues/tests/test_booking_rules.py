"""Booking rules: capacity, one booking per member per slot, cancellation cut-off, no-show pause."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.venues import services
from lianxin.venues.models import Booking, BookingPause, BookingStatus, Slot

from .conftest import make_slot, new_member


@pytest.mark.pg
def test_never_over_capacity(district, site):
    slot = make_slot(site, capacity=2)
    a, b, c = (new_member(district) for _ in range(3))
    services.book_slot(actor=a, slot_id=slot.pk)
    services.book_slot(actor=b, slot_id=slot.pk)
    with pytest.raises(ServiceError) as e:
        services.book_slot(actor=c, slot_id=slot.pk)
    assert e.value.code == "full"
    slot.refresh_from_db()
    assert slot.booked == 2 and Booking.objects.filter(slot=slot).count() == 2


@pytest.mark.pg
def test_database_refuses_over_capacity_and_duplicates_even_without_the_service(district, site):
    slot = make_slot(site, capacity=1)
    m = new_member(district)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked=2)
    Booking.objects.create(slot=slot, user=m)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(slot=slot, user=m)


@pytest.mark.pg
def test_one_booking_per_member_per_slot_and_rebook_after_cancel(district, site):
    slot = make_slot(site, capacity=5, hours_ahead=48)
    m = new_member(district)
    first = services.book_slot(actor=m, slot_id=slot.pk)
    with pytest.raises(ServiceError) as e:
        services.book_slot(actor=m, slot_id=slot.pk)
    assert e.value.code == "duplicate"
    services.cancel_booking(actor=m, booking_id=first.pk)
    slot.refresh_from_db()
    assert slot.booked == 0
    services.book_slot(actor=m, slot_id=slot.pk)
    slot.refresh_from_db()
    assert slot.booked == 1


def test_cancellation_cut_off(district, site):
    m = new_member(district)
    soon = make_slot(site, hours_ahead=1.5)
    later = make_slot(site, hours_ahead=3)
    b_soon = services.book_slot(actor=m, slot_id=soon.pk)
    b_later = services.book_slot(actor=m, slot_id=later.pk)
    with pytest.raises(ServiceError, match="2 小时内不能取消"):
        services.cancel_booking(actor=m, booking_id=b_soon.pk)
    services.cancel_booking(actor=m, booking_id=b_later.pk)
    with pytest.raises(ServiceError):  # a second cancel frees nothing more
        services.cancel_booking(actor=m, booking_id=b_later.pk)
    later.refresh_from_db()
    soon.refresh_from_db()
    assert later.booked == 0 and soon.booked == 1


def test_cannot_cancel_someone_elses_booking(district, site):
    a, b = new_member(district), new_member(district)
    booking = services.book_slot(actor=a, slot_id=make_slot(site).pk)
    with pytest.raises(ServiceError):
        services.cancel_booking(actor=b, booking_id=booking.pk)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED


def test_only_members_book_future_slots_of_bookable_sites(district, site):
    with pytest.raises(PermissionDenied):
        services.book_slot(actor=district.users["street_a.admin"], slot_id=make_slot(site).pk)
    m = new_member(district)
    past = make_slot(site, hours_ahead=-1)
    with pytest.raises(ServiceError, match="已开始"):
        services.book_slot(actor=m, slot_id=past.pk)
    slot = make_slot(site, hours_ahead=30)
    site.bookable = False
    site.save()
    with pytest.raises(ServiceError):
        services.book_slot(actor=m, slot_id=slot.pk)


def _no_show(district, site, member, days_ago: float):
    slot = make_slot(site, hours_ahead=10)
    b = services.book_slot(actor=member, slot_id=slot.pk)
    Slot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - dt.timedelta(days=days_ago),
                                           ends_at=timezone.now() - dt.timedelta(days=days_ago) + dt.timedelta(hours=1))
    return services.mark_attendance(actor=district.users["street_a.admin"], booking_id=b.pk, attended=False)


def test_three_no_shows_in_sixty_days_pause_booking(district, site):
    m = new_member(district)
    _no_show(district, site, m, 50)
    _no_show(district, site, m, 10)
    services.book_slot(actor=m, slot_id=make_slot(site).pk)  # two no-shows: still allowed
    _no_show(district, site, m, 1)
    pause = BookingPause.objects.get(user=m)
    assert dt.timedelta(days=29) < pause.until - timezone.now() <= services.PAUSE_FOR
    with pytest.raises(ServiceError) as e:
        services.book_slot(actor=m, slot_id=make_slot(site).pk)
    assert e.value.code == "paused"
    # once the pause has run out, booking works again
    BookingPause.objects.filter(user=m).update(until=timezone.now() - dt.timedelta(seconds=1))
    services.book_slot(actor=m, slot_id=make_slot(site).pk)


def test_old_no_shows_do_not_count(district, site):
    m = new_member(district)
    _no_show(district, site, m, 100)
    _no_show(district, site, m, 70)
    _no_show(district, site, m, 1)
    assert not BookingPause.objects.filter(user=m).exists()


def test_attendance_only_after_start_and_only_by_site_staff(district, site):
    m = new_member(district)
    b = services.book_slot(actor=m, slot_id=make_slot(site).pk)
    with pytest.raises(ServiceError, match="尚未开始"):
        services.mark_attendance(actor=district.users["street_a.admin"], booking_id=b.pk, attended=True)
    from django.http import Http404

    with pytest.raises(Http404):
        services.mark_attendance(actor=district.users["street_b.admin"], booking_id=b.pk, attended=False)
    with pytest.raises(PermissionDenied):
        services.mark_attendance(actor=district.users["street_a.viewer"], booking_id=b.pk, attended=False)


def test_member_pages_book_and_cancel(client, district, site):
    m = new_member(district)
    slot = make_slot(site, hours_ahead=30)
    client.force_login(m)
    html = client.get(f"/m/sites/{site.pk}/").content.decode()
    assert f'action="/m/sites/slots/{slot.pk}/book/"' in html
    r = client.post(f"/m/sites/slots/{slot.pk}/book/", {"site": site.pk})
    assert r.status_code == 302 and r["Location"] == "/m/my/bookings/"
    html = client.get("/m/my/bookings/").content.decode()
    assert site.name in html and "取消预约" in html
    b = Booking.objects.get(user=m)
    client.post(f"/m/my/bookings/{b.pk}/cancel/")
    assert Booking.objects.get(pk=b.pk).status == BookingStatus.CANCELLED
    # a repeated booking attempt via the page shows the message rather than a 500
    client.post(f"/m/sites/slots/{slot.pk}/book/", {"site": site.pk})
    r = client.post(f"/m/sites/slots/{slot.pk}/book/", {"site": site.pk}, follow=True)
    assert "您已预约过这个时段" in r.content.decode()


def test_console_creates_slots_for_seven_days(client, district, site):
    client.force_login(district.users["street_a.admin"])
    first = timezone.localdate() + dt.timedelta(days=1)
    r = client.post(f"/console/venues/{site.pk}/slots/", {"first_day": first.isoformat(), "days": 7,
                                                            "times": "09:00-11:00，14:00-16:00", "capacity": 8})
    assert r.status_code == 302
    assert Slot.objects.filter(site=site).count() == 14
    client.post(f"/console/venues/{site.pk}/slots/", {"first_day": first.isoformat(), "days": 7,
                                                       "times": "09:00-11:00", "capacity": 8})
    assert Slot.objects.filter(site=site).count() == 14  # existing starts are left alone
    s = Slot.objects.filter(site=site).order_by("starts_at").first()
    assert timezone.localtime(s.starts_at).hour == 9 and s.capacity == 8


def test_pause_is_notified_shown_to_staff_and_can_be_lifted_with_a_reason(client, district, site):
    from lianxin.core.notify import inbox

    m = new_member(district)
    last = None
    for days in (30, 20, 1):
        last = _no_show(district, site, m, days)
    assert [n.template for n in inbox(m)][:1] == ["venues.paused"]
    client.force_login(district.users["street_a.admin"])
    html = client.get(f"/console/venues/slots/{last.slot_id}/").content.decode()
    assert "预约暂停至" in html and "解除暂停" in html
    client.force_login(district.users["street_b.admin"])
    assert client.post(f"/console/venues/bookings/{last.pk}/lift-pause/", {"reason": "x"}).status_code == 404
    client.force_login(district.users["street_a.admin"])
    client.post(f"/console/venues/bookings/{last.pk}/lift-pause/", {"reason": ""})
    assert BookingPause.objects.filter(user=m).exists()
    client.post(f"/console/venues/bookings/{last.pk}/lift-pause/", {"reason": "住院证明已核实"})
    assert not BookingPause.objects.filter(user=m).exists()
    services.book_slot(actor=m, slot_id=make_slot(site).pk)
    assert "venues.booked" in [n.template for n in inbox(m)]
