"""帮扶救助 console pages: funds and their ledgers, money in, and the hardship archive. Applications for help
are the workflow engine's (/m/services/ for members, /console/applications/ for reviewers)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianxin.core.errors import ServiceError
from lianxin.core.scoping import can, offers
from lianxin.core.views import form_error, paginate, staff_required

from . import selectors, services
from .forms import AllocateForm, CloseFileForm, FundForm


@staff_required
def fund_list(request):
    return render(request, "assistance/fund_list.html", {"funds": selectors.fund_list(actor=request.user)})


@staff_required
@offers("change")
def fund_new(request):
    orgs = selectors.fund_orgs(actor=request.user)
    form = FundForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            fund = services.create_fund(actor=request.user, org=d["org"], year=d["year"], purpose=d["purpose"],
                                        name=d["name"])
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已设立 {fund.name}，请拨入资金")
            return redirect(f"/console/assistance/funds/{fund.pk}/")
    return render(request, "assistance/fund_form.html", {"form": form}, status=400 if form.errors else 200)


def _fund_page(request, fund, form=None, status=200):
    return render(request, "assistance/fund_detail.html", {
        "fund": fund, "page": paginate(request, selectors.ledger(fund), 50),
        "editable": can(request.user, "change", fund.org.path), "form": form or AllocateForm()}, status=status)


@staff_required
def fund_detail(request, pk):
    return _fund_page(request, selectors.fund_detail(actor=request.user, pk=pk))


@staff_required
def fund_allocate(request, pk):
    fund = selectors.fund_detail(actor=request.user, pk=pk, action="change")
    if request.method != "POST":
        return redirect(f"/console/assistance/funds/{fund.pk}/")
    form = AllocateForm(request.POST)
    if form.is_valid():
        try:
            entry = services.allocate(actor=request.user, fund=fund, amount=form.cleaned_data["amount"],
                                      memo=form.cleaned_data["memo"])
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已拨入 {services.yuan(entry.amount_fen)} 元，余额 "
                                      f"{services.yuan(entry.balance_after_fen)} 元")
            return redirect(f"/console/assistance/funds/{fund.pk}/")
    return _fund_page(request, selectors.fund_detail(actor=request.user, pk=pk), form, status=400)


@staff_required
def file_list(request):
    status = request.GET.get("status", "open")
    status = status if status in ("open", "closed", "all") else "open"
    q = request.GET.get("q", "")[:50]
    return render(request, "assistance/file_list.html", {
        "page": paginate(request, selectors.hardship_files(actor=request.user, status=status, q=q)),
        "status": status, "q": q})


def _file_page(request, file, form=None, status=200):
    return render(request, "assistance/file_detail.html", {
        "file": file, "aid": selectors.aid_history(file), "form": form or CloseFileForm(),
        "editable": file.closed_at is None and can(request.user, "change", file.union.path)}, status=status)


@staff_required
def file_detail(request, pk):
    return _file_page(request, selectors.hardship_file(actor=request.user, pk=pk))


@staff_required
@require_POST
def file_close(request, pk):
    file = selectors.hardship_file(actor=request.user, pk=pk, action="change")
    form = CloseFileForm(request.POST)
    if form.is_valid():
        try:
            services.close_file(actor=request.user, file=file, reason=form.cleaned_data["reason"])
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "已标记脱困，档案转为历史记录")
            return redirect(f"/console/assistance/files/{file.pk}/")
    return _file_page(request, file, form, status=400)
