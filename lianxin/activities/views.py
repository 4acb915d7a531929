"""Activity pages: the member calendar, detail (with the check-in QR while the door is open), sign-up and
cancel; the staff console (publish, sign-ups and cancelling one with a reason, attendance, door check-in scan
page). Thin: parse, call a service or selector, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, require_may, scoped
from lianxin.core.views import form_error, member_login_required, paginate, staff_required
from lianxin.orgs.models import Organization
from lianxin.portal.services import current_membership
from lianxin.portal.views import qr_svg

from . import selectors, services
from .forms import ActivityForm
from .models import Signup


def _member(request):
    person = getattr(request.user, "person", None) if request.user.is_authenticated else None
    return person, current_membership(person)


def _shift(month: dt.date, n: int) -> dt.date:
    y, m = divmod(month.year * 12 + month.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def calendar(request):
    try:
        month = selectors.parse_month(request.GET.get("month"))
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("/m/activities/")
    person, membership = _member(request)
    if membership is not None:
        acts = list(selectors.member_activities(person, membership, month=month))
    else:
        acts = list(selectors.public_activities(month=month))
    return render(request, "activities/calendar.html", {
        "month": month, "prev": _shift(month, -1), "next": _shift(month, 1), "activities": acts,
        "weeks": selectors.calendar_weeks(month, acts), "membership": membership,
    })


def detail(request, pk):
    person, membership = _member(request)
    a = selectors.member_activity(person, membership, pk)
    signup = selectors.my_signup_for(person, a) if person else None
    now = timezone.now()
    # the sign-up button only while sign-up is open (as services.sign_up decides); otherwise say why
    window = ("ended" if now >= a.ends_at else "closed" if now >= a.signup_closes_at
              else "before" if now < a.signup_opens_at else "open")
    ctx = {"a": a, "signup": signup, "membership": membership, "problem": "", "window": window}
    if membership is not None:
        ctx["problem"] = services.eligibility_problem(a, person, membership)
    if signup and signup.status == Signup.Status.CONFIRMED and not signup.checked_in_at:
        # The code is shown only while the door accepts it, and the page reloads itself well within the
        # code's lifetime, so what the member shows at the door is always fresh.
        opens, closes = services.checkin_window(a)
        now = timezone.now()
        ctx["checkin_opens"] = opens
        ctx["checkin_state"] = "before" if now < opens else "closed" if now > closes else "open"
        if ctx["checkin_state"] == "open":
            ctx["qr"] = qr_svg(services.checkin_token(signup))
            ctx["refresh_seconds"] = services.checkin_code_ttl() // 6
    if signup and signup.status == Signup.Status.WAITLISTED:
        ctx["position"] = selectors.waitlist_position(signup)
    return render(request, "activities/detail.html", ctx)


@member_login_required
@require_POST
def signup(request, pk):
    try:
        s = services.sign_up(actor=request.user, activity_id=pk)
        if s.status == Signup.Status.CONFIRMED:
            messages.success(request, "报名成功")
        else:
            messages.info(request, "名额已满，您已进入候补，有人取消时将自动递补")
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect(f"/m/activities/{pk}/")


@member_login_required
@require_POST
def cancel(request, pk):
    try:
        s = services.cancel_signup(actor=request.user, signup_id=pk)
        messages.success(request, "已取消报名")
        return redirect(f"/m/activities/{s.activity_id}/")
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect("/m/me/")


# ---------------------------------------------------------------- console

def _orgs(user):
    return scoped(Organization.objects.all(), user, "change")


@staff_required
def console_list(request):
    q = request.GET.get("q", "")
    month = None
    if request.GET.get("month"):
        try:
            month = selectors.parse_month(request.GET["month"])
        except ServiceError as e:
            messages.error(request, e.message)
    qs = selectors.staff_activities(actor=request.user, q=q, month=month)
    return render(request, "activities/console/list.html", {"page": paginate(request, qs), "q": q,
                                                             "month": request.GET.get("month", "")})


@staff_required
def console_edit(request, pk=None):
    if pk is None:  # a new activity: refused before the form is filled in when no role may publish
        require_may(request.user, "change")
    instance = selectors.staff_activity(actor=request.user, pk=pk, action="change") if pk else None
    form = ActivityForm(request.POST or None, instance=instance, orgs=_orgs(request.user))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "org"}
        try:
            if instance:
                a = services.update_activity(actor=request.user, activity=instance, **data)
            else:
                a = services.create_activity(actor=request.user, org=form.cleaned_data["org"],
                                             publish=request.POST.get("publish") == "1", **data)
            messages.success(request, "已保存")
            return redirect(f"/console/activities/{a.pk}/")
        except ServiceError as e:
            form_error(form, e)
    return render(request, "activities/console/edit.html", {"form": form, "instance": instance})


@staff_required
def console_detail(request, pk):
    a = selectors.staff_activity(actor=request.user, pk=pk)
    return render(request, "activities/console/detail.html", {
        "a": a, "page": paginate(request, selectors.activity_signups(actor=request.user, activity=a), 50),
        "by_union": selectors.attendance_by_union(actor=request.user, activity=a),
        "checked_in": a.signups.filter(checked_in_at__isnull=False).count(),
        "can_change": can(request.user, "change", a.org.path),
        "checkin_window": services.checkin_window(a),
    })


@staff_required
@require_POST
def console_cancel_signup(request, pk, signup_pk):
    """Staff cancel one member's sign-up, with a reason (404 outside scope, 403 for a role that may not)."""
    a = selectors.staff_activity(actor=request.user, pk=pk, action="change")
    try:
        s = services.staff_cancel_signup(actor=request.user, signup_id=signup_pk, activity_id=a.pk,
                                         reason=request.POST.get("reason", ""))
        msg = f"已取消 {s.person.name} 的报名，已通知该会员"
        if s.promoted is not None:
            msg += f"；候补会员 {s.promoted.person.name} 已递补为正式报名"
        messages.success(request, msg)
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect(f"/console/activities/{pk}/")


@staff_required
@require_POST
def console_cancel_signups(request, pk):
    """Staff cancel the ticked sign-ups at once, with one reason (all or none; 404 outside scope, 403 for a role
    that may not)."""
    a = selectors.staff_activity(actor=request.user, pk=pk, action="change")
    try:
        done = services.staff_cancel_signups(actor=request.user, activity_id=a.pk,
                                             signup_ids=request.POST.getlist("signup"),
                                             reason=request.POST.get("reason", ""))
    except ServiceError as e:
        if isinstance(e, PermissionDenied):
            raise
        messages.error(request, e.message)
    else:
        msg = f"已取消 {len(done)} 条报名，已通知相关会员"
        promoted = [s.promoted.person.name for s in done if s.promoted is not None]
        if promoted:
            msg += f"；候补会员 {'、'.join(promoted)} 已递补为正式报名"
        messages.success(request, msg)
    return redirect(f"/console/activities/{pk}/")


@staff_required
@require_POST
def console_action(request, pk, action):
    a = selectors.staff_activity(actor=request.user, pk=pk, action="change")
    try:
        if action == "publish":
            services.publish_activity(actor=request.user, activity=a)
            messages.success(request, "已发布")
        elif action == "cancel":
            services.cancel_activity(actor=request.user, activity=a, reason=request.POST.get("reason", ""))
            messages.success(request, "活动已取消，已通知报名会员")
        else:
            raise Http404
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect(f"/console/activities/{pk}/")


@staff_required
def console_checkin(request):
    """Door check-in: a scanner gun types the member's QR content into the field and presses Enter."""
    activity_id = request.GET.get("activity") or request.POST.get("activity") or ""
    activity = selectors.staff_activity(actor=request.user, pk=activity_id) if activity_id else None
    result = None
    if request.method == "POST":
        result = services.check_in(actor=request.user, token=request.POST.get("token", ""),
                                   activity_id=activity.pk if activity else None)
    ctx = {"activity": activity, "result": result, "checked_in": None,
           "ttl_minutes": services.checkin_code_ttl() // 60}
    if activity is not None:
        ctx["checked_in"] = activity.signups.filter(checked_in_at__isnull=False).count()
        ctx["window"] = services.checkin_window(activity)
        ctx["window_open"] = services.checkin_open(activity)
    return render(request, "activities/console/checkin.html", ctx)


@staff_required
def console_stats(request):
    month = None
    if request.GET.get("month"):
        try:
            month = selectors.parse_month(request.GET["month"])
        except ServiceError as e:
            messages.error(request, e.message)
    return render(request, "activities/console/stats.html", {
        "rows": selectors.attendance_by_org(actor=request.user, month=month), "month": request.GET.get("month", ""),
    })
