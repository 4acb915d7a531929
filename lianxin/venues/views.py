"""Service-site pages: member H5 (/m/sites/, /m/my/bookings/) and the console (/console/venues/)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianxin.content.access import is_member, send_file
from lianxin.core.errors import ServiceError
from lianxin.core.scoping import can, offers
from lianxin.core.views import form_error, member_required, paginate, staff_required

from . import selectors, services
from .forms import PhotoForm, SiteForm, SlotsForm
from .models import SiteKind


def _int(v):
    return int(v) if v and str(v).isdigit() else None


# --- member pages ----------------------------------------------------------------------------------

def site_list(request):
    street_id, kind, q = _int(request.GET.get("street")), request.GET.get("kind", ""), request.GET.get("q", "")
    kind = kind if kind in SiteKind.values else ""
    point = selectors.parse_point(request.GET.get("lat"), request.GET.get("lng"))
    sites = selectors.member_sites(street_id=street_id, kind=kind, q=q.strip(), point=point)
    return render(request, "venues/m_site_list.html", {
        "sites": sites, "streets": selectors.streets(), "kinds": SiteKind.choices, "street_id": street_id,
        "kind": kind, "q": q, "point": point})


def site_detail(request, pk):
    site = selectors.member_site(pk)
    slots = list(selectors.upcoming_slots(site)) if site.bookable else []
    return render(request, "venues/m_site_detail.html", {
        "s": site, "photos": site.photos.all(), "slots": slots,
        "mine": selectors.my_booked_slot_ids(request.user, slots), "member": is_member(request.user),
        "pause": selectors.active_pause(request.user) if is_member(request.user) else None})


def site_photo(request, pk):
    return send_file(selectors.site_photo(request.user, pk).image, cache_seconds=86400)


@member_required
@require_POST
def book(request, slot_id):
    try:
        b = services.book_slot(actor=request.user, slot_id=slot_id)
    except ServiceError as e:
        messages.error(request, e.message)
        site_id = request.POST.get("site")
        return redirect(f"/m/sites/{int(site_id)}/" if site_id and site_id.isdigit() else "/m/my/bookings/")
    messages.success(request, f"预约成功：{b.slot.site.name}")
    return redirect("/m/my/bookings/")


@member_required
def my_bookings(request):
    return render(request, "venues/m_my_bookings.html", {
        "page": paginate(request, selectors.my_bookings(request.user), 20),
        "pause": selectors.active_pause(request.user), "cutoff_hours": int(services.CANCEL_CUTOFF.seconds / 3600)})


@member_required
@require_POST
def cancel(request, pk):
    try:
        services.cancel_booking(actor=request.user, booking_id=pk)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已取消预约")
    return redirect("/m/my/bookings/")


# --- console ---------------------------------------------------------------------------------------

@staff_required
def console_sites(request):
    street_id, kind, q = _int(request.GET.get("street")), request.GET.get("kind", ""), request.GET.get("q", "")
    qs = selectors.console_sites(request.user, street_id=street_id, kind=kind, q=q.strip())
    return render(request, "venues/console_sites.html", {
        "page": paginate(request, qs), "streets": selectors.streets(), "kinds": SiteKind.choices,
        "street_id": street_id, "kind": kind, "q": q})


def _site_data(d):
    return {k: d[k] for k in services.SITE_FIELDS}


@staff_required
@offers("change")
def console_site_new(request):
    orgs = selectors.writable_orgs(request.user)
    form = SiteForm(request.POST or None, orgs=orgs, streets=selectors.streets(), initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            s = services.create_site(actor=request.user, org=d["org"], street=d["street"], **_site_data(d))
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "已登记")
            return redirect(f"/console/venues/{s.pk}/")
    return render(request, "venues/console_site_form.html", {"form": form, "no_orgs": not orgs.exists()},
                  status=400 if form.errors else 200)


def _site_page(request, s, *, slots_form=None, photo_form=None, status=200):
    """The site's console page. A refused slot or photo form comes back here bound, with its errors next to
    the fields and the values as typed (status 400), not as a message above a blank form."""
    return render(request, "venues/console_site.html", {
        "s": s, "editable": can(request.user, "change", s.org.path), "photos": s.photos.all(),
        "slots": selectors.console_slots(s), "slots_form": slots_form or SlotsForm(),
        "photo_form": photo_form or PhotoForm()}, status=status)


@staff_required
def console_site(request, pk):
    return _site_page(request, selectors.console_site(request.user, pk))


@staff_required
def console_site_edit(request, pk):
    s = selectors.console_site(request.user, pk, "change")
    initial = {k: getattr(s, k) for k in services.SITE_FIELDS} | {"street": s.street_id}
    form = SiteForm(request.POST or None, initial=initial, streets=selectors.streets(), editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_site(actor=request.user, site_id=s.pk, street=d["street"], **_site_data(d))
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "已保存")
            return redirect(f"/console/venues/{s.pk}/")
    return render(request, "venues/console_site_form.html", {"form": form, "s": s},
                  status=400 if form.errors else 200)


@staff_required
def console_slots_create(request, pk):
    s = selectors.console_site(request.user, pk, "change")
    if request.method != "POST":  # the URL a refused form was answered at: reloading it shows the site
        return redirect(f"/console/venues/{s.pk}/")
    form = SlotsForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            n = services.create_slots(actor=request.user, site_id=s.pk, first_day=d["first_day"], days=d["days"],
                                      times=d["times"], capacity=d["capacity"])
        except ServiceError as e:
            if e.code == "forbidden":
                raise
            form_error(form, e)
        else:
            messages.success(request, f"已开放 {n} 个时段")
            return redirect(f"/console/venues/{s.pk}/")
    return _site_page(request, s, slots_form=form, status=400)


@staff_required
def console_photo_add(request, pk):
    s = selectors.console_site(request.user, pk, "change")
    if request.method != "POST":
        return redirect(f"/console/venues/{s.pk}/")
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_site_photo(actor=request.user, site_id=s.pk, image=form.cleaned_data["image"],
                                    caption=form.cleaned_data["caption"])
        except ServiceError as e:
            if e.code == "forbidden":
                raise
            form_error(form, e)
        else:
            messages.success(request, "照片已上传")
            return redirect(f"/console/venues/{s.pk}/")
    return _site_page(request, s, photo_form=form, status=400)


@staff_required
@require_POST
def console_photo_delete(request, pk, photo_id):
    services.delete_site_photo(actor=request.user, photo_id=photo_id)
    messages.success(request, "照片已删除")
    return redirect(f"/console/venues/{pk}/")


@staff_required
def console_slot(request, pk):
    slot = selectors.console_slot(request.user, pk)
    bookings = list(selectors.slot_bookings(slot))
    paused = selectors.paused_users({b.user_id for b in bookings})
    for b in bookings:
        b.paused_until = paused.get(b.user_id)
    return render(request, "venues/console_slot.html", {
        "slot": slot, "bookings": bookings, "editable": can(request.user, "change", slot.site.org.path)})


@staff_required
@require_POST
def console_lift_pause(request, pk):
    """Lift a member's booking pause early, from a booking of theirs the staff member manages."""
    booking = selectors.console_booking(request.user, pk, "change")
    try:
        services.lift_pause(actor=request.user, user_id=booking.user_id, reason=request.POST.get("reason", ""))
    except ServiceError as e:
        if e.code == "forbidden":
            raise
        messages.error(request, e.message)
    else:
        messages.success(request, "已解除预约暂停")
    return redirect(f"/console/venues/slots/{booking.slot_id}/")


@staff_required
@require_POST
def console_mark(request, pk):
    attended = request.POST.get("attended") == "1"
    try:
        b = services.mark_attendance(actor=request.user, booking_id=pk, attended=attended)
    except ServiceError as e:
        if e.code == "forbidden":
            raise
        messages.error(request, e.message)
        slot_id = request.POST.get("slot", "")
        return redirect(f"/console/venues/slots/{int(slot_id)}/" if slot_id.isdigit() else "/console/venues/")
    messages.success(request, "已登记到场" if attended else "已登记爽约")
    return redirect(f"/console/venues/slots/{b.slot_id}/")
