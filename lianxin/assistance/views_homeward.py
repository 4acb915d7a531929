"""平安返乡 pages: the console (/console/assistance/homeward/...) for the organiser and the unions' staff, and the
member's H5 page (/m/homeward/) to apply for a coach seat or the ticket subsidy. Thin: the rules are in
:mod:`lianxin.assistance.services_homeward`, the scoped reads in :mod:`lianxin.assistance.selectors_homeward`."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, may, offers
from lianxin.core.views import form_error, member_required, paginate, staff_required

from . import selectors
from . import selectors_homeward as sel
from . import services_homeward as svc
from .forms import CoachForm, DecideForm, HomewardApplyForm, HomewardForm
from .models import HomewardKind, HomewardStatus
from .views import _xlsx


@staff_required
def programme_list(request):
    return render(request, "assistance/homeward_list.html", {"programmes": sel.programme_list(actor=request.user)})


@staff_required
@offers("change")
def programme_new(request):
    form = HomewardForm(request.POST or None, orgs=selectors.campaign_orgs(actor=request.user),
                        funds=selectors.fund_list(actor=request.user).order_by("-year", "org__path", "purpose"))
    if request.method == "POST" and form.is_valid():
        try:
            p = svc.create_programme(actor=request.user, **form.cleaned_data)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已设立 {p.name}，请安排专车")
            return redirect(f"/console/assistance/homeward/{p.pk}/")
    return render(request, "assistance/homeward_form.html", {"form": form}, status=400 if form.errors else 200)


def _page(request, p, *, coach=None, decide=None, status=200):
    st, kind, q = request.GET.get("status", ""), request.GET.get("kind", ""), request.GET.get("q", "")[:50]
    organiser = can(request.user, "change", p.org.path)
    return render(request, "assistance/homeward_detail.html", {
        "p": p, "coaches": sel.coaches(p), "organiser": organiser, "summary": sel.summary(actor=request.user,
                                                                                         programme=p),
        "page": paginate(request, sel.applications(actor=request.user, programme=p, status=st, kind=kind, q=q), 50),
        "status": st, "kind": kind, "q": q, "statuses": HomewardStatus.choices, "kinds": HomewardKind.choices,
        "may_decide": may(request.user, "change"),
        "coach_form": coach or CoachForm(), "decide_form": decide or DecideForm()}, status=status)


@staff_required
def programme_detail(request, pk):
    return _page(request, sel.programme_detail(actor=request.user, pk=pk))


def _back(p):
    return redirect(f"/console/assistance/homeward/{p.pk}/")


@staff_required
@require_POST
def coach_add(request, pk):
    p = sel.programme_detail(actor=request.user, pk=pk)
    if not can(request.user, "change", p.org.path):
        raise PermissionDenied("只有平安返乡组织单位的管理员可以安排专车")
    form = CoachForm(request.POST)
    if form.is_valid():
        try:
            c = svc.add_coach(actor=request.user, programme=p, **form.cleaned_data)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已安排{c.destination}专车，{c.seats} 个座位")
            return _back(p)
    return _page(request, p, coach=form, status=400)


@staff_required
@require_POST
def decide(request, pk):
    p = sel.programme_detail(actor=request.user, pk=pk)
    form = DecideForm(request.POST)
    confirm = request.POST.get("decision") == "confirm"
    if form.is_valid():
        try:
            n = svc.decide(actor=request.user, programme=p, ids=request.POST.getlist("ids"), confirm=confirm,
                           note=form.cleaned_data["note"])
        except ServiceError as e:
            form_error(form, e, {"ids": None})
        else:
            messages.success(request, f"已{'确认' if confirm else '标记不通过'} {n} 人")
            return _back(p)
    return _page(request, p, decide=form, status=400)


@staff_required
@require_POST
def pay(request, pk):
    p = sel.programme_detail(actor=request.user, pk=pk)
    try:
        n, fen = svc.pay_subsidies(actor=request.user, programme=p)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已向 {n} 人发放购票补贴共 {svc.yuan(fen)} 元")
    return _back(p)


@staff_required
def export(request, pk):
    p = sel.programme_detail(actor=request.user, pk=pk)
    return _xlsx(svc.export_seats(actor=request.user, programme=p, rows=sel.seat_rows(actor=request.user,
                                                                                       programme=p)),
                 f"{p.name}专车乘车名单.xlsx")


# --- member H5 -------------------------------------------------------------------------------------------------


def _member_page(request, *, form=None, form_for=None, status=200):
    person = request.user.person
    progs, membership = sel.open_for_member(person)
    progs = [(p, list(sel.coaches(p))) for p in progs]
    mine = list(sel.my_applications(person)[:10])
    return render(request, "assistance/m_homeward.html", {
        "programmes": progs, "membership": membership, "mine": mine,
        "live_years": {a.year for a in mine if a.status not in (HomewardStatus.CANCELLED, HomewardStatus.DECLINED)},
        "form": form, "form_for": form_for, "cancellable": (HomewardStatus.APPLIED, HomewardStatus.CONFIRMED)},
        status=status)


@member_required
def m_homeward(request):
    return _member_page(request)


@member_required
@require_POST
def m_apply(request, pk):
    p = sel.member_programme(request.user.person, pk)
    form = HomewardApplyForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            a = svc.apply(actor=request.user, programme=p, kind=d["kind"], hometown=d["hometown"], coach=d["coach"])
        except ServiceError as e:
            form_error(form, e)
        else:
            what = f"{a.coach.destination}专车座位" if a.coach_id else f"购票补贴 {svc.yuan(a.amount_fen)} 元"
            messages.success(request, f"已报名{what}，请等待工会确认")
            return redirect("/m/homeward/")
    return _member_page(request, form=form, form_for=p.pk, status=400)


@member_required
@require_POST
def m_cancel(request, aid):
    a = sel.my_applications(request.user.person).filter(pk=aid).first()
    if a is None:
        raise Http404
    try:
        svc.cancel(actor=request.user, application=a)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.info(request, "已取消报名")
    return redirect("/m/homeward/")
