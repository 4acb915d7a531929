"""职工教育培训 pages: the console (classes, quotas, enrolling team leaders from a union's roster, 点名 per 课次,
scores, issuing certificates, the roll's export, verifying a certificate, the 教育补助 grants) and the member's H5
page /m/training/ (my trainings and certificates, my education grants). Thin: parse, call a service or selector,
render."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, get_scoped_or_404, offers
from lianxin.core.views import form_error, member_required, paginate, staff_required
from lianxin.orgs.models import Organization

from . import selectors, services
from .forms import ClassEditForm, ClassForm
from .models import EDUCATION_CAPS_FEN, EducationLevel, Enrolment, Session

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CLASS_FILTERS = [("open", "报名中"), ("running", "培训中"), ("ended", "已结业"), ("cancelled", "已取消")]


def _back(k) -> str:
    return f"/console/training/{k.pk}/"


# ---------------------------------------------------------------- console: classes


@staff_required
def console_list(request):
    status = request.GET.get("status", "")
    return render(
        request,
        "training/console/list.html",
        {
            "page": paginate(request, selectors.staff_classes(actor=request.user, status=status)),
            "status": status,
            "statuses": CLASS_FILTERS,
            "today": timezone.localdate(),
        },
    )


@staff_required
@offers("change")
def class_new(request):
    form = ClassForm(request.POST or None, orgs=selectors.organiser_orgs(actor=request.user))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "org"}
        try:
            k = services.create_class(actor=request.user, org=form.cleaned_data["org"], **data)
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已发布“{k.title}”，下属工会的管理员可以为班组长报名")
            return redirect(_back(k))
    return render(
        request, "training/console/class_form.html", {"form": form}, status=400 if form.errors else 200
    )


@staff_required
def class_edit(request, pk):
    k = selectors.organised_class(actor=request.user, pk=pk)
    if k.cancelled:
        messages.error(request, "培训班已取消，不能再修改")
        return redirect(_back(k))
    initial = {f: getattr(k, f) for f in services.EDITABLE}
    form = ClassEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_class(actor=request.user, klass=k, **form.cleaned_data)
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已保存“{form.cleaned_data['title']}”的修改")
            return redirect(_back(k))
    return render(
        request,
        "training/console/class_edit.html",
        {"form": form, "k": k},
        status=400 if form.errors else 200,
    )


@staff_required
def class_detail(request, pk):
    k = selectors.class_detail(actor=request.user, pk=pk)
    today = timezone.localdate()
    organiser = can(request.user, "change", k.org.path)
    rows = selectors.roll(k, actor=request.user)
    for e in rows:
        e.revoked = list(e.revocations.all())
        e.may_revoke = organiser and bool(e.certificate_no)
        e.may_withdraw = (
            e.status == Enrolment.Status.ENROLLED
            and not k.cancelled
            and today <= k.signup_deadline
            and can(request.user, "change", e.union.path)
        )
    sessions = selectors.sessions(k)
    live = not k.cancelled
    return render(
        request,
        "training/console/class_detail.html",
        {
            "k": k,
            "rows": rows,
            "live": sum(1 for e in rows if e.status == Enrolment.Status.ENROLLED),
            "quotas": selectors.quotas(k),
            "quota_unions": selectors.quota_unions(klass=k) if organiser else [],
            "sessions": sessions,
            "unrecorded": sum(1 for s in sessions if s.recorded_at is None),
            "organiser": organiser,
            "may_export": can(request.user, "export", k.org.path),
            "open": live and today <= k.signup_deadline,
            "started": today >= k.starts_on,
            "ended": today >= k.ends_on,
            "may_edit": live and organiser and k.certified_at is None and today <= k.ends_on,
            "may_cancel": live
            and organiser
            and k.certified_at is None
            and today <= k.ends_on
            and not any(e.score is not None for e in rows),
            "may_enrol": live
            and today <= k.signup_deadline
            and selectors.may_enrol_somewhere(actor=request.user, klass=k),
        },
    )


@staff_required
@require_POST
def class_cancel(request, pk):
    k = selectors.organised_class(actor=request.user, pk=pk)
    try:
        services.cancel_class(actor=request.user, klass=k, reason=request.POST.get("reason", ""))
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已取消“{k.title}”，已报名的学员会收到站内消息")
    return redirect(_back(k))


@staff_required
@require_POST
def quota_set(request, pk):
    k = selectors.organised_class(actor=request.user, pk=pk)
    union = (
        Organization.objects.filter(pk=request.POST.get("union") or 0).first()
        if (request.POST.get("union", "").isdigit())
        else None
    )
    try:
        q = services.set_quota(actor=request.user, klass=k, union=union, quota=request.POST.get("quota", ""))
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, f"{union.name}：分配 {q.quota} 个名额" if q else f"{union.name}：已取消分配名额"
        )
    return redirect(_back(k) + "#quotas")


@staff_required
def enrol(request, pk):
    k = selectors.class_detail(actor=request.user, pk=pk)
    if request.method == "POST":
        from lianxin.members.models import Person

        person = (
            Person.objects.filter(pk=request.POST.get("person") or 0).first()
            if (request.POST.get("person", "").isdigit())
            else None
        )
        if person is None:
            messages.error(request, "请从名单中选择学员")
        else:
            try:
                services.enrol(actor=request.user, klass=k, person=person)
            except PermissionDenied:
                raise
            except ServiceError as e:
                messages.error(request, e.message)
            else:
                messages.success(request, f"已为{person.name}报名“{k.title}”")
        return redirect(f"/console/training/{k.pk}/enrol/?q={quote(request.POST.get('q', ''))}")
    q = request.GET.get("q", "")
    k.refresh_from_db(fields=["remaining"])
    return render(
        request,
        "training/console/enrol.html",
        {
            "k": k,
            "q": q,
            "page": paginate(request, selectors.roster(actor=request.user, klass=k, q=q), 50),
            "open": not k.cancelled and timezone.localdate() <= k.signup_deadline,
            "quotas": selectors.quotas(k),
        },
    )


@staff_required
@require_POST
def withdraw(request, pk, eid):
    k = selectors.class_detail(actor=request.user, pk=pk)
    e = get_scoped_or_404(Enrolment.objects.filter(klass=k).select_related("person"), request.user, eid)
    try:
        services.withdraw(actor=request.user, enrolment=e)
    except PermissionDenied:
        raise
    except ServiceError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, f"{e.person.name}已退出报名，名额已退回")
    return redirect(_back(k) + "#roll")


@staff_required
@require_POST
def certificate_revoke(request, pk, eid):
    """撤销结业证书 from the class page's roll: the organiser's 管理员 (404 outside the subtree, 403 for roles that
    may not change); the form sends the reason and the number shown, so a stale page never revokes a newer one."""
    k = selectors.organised_class(actor=request.user, pk=pk)
    e = get_scoped_or_404(Enrolment.objects.filter(klass=k).select_related("person"), request.user, eid)
    try:
        r = services.revoke_certificate(
            actor=request.user,
            enrolment=e,
            reason=request.POST.get("reason", ""),
            number=request.POST.get("number", ""),
        )
    except PermissionDenied:
        raise
    except ServiceError as err:
        messages.error(request, err.message)
    else:
        messages.success(
            request, f"已撤销{e.person.name}的结业证书 {r.certificate_no}，公开核验页将显示已撤销"
        )
    return redirect(_back(k) + f"#enrolment-{e.pk}")


@staff_required
def attendance(request, pk, n):
    k = selectors.organised_class(actor=request.user, pk=pk, action="view")
    s = Session.objects.filter(klass=k, n=n).first()
    if s is None:
        from django.http import Http404

        raise Http404
    organiser = can(request.user, "change", k.org.path)
    if request.method == "POST":
        if not organiser:
            raise PermissionDenied("只有培训班主办单位的管理员可以点名")
        try:
            services.record_attendance(
                actor=request.user, klass=k, n=n, present_ids=request.POST.getlist("present")
            )
        except PermissionDenied:
            raise
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"第 {n} 课次点名已保存")
            return redirect(_back(k) + "#sessions")
        return redirect(f"/console/training/{k.pk}/sessions/{n}/")
    marks = selectors.session_marks(s)
    rows = selectors.roll(k, include_withdrawn=False)
    for e in rows:
        e.present = marks.get(e.pk)
    return render(
        request,
        "training/console/attendance.html",
        {
            "k": k,
            "s": s,
            "rows": rows,
            "organiser": organiser,
            "started": timezone.localdate() >= k.starts_on,
        },
    )


@staff_required
def scores(request, pk):
    k = selectors.organised_class(actor=request.user, pk=pk, action="view")
    organiser = can(request.user, "change", k.org.path)
    rows = selectors.roll(k, include_withdrawn=False)
    errors = {}
    if request.method == "POST":
        if not organiser:
            raise PermissionDenied("只有培训班主办单位的管理员可以登记成绩")
        sheet = {key.removeprefix("score_"): v for key, v in request.POST.items() if key.startswith("score_")}
        try:
            services.record_scores(actor=request.user, klass=k, scores=sheet)
        except PermissionDenied:
            raise
        except ServiceError as e:
            errors[e.field] = e.message
            for r in rows:
                r.entered = sheet.get(str(r.pk), "")
        else:
            messages.success(request, "考核成绩已保存")
            return redirect(_back(k) + "#roll")
    for r in rows:
        if not hasattr(r, "entered"):
            r.entered = "" if r.score is None else str(r.score)
        r.error = errors.get(f"score_{r.pk}", "")
    return render(
        request,
        "training/console/scores.html",
        {
            "k": k,
            "rows": rows,
            "organiser": organiser,
            "ended": timezone.localdate() >= k.ends_on,
            "error": next(iter(errors.values()), ""),
        },
        status=400 if errors else 200,
    )


@staff_required
@require_POST
def issue(request, pk):
    k = selectors.organised_class(actor=request.user, pk=pk)
    try:
        issued = services.issue_certificates(actor=request.user, klass=k)
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        if issued:
            messages.success(
                request,
                f"已为 {len(issued)} 名合格学员发放结业证书（{issued[0].certificate_no} 至 {issued[-1].certificate_no}）",
            )
        else:
            messages.info(request, "没有新的合格学员需要发证（已发的证书不会重复发放）")
    return redirect(_back(k) + "#roll")


@staff_required
def export(request, pk):
    k = selectors.organised_class(actor=request.user, pk=pk, action="export")
    w = services.export_roll(actor=request.user, klass=k, rows=selectors.roll(k, include_withdrawn=False))
    resp = FileResponse(w.open(), content_type=XLSX)
    name = f"{k.title}学员名册{timezone.localdate():%Y%m%d}.xlsx"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


@staff_required
def verify(request):
    number = request.GET.get("no", "").strip()
    found = selectors.certificate(actor=request.user, number=number) if number else None
    revoked = None
    if found is not None:
        found.attended = services.attended_counts(found.klass).get(found.pk, 0)
    elif number:
        revoked = selectors.revoked_certificate(actor=request.user, number=number)
    return render(request, "training/console/verify.html", {"no": number, "found": found, "revoked": revoked})


# ---------------------------------------------------------------- 结业证书 PDF and its public verification


def _certificate_response(request, e) -> HttpResponse:
    """The PDF, drawn on request from the record (nothing stored), its QR code pointing at the public page —
    as the workflow's 工会法人资格证书 download (which is not audited: reading one's certificate is no change)."""
    from .certificates import certificate_pdf

    url = request.build_absolute_uri(reverse("training-public-verify", args=[e.certificate_token]))
    resp = HttpResponse(certificate_pdf(e, url), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{e.certificate_no}.pdf"'
    resp["Cache-Control"] = "private, no-store"
    return resp


@staff_required
def certificate_pdf(request, eid):
    """Staff in scope (the class's organiser or the trainee's union): 404 outside."""
    return _certificate_response(request, selectors.staff_certificate(actor=request.user, pk=eid))


@member_required
def m_certificate_pdf(request, eid):
    """The member's own certificate only: 404 for anyone else's."""
    return _certificate_response(request, selectors.my_certificate(person=request.user.person, pk=eid))


def public_verify(request, token):
    """Public (no login): whoever scans the QR code sees whether the certificate is genuine — the holder's name
    masked, the class, organiser, number and date; nothing else about the person. A revoked certificate's page
    says so, with the date of the revocation (not its reason: that is the trainee's matter). A forged or
    mistyped token gets a Chinese 'not found' page with status 404."""
    from .certificates import issued_on, mask_name

    cert = selectors.certificate_by_token(token)  # a valid one (an enrolment) …
    revoked = None if cert is not None else selectors.revoked_by_token(token)  # … or a revoked one
    if cert is None and revoked is None:
        return render(request, "training/verify_public.html", {"e": None}, status=404)
    e = cert or revoked.enrolment
    return render(
        request,
        "training/verify_public.html",
        {
            "e": e,
            "number": (cert or revoked).certificate_no,
            "issued": issued_on(cert or revoked),
            "revoked_on": timezone.localtime(revoked.revoked_at).date() if revoked else None,
            "holder": mask_name(e.person.name),
        },
    )


@staff_required
def grants(request):
    from lianxin.assistance.services import yuan

    return render(
        request,
        "training/console/grants.html",
        {
            "page": paginate(request, selectors.staff_grants(actor=request.user)),
            "caps": [(label, yuan(EDUCATION_CAPS_FEN[v])) for v, label in EducationLevel.choices],
        },
    )


# ---------------------------------------------------------------- member page


@member_required
def m_index(request):
    from lianxin.assistance.services import yuan

    person = request.user.person
    return render(
        request,
        "training/m/index.html",
        {
            "enrolments": selectors.my_enrolments(person),
            "grants": list(selectors.my_grants(person)),
            "caps": [(label, yuan(EDUCATION_CAPS_FEN[v])) for v, label in EducationLevel.choices],
        },
    )
