"""工会志愿者服务 pages: the console (projects and their sign-ups, attendance, registrations to decide, a
volunteer's ledger with 冲正, the ranking and its export) and the member's H5 page /m/volunteers/ (register,
open projects, sign up and withdraw, total hours and history). Thin: parse, call a service or selector, render."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.core.errors import ServiceError
from lianxin.core.scoping import can, offers, scope_for
from lianxin.core.views import form_error, member_required, paginate, staff_required
from lianxin.portal.services import current_membership

from . import selectors, services
from .forms import ProjectForm, ReasonForm, RegisterForm
from .models import HoursEntry, Project, Signup, Skill, Volunteer, hours_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROJECT_FILTERS = [
    ("upcoming", "未结束"),
    ("ended", "已结束"),
    ("unconfirmed", "待确认参加"),
    ("cancelled", "已取消"),
]


# ---------------------------------------------------------------- console: projects


@staff_required
def console_list(request):
    status = request.GET.get("status", "")
    return render(
        request,
        "volunteers/console/list.html",
        {
            "page": paginate(request, selectors.staff_projects(actor=request.user, status=status)),
            "status": status,
            "statuses": PROJECT_FILTERS,
            "pending": selectors.staff_volunteers(
                actor=request.user, status=Volunteer.Status.PENDING
            ).count(),
        },
    )


def _project_form_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "org"}


@staff_required
@offers("change")
def project_new(request):
    form = ProjectForm(request.POST or None, orgs=selectors.project_orgs(actor=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            p = services.create_project(
                actor=request.user, org=form.cleaned_data["org"], **_project_form_data(form)
            )
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已发布“{p.title}”，范围内已通过审核的志愿者可以报名")
            return redirect(f"/console/volunteers/{p.pk}/")
    return render(
        request,
        "volunteers/console/project_form.html",
        {"form": form, "instance": None},
        status=400 if form.errors else 200,
    )


@staff_required
def project_edit(request, pk):
    p = selectors.project_detail(actor=request.user, pk=pk, action="change")
    form = ProjectForm(request.POST or None, instance=p, orgs=selectors.project_orgs(actor=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(actor=request.user, project=p, **_project_form_data(form))
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "已保存")
            return redirect(f"/console/volunteers/{p.pk}/")
    return render(
        request,
        "volunteers/console/project_form.html",
        {"form": form, "instance": p},
        status=400 if form.errors else 200,
    )


@staff_required
def project_detail(request, pk):
    p = selectors.project_detail(actor=request.user, pk=pk)
    now = timezone.now()
    organiser = can(request.user, "change", p.org.path)
    return render(
        request,
        "volunteers/console/project_detail.html",
        {
            "p": p,
            "signups": list(selectors.project_signups(p)),
            "organiser": organiser,
            "may_confirm": organiser and p.status == Project.Status.OPEN and now >= p.ends_at,
            "may_edit": organiser and p.status == Project.Status.OPEN and now < p.starts_at,
            "ended": now >= p.ends_at,
            "cancel_form": ReasonForm(),
        },
    )


@staff_required
@require_POST
def project_cancel(request, pk):
    p = selectors.project_detail(actor=request.user, pk=pk, action="change")
    try:
        services.cancel_project(actor=request.user, project=p, reason=request.POST.get("reason", ""))
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已取消“{p.title}”，已报名的志愿者会收到通知")
    return redirect(f"/console/volunteers/{p.pk}/")


@staff_required
@require_POST
def signup_confirm(request, pk, sid):
    p = selectors.project_detail(actor=request.user, pk=pk)
    s = Signup.objects.filter(project=p, pk=sid).select_related("volunteer__person").first()
    if s is None:
        messages.error(request, "该报名记录不存在")
        return redirect(f"/console/volunteers/{p.pk}/")
    attended = request.POST.get("attended") == "1"
    try:
        services.confirm_attendance(actor=request.user, signup=s, attended=attended)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            f"{s.volunteer.person.name}：已参加，计入 {p.hours} 小时"
            if attended
            else f"{s.volunteer.person.name}：未参加",
        )
    return redirect(f"/console/volunteers/{p.pk}/#signups")


# ---------------------------------------------------------------- console: volunteers


@staff_required
def volunteer_list(request):
    status = request.GET.get("status", "pending")
    if status not in Volunteer.Status.values and status != "all":
        status = "pending"
    skill = request.GET.get("skill", "")
    qs = selectors.staff_volunteers(actor=request.user, status="" if status == "all" else status, skill=skill)
    return render(
        request,
        "volunteers/console/volunteers.html",
        {
            "page": paginate(request, qs),
            "status": status,
            "statuses": Volunteer.Status.choices,
            "skill": skill,
            "skills": Skill.choices,
            "may_review": bool(scope_for(request.user).superuser or scope_for(request.user).paths("review")),
        },
    )


@staff_required
def volunteer_detail(request, pk):
    v = selectors.volunteer_detail(actor=request.user, pk=pk)
    entries = list(selectors.ledger_of(v))
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    for e in entries:
        e.may_reverse = (
            e.kind == HoursEntry.Kind.CREDIT
            and e.pk not in reversed_ids
            and can(request.user, "change", e.signup.project.org.path)
        )
    return render(
        request,
        "volunteers/console/volunteer.html",
        {
            "v": v,
            "entries": entries,
            "total": hours_text(selectors.total_minutes(v)),
            "signups": list(v.signups.select_related("project").order_by("-signed_at")[:50]),
            "may_review": can(request.user, "review", v.union.path),
        },
    )


@staff_required
@require_POST
def volunteer_decide(request, pk):
    v = selectors.volunteer_detail(actor=request.user, pk=pk, action="review")
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_volunteer(
            actor=request.user, volunteer=v, approve=approve, reason=request.POST.get("reason", "")
        )
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{v.person.name}：{'已通过' if approve else '未通过'}")
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/console/volunteers/") else "/console/volunteers/volunteers/")


@staff_required
@require_POST
def hours_reverse(request, eid):
    e = selectors.entry_detail(actor=request.user, pk=eid)
    try:
        services.reverse_hours(
            actor=request.user,
            entry=e,
            hours=request.POST.get("hours", ""),
            reason=request.POST.get("reason", ""),
        )
    except ServiceError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, "已冲正，冲正记录已记入台账")
    return redirect(f"/console/volunteers/volunteers/{e.volunteer_id}/")


@staff_required
def ranking(request):
    return render(
        request,
        "volunteers/console/ranking.html",
        {"page": paginate(request, selectors.ranking(actor=request.user), 50)},
    )


@staff_required
def hours_export(request):
    from lianxin.core.scoping import require_may

    require_may(request.user, "export")
    scope = scope_for(request.user)
    org_path = "" if scope.superuser else (scope.paths("export") or [""])[0]
    w = services.export_hours(
        actor=request.user,
        rows=selectors.hours_entries(actor=request.user, action="export"),
        org_path=org_path,
    )
    resp = FileResponse(w.open(), content_type=XLSX)
    name = f"志愿服务时长台账{timezone.localdate():%Y%m%d}.xlsx"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


# ---------------------------------------------------------------- member pages


def _volunteer_page(request, form=None, status=200):
    person = request.user.person
    v = selectors.my_volunteer(person)
    ctx = {"v": v, "membership": current_membership(person), "form": form}
    if v is None or v.status == Volunteer.Status.DECLINED:
        initial = {"skills": v.skills, "times": v.times, "note": v.note} if v else None
        ctx["form"] = form or RegisterForm(initial=initial)
    if v is not None and v.status == Volunteer.Status.APPROVED:
        signed = {s.project_id: s for s in selectors.my_signups(v)}
        projects = list(selectors.open_projects(v)[:50])
        for p in projects:
            p.mine = signed.get(p.pk)
            p.match = bool(set(p.skills or []) & set(v.skills or []))
        ctx.update(
            projects=projects,
            signups=list(signed.values())[:50],
            total=hours_text(selectors.total_minutes(v)),
            ledger=list(selectors.ledger_of(v)[:50]),
        )
    return render(request, "volunteers/m/index.html", ctx, status=status)


@member_required
def m_index(request):
    return _volunteer_page(request)


@member_required
@require_POST
def m_register(request):
    form = RegisterForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.register_volunteer(
                actor=request.user, skills=d["skills"], times=d["times"], note=d["note"]
            )
        except ServiceError as e:
            if e.field:
                form_error(form, e)
            else:
                messages.error(request, e.message)
                return redirect("/m/volunteers/")
        else:
            messages.success(request, "已提交志愿者登记，所在工会审核后即可报名服务项目")
            return redirect("/m/volunteers/")
    return _volunteer_page(request, form=form, status=400)


def _approved_or_redirect(request):
    v = selectors.my_volunteer(request.user.person)
    if v is None or v.status != Volunteer.Status.APPROVED:
        messages.info(request, "登记为工会志愿者并通过审核后可以查看和报名服务项目")
        return None
    return v


@member_required
def m_project(request, pk):
    v = _approved_or_redirect(request)
    if v is None:
        return redirect("/m/volunteers/")
    p = selectors.member_project(v, pk)
    now = timezone.now()
    return render(
        request,
        "volunteers/m/project.html",
        {
            "p": p,
            "mine": selectors.my_signup(v, p),
            "v": v,
            "open": p.status == Project.Status.OPEN and now < p.signup_deadline,
            "started": now >= p.starts_at,
            "match": bool(set(p.skills or []) & set(v.skills or [])),
        },
    )


@member_required
@require_POST
def m_signup(request, pk):
    try:
        services.sign_up(actor=request.user, project_id=pk)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "报名成功，请按时参加")
    return redirect(f"/m/volunteers/projects/{int(pk)}/")


@member_required
@require_POST
def m_withdraw(request, pk):
    try:
        services.withdraw(actor=request.user, project_id=pk)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已退出该项目，名额已释放")
    return redirect(f"/m/volunteers/projects/{int(pk)}/")
