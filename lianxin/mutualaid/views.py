"""职工医疗互助 pages. Console: plans, their figures, and each union's enrolment; member H5: the year's account.
Claims themselves are the workflow engine's (programme ``medical_aid``: /m/services/ and /console/applications/)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianxin.assistance.services import yuan
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, offers
from lianxin.core.views import form_error, member_required, paginate, staff_required

from . import selectors, services
from .forms import ContributionForm, PlanForm


@staff_required
def plan_list(request):
    plans = list(selectors.plan_list(actor=request.user))
    rows = [(p, selectors.plan_figures(actor=request.user, plan=p)) for p in plans[:50]]
    return render(request, "mutualaid/plan_list.html", {"rows": rows})


@staff_required
@offers("change")
def plan_new(request):
    form = PlanForm(request.POST or None, orgs=selectors.organiser_orgs(actor=request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = services.create_plan(actor=request.user, org=d["org"], year=d["year"], name=d["name"],
                                        contribution=d["contribution"], deductible=d["deductible"], ratio=d["ratio"],
                                        cap=d["cap"], enrol_opens=d["enrol_opens"], enrol_closes=d["enrol_closes"])
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已设立 {plan.name}")
            return redirect(f"/console/mutualaid/{plan.pk}/")
    return render(request, "mutualaid/plan_form.html", {"form": form}, status=400 if form.errors else 200)


@staff_required
def plan_detail(request, pk):
    plan = selectors.plan_detail(actor=request.user, pk=pk)
    q = request.GET.get("q", "")[:50]
    page = paginate(request, selectors.union_rows(actor=request.user, plan=plan, q=q))
    for u in page:
        u.owed_fen = u.enrolled * plan.contribution_fen
        u.due_fen = max(0, u.owed_fen - u.paid_in_fen)
    return render(request, "mutualaid/plan_detail.html", {
        "plan": plan, "fig": selectors.plan_figures(actor=request.user, plan=plan), "page": page, "q": q})


def _union_page(request, plan, union, status=200, contribution_form=None):
    page = paginate(request, selectors.union_members(actor=request.user, plan=plan, union=union))
    totals = selectors.union_totals(plan=plan, union=union)
    records = can(request.user, "change", plan.org.path)
    if records and contribution_form is None:
        contribution_form = ContributionForm(initial={"amount": yuan(totals["due_fen"]).replace(",", "")}
                                             if totals["due_fen"] else None)
    return render(request, "mutualaid/union.html", {
        "plan": plan, "union": union, "page": page, "totals": totals,
        "contributions": selectors.contributions(plan=plan, union=union),
        "contribution_form": contribution_form if records else None,
        "editable": can(request.user, "change", union.path)}, status=status)


@staff_required
def union_page(request, pk, union):
    plan = selectors.plan_detail(actor=request.user, pk=pk)
    return _union_page(request, plan, selectors.union_for(actor=request.user, plan=plan, pk=union))


def _back(plan, union):
    return redirect(f"/console/mutualaid/{plan.pk}/unions/{union.pk}/")


@staff_required
def enrol_all(request, pk, union):
    plan = selectors.plan_detail(actor=request.user, pk=pk)
    org = selectors.union_for(actor=request.user, plan=plan, pk=union, action="change")
    if request.method != "POST":
        return _back(plan, org)
    try:
        added, already = services.enrol_union(actor=request.user, plan=plan, union=org)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        if added:
            messages.success(request, f"已为 {added} 名在册会员参加{plan.name}（此前已参加 {already} 名），"
                                      f"应缴互助金 {yuan(added * plan.contribution_fen)} 元")
        else:
            messages.info(request, f"本工会在册会员此前均已参加（{already} 名），本次没有新增")
    return _back(plan, org)


@staff_required
@require_POST
def enrol_one(request, pk, union):
    from lianxin.members.models import Membership, MembershipStatus

    plan = selectors.plan_detail(actor=request.user, pk=pk)
    org = selectors.union_for(actor=request.user, plan=plan, pk=union, action="change")
    m = Membership.objects.select_related("person").filter(union=org, status=MembershipStatus.MEMBER,
                                                          person_id=request.POST.get("person") or 0).first()
    if m is None:
        raise Http404
    try:
        services.enrol_member(actor=request.user, plan=plan, person=m.person)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{m.person.name}已参加{plan.name}")
    return _back(plan, org)


@staff_required
@require_POST
def withdraw_one(request, pk, union):
    plan = selectors.plan_detail(actor=request.user, pk=pk)
    org = selectors.union_for(actor=request.user, plan=plan, pk=union, action="change")
    e = selectors.enrolment_in(actor=request.user, plan=plan, pk=request.POST.get("enrolment"), action="change")
    if e.union_id != org.pk:
        raise Http404
    try:
        services.withdraw_member(actor=request.user, enrolment=e)
    except ServiceError as err:
        messages.error(request, err.message)
    else:
        messages.info(request, f"{e.person.name}已退出{plan.name}")
    return _back(plan, org)


@staff_required
@require_POST
def contribution_new(request, pk, union):
    """登记到账, on the union's page; only the plan's organiser may (the service asks again)."""
    plan = selectors.plan_detail(actor=request.user, pk=pk)
    org = selectors.union_for(actor=request.user, plan=plan, pk=union)
    form = ContributionForm(request.POST)
    if form.is_valid():
        try:
            c = services.record_contribution(actor=request.user, plan=plan, union=org, **form.cleaned_data)
        except PermissionDenied:
            raise  # a 403 page (staff_required), not a form error
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已登记{org.name}互助金到账 {yuan(c.amount_fen)} 元，已记入{c.entry.fund.name}")
            return _back(plan, org)
    return _union_page(request, plan, org, status=400, contribution_form=form)


@member_required
def m_mutualaid(request):
    ctx = selectors.member_year(request.user.person)
    return render(request, "mutualaid/m_mutualaid.html", ctx)
