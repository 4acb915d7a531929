"""帮扶救助 console pages: funds and their ledgers, money in, and the hardship archive. Applications for help
are the workflow engine's (/m/services/ for members, /console/applications/ for reviewers)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, get_scoped_or_404, may, offers
from lianxin.core.views import form_error, paginate, staff_required
from lianxin.members.selectors import person_to_change

from . import selectors, services
from .forms import (
    AllocateForm,
    ArchiveForm,
    CampaignForm,
    CloseFileForm,
    DecideForm,
    FundForm,
    NominateForm,
    RecipientForm,
    RetreatForm,
    ShareForm,
)
from .models import SEAT_ENDED, CampaignStatus, Recipient, RecipientStatus, RetreatSeat, SeatStatus


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


# --- 两节送温暖 ---------------------------------------------------------------------------------------------------


@staff_required
def campaign_list(request):
    return render(request, "assistance/campaign_list.html", {"campaigns": selectors.campaign_list(actor=request.user)})


@staff_required
@offers("change")
def campaign_new(request):
    form = CampaignForm(request.POST or None, orgs=selectors.campaign_orgs(actor=request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            c = services.create_campaign(actor=request.user, org=d["org"], name=d["name"], standard=d["standard"],
                                         maximum=d["maximum"], budget=d["budget"], deadline=d["deadline"])
        except ServiceError as e:
            form_error(form, e, {"amount": "budget"})
        else:
            messages.success(request, f"已设立 {c.name}，各工会现在可以报送慰问对象")
            return redirect(f"/console/assistance/campaigns/{c.pk}/")
    return render(request, "assistance/campaign_form.html", {"form": form}, status=400 if form.errors else 200)


def _campaign_page(request, c, *, add=None, archive=None, decide=None, status=200):
    st = request.GET.get("status", "")
    q = request.GET.get("q", "")[:50]
    organiser = can(request.user, "change", c.org.path)
    unions = selectors.proposing_unions(actor=request.user, campaign=c)
    open_ = c.status == CampaignStatus.OPEN
    return render(request, "assistance/campaign_detail.html", {
        "c": c, "summary": selectors.campaign_summary(actor=request.user, campaign=c),
        "page": paginate(request, selectors.recipients(actor=request.user, campaign=c, status=st, q=q), 50),
        "status": st, "q": q, "statuses": RecipientStatus.choices, "organiser": organiser and open_,
        "proposer": open_ and unions.exists(), "add": add or RecipientForm(),
        "archive": archive or ArchiveForm(unions=unions), "decide": decide or DecideForm(),
        "fund_help": services.CAMPAIGN_FUND_HELP}, status=status)


@staff_required
def campaign_detail(request, pk):
    return _campaign_page(request, selectors.campaign_detail(actor=request.user, pk=pk))


def _organiser_only(request, c) -> None:
    """Approving, paying and closing belong to the organiser's administrators: 403 for anyone else who sees it."""
    if not can(request.user, "change", c.org.path):
        raise PermissionDenied("只有活动组织单位的管理员可以审核、发放和结束活动")


def _back(c):
    return redirect(f"/console/assistance/campaigns/{c.pk}/")


@staff_required
@require_POST
def campaign_add(request, pk):
    c = selectors.campaign_detail(actor=request.user, pk=pk)
    form = RecipientForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            person = person_to_change(actor=request.user, who=d["who"])
            r = services.propose_recipient(actor=request.user, campaign=c, person=person, category=d["category"],
                                           reason=d["reason"], amount=d["amount"])
        except ServiceError as e:
            form_error(form, e, {"person": "who"})
        else:
            messages.success(request, f"已报送 {r.person.name}，慰问金 {services.yuan(r.amount_fen)} 元，待审核")
            return _back(c)
    return _campaign_page(request, c, add=form, status=400)


@staff_required
@require_POST
def campaign_archive(request, pk):
    c = selectors.campaign_detail(actor=request.user, pk=pk)
    form = ArchiveForm(request.POST, unions=selectors.proposing_unions(actor=request.user, campaign=c))
    if form.is_valid():
        try:
            added, already = services.propose_from_archive(actor=request.user, campaign=c,
                                                           union=form.cleaned_data["union"])
        except ServiceError as e:
            form_error(form, e)
        else:
            if added:
                messages.success(request, f"已从困难职工档案报送 {added} 人" + (f"，另有 {already} 人已在名单中" if already else ""))
            else:
                messages.info(request, f"没有新增：在档困难职工 {already} 人都已在名单中" if already
                              else "该工会没有在档的困难职工")
            return _back(c)
    return _campaign_page(request, c, archive=form, status=400)


@staff_required
@require_POST
def campaign_decide(request, pk):
    c = selectors.campaign_detail(actor=request.user, pk=pk)
    _organiser_only(request, c)
    form = DecideForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        try:
            n = services.decide_recipients(actor=request.user, campaign=c, ids=request.POST.getlist("ids"),
                                           approve=approve, note=form.cleaned_data["note"])
        except ServiceError as e:
            form_error(form, e, {"ids": None})
        else:
            messages.success(request, f"已{'审核通过' if approve else '标记不通过'} {n} 人" if n
                             else "勾选的慰问对象状态已变化，没有改动")
            return _back(c)
    return _campaign_page(request, c, decide=form, status=400)


def _refuse(request, c, e: ServiceError):
    messages.error(request, e.message)
    return _back(c)


@staff_required
@require_POST
def campaign_pay(request, pk):
    c = selectors.campaign_detail(actor=request.user, pk=pk)
    _organiser_only(request, c)
    try:
        n, fen = services.pay_campaign(actor=request.user, campaign=c)
    except ServiceError as e:
        return _refuse(request, c, e)
    messages.success(request, f"已向 {n} 人发放慰问金共 {services.yuan(fen)} 元，已记入{c.fund.name}台账")
    return _back(c)


@staff_required
@require_POST
def campaign_deliver(request, pk):
    c = selectors.campaign_detail(actor=request.user, pk=pk)
    try:
        n = services.mark_delivered(actor=request.user, campaign=c, ids=request.POST.getlist("ids"))
    except ServiceError as e:
        return _refuse(request, c, e)
    messages.success(request, f"已登记送达 {n} 人" if n else "勾选的慰问对象不是已发放状态，或不在您的管理范围内")
    return _back(c)


@staff_required
@require_POST
def campaign_close(request, pk):
    c = selectors.campaign_detail(actor=request.user, pk=pk)
    _organiser_only(request, c)
    try:
        services.close_campaign(actor=request.user, campaign=c)
    except ServiceError as e:
        return _refuse(request, c, e)
    messages.success(request, f"{c.name}已结束")
    return _back(c)


@staff_required
@require_POST
def recipient_withdraw(request, pk, rid):
    c = selectors.campaign_detail(actor=request.user, pk=pk)
    r = get_scoped_or_404(Recipient.objects.filter(campaign=c).select_related("person"), request.user, rid, "change")
    try:
        services.withdraw_recipient(actor=request.user, recipient=r)
    except ServiceError as e:
        return _refuse(request, c, e)
    messages.success(request, f"已撤回 {r.person.name}")
    return _back(c)


def _xlsx(writer, filename: str):
    from urllib.parse import quote

    from django.http import FileResponse

    resp = FileResponse(writer.open(), content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@staff_required
def campaign_sheet(request, pk):
    """慰问金发放签收表: the list as far as the actor's scope reaches, turned-down people left out."""
    c = selectors.campaign_detail(actor=request.user, pk=pk)
    rows = (selectors.recipients(actor=request.user, campaign=c).exclude(status=RecipientStatus.REJECTED)
            .order_by("union__path", "pk"))
    return _xlsx(services.export_sheet(actor=request.user, campaign=c, rows=rows), f"{c.name}签收表.xlsx")


@staff_required
def fund_ledger_export(request, pk):
    fund = selectors.fund_detail(actor=request.user, pk=pk, action="export")
    return _xlsx(services.export_ledger(actor=request.user, fund=fund), f"{fund.name}台账.xlsx")


# --- 疗休养 ------------------------------------------------------------------------------------------------------


@staff_required
def retreat_list(request):
    return render(request, "assistance/retreat_list.html", {"retreats": selectors.retreat_list(actor=request.user)})


@staff_required
@offers("change")
def retreat_new(request):
    form = RetreatForm(request.POST or None, orgs=selectors.campaign_orgs(actor=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            r = services.create_retreat(actor=request.user, **form.cleaned_data)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已安排 {r.name}，可以分配名额或由各工会直接推荐")
            return redirect(f"/console/assistance/retreats/{r.pk}/")
    return render(request, "assistance/retreat_form.html", {"form": form}, status=400 if form.errors else 200)


def _retreat_page(request, r, *, share=None, nominate=None, offer_waitlist=False, status=200):
    st = request.GET.get("status", "")
    organiser = can(request.user, "change", r.org.path)
    return render(request, "assistance/retreat_detail.html", {
        "r": r, "shares": selectors.retreat_shares(r), "organiser": organiser,
        "page": paginate(request, selectors.retreat_seats(actor=request.user, retreat=r, status=st), 50),
        "waitlist": selectors.retreat_waitlist(actor=request.user, retreat=r), "offer_waitlist": offer_waitlist,
        "status": st, "statuses": SeatStatus.choices,
        "may_nominate": may(request.user, "change") and timezone.localdate() <= r.nominate_until,
        "started": timezone.localdate() >= r.starts_on,
        "share_form": share or ShareForm(orgs=selectors.share_orgs(actor=request.user, retreat=r)),
        "nominate_form": nominate or NominateForm()}, status=status)


@staff_required
def retreat_detail(request, pk):
    return _retreat_page(request, selectors.retreat_detail(actor=request.user, pk=pk))


@staff_required
@require_POST
def retreat_share(request, pk):
    r = selectors.retreat_detail(actor=request.user, pk=pk)
    if not can(request.user, "change", r.org.path):
        raise PermissionDenied("只有疗休养组织单位的管理员可以分配名额")
    form = ShareForm(request.POST, orgs=selectors.share_orgs(actor=request.user, retreat=r))
    if form.is_valid():
        try:
            services.share_places(actor=request.user, retreat=r, **form.cleaned_data)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已为{form.cleaned_data['org'].name}分配名额 {form.cleaned_data['places']} 个")
            return redirect(f"/console/assistance/retreats/{r.pk}/")
    return _retreat_page(request, r, share=form, status=400)


@staff_required
@require_POST
def retreat_nominate(request, pk):
    r = selectors.retreat_detail(actor=request.user, pk=pk)
    form = NominateForm(request.POST)
    offer = False
    if form.is_valid():
        try:
            person = person_to_change(actor=request.user, who=form.cleaned_data["who"])
            seat = services.nominate(actor=request.user, retreat=r, person=person, reason=form.cleaned_data["reason"],
                                     waitlist=request.POST.get("waitlist") == "1")
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e, {"person": "who"})
            offer = e.code == "full"  # the places are taken: the page offers 候补 with what was typed kept
        else:
            if seat.status == SeatStatus.WAITLISTED:
                messages.success(request, f"名额已满，{seat.person.name}已列入{r.name}候补名单第 "
                                          f"{selectors.waitlist_position(seat)} 位，有人退出时按推荐先后自动递补")
            else:
                messages.success(request, f"已推荐 {seat.person.name}参加{r.name}")
            return redirect(f"/console/assistance/retreats/{r.pk}/")
    return _retreat_page(request, r, nominate=form, offer_waitlist=offer, status=400)


@staff_required
@require_POST
def retreat_withdraw(request, pk, sid):
    r = selectors.retreat_detail(actor=request.user, pk=pk)
    # the union's staff and the organiser's both reach the seat: every seat's union lies in the organiser's subtree
    seat = get_scoped_or_404(RetreatSeat.objects.filter(retreat=r).select_related("person", "retreat"), request.user,
                             sid)
    try:
        _, promoted = services.withdraw_seat(actor=request.user, seat=seat, reason=request.POST.get("reason", ""))
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        tail = f"，名额由候补的 {promoted.person.name}递补" if promoted else ""
        messages.success(request, f"已办理 {seat.person.name}退出{tail}")
    return redirect(f"/console/assistance/retreats/{r.pk}/")


@staff_required
@require_POST
def retreat_attend(request, pk):
    r = selectors.retreat_detail(actor=request.user, pk=pk)
    if not can(request.user, "change", r.org.path):
        raise PermissionDenied("只有疗休养组织单位的管理员可以登记参加情况")
    try:
        n = services.mark_attended(actor=request.user, retreat=r, ids=request.POST.getlist("ids"))
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已登记参加 {n} 人")
    return redirect(f"/console/assistance/retreats/{r.pk}/")


@staff_required
def retreat_export(request, pk):
    r = selectors.retreat_detail(actor=request.user, pk=pk)
    rows = (selectors.retreat_seats(actor=request.user, retreat=r).exclude(status__in=SEAT_ENDED)
            .order_by("union__path", "pk"))
    return _xlsx(services.export_retreat(actor=request.user, retreat=r, rows=rows), f"{r.name}人员名单.xlsx")
