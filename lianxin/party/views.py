"""党支部工作 console pages: branches in scope and those due for 转正, a branch's roster, a member (转正, 转接,
转出, 党籍变动, 党费核定 and ledger), 三会一课 (record with attendance, list, detail, year compliance, export) and
the branch's monthly 党费. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, require_may, scope_for
from lianxin.core.views import form_error, member_required, paginate, staff_required

from . import selectors, services
from .forms import (
    END_CHOICES,
    PARTIAL,
    PROBATIONARY_END_CHOICES,
    DuesForm,
    EnrolForm,
    MeetingEditForm,
    MeetingForm,
)
from .models import Category, DuesEntry, LetterStatus, MeetingKind, MemberStatus, one_year_after, yuan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request) -> int:
    today = timezone.localdate()
    try:
        y = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return y if 2000 <= y <= today.year + 1 else today.year


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _xlsx(w, name: str):
    resp = FileResponse(w.open(), content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


# ---------------------------------------------------------------- branches


@staff_required
def home(request):
    today = timezone.localdate()
    due = selectors.due_for_full(actor=request.user, today=today)
    for m in due:
        m.overdue = m.due_on <= today
    return render(
        request,
        "party/console/home.html",
        {
            "branches": selectors.branch_list(actor=request.user),
            "due": due,
            "letters": selectors.letters_to_handle(actor=request.user),
            "days": selectors.DUE_SOON_DAYS,
            "year": today.year,
        },
    )


@staff_required
def branch_detail(request, pk):
    b = selectors.branch_detail(actor=request.user, pk=pk)
    status = request.GET.get("status", MemberStatus.ACTIVE)
    if status not in MemberStatus.values and status != "all":
        status = MemberStatus.ACTIVE
    today = timezone.localdate()
    rows = list(selectors.roster(b, "" if status == "all" else status))
    return render(
        request,
        "party/console/branch.html",
        {
            "b": b,
            "rows": rows,
            "status": status,
            "statuses": MemberStatus.choices,
            "manage": can(request.user, "change", b.path),
            "recent": list(selectors.meetings(actor=request.user, branch=b)[:5]),
            "year": today.year,
            "period": f"{today:%Y-%m}",
        },
    )


@staff_required
def member_new(request, pk):
    b = selectors.branch_detail(actor=request.user, pk=pk, action="change")
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            m = services.enrol_member(actor=request.user, branch=b, **form.cleaned_data)
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已将{m.person.name}登记到{b.name}党员名册")
            return redirect(f"/console/party/members/{m.pk}/")
    return render(
        request, "party/console/member_form.html", {"form": form, "b": b}, status=400 if form.errors else 200
    )


# ---------------------------------------------------------------- a member


@staff_required
def member_detail(request, pk):
    m = selectors.member_detail(actor=request.user, pk=pk)
    manage = can(request.user, "change", m.branch.path)
    today = timezone.localdate()
    ledger = selectors.ledger_of(m)
    for e in ledger:
        e.reversed = (
            DuesEntry.objects.filter(reverses=e).exists() if e.kind == DuesEntry.Kind.PAYMENT else False
        )
        e.may_reverse = (
            e.kind == DuesEntry.Kind.PAYMENT
            and not e.reversed
            and can(request.user, "change", e.member.branch.path)
        )
    active = m.status == MemberStatus.ACTIVE
    return render(
        request,
        "party/console/member.html",
        {
            "m": m,
            "manage": manage and active,
            "may_confirm": manage and active and m.category == Category.PROBATIONARY and m.due_on <= today,
            "may_extend": manage
            and active
            and m.category == Category.PROBATIONARY
            and m.probation_until is None
            and m.first_due_on <= today,
            "first_due_on": f"{m.first_due_on:%Y-%m-%d}",
            "latest_until": f"{one_year_after(m.first_due_on):%Y-%m-%d}",
            "targets": list(selectors.transfer_targets(actor=request.user, member=m))
            if manage and active
            else [],
            "letter_targets": list(selectors.letter_targets(m)) if manage and active else [],
            "open_letter": selectors.open_letter(m) if active else None,
            "history": selectors.history_of(m),
            "stints": selectors.stints_of(m),
            "ledger": ledger,
            "end_choices": PROBATIONARY_END_CHOICES if m.category == Category.PROBATIONARY else END_CHOICES,
            "today": f"{today:%Y-%m-%d}",
            "due_on": f"{m.due_on:%Y-%m-%d}" if m.due_on else "",
        },
    )


def _act(request, obj, call, ok: str, *, name: str, back: str, done):
    """Run a step on ``obj``: its Chinese refusal as a message back on ``back``; done, ``ok`` and on to
    ``done(result)``."""
    try:
        out = call(obj)
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect(back)
    messages.success(request, ok.format(name=name))
    return redirect(done(out))


def _member_action(request, pk, call, ok: str):
    m = selectors.member_detail(actor=request.user, pk=pk, action="change")
    return _act(request, m, call, ok, name=m.person.name, back=f"/console/party/members/{m.pk}/",
                done=lambda out: f"/console/party/members/{getattr(out, 'pk', m.pk)}/")


@staff_required
@require_POST
def member_confirm(request, pk):
    return _member_action(
        request,
        pk,
        lambda m: services.confirm_full(actor=request.user, member=m, on=_day(request.POST.get("on"))),
        "{name}已转为正式党员",
    )


@staff_required
@require_POST
def member_extend(request, pk):
    return _member_action(
        request,
        pk,
        lambda m: services.extend_probation(
            actor=request.user, member=m, until=_day(request.POST.get("until")), reason=request.POST.get("reason", "")
        ),
        "{name}的预备期已延长",
    )


@staff_required
@require_POST
def member_transfer(request, pk):
    def call(m):
        to = selectors.branches(actor=request.user, action="change").filter(
            pk=request.POST.get("to_branch") or 0
        )
        to = to.first() if str(request.POST.get("to_branch", "")).isdigit() else None
        if to is None:
            raise ServiceError("请选择转入的党支部", field="to_branch")
        return services.transfer_member(
            actor=request.user,
            member=m,
            to_branch=to,
            on=_day(request.POST.get("on")),
            reason=request.POST.get("reason", ""),
        )

    return _member_action(request, pk, call, "{name}的组织关系已转接")


@staff_required
@require_POST
def member_out(request, pk):
    return _member_action(
        request,
        pk,
        lambda m: services.transfer_out(
            actor=request.user,
            member=m,
            external_org=request.POST.get("external_org", ""),
            on=_day(request.POST.get("on")),
            reason=request.POST.get("reason", ""),
        ),
        "{name}的组织关系已转出",
    )


@staff_required
@require_POST
def member_end(request, pk):
    return _member_action(
        request,
        pk,
        lambda m: services.end_membership(
            actor=request.user,
            member=m,
            status=request.POST.get("status", ""),
            on=_day(request.POST.get("on")),
            reason=request.POST.get("reason", ""),
        ),
        "已登记{name}的党籍变动",
    )


@staff_required
def dues_edit(request, pk):
    m = selectors.member_detail(actor=request.user, pk=pk, action="change")
    initial = {
        "base": yuan(m.dues_base_fen),
        "fixed": yuan(m.dues_fixed_fen),
        "fixed_reason": m.dues_fixed_reason,
    }
    form = DuesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_dues(actor=request.user, member=m, **form.cleaned_data)
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            m.refresh_from_db()
            messages.success(request, f"已核定{m.person.name}的党费：每月 {m.monthly_yuan} 元")
            return redirect(f"/console/party/members/{m.pk}/")
    return render(
        request, "party/console/dues_form.html", {"form": form, "m": m}, status=400 if form.errors else 200
    )


# ---------------------------------------------------------------- 三会一课


@staff_required
def meeting_list(request):
    year = _year(request)
    kind = request.GET.get("kind", "")
    branch = None
    if str(request.GET.get("branch", "")).isdigit():
        branch = selectors.branches(actor=request.user).filter(pk=request.GET["branch"]).first()
    qs = selectors.meetings(actor=request.user, year=year, branch=branch, kind=kind)
    return render(
        request,
        "party/console/meetings.html",
        {
            "page": paginate(request, qs),
            "year": year,
            "kind": kind,
            "kinds": MeetingKind.choices,
            "branch": branch,
            "branches": selectors.branches(actor=request.user).order_by("path"),
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        },
    )


@staff_required
def meeting_new(request, pk):
    b = selectors.branch_detail(actor=request.user, pk=pk, action="change")
    day = _day(request.POST.get("held_on")) if request.method == "POST" else None
    roster = services.roster_on(b, day if day and day <= timezone.localdate() else timezone.localdate())
    form = MeetingForm(request.POST or None, roster=roster, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            mt = services.record_meeting(
                actor=request.user,
                branch=b,
                kind=d["kind"],
                held_on=d["held_on"],
                topic=d["topic"],
                place=d["place"],
                minutes=d["minutes"],
                attendance=form.attendance(),
            )
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已登记{mt.get_kind_display()}“{mt.topic}”")
            return redirect(f"/console/party/meetings/{mt.pk}/")
    return render(
        request,
        "party/console/meeting_form.html",
        {"form": form, "b": b, "partial": PARTIAL},
        status=400 if form.errors else 200,
    )


@staff_required
def meeting_edit(request, pk):
    mt = selectors.meeting_detail(actor=request.user, pk=pk, action="change")
    roster = services.roster_on(mt.branch, mt.held_on)
    form = MeetingEditForm(request.POST or None, meeting=mt, roster=roster)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_meeting(
                actor=request.user,
                meeting=mt,
                kind=d["kind"],
                topic=d["topic"],
                place=d["place"],
                minutes=d["minutes"],
                attendance=form.attendance(),
                reason=d["reason"],
            )
        except PermissionDenied:
            raise
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "已更正会议记录")
            return redirect(f"/console/party/meetings/{mt.pk}/")
    return render(
        request,
        "party/console/meeting_form.html",
        {"form": form, "b": mt.branch, "partial": PARTIAL, "mt": mt, "until": services.correctable_until(mt)},
        status=400 if form.errors else 200,
    )


@staff_required
def meeting_detail(request, pk):
    mt = selectors.meeting_detail(actor=request.user, pk=pk)
    att = list(selectors.attendance_of(mt))
    until = services.correctable_until(mt)
    return render(
        request,
        "party/console/meeting.html",
        {
            "mt": mt,
            "att": att,
            "can_correct": can(request.user, "change", mt.branch.path) and timezone.localdate() <= until,
            "until": until,
            "counts": {
                label: sum(a.status == v for a in att)
                for v, label in (("present", "出席"), ("leave", "请假"), ("absent", "缺席"))
            },
        },
    )


@staff_required
def compliance(request):
    year = _year(request)
    rows = selectors.compliance(list(selectors.branches(actor=request.user).order_by("path")), year)
    return render(
        request,
        "party/console/compliance.html",
        {
            "rows": rows,
            "year": year,
            "requirements": selectors.REQUIREMENTS,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        },
    )


@staff_required
def meetings_export(request):
    require_may(request.user, "export")
    year = _year(request)
    scope = scope_for(request.user)
    org_path = "" if scope.superuser else (scope.paths("export") or [""])[0]
    rows = selectors.meetings(actor=request.user, year=year, action="export").order_by(
        "branch__path", "held_on", "id"
    )
    w = services.export_meetings(
        actor=request.user,
        rows=rows.prefetch_related("attendance__member__person"),
        org_path=org_path,
        year=year,
    )
    return _xlsx(w, f"{year}年三会一课记录.xlsx")


# ---------------------------------------------------------------- 党费


def _period(request) -> int:
    try:
        return services.parse_period(request.GET.get("month") or selectors.current_period())
    except ServiceError:
        return selectors.current_period()


@staff_required
def dues(request, pk):
    b = selectors.branch_detail(actor=request.user, pk=pk)
    period = _period(request)
    s = selectors.dues_summary(b, period)
    return render(
        request,
        "party/console/dues.html",
        {
            "b": b,
            "s": s,
            "period": period,
            "period_label": services.period_label(period),
            "month": f"{period // 100}-{period % 100:02d}",
            "year": period // 100,
            "manage": can(request.user, "change", b.path),
            "may_remind": period <= services.period_of(timezone.localdate()),
            "due_total": yuan(s["due_total"]),
            "paid_total": yuan(s["paid_total"]),
            "unpaid_total": yuan(s["due_total"] - s["paid_total"]),
        },
    )


@staff_required
@require_POST
def dues_pay(request, pk):
    b = selectors.branch_detail(actor=request.user, pk=pk, action="change")
    period = request.POST.get("period", "")
    ids = [int(x) for x in request.POST.getlist("member") if str(x).isdigit()]
    ms = list(selectors.members(actor=request.user, action="change").filter(branch=b, pk__in=ids))
    if not ms:
        messages.error(request, "请选择要登记缴纳的党员")
    done, errors = [], []
    for m in ms:
        try:
            services.record_payment(actor=request.user, member=m, period=period)
        except PermissionDenied:
            raise
        except ServiceError as e:
            errors.append(e.message)
        else:
            done.append(m.person.name)
    if done:
        messages.success(request, f"已登记 {len(done)} 人的党费：{'、'.join(done[:20])}")
    for msg in errors[:10]:
        messages.error(request, msg)
    try:
        p = services.parse_period(period)
        q = f"?month={p // 100}-{p % 100:02d}"
    except ServiceError:
        q = ""
    return redirect(f"/console/party/branches/{b.pk}/dues/{q}")


@staff_required
@require_POST
def dues_remind(request, pk):
    b = selectors.branch_detail(actor=request.user, pk=pk, action="change")
    period = request.POST.get("period", "")
    try:
        out = services.remind_unpaid(actor=request.user, branch=b, period=period)
    except PermissionDenied:
        raise
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect(f"/console/party/branches/{b.pk}/dues/")
    if out["told"]:
        messages.success(request, f"已在手机端提醒 {len(out['told'])} 人：{'、'.join(out['told'][:20])}")
    if out["before"]:
        messages.info(request, f"本月已提醒过 {len(out['before'])} 人，不再重复提醒：{'、'.join(out['before'][:20])}")
    if out["no_account"]:
        messages.warning(
            request, f"{len(out['no_account'])} 人未开通手机端，请电话联系：{'、'.join(out['no_account'][:20])}"
        )
    if not any(out.values()):
        messages.info(request, "该月没有需要提醒的未缴党员")
    p = services.parse_period(period)
    return redirect(f"/console/party/branches/{b.pk}/dues/?month={p // 100}-{p % 100:02d}")


@staff_required
@require_POST
def dues_reverse(request, eid):
    e = selectors.dues_entry(actor=request.user, pk=eid)
    if not can(request.user, "change", e.member.branch.path):
        raise PermissionDenied("只有该党支部或上级组织的管理员可以冲正党费")
    try:
        services.reverse_payment(actor=request.user, entry=e, reason=request.POST.get("reason", ""))
    except PermissionDenied:
        raise
    except ServiceError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, f"已冲正{e.member.person.name}{e.period_label}的党费，该月可重新登记")
    return redirect(f"/console/party/members/{e.member_id}/")


@staff_required
def dues_export(request, pk):
    b = selectors.branch_detail(actor=request.user, pk=pk, action="export")
    year = _year(request)
    w = services.export_dues(actor=request.user, branch=b, year=year, rows=selectors.dues_year(b, year))
    return _xlsx(w, f"{b.name}{year}年党费收缴.xlsx")


# ---------------------------------------------------------------- 组织关系介绍信


@staff_required
@require_POST
def member_letter(request, pk):
    def call(m):
        raw = str(request.POST.get("to_branch", ""))
        to = selectors.letter_targets(m).filter(pk=raw).first() if raw.isdigit() else None
        if to is None:
            raise ServiceError("请选择转入的党支部", field="to_branch")
        services.send_letter(actor=request.user, member=m, to_branch=to, note=request.POST.get("note", ""))
        return m  # back to the member's page, which shows the letter

    return _member_action(request, pk, call, "已为{name}开具组织关系介绍信，等待转入支部接收")


@staff_required
def letter_list(request):
    status = request.GET.get("status", "")
    return render(
        request,
        "party/console/letters.html",
        {
            **selectors.letters_to_handle(actor=request.user),
            "page": paginate(request, selectors.letters(actor=request.user, status=status), 30),
            "status": status if status in LetterStatus.values else "",
            "statuses": LetterStatus.choices,
        },
    )


@staff_required
def letter_detail(request, pk):
    letter = selectors.letter_detail(actor=request.user, pk=pk)
    pending = letter.status == LetterStatus.PENDING
    return render(
        request,
        "party/console/letter.html",
        {
            "letter": letter,
            "m": letter.member,
            "may_receive": pending and can(request.user, "change", letter.to_branch.path),
            "may_withdraw": pending and can(request.user, "change", letter.from_branch.path),
            "may_view_member": can(request.user, "view", letter.from_branch.path),
            "today": f"{timezone.localdate():%Y-%m-%d}",
            "earliest": f"{max(letter.member.entered_on, timezone.localtime(letter.sent_at).date()):%Y-%m-%d}",
        },
    )


def _letter_action(request, pk, call, ok: str, done=None):
    letter = selectors.letter_detail(actor=request.user, pk=pk)
    back = f"/console/party/letters/{letter.pk}/"
    return _act(request, letter, call, ok, name=letter.member.person.name, back=back,
                done=done or (lambda _: back))


@staff_required
@require_POST
def letter_accept(request, pk):
    return _letter_action(
        request,
        pk,
        lambda letter: services.accept_letter(actor=request.user, letter=letter, on=_day(request.POST.get("on"))),
        "已接收{name}的组织关系，转入本支部党员名册",
        done=lambda new: f"/console/party/members/{new.pk}/",
    )


@staff_required
@require_POST
def letter_return(request, pk):
    return _letter_action(
        request,
        pk,
        lambda letter: services.return_letter(actor=request.user, letter=letter, reason=request.POST.get("reason", "")),
        "已退回{name}的组织关系介绍信",
    )


@staff_required
@require_POST
def letter_withdraw(request, pk):
    return _letter_action(
        request,
        pk,
        lambda letter: services.withdraw_letter(
            actor=request.user, letter=letter, reason=request.POST.get("reason", "")
        ),
        "已撤回{name}的组织关系介绍信",
    )


# ---------------------------------------------------------------- the member's own page


@member_required
def m_index(request):
    """党员之家 on the phone: the signed-in person's own stints, 党费 months and 三会一课 of a year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    return render(request, "party/m/index.html", {"party": selectors.my_party(request.user.person, year)})
