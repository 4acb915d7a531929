"""女职工与留守关爱 pages: the console (campaigns with their shares, sign-ups, 已参加/未到 and the export; care
classes with their roll and daily attendance) and the member's H5 pages under /m/care/ (campaigns open to her,
signing up and withdrawing; the classes, enrolling a child and cancelling). Thin: parse, call a service or
selector, render."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, offers
from lianxin.core.views import form_error, member_required, paginate, staff_required
from lianxin.orgs.models import Organization
from lianxin.portal.services import current_membership

from . import selectors, services
from .forms import ALIASES, CampaignEditForm, CampaignForm, ClassEditForm, ClassForm, EnrolForm, RoomForm
from .models import Campaign, CampaignSignup, CareClass, Enrolment, Room

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTERS = [("upcoming", "未结束"), ("ended", "已结束"), ("cancelled", "已取消")]


# ---------------------------------------------------------------- console: campaigns


@staff_required
def console_list(request):
    status = request.GET.get("status", "")
    return render(
        request,
        "care/console/list.html",
        {
            "page": paginate(request, selectors.staff_campaigns(actor=request.user, status=status)),
            "status": status,
            "statuses": FILTERS,
            "tab": "campaigns",
        },
    )


@staff_required
@offers("change")
def campaign_new(request):
    form = CampaignForm(request.POST or None, orgs=selectors.organiser_orgs(actor=request.user))
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            c = services.create_campaign(actor=request.user, **d)
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已发布“{c.title}”，范围内的女职工可以在手机上报名")
            return redirect(f"/console/care/{c.pk}/")
    return render(
        request,
        "care/console/form.html",
        {"form": form, "heading": "发布女职工关爱行动", "back": "/console/care/", "crumb": "关爱行动"},
        status=400 if form.errors else 200,
    )


def _edit(request, obj, form, save, *, heading, back, crumb):
    if request.method == "POST" and form.is_valid():
        try:
            save(**form.cleaned_data)
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已保存“{form.cleaned_data['title']}”的修改")
            return redirect(back)
    return render(
        request,
        "care/console/form.html",
        {"form": form, "heading": heading, "back": back, "crumb": crumb, "editing": True, "taken": obj.taken},
        status=400 if form.errors else 200,
    )


@staff_required
def campaign_edit(request, pk):
    c = selectors.campaign_detail(actor=request.user, pk=pk, action="change")
    form = CampaignEditForm(
        request.POST or None, initial={f: getattr(c, f) for f in services.CAMPAIGN_EDITABLE}
    )
    return _edit(
        request,
        c,
        form,
        lambda **d: services.update_campaign(actor=request.user, campaign=c, **d),
        heading=f"修改关爱行动：{c.title}",
        back=f"/console/care/{c.pk}/",
        crumb="关爱行动",
    )


@staff_required
def class_edit(request, pk):
    k = selectors.class_detail(actor=request.user, pk=pk, action="change")
    form = ClassEditForm(request.POST or None, initial={f: getattr(k, f) for f in services.CLASS_EDITABLE})
    return _edit(
        request,
        k,
        form,
        lambda **d: services.update_class(actor=request.user, care_class=k, **d),
        heading=f"修改暑期托管班：{k.title}",
        back=f"/console/care/classes/{k.pk}/",
        crumb="暑期托管班",
    )


@staff_required
def campaign_detail(request, pk):
    c = selectors.campaign_detail(actor=request.user, pk=pk)
    now = timezone.now()
    organiser = can(request.user, "change", c.org.path)
    shares = selectors.campaign_shares(c)
    return render(
        request,
        "care/console/campaign.html",
        {
            "c": c,
            "signups": list(selectors.campaign_signups(c)[:500]),
            "shares": shares,
            "shares_total": sum(s.places for s in shares),
            "organiser": organiser,
            "may_mark": organiser and c.status == Campaign.Status.OPEN and now >= c.starts_at,
            "may_share": organiser and c.status == Campaign.Status.OPEN and now < c.signup_deadline,
            "may_cancel": organiser and c.status == Campaign.Status.OPEN and now < c.starts_at,
            "may_edit": organiser and c.status == Campaign.Status.OPEN and now < c.ends_at,
            "share_unions": list(services.share_unions(c)[:300]) if organiser else [],
            "started": now >= c.starts_at,
        },
    )


@staff_required
@require_POST
def campaign_share(request, pk):
    c = selectors.campaign_detail(actor=request.user, pk=pk, action="change")
    raw = request.POST.get("union", "")
    union = Organization.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 18 else None
    try:
        s = services.set_share(
            actor=request.user, campaign=c, union=union, places=request.POST.get("places", "")
        )
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已为{s.union.name}分配 {s.places} 个名额")
    return redirect(f"/console/care/{c.pk}/#shares")


@staff_required
@require_POST
def campaign_cancel(request, pk):
    c = selectors.campaign_detail(actor=request.user, pk=pk, action="change")
    try:
        services.cancel_campaign(actor=request.user, campaign=c, reason=request.POST.get("reason", ""))
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已取消“{c.title}”，已报名的会员会收到通知")
    return redirect(f"/console/care/{c.pk}/")


@staff_required
@require_POST
def signup_mark(request, pk, sid):
    c = selectors.campaign_detail(actor=request.user, pk=pk, action="change")
    s = CampaignSignup.objects.filter(campaign=c, pk=sid).select_related("person").first()
    if s is None:
        messages.error(request, "该报名记录不存在")
        return redirect(f"/console/care/{c.pk}/")
    attended = request.POST.get("attended") == "1"
    try:
        services.mark_signup(actor=request.user, signup=s, attended=attended)
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{s.person.name}：{'已参加' if attended else '未到'}")
    return redirect(f"/console/care/{c.pk}/#signups")


@staff_required
def campaign_export(request, pk):
    c = selectors.campaign_detail(actor=request.user, pk=pk, action="export")
    w = services.export_signups(actor=request.user, campaign=c, rows=selectors.campaign_signups(c))
    resp = FileResponse(w.open(), content_type=XLSX)
    name = f"{c.title}报名名单{timezone.localdate():%Y%m%d}.xlsx"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


# ---------------------------------------------------------------- console: classes


@staff_required
def class_list(request):
    status = request.GET.get("status", "")
    return render(
        request,
        "care/console/classes.html",
        {
            "page": paginate(request, selectors.staff_classes(actor=request.user, status=status)),
            "status": status,
            "statuses": FILTERS,
            "tab": "classes",
        },
    )


@staff_required
@offers("change")
def class_new(request):
    form = ClassForm(request.POST or None, orgs=selectors.organiser_orgs(actor=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            k = services.create_class(actor=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已发布“{k.title}”，范围内的会员可以为孩子报名")
            return redirect(f"/console/care/classes/{k.pk}/")
    return render(
        request,
        "care/console/form.html",
        {
            "form": form,
            "heading": "发布暑期爱心托管班",
            "back": "/console/care/classes/",
            "crumb": "暑期托管班",
        },
        status=400 if form.errors else 200,
    )


def _day(value, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@staff_required
def class_detail(request, pk):
    k = selectors.class_detail(actor=request.user, pk=pk)
    days = selectors.class_days(k)
    default = days[-1] if days else k.starts_on
    day = _day(request.GET.get("day", ""), default)
    if day not in days:
        day = default
    organiser = can(request.user, "change", k.org.path)
    return render(
        request,
        "care/console/class.html",
        {
            "k": k,
            "roll": selectors.class_roll(k, day if days else None),
            "days": days,
            "day": day,
            "may_mark": organiser and k.status == CareClass.Status.OPEN and bool(days),
            "may_cancel": organiser
            and k.status == CareClass.Status.OPEN
            and timezone.localdate() < k.starts_on,
            "may_edit": organiser and k.status == CareClass.Status.OPEN and timezone.localdate() <= k.ends_on,
        },
    )


@staff_required
@require_POST
def class_cancel(request, pk):
    k = selectors.class_detail(actor=request.user, pk=pk, action="change")
    try:
        services.cancel_class(actor=request.user, care_class=k, reason=request.POST.get("reason", ""))
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已取消“{k.title}”，已报名的家长会收到通知")
    return redirect(f"/console/care/classes/{k.pk}/")


@staff_required
@require_POST
def class_mark(request, pk, eid):
    k = selectors.class_detail(actor=request.user, pk=pk, action="change")
    e = Enrolment.objects.filter(care_class=k, pk=eid).first()
    day = _day(request.POST.get("day", ""), None)
    if e is None:
        messages.error(request, "该报名记录不存在")
        return redirect(f"/console/care/classes/{k.pk}/")
    present = request.POST.get("present") == "1"
    try:
        services.mark_attendance(actor=request.user, enrolment=e, day=day, present=present)
    except PermissionDenied:
        raise
    except ServiceError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, f"{e.child_name}：{'到班' if present else '缺勤'}")
    q = f"?day={day.isoformat()}" if day else ""
    return redirect(f"/console/care/classes/{k.pk}/{q}#roll")


# ---------------------------------------------------------------- member pages


def _union(person):
    m = current_membership(person)
    return m.union if m is not None and m.status == "member" else None


@member_required
def m_index(request):
    person = request.user.person
    union = _union(person)
    signed = {s.campaign_id: s for s in selectors.my_signups(person)}
    campaigns = list(selectors.open_campaigns(union)[:50]) if union else []
    for c in campaigns:
        c.mine = signed.get(c.pk)
    return render(
        request,
        "care/m/index.html",
        {
            "person": person,
            "union": union,
            "campaigns": campaigns,
            "signups": list(signed.values())[:50],
            "classes": list(selectors.open_classes(union)[:50]) if union else [],
            "enrolments": list(selectors.my_enrolments(person)[:50]),
        },
    )


@member_required
def m_campaign(request, pk):
    person = request.user.person
    union = _union(person)
    c = selectors.member_campaign(person, union, pk)
    mine = selectors.my_signup(person, c)
    now = timezone.now()
    reason = ""
    if mine is None and c.status == Campaign.Status.OPEN and now < c.signup_deadline:
        try:
            services.eligibility(person, c)
        except ServiceError as e:
            reason = e.message
    return render(
        request,
        "care/m/campaign.html",
        {
            "c": c,
            "mine": mine,
            "open": c.status == Campaign.Status.OPEN and now < c.signup_deadline,
            "reason": reason,
        },
    )


@member_required
@require_POST
def m_signup(request, pk):
    try:
        services.sign_up(actor=request.user, campaign_id=pk)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "报名成功，请按时参加")
    return redirect(f"/m/care/campaigns/{int(pk)}/")


@member_required
@require_POST
def m_withdraw(request, pk):
    try:
        services.withdraw(actor=request.user, campaign_id=pk)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已退出报名，名额已释放")
    return redirect(f"/m/care/campaigns/{int(pk)}/")


def _class_page(request, pk, form=None, status=200):
    person = request.user.person
    union = _union(person)
    k = selectors.member_class(person, union, pk)
    now = timezone.now()
    return render(
        request,
        "care/m/class.html",
        {
            "k": k,
            "mine": list(selectors.my_enrolments(person, k)),
            "open": k.status == CareClass.Status.OPEN and now < k.signup_deadline and union is not None,
            "may_cancel": timezone.localdate() < k.starts_on,
            "form": form or EnrolForm(),
        },
        status=status,
    )


@member_required
def m_class(request, pk):
    return _class_page(request, pk)


@member_required
@require_POST
def m_enrol(request, pk):
    form = EnrolForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            e = services.enrol_child(
                actor=request.user,
                class_id=pk,
                child_name=d["child_name"],
                child_id=d["child_id"],
                guardian_mobile=d["guardian_mobile"],
            )
        except ServiceError as err:
            if err.field:
                form_error(form, err, ALIASES)
            else:
                messages.error(request, err.message)
                return redirect(f"/m/care/classes/{int(pk)}/")
        else:
            messages.success(request, f"已为{e.child_name}报名，请按时送孩子到班")
            return redirect(f"/m/care/classes/{int(pk)}/")
    return _class_page(request, pk, form=form, status=400)


@member_required
@require_POST
def m_enrolment_cancel(request, eid):
    try:
        e = services.cancel_enrolment(actor=request.user, enrolment_id=eid)
    except ServiceError as err:
        messages.error(request, err.message)
        return redirect("/m/care/")
    messages.success(request, f"已取消{e.child_name}的报名，名额已释放")
    return redirect(f"/m/care/classes/{e.care_class_id}/")


# ---------------------------------------------------------------- 爱心妈咪小屋


ROOM_FIELDS = ("enterprise_name", "location", "area_m2", "facilities", "opening_hours", "contact")


@staff_required
def room_list(request):
    status = request.GET.get("status", "")
    unrated = request.GET.get("stars") == "none"
    return render(
        request,
        "care/console/rooms.html",
        {
            "page": paginate(
                request, selectors.staff_rooms(actor=request.user, status=status, unrated=unrated)
            ),
            "status": status,
            "unrated": unrated,
            "statuses": Room.Status.choices,
            "tab": "rooms",
            "may_register": selectors.room_unions(actor=request.user).exists(),
        },
    )


@staff_required
@offers("change")
def room_new(request):
    unions = selectors.room_unions(actor=request.user)
    form = RoomForm(request.POST or None, unions=unions)
    if request.method == "GET" and not form.is_bound:
        first = unions.select_related("enterprise").first()
        if first is not None and getattr(first, "enterprise", None) is not None:
            form.initial["enterprise_name"] = first.enterprise.name
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            room = services.register_room(
                actor=request.user, union=d["union"], **{k: d[k] for k in ROOM_FIELDS}
            )
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "已登记，等待街道工会审核")
            return redirect(f"/console/care/rooms/{room.pk}/")
    return render(
        request,
        "care/console/form.html",
        {
            "form": form,
            "heading": "登记爱心妈咪小屋",
            "back": "/console/care/rooms/",
            "crumb": "爱心妈咪小屋",
        },
        status=400 if form.errors else 200,
    )


@staff_required
def room_edit(request, pk):
    room = selectors.room_detail(actor=request.user, pk=pk, action="change")
    form = RoomForm(request.POST or None, instance=room, unions=None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_room(actor=request.user, room=room, **{k: d[k] for k in ROOM_FIELDS})
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "已保存并重新提交街道审核")
            return redirect(f"/console/care/rooms/{room.pk}/")
    return render(
        request,
        "care/console/form.html",
        {
            "form": form,
            "heading": "修改爱心妈咪小屋登记",
            "back": f"/console/care/rooms/{room.pk}/",
            "crumb": str(room),
        },
        status=400 if form.errors else 200,
    )


@staff_required
def room_detail(request, pk):
    room = selectors.room_detail(actor=request.user, pk=pk)
    street = services._ancestor(room.union, "street")
    fed = services._ancestor(room.union, "federation")
    return render(
        request,
        "care/console/room.html",
        {
            "r": room,
            "history": list(selectors.room_history(room)),
            "may_edit": can(request.user, "change", room.union.path) and room.status != Room.Status.APPROVED,
            "may_review": can(request.user, "review", (street or room.union).path),
            "may_rate": can(request.user, "review", (fed or room.union).path)
            and room.status == Room.Status.APPROVED,
        },
    )


@staff_required
@require_POST
def room_review(request, pk):
    room = selectors.room_detail(actor=request.user, pk=pk, action="review")
    approve = request.POST.get("decision") == "approve"
    try:
        services.review_room(
            actor=request.user, room=room, approve=approve, note=request.POST.get("note", "")
        )
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已审核通过" if approve else "已退回修改")
    return redirect(f"/console/care/rooms/{room.pk}/")


@staff_required
@require_POST
def room_rate(request, pk):
    room = selectors.room_detail(actor=request.user, pk=pk, action="review")
    try:
        r = services.rate_room(
            actor=request.user,
            room=room,
            stars=request.POST.get("stars", ""),
            reason=request.POST.get("reason", ""),
        )
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已评定为 {r.stars} 星")
    return redirect(f"/console/care/rooms/{room.pk}/#ratings")


@member_required
def m_rooms(request):
    raw = request.GET.get("street", "")
    street_id = int(raw) if raw.isdigit() and len(raw) < 18 else None
    return render(
        request,
        "care/m/rooms.html",
        {
            "rooms": list(selectors.rated_rooms(street_id=street_id)[:200]),
            "streets": list(selectors.streets()),
            "street_id": street_id,
        },
    )
