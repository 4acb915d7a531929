"""上传慰问名单 pages of a 两节送温暖 campaign: the template, the upload with its preview of every row, the error
report of the rows with problems, and the confirmation that writes the whole list or nothing — or only the rows
that were good, when the user chooses so (``services_warmth``)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.views import staff_required

from . import selectors, services
from . import services_warmth as warmth


def _proposer(request, pk):
    """The campaign, for someone who may put people forward to it (a union in its subtree in their change scope)."""
    c = selectors.campaign_detail(actor=request.user, pk=pk)
    if not selectors.proposing_unions(actor=request.user, campaign=c).exists():
        raise PermissionDenied("您管理的工会不在本次活动范围内，不能上传慰问名单")
    return c


def _back(c):
    return redirect(f"/console/assistance/campaigns/{c.pk}/")


@staff_required
def template_download(request, pk):
    _proposer(request, pk)
    resp = HttpResponse(warmth.template_workbook(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('慰问名单模板.xlsx')}"
    return resp


@staff_required
def upload(request, pk):
    c = _proposer(request, pk)
    if request.method != "POST":  # the form is on the campaign page
        return _back(c)
    try:
        token = warmth.store_upload(actor=request.user, campaign=c, upload=request.FILES.get("file"))
        data = warmth.open_token(actor=request.user, campaign=c, token=token)
        try:
            rows = warmth.check_upload(actor=request.user, campaign=c, data=data)
        except ServiceError:
            warmth.discard(data)
            raise
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, f"上传失败：{e.message}")
        return _back(c)
    bad = sum(1 for r in rows if r.error)  # the file is kept for its error report (swept after two hours)
    return render(request, "assistance/campaign_upload.html", {
        "c": c, "rows": rows, "bad": bad, "ok": len(rows) - bad, "token": token,
        "plan": warmth.plan_of(rows), "file": data["n"], "total_fen": sum(r.fen for r in rows if not r.error)},
        status=200)


@staff_required
@require_POST
def upload_errors(request, pk):
    """The error report of a previewed file (POSTed with its token: the file holds full ID numbers)."""
    c = _proposer(request, pk)
    try:
        data = warmth.open_token(actor=request.user, campaign=c, token=request.POST.get("token", ""))
        f = warmth.error_report(actor=request.user, campaign=c, data=data)
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
        return _back(c)
    stem = data["n"].rsplit(".", 1)[0] if "." in data["n"] else data["n"]
    return FileResponse(f, as_attachment=True, filename=f"{stem}-错误报告.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@staff_required
@require_POST
def upload_confirm(request, pk):
    c = _proposer(request, pk)
    try:
        data = warmth.open_token(actor=request.user, campaign=c, token=request.POST.get("token", ""))
        n, fen, skipped = warmth.apply_upload(actor=request.user, campaign=c, data=data,
                                              plan=request.POST.get("plan", ""),
                                              valid_only=request.POST.get("mode") == "valid")
    except PermissionDenied:
        raise
    except ServiceError as e:
        if e.code in ("changed", "duplicate"):  # the user is told to upload the corrected file again
            warmth.discard(data)
        messages.error(request, e.message)
        return _back(c)
    messages.success(request, f"已上传慰问名单 {n} 人，慰问金合计 {services.yuan(fen)} 元，待审核"
                              + (f"；跳过有问题的 {skipped} 行，请按错误报告修改后另行上传" if skipped else ""))
    return _back(c)
