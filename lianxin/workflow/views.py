"""Pages of the applications engine. Thin: parse the request, call a selector or service, render.

Two audiences share the applicant pages (:func:`_applicant_detail`, :func:`_apply`): members on their phones
(``/m/…``, portal/base.html) and union staff filing for their union or entering an application for a worker at
the counter (``/console/applications/file/…``, console/base.html). Reviewers use the queue and the decision form.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.core.errors import ServiceError
from lianxin.core.scoping import can, offers, scope_for
from lianxin.core.views import member_login_required, paginate, staff_required
from lianxin.members.selectors import person_to_change
from lianxin.orgs.models import Enterprise, Organization, OrgKind
from lianxin.portal.services import current_membership

from . import selectors, services
from .certificates import certificate_pdf
from .models import Decision, State
from .programmes import PROGRAMMES, field_specs, get_programme

SURFACES = {
    "m": {"base": "portal/base.html", "list": "/m/my/applications/", "detail": "/m/my/applications/{pk}/"},
    "console": {"base": "console/base.html", "list": "/console/applications/filed/",
                "detail": "/console/applications/filed/{pk}/"},
}


ENTERPRISE_PICK_LIMIT = 300


def _choices_for(widget: str, user, selected: str = "") -> list[tuple[str, str]]:
    if widget == "enterprise":
        # the first names only; the search box above the list (htmx) reaches the rest of a large register
        out = [(str(pk), name) for pk, name in
               Enterprise.objects.order_by("name").values_list("pk", "name")[:ENTERPRISE_PICK_LIMIT]]
        if selected.isdigit() and selected not in {v for v, _ in out}:
            out = [(str(pk), name) for pk, name in Enterprise.objects.filter(pk=selected).values_list("pk", "name")] + out
        return out
    if widget == "street":
        return [(str(pk), name) for pk, name in
                Organization.objects.filter(kind=OrgKind.STREET).order_by("path").values_list("pk", "name")]
    if widget in ("own_union", "upper_union"):
        from lianxin.orgs.selectors import org_list

        # own_union: the union applying for itself; upper_union: the union a new one is founded under
        kinds = [OrgKind.BASE, OrgKind.JOINT, OrgKind.INDUSTRY] if widget == "own_union" else \
            [OrgKind.STREET, OrgKind.JOINT, OrgKind.INDUSTRY]
        return [(str(o.pk), o.name) for o in org_list(actor=user, action="change").filter(kind__in=kinds)[:300]]
    return []


def _fields(prog, user, values: dict, *, error: ServiceError | None = None, editable=None,
            typed: bool = False, current: dict | None = None) -> list[dict]:
    """Field dicts for workflow/_fields.html: label, widget, current value, error, and whether it may change.
    Stored personal values are never echoed (a masked placeholder instead); ``typed`` values the user has just
    entered on a refused new form are given back so they need not be typed again. ``current``: what the
    record holds now (a correction form), shown as the hint under an empty field."""
    out = []
    current = current or {}
    for s in field_specs(prog.form):
        f = dict(s)
        v = values.get(s["name"])
        f["value"] = "" if v is None else str(v)
        f["placeholder"] = ""
        if s["sensitive"] and not typed:
            f["placeholder"], f["value"] = (f["value"] and f"已填写 {f['value']}，不改请留空"), ""
        f["choices"] = s["choices"] or _choices_for(s["widget"], user, f["value"])
        f["error"] = error.message_for(s["name"]) if error is not None else ""
        f["editable"] = True if editable is None else s["name"] in editable
        if s["name"] in current and f["editable"]:
            f["help"] = f"现登记：{current[s['name']] or '未登记'}。不需要更正请留空"
        out.append(f)
    return out


def _general_error(prog, error: ServiceError | None) -> str:
    names = {s["name"] for s in field_specs(prog.form)} | {"member", "who"}
    return error.message if error is not None and error.field not in names else ""


def _save_files(request, app, prog) -> list[str]:
    problems = []
    for slot in prog.attachments:
        for upload in request.FILES.getlist(f"file_{slot.code}"):
            try:
                services.add_attachment(actor=request.user, app=app, slot=slot.code, upload=upload)
            except ServiceError as e:
                problems.append(f"{slot.label}：{e.message}")
    return problems


def _apply(request, code: str, surface: str):
    prog = get_programme(code)
    on_behalf = surface == "console" and prog.applicant_kind != "union"
    error = None
    values = dict(request.POST.items()) if request.method == "POST" else prog.prefill(request.user, request.GET)
    for_member = on_behalf and prog.applicant_kind == "member"  # staff name the member at the counter
    if request.method == "POST":
        try:
            person = person_to_change(actor=request.user, who=values.get("member", "")) if for_member else None
            app = services.create_application(actor=request.user, programme=code, data=values,
                                              on_behalf=on_behalf, in_person=bool(request.POST.get("in_person")),
                                              for_person=person)
        except ServiceError as e:
            error = e
        else:
            problems = _save_files(request, app, prog)
            for p in problems:
                messages.error(request, p)
            if request.POST.get("action") == "submit" and not problems:
                try:
                    services.submit_application(actor=request.user, app=app)
                    messages.success(request, f"申请已提交（编号 {app.number}），受理组织：{app.org.name}")
                except ServiceError as e:
                    messages.error(request, f"草稿已保存，但还不能提交：{e.message}")
            else:
                messages.info(request, f"草稿已保存（编号 {app.number}）")
            return redirect(SURFACES[surface]["detail"].format(pk=app.pk))
    # a member opening the join form is told at once that changing employer is a transfer, not after filling it in
    already_member = (error is not None and error.code == "already_member") or (
        surface == "m" and code == "join" and current_membership(getattr(request.user, "person", None)) is not None)
    return render(request, "workflow/apply.html", {
        "base": SURFACES[surface]["base"], "surface": surface, "prog": prog, "on_behalf": on_behalf,
        "for_member": for_member, "member": values.get("member", "")[:30],
        "member_error": error.message if error is not None and error.field in ("member", "who") else "",
        "fields": _fields(prog, request.user, values, error=error, typed=True,
                          current=prog.current_values(request.user)),
        "error": _general_error(prog, error),
        "already_member": already_member,
    }, status=400 if error else 200)


def _applicant_detail(request, pk: int, surface: str):
    app = selectors.my_application(user=request.user, pk=pk)
    prog = app.programme_def
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("save", "submit") and app.editable:
                services.update_application(actor=request.user, app=app, data=dict(request.POST.items()))
                problems = _save_files(request, app, prog)
                if problems:
                    raise ServiceError("；".join(problems))
                if action == "submit":
                    services.submit_application(actor=request.user, app=app)
                    messages.success(request, "已重新提交" if app.state == State.RETURNED else "申请已提交")
                else:
                    messages.info(request, "已保存")
            elif action == "withdraw":
                services.withdraw_application(actor=request.user, app=app)
                messages.info(request, "申请已撤回")
            elif action == "remove":
                att = app.attachments.filter(pk=request.POST.get("attachment")).first()
                if att is None:
                    raise Http404
                services.remove_attachment(actor=request.user, attachment=att)
                messages.info(request, "已删除材料")
            else:
                raise ServiceError("操作无效")
            return redirect(SURFACES[surface]["detail"].format(pk=app.pk))
        except ServiceError as e:
            error = e
            app.refresh_from_db()
    editable = None  # a draft: everything may change
    if app.state == State.RETURNED:
        editable = set(app.returned_fields)
    elif not app.editable:
        editable = set()
    # after a refused edit, show what was typed over what is stored (fields not editable keep their value)
    values = {**app.form, **dict(request.POST.items())} if error is not None else app.form
    labels = prog.field_labels()
    return render(request, "workflow/applicant_detail.html", {
        "base": SURFACES[surface]["base"], "surface": surface, "app": app, "prog": prog,
        "steps": selectors.steps_of(app), "attachments": app.attachments.all(),
        "fields": _fields(prog, request.user, values, error=error, editable=editable,
                          current=prog.current_values(app.applicant) if app.applicant_id else None),
        "error": _general_error(prog, error) or (error.message if error and not error.field else ""),
        "returned": [labels.get(f, f) for f in app.returned_fields],
        "slots": [(s, editable is None or f"att:{s.code}" in editable) for s in prog.attachments],
        "last_return": app.steps.filter(decision=Decision.RETURNED).order_by("-id").first(),
        "certificate": getattr(app, "certificate", None),
    }, status=400 if error else 200)


@member_login_required
def enterprise_options(request):
    """``<option>``s of registered employers whose name contains ``q`` (the register of enterprises is public
    information, not personal data); feeds the employer picker on the apply forms."""
    q = (request.GET.get("employer_q") or request.GET.get("q") or "").strip()
    qs = Enterprise.objects.order_by("name")
    if q:
        qs = qs.filter(name__icontains=q)
    return render(request, "workflow/_enterprise_options.html",
                  {"options": qs.values_list("pk", "name")[:50], "q": q})


# --- member pages --------------------------------------------------------------------------------------------


@member_login_required
def m_services(request):
    return render(request, "workflow/m_services.html", {
        "programmes": [p for p in PROGRAMMES.values() if p.applicant_kind != "union"]})


@member_login_required
def m_apply(request, code):
    if code not in PROGRAMMES or PROGRAMMES[code].applicant_kind == "union":
        raise Http404
    return _apply(request, code, "m")


@member_login_required
def m_join(request):
    return _apply(request, "join", "m")


@member_login_required
def m_my_list(request):
    return render(request, "workflow/applicant_list.html", {
        "base": "portal/base.html", "surface": "m",
        "apps": selectors.my_applications(user=request.user).order_by("-id")[:100]})


@member_login_required
def m_my_detail(request, pk):
    return _applicant_detail(request, pk, "m")


# --- console: filing for a union or for a worker -------------------------------------------------------------


@staff_required
@offers("change")
def console_file(request, code):
    # transfers and corrections change a member's record: staff do those from the person page. A member's request
    # for help (hardship aid, legal aid …) staff may enter at the counter, naming the member
    if code not in PROGRAMMES or PROGRAMMES[code].applicant_kind == "person" or code == "transfer":
        raise Http404
    return _apply(request, code, "console")


@staff_required
def console_filed_list(request):
    page = paginate(request, selectors.my_applications(user=request.user).order_by("-id"))
    return render(request, "workflow/applicant_list.html", {
        "base": "console/base.html", "surface": "console", "apps": page, "page": page,
        "counter_programmes": [p for p in PROGRAMMES.values() if p.applicant_kind == "member" and p.code != "transfer"]})


@staff_required
def console_filed_detail(request, pk):
    return _applicant_detail(request, pk, "console")


# --- console: reviewing --------------------------------------------------------------------------------------


@staff_required
def queue(request):
    tab = request.GET.get("tab", "mine")
    programme = request.GET.get("programme", "")
    if programme and programme not in PROGRAMMES:
        programme = ""
    ctx = {"tab": tab, "programme": programme, "programmes": PROGRAMMES.values()}
    if tab in ("mine", "all"):
        qs = selectors.queue(actor=request.user, programme=programme, scope=tab,
                             overdue=request.GET.get("overdue") == "1")
        ctx["page"] = paginate(request, qs)
        now = timezone.now()
        for s in ctx["page"]:
            s.overdue = s.due_at < now
    else:
        state = request.GET.get("state", "")
        ctx["states"] = [s for s in State.choices if s[0] != State.DRAFT]
        ctx["state"] = state if state in State.values else ""
        ctx["page"] = paginate(request, selectors.application_list(
            actor=request.user, programme=programme, state=ctx["state"], q=request.GET.get("q", "")))
    ctx["unread"] = selectors.staff_unread_count(actor=request.user)
    if ctx["unread"]:
        latest = list(selectors.staff_inbox(actor=request.user).filter(read_at__isnull=True)[:5])
        ctx["latest"] = _with_state(latest)
    return render(request, "workflow/queue.html", ctx)


def _with_state(items):
    waiting = selectors.still_waiting(items)
    for n in items:
        step = n.context.get("step") if isinstance(n.context, dict) else None
        n.waiting = step in waiting
        n.done = step is not None and step not in waiting
    return items


@staff_required
def inbox(request):
    """The reviewer's in-app messages (new applications at their level, overdue reminders, escalations): the
    console's only place to read them. Opening one marks it read; "全部标为已读" marks the rest."""
    if request.method == "POST":
        n = services.mark_messages_read(actor=request.user)
        messages.info(request, f"已将 {n} 条消息标为已读")
        return redirect(reverse("workflow-inbox"))
    page = paginate(request, selectors.staff_inbox(actor=request.user))
    _with_state(list(page))
    return render(request, "workflow/inbox.html", {
        "page": page, "unread": selectors.staff_unread_count(actor=request.user)})


@staff_required
def inbox_open(request, pk):
    """Open one message: mark it read and go to the application it is about (the console page, which checks
    scope again), or back to the list when it names none."""
    n = selectors.staff_message(actor=request.user, pk=pk)
    services.mark_messages_read(actor=request.user, ids=[n.pk])
    url = n.context.get("url", "") if isinstance(n.context, dict) else ""
    if isinstance(url, str) and url.startswith("/console/applications/") and "//" not in url:
        return redirect(url)
    return redirect(reverse("workflow-inbox"))


def _decision_context(request, app, error=None, typed=None):
    """``typed``: after a refused decision, what the reviewer sent (the decision, comment and approval fields are
    shown again as typed, the refusal at the field it names)."""
    prog = app.programme_def
    step = selectors.open_step(app)
    may_decide = step is not None and can(request.user, "review", step.org.path)
    final = False
    if step is not None:
        path = services._path_orgs(prog, app)
        final = bool(path) and path[-1][0] == step.seq
    labels = prog.field_labels()
    slot_labels = {a.code: a.label for a in prog.attachments}
    # a programme changing an existing record shows "现登记 → 申请改为" rows; the other fields as usual
    compare = prog.review_rows(app)
    compared = {r["name"] for r in compare}
    display = []
    for s in field_specs(prog.form):
        v = app.form.get(s["name"])
        if compare and (s["name"] in compared or not v):
            continue
        if s["widget"] == "enterprise" and v:
            v = Enterprise.objects.filter(pk=v).values_list("name", flat=True).first() or v
        elif s["widget"] in ("street", "own_union", "upper_union") and v:
            v = Organization.objects.filter(pk=v).values_list("name", flat=True).first() or v
        elif s["choices"] and v:
            v = dict(s["choices"]).get(v, v)
        display.append((s["label"], v, s["sensitive"]))
    return {
        "app": app, "prog": prog, "step": step, "may_decide": may_decide, "final": final,
        "display": display, "compare": compare, "steps": selectors.steps_of(app),
        "attachments": [(a, slot_labels.get(a.slot, a.slot)) for a in app.attachments.all()],
        "labels": list(labels.items()), "error": error.message if error is not None else None,
        "typed": typed or {},
        "approval_fields": (_fields_for_approval(prog, app, typed, error) if final and prog.approval_form
                            else []),
        "certificate": getattr(app, "certificate", None),
    }


def _fields_for_approval(prog, app, typed=None, error=None):
    from .models import Certificate, CertStatus

    # a legal-person registration's approval starts from the union's valid certificate, if it has one
    current = (Certificate.objects.filter(union=app.org, status=CertStatus.VALID).first()
               if prog.code == "legal" else None)
    out = []
    typed = (typed or {}).get("approval") or {}
    initial = prog.approval_initial(app)  # what the programme computes for the reviewer to confirm (医疗互助)
    for s in field_specs(prog.approval_form):  # its choices kept: a coded field is a drop-down
        start = initial.get(s["name"], {})
        value = typed[s["name"]] if s["name"] in typed else (
            getattr(current, s["name"], "") if current else start.get("value", ""))
        out.append({**s, "value": value, "editable": True, "placeholder": "", "help": start.get("help", s["help"]),
                    "error": error.message_for(s["name"]) if error is not None else ""})
    return out


@staff_required
def detail(request, pk):
    app = selectors.application_detail(actor=request.user, pk=pk)
    return render(request, "workflow/detail.html", _decision_context(request, app))


@staff_required
@require_POST
def decide(request, pk):
    app = selectors.application_detail(actor=request.user, pk=pk)
    prog = app.programme_def
    approval = {s["name"]: request.POST.get(s["name"], "") for s in field_specs(prog.approval_form)} \
        if prog.approval_form else None
    step_id = request.POST.get("step", "")
    try:
        if not step_id.isdigit():
            raise ServiceError("审核环节无效", field="step")
        services.decide(actor=request.user, step_id=int(step_id),
                        decision=request.POST.get("decision", ""), comment=request.POST.get("comment", ""),
                        fields=request.POST.getlist("fields"), in_person=bool(request.POST.get("in_person")),
                        approval=approval)
    except ServiceError as e:
        app.refresh_from_db()
        typed = {"decision": request.POST.get("decision", ""), "comment": request.POST.get("comment", "")[:2000],
                 "in_person": bool(request.POST.get("in_person")), "approval": approval}
        return render(request, "workflow/detail.html", _decision_context(request, app, error=e, typed=typed),
                      status=403 if e.code == "forbidden" else 400)
    messages.success(request, "已处理：" + dict(Decision.choices).get(request.POST.get("decision"), ""))
    return redirect(reverse("workflow-detail", args=[app.pk]))


@staff_required
def report(request):
    programme = request.GET.get("programme", "")
    by = "street" if request.GET.get("by") == "street" else "org"
    rows, totals = selectors.trips_report(actor=request.user, by=by,
                                          programme=programme if programme in PROGRAMMES else "")
    return render(request, "workflow/report.html", {"rows": rows, "totals": totals, "programme": programme,
                                                    "by": by, "programmes": PROGRAMMES.values()})


@staff_required
def certificates(request):
    return render(request, "workflow/certificates.html",
                  {"page": paginate(request, selectors.certificate_list(actor=request.user))})


# --- files and certificates ----------------------------------------------------------------------------------


def attachment(request, pk):
    """An uploaded file, to its applicant or staff in scope only (404 for everyone else)."""
    att = selectors.attachment_for(user=request.user, pk=pk)
    resp = FileResponse(att.file.open("rb"), content_type=att.content_type)
    resp["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(att.original_name)}"
    resp["Cache-Control"] = "private, no-store"
    return resp


def certificate_download(request, pk):
    if not request.user.is_authenticated:
        raise Http404
    cert = selectors.certificate_for(user=request.user, pk=pk)
    url = request.build_absolute_uri(reverse("workflow-verify", args=[cert.token]))
    resp = HttpResponse(certificate_pdf(cert, url), content_type="application/pdf")
    resp["Content-Disposition"] = f"inline; filename=\"{cert.number}.pdf\""
    resp["Cache-Control"] = "private, no-store"
    return resp


def verify(request, token):
    """Public: anyone scanning the QR code sees whether the certificate is genuine and valid, and nothing
    about any person."""
    cert = selectors.certificate_by_token(token)
    expired = cert.valid_until < timezone.localdate()
    from .certificates import registrar_name

    return render(request, "workflow/verify.html", {"cert": cert, "expired": expired,
                                                    "registrar": registrar_name(cert),
                                                    "ok": cert.status == "valid" and not expired})


def is_staff(user) -> bool:
    return scope_for(user).is_staff
