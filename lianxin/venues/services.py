"""Every write to service sites, slots and bookings.

Booking rules, and where each one holds:
* capacity — ``UPDATE slot SET booked = booked + 1 WHERE id = ? AND booked < capacity`` (plus a CHECK
  constraint as the backstop): of two concurrent requests for the last place exactly one updates a row;
* one booking per member per slot — a partial unique index; the losing insert raises IntegrityError inside a
  savepoint that also undoes its increment;
* cancellation only until CANCEL_CUTOFF before the start (a conditional UPDATE on status, so a double click
  frees one place, not two);
* NO_SHOW_LIMIT no-shows within NO_SHOW_WINDOW pause booking for PAUSE_FOR (a BookingPause row, checked
  when booking).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lianxin.content import files
from lianxin.content.weeks import SHANGHAI
from lianxin.core import audit, notify
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import get_scoped_or_404, require
from lianxin.orgs.models import Organization, OrgKind

from .models import Booking, BookingPause, BookingStatus, Site, SiteKind, SitePhoto, Slot

CANCEL_CUTOFF = dt.timedelta(hours=2)
NO_SHOW_LIMIT = 3
NO_SHOW_WINDOW = dt.timedelta(days=60)
PAUSE_FOR = dt.timedelta(days=30)
MAX_PHOTOS = 6
MAX_SLOT_DAYS = 62

SITE_FIELDS = ("kind", "name", "address", "opening_hours", "equipment", "description", "contact_name",
               "contact_phone", "latitude", "longitude", "bookable", "is_active")


def _clean_site(org, street, data: dict) -> dict:
    out = {}
    if street is None or street.kind != OrgKind.STREET:
        raise ServiceError("请选择所在街道/园区", field="street")
    # a street's own unions register sites in that street; only district-level bodies place them anywhere
    home = Organization.objects.filter(path=org.street_path, kind=OrgKind.STREET).first() if org.depth else None
    if home is not None and home.pk != street.pk:
        raise ServiceError(f"管理组织属于{home.name}，阵地所在街道应为{home.name}", field="street")
    if data.get("kind") not in SiteKind.values:
        raise ServiceError("请选择阵地类型", field="kind")
    out["kind"] = data["kind"]
    for f, label, n, req in (("name", "名称", 100, True), ("address", "地址", 200, True),
                             ("opening_hours", "开放时间", 200, False), ("equipment", "设施设备", 2000, False),
                             ("description", "简介", 2000, False), ("contact_name", "联系人", 50, False),
                             ("contact_phone", "联系电话", 30, False)):
        v = (data.get(f) or "").strip()
        if req and not v:
            raise ServiceError(f"请填写{label}", field=f)
        if len(v) > n:
            raise ServiceError(f"{label}不能超过 {n} 字", field=f)
        out[f] = v
    lat, lng = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lng is None):
        raise ServiceError("经纬度需同时填写", field="latitude")
    if lat is not None and not (-90 <= float(lat) <= 90):
        raise ServiceError("纬度应在 -90 到 90 之间", field="latitude")
    if lng is not None and not (-180 <= float(lng) <= 180):
        raise ServiceError("经度应在 -180 到 180 之间", field="longitude")
    out["latitude"] = None if lat is None else float(lat)
    out["longitude"] = None if lng is None else float(lng)
    out["bookable"] = bool(data.get("bookable"))
    out["is_active"] = bool(data.get("is_active", True))
    return out


def create_site(*, actor, org: Organization, street: Organization, **data) -> Site:
    require(actor, "change", org.path, "您无权为该组织登记服务阵地")
    fields = _clean_site(org, street, data)
    with transaction.atomic():
        site = Site.objects.create(org=org, street=street, **fields)
        audit.record(actor=actor, action="venues.site_create", obj=site, org_path=org.path,
                     detail={"name": site.name})
    return site


def update_site(*, actor, site_id, street: Organization, **data) -> Site:
    with transaction.atomic():
        site = get_scoped_or_404(Site.objects.select_related("org"), actor, site_id, "change", for_update=True)
        fields = _clean_site(site.org, street, data)
        site.street = street
        for k, v in fields.items():
            setattr(site, k, v)
        site.save()
    return site


def add_site_photo(*, actor, site_id, image, caption: str = "") -> SitePhoto:
    """Photos are checked by content and re-encoded (EXIF/GPS stripped, ≤960 px) before storage."""
    ext, data = files.prepare_image(image, field="image")
    with transaction.atomic():
        site = get_scoped_or_404(Site.objects.all(), actor, site_id, "change", for_update=True)
        if site.photos.count() >= MAX_PHOTOS:
            raise ServiceError(f"每个阵地最多 {MAX_PHOTOS} 张照片", field="image")
        photo = SitePhoto(site=site, caption=(caption or "").strip()[:100])
        photo.image.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
        photo.save()
    return photo


def delete_site_photo(*, actor, photo_id) -> None:
    with transaction.atomic():
        photo = get_scoped_or_404(SitePhoto.objects.all(), actor, photo_id, "change", for_update=True)
        photo.image.delete(save=False)
        photo.delete()


def create_slots(*, actor, site_id, first_day: dt.date, days: int, times: list[tuple[dt.time, dt.time]],
                 capacity: int) -> int:
    """Open the same daily time slots on ``days`` consecutive days (Shanghai time). Slots that already exist
    (same start) are left as they are. Returns how many were created."""
    if not 1 <= days <= MAX_SLOT_DAYS:
        raise ServiceError(f"天数应在 1 到 {MAX_SLOT_DAYS} 之间", field="days")
    if not 1 <= capacity <= 1000:
        raise ServiceError("每个时段名额应在 1 到 1000 之间", field="capacity")
    if not times:
        raise ServiceError("请至少填写一个时段", field="times")
    for start, end in times:
        if end <= start:
            raise ServiceError("时段结束时间应晚于开始时间", field="times")
    with transaction.atomic():
        site = get_scoped_or_404(Site.objects.all(), actor, site_id, "change", for_update=True)
        if not site.bookable:
            raise ServiceError("该阵地未开放预约，请先设为可预约", field="bookable")
        rows = []
        for d in range(days):
            day = first_day + dt.timedelta(days=d)
            for start, end in times:
                rows.append(Slot(site=site, capacity=capacity,
                                 starts_at=dt.datetime.combine(day, start, tzinfo=SHANGHAI),
                                 ends_at=dt.datetime.combine(day, end, tzinfo=SHANGHAI)))
        before = site.slots.count()
        Slot.objects.bulk_create(rows, ignore_conflicts=True)
        created = site.slots.count() - before
        audit.record(actor=actor, action="venues.slots_create", obj=site, org_path=site.org.path,
                     detail={"first_day": first_day, "days": days, "capacity": capacity, "created": created})
    return created


def _require_member(actor):
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "person_id", None):
        raise PermissionDenied("仅限已登记的工会会员预约")


def book_slot(*, actor, slot_id) -> Booking:
    _require_member(actor)
    now = timezone.now()
    pause = BookingPause.objects.filter(user=actor, until__gt=now).first()
    if pause:
        until = timezone.localtime(pause.until, SHANGHAI)
        raise ServiceError(f"因多次预约未到场，预约功能暂停至 {until:%Y-%m-%d %H:%M}", field="slot",
                           code="paused")
    slot = (Slot.objects.select_related("site").filter(pk=slot_id, site__is_active=True, site__bookable=True)
            .first() if str(slot_id).isdigit() else None)
    if slot is None:
        raise ServiceError("该时段不存在或已停止预约", field="slot", code="not_found")
    if slot.starts_at <= now:
        raise ServiceError("该时段已开始，不能预约", field="slot")
    if Booking.objects.filter(slot=slot, user=actor).exclude(status=BookingStatus.CANCELLED).exists():
        raise ServiceError("您已预约过这个时段", field="slot", code="duplicate")
    try:
        with transaction.atomic():
            took = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
            if not took:
                raise ServiceError("该时段已约满", field="slot", code="full")
            booking = Booking.objects.create(slot=slot, user=actor)
            start = timezone.localtime(slot.starts_at, SHANGHAI)
            notify.enqueue(channel="inapp", user=actor, template="venues.booked", title="预约成功",
                           body=f"您已预约 {slot.site.name} {start:%m月%d日 %H:%M} 的时段，地址：{slot.site.address}。",
                           dedupe_key=f"venues.booked:{booking.pk}")
    except IntegrityError:
        # the partial unique index caught a concurrent duplicate; the savepoint undid our increment
        raise ServiceError("您已预约过这个时段", field="slot", code="duplicate") from None
    return booking


def cancel_booking(*, actor, booking_id) -> Booking:
    now = timezone.now()
    with transaction.atomic():
        booking = (Booking.objects.select_for_update(of=("self",)).select_related("slot")
                   .filter(pk=booking_id, user=actor).first() if str(booking_id).isdigit() else None)
        if booking is None:
            raise ServiceError("未找到该预约", field="booking", code="not_found")
        if booking.status != BookingStatus.BOOKED:
            raise ServiceError("该预约已取消或已结束", field="booking")
        if now > booking.slot.starts_at - CANCEL_CUTOFF:
            hours = int(CANCEL_CUTOFF.total_seconds() // 3600)
            raise ServiceError(f"开始前 {hours} 小时内不能取消，如无法到场请联系阵地", field="booking")
        changed = Booking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
            status=BookingStatus.CANCELLED, cancelled_at=now)
        if changed:
            Slot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
        booking.refresh_from_db()
    return booking


def mark_attendance(*, actor, booking_id, attended: bool) -> Booking:
    """Staff record whether a member came. A no-show that brings the member to NO_SHOW_LIMIT within
    NO_SHOW_WINDOW pauses their booking for PAUSE_FOR."""
    now = timezone.now()
    with transaction.atomic():
        booking = get_scoped_or_404(Booking.objects.select_related("slot__site__org"), actor, booking_id,
                                    "change", for_update=True)
        if booking.status == BookingStatus.CANCELLED:
            raise ServiceError("已取消的预约不能登记到场情况", field="booking")
        if booking.slot.starts_at > now:
            raise ServiceError("时段尚未开始，不能登记到场情况", field="booking")
        booking.status = BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW
        booking.marked_at, booking.marked_by = now, actor
        booking.save(update_fields=["status", "marked_at", "marked_by"])
        paused = None
        if not attended:
            recent = Booking.objects.filter(user_id=booking.user_id, status=BookingStatus.NO_SHOW,
                                            slot__starts_at__gte=now - NO_SHOW_WINDOW).count()
            if recent >= NO_SHOW_LIMIT:
                paused, _ = BookingPause.objects.update_or_create(
                    user_id=booking.user_id,
                    defaults={"until": now + PAUSE_FOR,
                              "reason": f"{NO_SHOW_WINDOW.days} 天内 {recent} 次预约未到场"})
        if paused:
            until = timezone.localtime(paused.until, SHANGHAI)
            notify.enqueue(channel="inapp", user=booking.user, template="venues.paused",
                           title="预约功能已暂停",
                           body=f"您近 {NO_SHOW_WINDOW.days} 天内有 {NO_SHOW_LIMIT} 次预约未到场，"
                                f"预约功能暂停至 {until:%Y-%m-%d %H:%M}。如有特殊情况请联系阵地。",
                           dedupe_key=f"venues.paused:{booking.user_id}:{paused.until:%Y%m%d%H%M}")
        audit.record(actor=actor, action="venues.attendance", obj=booking, org_path=booking.slot.site.org.path,
                     detail={"attended": attended, "paused_until": paused.until if paused else None})
    return booking


def lift_pause(*, actor, user_id, reason: str) -> None:
    """Staff may lift a pause early (e.g. a documented illness); audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写解除原因", field="reason")
    with transaction.atomic():
        pause = BookingPause.objects.select_for_update().filter(user_id=user_id).first()
        if pause is None:
            return
        # only staff who manage a site the member has booked may lift it
        from lianxin.core.scoping import scoped

        if not scoped(Booking.objects.filter(user_id=user_id), actor, "change").exists():
            raise PermissionDenied()
        pause.delete()
        audit.record(actor=actor, action="venues.pause_lift", object_type="accounts.user",
                     object_id=str(user_id), reason=reason)
