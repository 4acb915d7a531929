"""组织建设 console pages: 建家评选 (rounds, apply, review, decide, quotas, export, the register and its 复核) and
工会换届 (due and overdue terms with counts per street, a union's terms, recording an election). Thin: parse,
call a service or selector, render."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, may, offers
from lianxin.core.views import form_error, paginate, staff_required

from . import selectors, services
from .forms import ApplicationForm, ElectionForm, QuotaForm, RoundForm
from .models import CRITERIA, HomeApplication, HomeLevel, NamedHome

A = HomeApplication.Status
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int_param(v):
    return int(v) if (v or "").isdigit() else None


# ---------------------------------------------------------------------------------------------- rounds


@staff_required
def round_list(request):
    return render(
        request,
        "governance/console/rounds.html",
        {
            "page": paginate(
                request, selectors.rounds(actor=request.user, year=_int_param(request.GET.get("year")))
            )
        },
    )


@staff_required
@offers("change")
def round_new(request):
    form = RoundForm(
        request.POST or None,
        orgs=selectors.round_orgs(actor=request.user),
        initial={"year": timezone.localdate().year, "valid_years": 3, "level": "district_home"},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            r = services.create_round(
                actor=request.user,
                org=d["org"],
                year=d["year"],
                title=d["title"],
                level=d["level"],
                deadline=d["deadline"],
                places=d["places"],
                valid_years=d["valid_years"],
                notes=d["notes"],
            )
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "评选已发布，范围内的基层工会可以申报")
            return redirect(f"/console/governance/rounds/{r.pk}/")
    return render(
        request, "governance/console/round_form.html", {"form": form}, status=400 if form.errors else 200
    )


@staff_required
def round_detail(request, pk):
    r = selectors.round_detail(actor=request.user, pk=pk)
    status = request.GET.get("status", "")
    organiser = selectors.is_organiser(request.user, r)
    counts = selectors.status_counts(actor=request.user, round=r)
    return render(
        request,
        "governance/console/round_detail.html",
        {
            "r": r,
            "organiser": organiser,
            "status": status,
            "statuses": A.choices,
            "page": paginate(request, selectors.applications(actor=request.user, round=r, status=status), 50),
            "counts": [(label, counts[v]) for v, label in A.choices if counts.get(v)],
            "quotas": selectors.quotas(r),
            "quota_form": QuotaForm(streets=selectors.quota_streets(r)) if organiser else None,
            "may_apply": timezone.localdate() <= r.deadline
            and may(request.user, "change")
            and selectors.applicant_unions(actor=request.user, round=r).exists(),
        },
    )


@staff_required
@require_POST
def round_quota(request, pk):
    r = selectors.organiser_round(actor=request.user, pk=pk)
    form = QuotaForm(request.POST, streets=selectors.quota_streets(r))
    if not form.is_valid():
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
    else:
        try:
            services.set_quota(
                actor=request.user,
                round=r,
                street=form.cleaned_data["street"],
                places=form.cleaned_data["places"],
            )
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已设置{form.cleaned_data['street'].name}的名额")
    return redirect(f"/console/governance/rounds/{r.pk}/")


@staff_required
def round_export(request, pk):
    r = selectors.round_detail(actor=request.user, pk=pk)
    w = services.export_round(
        actor=request.user, round=r, rows=selectors.export_rows(actor=request.user, round=r)
    )
    resp = FileResponse(w.open(), content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(r.title + '结果.xlsx')}"
    return resp


# ---------------------------------------------------------------------------------------------- applications


@staff_required
@offers("change")
def application_new(request, pk):
    r = selectors.round_detail(actor=request.user, pk=pk)
    unions = selectors.applicant_unions(actor=request.user, round=r)
    form = ApplicationForm(request.POST or None, unions=unions)
    if request.method == "POST" and form.is_valid():
        try:
            app = services.submit_application(
                actor=request.user,
                round=r,
                union=form.cleaned_data["union"],
                summary=form.cleaned_data["summary"],
                scores=form.scores(),
            )
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已申报，自评 {app.self_total} 分，待{app.street.name}审核")
            return redirect(f"/console/governance/applications/{app.pk}/")
    return render(
        request,
        "governance/console/application_form.html",
        {"form": form, "r": r, "app": None, "closed": timezone.localdate() > r.deadline},
        status=400 if form.errors else 200,
    )


@staff_required
def application_list(request):
    """待我审核 / 待我审定: every round's applications waiting for a decision at the actor's own level."""
    status = request.GET.get("status", A.SUBMITTED)
    status = status if status in selectors.WAITING else A.SUBMITTED
    return render(
        request,
        "governance/console/applications.html",
        {
            "page": paginate(request, selectors.waiting_applications(actor=request.user, status=status), 50),
            "status": status,
            "statuses": [(v, label) for v, label in A.choices if v in selectors.WAITING],
        },
    )


@staff_required
def application_edit(request, pk):
    app = selectors.application_detail(actor=request.user, pk=pk, action="change")
    if not can(request.user, "change", app.union.path):
        raise PermissionDenied("只有申报工会的管理员可以修改申报")
    initial = {"summary": app.summary}
    for s in app.scores.all():
        initial[f"score_{s.criterion}"], initial[f"note_{s.criterion}"] = s.self_score, s.note
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.resubmit_application(
                actor=request.user,
                application=app,
                summary=form.cleaned_data["summary"],
                scores=form.scores(),
            )
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "已重新提交，待街道审核")
            return redirect(f"/console/governance/applications/{app.pk}/")
    return render(
        request,
        "governance/console/application_form.html",
        {"form": form, "r": app.round, "app": app, "closed": app.status != A.RETURNED},
        status=400 if form.errors else 200,
    )


@staff_required
def application_detail(request, pk):
    app = selectors.application_detail(actor=request.user, pk=pk)
    scores = {s.criterion: s for s in app.scores.all()}
    return render(
        request,
        "governance/console/application_detail.html",
        {
            "a": app,
            "r": app.round,
            "rows": [(label, top, scores.get(key)) for key, label, top, _ in CRITERIA],
            "may_review": app.status == A.SUBMITTED and selectors.may_review(request.user, app),
            "may_decide": app.status == A.PASSED and selectors.may_decide(request.user, app),
            "may_edit": app.status == A.RETURNED and can(request.user, "change", app.union.path),
        },
    )


@staff_required
@require_POST
def application_review(request, pk):
    app = selectors.application_detail(actor=request.user, pk=pk)
    decision = request.POST.get("decision", "")
    try:
        services.review_application(
            actor=request.user,
            application=app,
            decision=decision,
            score=request.POST.get("score", ""),
            comment=request.POST.get("comment", ""),
        )
    except PermissionDenied:
        raise  # the console's 403 page, not a message on the page the user may not act on
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            {"pass": "已推荐至评选组织单位审定", "return": "已退回申报工会修改", "reject": "已审核为不通过"}[
                decision
            ],
        )
    return redirect(f"/console/governance/applications/{app.pk}/")


@staff_required
@require_POST
def application_decide(request, pk):
    app = selectors.application_detail(actor=request.user, pk=pk)
    name = request.POST.get("decision") == "name"
    try:
        services.decide_application(
            actor=request.user, application=app, name=name, note=request.POST.get("note", "")
        )
    except PermissionDenied:
        raise  # the console's 403 page, not a message on the page the user may not act on
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            f"已命名{app.union.name}为{app.round.get_level_display()}" if name else "已审定：未予命名",
        )
    return redirect(f"/console/governance/applications/{app.pk}/")


# ---------------------------------------------------------------------------------------------- the register


@staff_required
def home_list(request):
    g = request.GET
    level = g.get("level", "") if g.get("level", "") in HomeLevel.values else ""
    status = g.get("status", "active")
    due = g.get("due") == "1"
    qs = selectors.homes(
        actor=request.user, year=_int_param(g.get("year")), level=level, status=status, due=due
    )
    return render(
        request,
        "governance/console/homes.html",
        {
            "page": paginate(request, qs),
            "levels": HomeLevel.choices,
            "statuses": NamedHome.Status.choices,
            "f": {"year": g.get("year", ""), "level": level, "status": status, "due": due},
            "horizon": selectors.recheck_horizon(),
            "today": timezone.localdate(),
        },
    )


@staff_required
@require_POST
def home_recheck(request, pk):
    h = selectors.home_detail(actor=request.user, pk=pk, action="review")
    passed = request.POST.get("decision") == "pass"
    try:
        h = services.recheck_home(
            actor=request.user, home=h, passed=passed, note=request.POST.get("note", "")
        )
    except PermissionDenied:
        raise  # the console's 403 page, not a message on the page the user may not act on
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            f"{h.union.name}复核合格，有效期延至 {h.valid_until:%Y-%m-%d}"
            if passed
            else f"{h.union.name}复核不合格，称号已撤销",
        )
    return redirect("/console/governance/homes/?due=1")


# ---------------------------------------------------------------------------------------------- 工会换届


@staff_required
def term_list(request):
    which = request.GET.get("show", "due")
    which = which if which in ("due", "overdue", "all") else "due"
    return render(
        request,
        "governance/console/terms.html",
        {
            "page": paginate(request, selectors.due_terms(actor=request.user, scope=which)),
            "show": which,
            "streets": selectors.street_counts(actor=request.user),
            "today": timezone.localdate(),
            "horizon": selectors.recheck_horizon(),
            "unregistered": selectors.unregistered_count(actor=request.user),
        },
    )


@staff_required
def term_unregistered(request):
    return render(
        request,
        "governance/console/unregistered.html",
        {"page": paginate(request, selectors.unregistered_unions(actor=request.user))},
    )


@staff_required
def term_union(request, pk):
    union = selectors.term_union(actor=request.user, pk=pk)
    return render(
        request,
        "governance/console/union_terms.html",
        {
            "u": union,
            "terms": list(selectors.union_terms(union)),
            "today": timezone.localdate(),
            "may_record": can(request.user, "change", union.path),
        },
    )


@staff_required
def election_new(request, pk):
    union = selectors.term_union(actor=request.user, pk=pk, action="change")
    prev = services.current_term(union)
    form = ElectionForm(
        request.POST or None, initial={"number": prev.number + 1 if prev else 1, "term_years": 5}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            term = services.record_election(
                actor=request.user,
                union=union,
                number=d["number"],
                elected_on=d["elected_on"],
                term_years=d["term_years"],
                expected=d["expected"],
                present=d["present"],
                people=form.people(),
            )
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已登记第 {term.number} 届换届选举，任期至 {term.ends_on:%Y-%m-%d}")
            return redirect(f"/console/governance/terms/{union.pk}/")
    return render(
        request,
        "governance/console/election_form.html",
        {"form": form, "u": union, "prev": prev},
        status=400 if form.errors else 200,
    )
