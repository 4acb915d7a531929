"""就业帮扶 pages: the console (/console/assistance/jobs/...) where unions post jobs, record outcomes and see the
job seekers with their matches, and the member's H5 (/m/jobs/...) to browse, apply and register. Thin: the rules
are in :mod:`lianxin.assistance.services_jobs`, the scoped reads in :mod:`lianxin.assistance.selectors_jobs`."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianxin.core.errors import ServiceError
from lianxin.core.scoping import can, offers
from lianxin.core.views import form_error, member_required, paginate, staff_required

from . import selectors
from . import selectors_jobs as sel
from . import services_jobs as svc
from .forms import JobPostForm, OutcomeForm, SeekerForm
from .models import JobOutcome


@staff_required
def post_list(request):
    status = request.GET.get("status", "open")
    status = status if status in ("open", "closed", "all") else "open"
    return render(request, "assistance/job_list.html", {
        "page": paginate(request, sel.post_list(actor=request.user, status=status)), "status": status,
        "statuses": [("open", "招聘中"), ("closed", "已结束"), ("all", "全部")]})


@staff_required
@offers("change")
def post_new(request):
    form = JobPostForm(request.POST or None, unions=selectors.fund_orgs(actor=request.user).order_by("path"))
    if request.method == "POST" and form.is_valid():
        try:
            p = svc.create_post(actor=request.user, **form.cleaned_data)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已发布 {p.employer.name}“{p.title}”")
            return redirect(f"/console/assistance/jobs/{p.pk}/")
    return render(request, "assistance/job_form.html", {"form": form}, status=400 if form.errors else 200)


def _post_page(request, post, *, status=200, form=None, form_for=None):
    poster = can(request.user, "change", post.union.path)
    page = paginate(request, sel.applicants(actor=request.user, post=post), 50)
    for a in page:  # the outcomes this application may move to next (services_jobs.TRANSITIONS)
        a.steps = [(s, JobOutcome(s).label) for s in svc.TRANSITIONS[a.status]]
    return render(request, "assistance/job_detail.html", {
        "post": post, "poster": poster, "page": page, "form": form, "form_for": form_for}, status=status)


@staff_required
def post_detail(request, pk):
    return _post_page(request, sel.post_detail(actor=request.user, pk=pk))


@staff_required
@require_POST
def outcome(request, pk, aid):
    post = sel.post_detail(actor=request.user, pk=pk)
    a = sel.application_of(actor=request.user, post=post, pk=aid)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            a = svc.record_outcome(actor=request.user, application=a, **form.cleaned_data)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已登记 {a.person.name}：{a.get_status_display()}")
            return redirect(f"/console/assistance/jobs/{post.pk}/")
    return _post_page(request, sel.post_detail(actor=request.user, pk=pk), status=400, form=form, form_for=a.pk)


@staff_required
@require_POST
def post_close(request, pk):
    post = sel.post_detail(actor=request.user, pk=pk)
    try:
        svc.close_post(actor=request.user, post=post)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.info(request, "已结束招聘")
    return redirect(f"/console/assistance/jobs/{post.pk}/")


@staff_required
def seeker_list(request):
    q = request.GET.get("q", "")[:30]
    page = paginate(request, sel.seekers(actor=request.user, q=q))
    found = sel.matches(actor=request.user, page=page)
    return render(request, "assistance/job_seekers.html", {
        "page": page, "rows": [(s, found.get(s.pk, [])) for s in page], "q": q})


# --- member H5 -------------------------------------------------------------------------------------------------


@member_required
def m_jobs(request):
    q = request.GET.get("q", "")[:30]
    person = request.user.person
    page = paginate(request, sel.open_posts(q=q), 20)
    return render(request, "assistance/m_jobs.html", {
        "page": page, "q": q, "mine": list(sel.my_applications(person)[:10]), "seeker": sel.my_seeker(person),
        "applied": set(sel.my_applications(person).values_list("post_id", flat=True))})


@member_required
def m_job(request, pk):
    person = request.user.person
    post = sel.member_post(person, pk)
    mine = sel.my_applications(person).filter(post=post).first()
    return render(request, "assistance/m_job.html", {"post": post, "mine": mine})


@member_required
@require_POST
def m_job_apply(request, pk):
    post = sel.member_post(request.user.person, pk)
    try:
        svc.apply(actor=request.user, post=post)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "报名成功，工会将把您推荐给用人单位")
    return redirect(f"/m/jobs/{post.pk}/")


@member_required
def m_seeker(request):
    seeker = sel.my_seeker(request.user.person)
    initial = ({"wanted_job": seeker.wanted_job, "trade": seeker.trade, "skills": seeker.skills,
                "active": seeker.active} if seeker else None)
    form = SeekerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.register_seeker(actor=request.user, **form.cleaned_data)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "求职登记已保存，工会将为您匹配岗位")
            return redirect("/m/jobs/")
    return render(request, "assistance/m_seeker.html", {"form": form, "seeker": seeker},
                  status=400 if form.errors else 200)
