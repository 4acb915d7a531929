"""社会化工会工作者 console pages under /console/governance/workers/: the register (名册) with contracts due, a
worker's page (postings, transfer, renewal, leaving), monthly work logs (工作记录) and the annual assessment
(年度考核). Thin: parse, call a service or selector, render."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can
from lianxin.core.views import form_error, paginate, staff_required

from . import selectors_workers as sel
from . import services_workers as services
from .forms_workers import (
    GradeForm,
    LeaveForm,
    OpenRoundForm,
    RecruitForm,
    RehireForm,
    RenewForm,
    TransferForm,
    WorkLogForm,
)
from .models import EXCELLENT_PERCENT, WORKER_GRADES, Assessment, AssessmentRound, SocialWorker, WorkLog
from .services import add_years

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TERMS = ("post", "grade", "contract_start", "contract_end", "posted_on")  # of an engagement, as the forms name them
PERSON_FIELDS = {"身份证号": "id_number", "手机号码": "mobile"}


def _int_param(v):
    return int(v) if (v or "").isdigit() else None


def _messages(form) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}：{m}"
        for k, errs in form.errors.items()
        for m in errs
    )


# ---------------------------------------------------------------------------------------------- 名册


@staff_required
def worker_list(request):
    status = request.GET.get("status", "active")
    status = status if status in (*SocialWorker.Status.values, "all") else "active"
    q = request.GET.get("q", "").strip()[:50]
    return render(
        request,
        "governance/console/workers.html",
        {
            "page": paginate(request, sel.workers(actor=request.user, status=status, q=q)),
            "status": status,
            "q": q,
            "expiring": sel.expiring_contracts(actor=request.user).count(),
            "may_recruit": sel.may_recruit(request.user),
            "grades": WORKER_GRADES,
        },
    )


def _require_recruiter(user):
    if not sel.may_recruit(user):
        raise PermissionDenied("社会化工会工作者由总工会管理员招聘、派驻，此项需要总工会管理员角色")


@staff_required
def worker_recruit(request):
    _require_recruiter(request.user)
    today = timezone.localdate()
    form = RecruitForm(
        request.POST or None,
        posts=sel.post_orgs(actor=request.user),
        initial={"contract_start": today, "contract_end": add_years(today, 3), "grade": "3"},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            w = services.recruit_worker(
                actor=request.user, **{k: d[k] for k in ("name", "id_number", "mobile", *TERMS)}
            )
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e, PERSON_FIELDS)
        else:
            messages.success(request, f"已招聘{w.person.name}，派驻{w.post.name}")
            return redirect(f"/console/governance/workers/{w.pk}/")
    return render(
        request, "governance/console/worker_form.html", {"form": form}, status=400 if form.errors else 200
    )


@staff_required
def contract_list(request):
    return render(
        request,
        "governance/console/contracts.html",
        {
            "page": paginate(request, sel.expiring_contracts(actor=request.user)),
            "today": timezone.localdate(),
            "horizon": sel.contract_horizon(),
        },
    )


@staff_required
def worker_detail(request, pk):
    w = sel.worker_detail(actor=request.user, pk=pk)
    manage = w.status == SocialWorker.Status.ACTIVE and sel.may_manage(request.user, w)
    cur = services.open_posting(w)
    posts = sel.post_orgs(actor=request.user).exclude(pk=w.post_id) if manage else None
    engagements = list(sel.engagements(actor=request.user, worker=w))
    rehire = (
        w.status == SocialWorker.Status.LEFT
        and sel.may_manage(request.user, w)
        and not any(e.status == SocialWorker.Status.ACTIVE for e in engagements)
    )
    today = timezone.localdate()
    return render(
        request,
        "governance/console/worker_detail.html",
        {
            "w": w,
            "postings": list(sel.postings(w)),
            "logs": list(sel.work_logs(actor=request.user, worker=w)[:24]),
            "assessments": list(sel.worker_assessments(actor=request.user, worker=w)),
            "manage": manage,
            "may_log": w.status == SocialWorker.Status.ACTIVE and can(request.user, "change", w.post.path),
            "transfer_form": TransferForm(posts=posts, initial={"on": timezone.localdate()})
            if manage
            else None,
            "renew_form": RenewForm(initial={"grade": str(w.grade)}) if manage else None,
            "leave_form": LeaveForm(initial={"on": timezone.localdate()}) if manage else None,
            "rehire_form": RehireForm(
                posts=sel.post_orgs(actor=request.user),
                initial={"post": w.post_id, "grade": str(w.grade), "contract_start": today,
                         "contract_end": add_years(today, 3)},
            )
            if rehire
            else None,
            "engagements": engagements if len(engagements) > 1 else [],
            "posting": cur,
            "today": timezone.localdate(),
            "horizon": sel.contract_horizon(),
        },
    )


def _worker_post(request, pk, form_cls, done, **form_kw):
    w = sel.worker_detail(actor=request.user, pk=pk)
    if not sel.may_manage(request.user, w):
        raise PermissionDenied("社会化工会工作者由总工会管理员招聘、派驻和调岗")
    form = form_cls(request.POST, **form_kw)
    if not form.is_valid():
        messages.error(request, _messages(form))
    else:
        try:
            msg = done(w, form.cleaned_data)
        except PermissionDenied:
            raise
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, msg)
    return redirect(f"/console/governance/workers/{w.pk}/")


@staff_required
@require_POST
def worker_transfer(request, pk):
    def done(w, d):
        services.transfer_worker(
            actor=request.user,
            worker=w,
            to=d["to"],
            on=d["on"],
            note=d["note"],
            posting_id=request.POST.get("posting", ""),
        )
        return f"已将{w.person.name}调往{d['to'].name}"

    return _worker_post(request, pk, TransferForm, done, posts=sel.post_orgs(actor=request.user))


@staff_required
@require_POST
def worker_renew(request, pk):
    def done(w, d):
        w = services.renew_contract(
            actor=request.user, worker=w, contract_end=d["contract_end"], grade=d["grade"]
        )
        return f"已续签，合同到期 {w.contract_end:%Y-%m-%d}"

    return _worker_post(request, pk, RenewForm, done)


@staff_required
@require_POST
def worker_leave(request, pk):
    def done(w, d):
        services.leave_worker(actor=request.user, worker=w, on=d["on"], reason=d["reason"])
        return f"已登记{w.person.name}离职"

    return _worker_post(request, pk, LeaveForm, done)


@staff_required
@require_POST
def worker_rehire(request, pk):
    """重新聘用: the new engagement's page on success; back to the one they left, with the reason, otherwise."""
    w = sel.worker_detail(actor=request.user, pk=pk)
    if not sel.may_manage(request.user, w):
        raise PermissionDenied("社会化工会工作者由总工会管理员招聘、派驻和重新聘用")
    form = RehireForm(request.POST, posts=sel.post_orgs(actor=request.user))
    if not form.is_valid():
        messages.error(request, _messages(form))
        return redirect(f"/console/governance/workers/{w.pk}/")
    d = form.cleaned_data
    try:
        new = services.rehire_worker(actor=request.user, worker=w, **{k: d[k] for k in TERMS})
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect(f"/console/governance/workers/{w.pk}/")
    messages.success(request, f"已重新聘用{w.person.name}，派驻{new.post.name}")
    return redirect(f"/console/governance/workers/{new.pk}/")


# ---------------------------------------------------------------------------------------------- 工作记录


@staff_required
def worklog_list(request):
    g = request.GET
    year, month = _int_param(g.get("year")), _int_param(g.get("month"))
    status = g.get("status", "")
    mine = g.get("mine") == "1"
    today = timezone.localdate()
    missing_y, missing_m = (year, month) if year and month else (today.year, today.month)
    return render(
        request,
        "governance/console/worklogs.html",
        {
            "page": paginate(
                request,
                sel.work_logs(actor=request.user, year=year, month=month, status=status, mine=mine),
            ),
            "f": {"year": g.get("year", ""), "month": g.get("month", ""), "status": status, "mine": mine},
            "statuses": WorkLog.Status.choices,
            "missing": list(sel.missing_logs(actor=request.user, year=missing_y, month=missing_m)[:50]),
            "missing_label": f"{missing_y}年{missing_m}月",
        },
    )


@staff_required
def worklog_new(request, pk):
    w = sel.worker_detail(actor=request.user, pk=pk, action="change")
    today = timezone.localdate()
    form = WorkLogForm(request.POST or None, initial={"month": f"{today:%Y-%m}"})
    if request.method == "POST" and form.is_valid():
        y, m = form.year_month()
        try:
            if not y:
                raise ServiceError("请填写月份，如 2026-05", field="month")
            log = services.enter_work_log(
                actor=request.user,
                worker=w,
                year=y,
                month=m,
                counts=form.counts(),
                summary=form.cleaned_data["summary"],
            )
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已登记{log.label}的工作记录，待{log.org.name}确认")
            return redirect(f"/console/governance/workers/logs/{log.pk}/")
    return render(
        request,
        "governance/console/worklog_form.html",
        {"form": form, "w": w, "log": None},
        status=400 if form.errors else 200,
    )


@staff_required
def worklog_detail(request, pk):
    log = sel.work_log_detail(actor=request.user, pk=pk)
    draft = log.status == WorkLog.Status.DRAFT
    return render(
        request,
        "governance/console/worklog_detail.html",
        {
            "log": log,
            "w": log.worker,
            "may_edit": draft and can(request.user, "change", log.org.path),
            "may_confirm": draft and can(request.user, "review", log.org.path),
        },
    )


@staff_required
def worklog_edit(request, pk):
    log = sel.work_log_detail(actor=request.user, pk=pk, action="change")
    initial = {
        k: getattr(log, k) for k in ("visits", "unions_founded", "members_recruited", "disputes_mediated")
    }
    form = WorkLogForm(request.POST or None, initial={**initial, "summary": log.summary}, with_month=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_work_log(
                actor=request.user, log=log, counts=form.counts(), summary=form.cleaned_data["summary"]
            )
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已修改{log.label}的工作记录")
            return redirect(f"/console/governance/workers/logs/{log.pk}/")
    return render(
        request,
        "governance/console/worklog_form.html",
        {"form": form, "w": log.worker, "log": log, "locked": log.status != WorkLog.Status.DRAFT},
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def worklog_confirm(request, pk):
    log = sel.work_log_detail(actor=request.user, pk=pk)
    try:
        services.confirm_work_log(actor=request.user, log=log)
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已确认{log.label}的工作记录，不能再修改")
    return redirect(f"/console/governance/workers/logs/{log.pk}/")


# ---------------------------------------------------------------------------------------------- 年度考核


@staff_required
def assessment_list(request):
    feds = sel.federations(actor=request.user)
    return render(
        request,
        "governance/console/assessments.html",
        {
            "rounds": list(sel.assessment_rounds(actor=request.user)),
            "open_form": OpenRoundForm(orgs=feds, initial={"year": timezone.localdate().year})
            if feds.exists()
            else None,
            "percent": EXCELLENT_PERCENT,
        },
    )


@staff_required
@require_POST
def assessment_open(request):
    feds = sel.federations(actor=request.user)
    if not feds.exists():
        raise PermissionDenied("年度考核由总工会管理员发布")
    form = OpenRoundForm(request.POST, orgs=feds)
    if not form.is_valid():
        messages.error(request, _messages(form))
        return redirect("/console/governance/workers/assessments/")
    try:
        r = services.open_assessment(
            actor=request.user, org=form.cleaned_data["org"], year=form.cleaned_data["year"]
        )
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("/console/governance/workers/assessments/")
    messages.success(request, f"已发布{r.year}年度考核：{r.assessed} 人参加，优秀名额 {r.excellent_quota} 个")
    return redirect(f"/console/governance/workers/assessments/{r.pk}/")


@staff_required
def assessment_detail(request, pk):
    r = sel.assessment_round(actor=request.user, pk=pk)
    grade = request.GET.get("grade", "")
    mine = request.GET.get("mine") == "1"
    counts = sel.grade_counts(actor=request.user, round=r)
    return render(
        request,
        "governance/console/assessment_detail.html",
        {
            "r": r,
            "grade": grade,
            "mine": mine,
            "grades": Assessment.Grade.choices,
            "counts": [(label, counts.get(v, 0)) for v, label in Assessment.Grade.choices]
            + [("未评定", counts.get("", 0))],
            "page": paginate(request, sel.assessment_items(actor=request.user, round=r, grade=grade, mine=mine), 50),
            "open": r.status == AssessmentRound.Status.OPEN,
            "may_confirm": r.status == AssessmentRound.Status.OPEN
            and can(request.user, "change", r.org.path),
        },
    )


@staff_required
@require_POST
def assessment_confirm(request, pk):
    r = sel.assessment_round(actor=request.user, pk=pk)
    try:
        services.confirm_assessment(actor=request.user, round=r)
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已确认{r.year}年度考核结果，结果不能再修改")
    return redirect(f"/console/governance/workers/assessments/{r.pk}/")


@staff_required
def assessment_export(request, pk):
    r = sel.assessment_round(actor=request.user, pk=pk)
    w = services.export_assessment(
        actor=request.user, round=r, rows=sel.assessment_items(actor=request.user, round=r)
    )
    resp = FileResponse(w.open(), content_type=XLSX)
    resp["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(str(r.year) + '年度社会化工会工作者考核结果.xlsx')}"
    )
    return resp


@staff_required
def assessment_grade(request, pk):
    a = sel.assessment_item(actor=request.user, pk=pk, action="change")
    form = GradeForm(
        request.POST or None, initial={"grade": a.grade or None, "comment": a.comment, "reason": a.reason}
    )
    frozen = a.round.status != AssessmentRound.Status.OPEN
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.grade_assessment(
                actor=request.user, item=a, grade=d["grade"], comment=d["comment"], reason=d["reason"]
            )
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已评定{a.worker.person.name}为{Assessment.Grade(d['grade']).label}")
            return redirect(f"/console/governance/workers/assessments/{a.round_id}/")
    a.round.refresh_from_db()
    return render(
        request,
        "governance/console/assessment_grade.html",
        {"form": form, "a": a, "r": a.round, "frozen": frozen},
        status=400 if form.errors else 200,
    )
