"""上传慰问名单 pages of a 两节送温暖 campaign: the template, the upload with its preview of every row, and the
confirmation that writes the whole list or nothing (``services_warmth``)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse
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
    bad = sum(1 for r in rows if r.error)
    if bad:
        warmth.discard(data)  # nothing to confirm: the corrected file is uploaded again
    return render(request, "assistance/campaign_upload.html", {
        "c": c, "rows": rows, "bad": bad, "ok": len(rows) - bad, "token": "" if bad else token, "file": data["n"],
        "total_fen": sum(r.fen for r in rows if not r.error)}, status=200)


@staff_required
@require_POST
def upload_confirm(request, pk):
    c = _proposer(request, pk)
    expected = request.POST.get("count", "")
    try:
        data = warmth.open_token(actor=request.user, campaign=c, token=request.POST.get("token", ""))
        n, fen = warmth.apply_upload(actor=request.user, campaign=c, data=data,
                                     expected=int(expected) if expected.isdigit() else -1)
    except PermissionDenied:
        raise
    except ServiceError as e:
        if e.code in ("changed", "duplicate"):  # the user is told to upload the corrected file again
            warmth.discard(data)
        messages.error(request, e.message)
        return _back(c)
    messages.success(request, f"已上传慰问名单 {n} 人，慰问金合计 {services.yuan(fen)} 元，待审核")
    return _back(c)
