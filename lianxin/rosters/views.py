"""Console pages for roster import (upload → check with progress → preview → import with progress → report)
and the people export. Thin: parse input, call a service or selector, render."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianxin.core.errors import ServiceError
from lianxin.core.scoping import can, offers
from lianxin.core.views import paginate, staff_required
from lianxin.orgs.models import OrgKind

from . import selectors, services
from .models import ImportMode, JobStatus

PREVIEW_PROBLEMS = 500


def _attachment(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"


@staff_required
def job_list(request):
    # (id, "name（kind）") pairs for console/_org_select.html: a district administrator may import into ~3,000
    # organisations, which as model instances rendered option by option cost 140-370 ms
    targets = [(pk, f"{name}（{OrgKind(kind).label}）")
               for pk, name, kind in selectors.import_targets(actor=request.user).values_list("pk", "name", "kind")]
    status, mine = request.GET.get("status", ""), request.GET.get("mine") == "1"
    return render(request, "rosters/job_list.html", {
        "page": paginate(request, selectors.job_list(actor=request.user, status=status, mine=mine)),
        "filtered": status in JobStatus.values or mine,
        "targets": targets,
        "limit_mb": services.MAX_UPLOAD_BYTES // 1048576,
        "max_rows": services.MAX_ROWS,
    })


@staff_required
@offers("change")
def job_upload(request):
    if request.method != "POST":  # the form is on the imports page; a reload or a typed address goes there
        return redirect("rosters-jobs")
    try:
        org_id = request.POST.get("org", "")
        if not org_id.isdigit():
            raise ServiceError("请选择导入到哪个组织", field="org")
        org = selectors.org_for_import(actor=request.user, pk=int(org_id))
        job = services.start_import(actor=request.user, org=org, upload=request.FILES.get("file"))
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("rosters-jobs")
    services.enqueue_check(job)
    return redirect("rosters-job", pk=job.pk)


@staff_required
def template_download(request):
    resp = HttpResponse(services.template_workbook(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = _attachment("会员花名册导入模板.xlsx")
    return resp


def _job_context(request, job):
    problems = job.problems or []
    return {
        "job": job,
        "stale": services.is_stale(job),
        "problems": problems[:PREVIEW_PROBLEMS],
        "more_problems": max(0, len(problems) - PREVIEW_PROBLEMS),
        "can_change": can(request.user, "change", job.org.path),
        "modes": ImportMode.choices,
        "is_union": job.org.kind in services.MEMBER_HOLDING_KINDS,
    }


@staff_required
def job_detail(request, pk):
    job = services.live_progress(selectors.job_detail(actor=request.user, pk=pk))
    return render(request, "rosters/job_detail.html", _job_context(request, job))


@staff_required
def job_progress(request, pk):
    """htmx polling target: the progress bar while running; once finished, tell htmx to reload the page."""
    job = services.live_progress(selectors.job_detail(actor=request.user, pk=pk))
    if not job.is_running or services.is_stale(job):
        resp = HttpResponse("")
        resp["HX-Refresh"] = "true"
        return resp
    return render(request, "rosters/_progress.html", {"job": job})


@staff_required
@require_POST
def job_run(request, pk):
    job = selectors.job_detail(actor=request.user, pk=pk, action="change")
    try:
        services.request_import(actor=request.user, job=job, mode=request.POST.get("mode", ""))
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect("rosters-job", pk=pk)


@staff_required
def job_errors(request, pk):
    job = selectors.job_detail(actor=request.user, pk=pk, action="change")
    try:
        f = services.error_report(actor=request.user, job=job)
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("rosters-job", pk=pk)
    stem = job.original_name.rsplit(".", 1)[0]
    return FileResponse(f, as_attachment=True, filename=f"{stem}-错误报告.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@staff_required
def export_people(request):
    """/console/export/people/?fmt=xlsx|csv&q=&org=&status=member|none[&reveal=1&reason=…] — the same filters
    as the person list. Revealing without a reason shows a form asking for one."""
    g = request.GET
    org = None
    if g.get("org", "").isdigit():
        org = selectors.org_for_export(actor=request.user, pk=int(g["org"]))
    reveal = g.get("reveal") == "1"
    if reveal and not g.get("reason", "").strip():
        return render(request, "rosters/export_reason.html", {"params": g.items()})
    try:
        export = services.export_people(actor=request.user, fmt=g.get("fmt", "xlsx"), q=g.get("q", ""), org=org,
                                        status=g.get("status", ""), reveal=reveal, reason=g.get("reason", ""))
    except ServiceError as e:
        return render(request, "console/forbidden.html", {"message": e.message},
                      status=403 if e.code == "forbidden" else 400)
    if isinstance(export.stream, (bytes, str)) or hasattr(export.stream, "read"):
        resp = FileResponse(export.stream, content_type=export.content_type)
    else:
        resp = StreamingHttpResponse(export.stream, content_type=export.content_type)
    resp["Content-Disposition"] = _attachment(export.filename)
    resp["X-Export-Rows"] = str(export.rows)
    resp["Cache-Control"] = "no-store"
    return resp
