"""Reads of 党支部工作, every one scoped to the actor's subtree (DESIGN rule 1): branches, rosters, meetings and
dues by the branch's path. Also the 三会一课 compliance rule table and its year view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from lianxin.core.scoping import get_scoped_or_404, scoped
from lianxin.orgs.models import Organization, OrgKind

from .models import (
    Attendance,
    Category,
    DuesEntry,
    LetterStatus,
    Meeting,
    MeetingKind,
    MemberStatus,
    PartyMember,
    Transfer,
    TransferLetter,
)
from .services import period_of, roster_on

DUE_SOON_DAYS = 30


# ---------------------------------------------------------------- the rule table


@dataclass(frozen=True)
class Requirement:
    kind: str
    per: str  # "month" | "quarter"
    at_least: int = 1

    @property
    def label(self) -> str:
        return f"{MeetingKind(self.kind).label}每{'月' if self.per == 'month' else '季度'}至少 {self.at_least} 次"


# 三会一课 (《中国共产党支部工作条例（试行）》第十八条): 支部党员大会 once a quarter, 支委会 once a month, 党小组会
# once a month, 党课 once a quarter. 主题党日 (monthly by custom) is recorded but not scored here. Changing the
# rule is changing this table; the compliance page prints it.
REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(MeetingKind.CONGRESS, "quarter"),
    Requirement(MeetingKind.COMMITTEE, "month"),
    Requirement(MeetingKind.GROUP, "month"),
    Requirement(MeetingKind.LECTURE, "quarter"),
)


def _periods(per: str, year: int) -> list[tuple[str, dt.date, dt.date, tuple[int, ...]]]:
    """(label, first day, last day, months) of each month or quarter of the year."""
    out = []
    if per == "month":
        for m in range(1, 13):
            last = (dt.date(year + (m == 12), m % 12 + 1, 1)) - dt.timedelta(days=1)
            out.append((f"{m}月", dt.date(year, m, 1), last, (m,)))
    else:
        for q in range(4):
            months = (3 * q + 1, 3 * q + 2, 3 * q + 3)
            last = dt.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1) - dt.timedelta(days=1)
            out.append((f"第{'一二三四'[q]}季度", dt.date(year, months[0], 1), last, months))
    return out


@dataclass
class Cell:
    label: str
    count: int
    state: str  # ok 达标 | miss 未达标 (the period is over) | open 进行中 | future 未到 | none 支部未成立

    @property
    def state_label(self) -> str:
        return {"ok": "达标", "miss": "未达标", "open": "进行中", "future": "未到", "none": "未成立"}[
            self.state
        ]


def branch_started(branch: Organization) -> dt.date:
    return branch.founded_on or timezone.localtime(branch.created_at).date()


def compliance(branches: list[Organization], year: int, today: dt.date | None = None) -> list[dict]:
    """For each branch: per requirement, one cell per month or quarter of ``year`` — green when the meetings
    held reach the minimum, red when the period is over without them, grey while it runs or before it starts (or
    before the branch was founded). One aggregate query for all the branches."""
    today = today or timezone.localdate()
    counts: dict[tuple[int, str, int], int] = {}
    rows = (
        Meeting.objects.filter(branch__in=branches, held_on__year=year)
        .annotate(month=ExtractMonth("held_on"))
        .values("branch", "kind", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        counts[(r["branch"], r["kind"], r["month"])] = r["n"]
    out = []
    for b in branches:
        started = branch_started(b)
        reqs, misses = [], 0
        for req in REQUIREMENTS:
            cells = []
            for label, first, last, months in _periods(req.per, year):
                n = sum(counts.get((b.pk, req.kind, m), 0) for m in months)
                if n >= req.at_least:
                    state = "ok"
                elif first > today:
                    state = "future"
                elif last < started:
                    state = "none"
                elif last >= today:
                    state = "open"
                else:
                    state = "miss"
                    misses += 1
                cells.append(Cell(label, n, state))
            reqs.append((req, cells))
        out.append({"branch": b, "requirements": reqs, "misses": misses})
    return out


# ---------------------------------------------------------------- branches and rosters


def branches(*, actor, action: str = "view") -> QuerySet[Organization]:
    return scoped(Organization.objects.filter(kind=OrgKind.PARTY), actor, action).select_related("parent")


def branch_detail(*, actor, pk, action: str = "view") -> Organization:
    return get_scoped_or_404(
        Organization.objects.filter(kind=OrgKind.PARTY).select_related("parent"), actor, pk, action
    )


def branch_list(*, actor) -> list[Organization]:
    """Branches in scope with their active, full and probationary counts."""
    active = Q(party_members__status=MemberStatus.ACTIVE)
    return list(
        branches(actor=actor)
        .annotate(
            n_active=Count("party_members", filter=active),
            n_probationary=Count(
                "party_members", filter=active & Q(party_members__category=Category.PROBATIONARY)
            ),
        )
        .order_by("path")
    )


def members(*, actor, action: str = "view") -> QuerySet[PartyMember]:
    return scoped(PartyMember.objects.select_related("person", "branch"), actor, action)


def roster(branch: Organization, status: str = MemberStatus.ACTIVE) -> QuerySet[PartyMember]:
    qs = PartyMember.objects.filter(branch=branch).select_related("person")
    if status in MemberStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("person__name", "pk")


def member_detail(*, actor, pk, action: str = "view") -> PartyMember:
    return get_scoped_or_404(PartyMember.objects.select_related("person", "branch"), actor, pk, action)


def due_for_full(*, actor, today: dt.date | None = None, days: int = DUE_SOON_DAYS) -> list[PartyMember]:
    """预备党员 in scope whose probation (a year, or as extended) ends within ``days`` (or has ended, still waiting)."""
    today = today or timezone.localdate()
    limit = today + dt.timedelta(days=days)
    # joined on or before the day one year before the limit (a coarse filter in SQL, the exact date in Python)
    coarse = (
        limit.replace(year=limit.year - 1)
        if not (limit.month == 2 and limit.day == 29)
        else limit.replace(year=limit.year - 1, day=28)
    )
    qs = (
        members(actor=actor)
        .filter(status=MemberStatus.ACTIVE, category=Category.PROBATIONARY, joined_on__lte=coarse)
        .order_by("joined_on", "pk")
    )
    return [m for m in qs if m.due_on <= limit]  # the first year's end, or the day it was extended to


def history_of(member: PartyMember) -> list[Transfer]:
    return list(
        Transfer.objects.filter(person=member.person)
        .select_related("from_branch", "to_branch", "actor")
        .order_by("-on", "-id")
    )


def stints_of(member: PartyMember) -> list[PartyMember]:
    return list(
        PartyMember.objects.filter(person=member.person)
        .select_related("branch")
        .order_by("-entered_on", "-pk")
    )


def transfer_targets(*, actor, member: PartyMember) -> QuerySet[Organization]:
    return branches(actor=actor, action="change").exclude(pk=member.branch_id).order_by("path")


def letter_targets(member: PartyMember) -> QuerySet[Organization]:
    """Where a letter may go: every other 党支部 of the district (the receiver need not be in the sender's scope —
    their administrator accepts). Names only."""
    return Organization.objects.filter(kind=OrgKind.PARTY).exclude(pk=member.branch_id).order_by("path")


def _letters() -> QuerySet[TransferLetter]:
    return TransferLetter.objects.select_related(
        "member__person", "from_branch", "to_branch", "sent_by", "decided_by"
    )


def letters(*, actor, status: str = "") -> QuerySet[TransferLetter]:
    """Letters sent from or to a branch in scope (either side reads it)."""
    qs = scoped(_letters(), actor, "view")
    if status in LetterStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-sent_at", "-id")


def _pending_letters(actor, side: str) -> QuerySet[TransferLetter]:
    pending = _letters().filter(status=LetterStatus.PENDING).order_by("sent_at", "id")
    return scoped(pending, actor, "change", fields=(f"{side}_branch__path",))


def incoming_letters(*, actor) -> QuerySet[TransferLetter]:
    """Open letters to a branch where the actor may accept or return them (``change`` on the receiving branch)."""
    return _pending_letters(actor, "to")


def letters_to_handle(*, actor) -> dict[str, list[TransferLetter]]:
    """The open letters this user may act on: ``incoming`` (to accept or return: ``change`` on the receiving
    branch) and ``outgoing`` (waiting at the other side: ``change`` on the sending branch)."""
    return {
        "incoming": list(incoming_letters(actor=actor)),
        "outgoing": list(_pending_letters(actor, "from")),
    }


def letter_detail(*, actor, pk) -> TransferLetter:
    return get_scoped_or_404(_letters(), actor, pk, "view")


def open_letter(member: PartyMember) -> TransferLetter | None:
    return _letters().filter(member=member, status=LetterStatus.PENDING).first()


# ---------------------------------------------------------------- meetings


def meetings(
    *,
    actor,
    year: int | None = None,
    branch: Organization | None = None,
    kind: str = "",
    action: str = "view",
) -> QuerySet[Meeting]:
    qs = scoped(Meeting.objects.select_related("branch", "recorded_by"), actor, action)
    if year:
        qs = qs.filter(held_on__year=year)
    if branch is not None:
        qs = qs.filter(branch=branch)
    if kind in MeetingKind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("-held_on", "-id")


def meeting_detail(*, actor, pk, action: str = "view") -> Meeting:
    return get_scoped_or_404(Meeting.objects.select_related("branch", "recorded_by"), actor, pk, action)


def attendance_of(meeting: Meeting):
    return meeting.attendance.select_related("member__person").order_by("member__person__name", "pk")


# ---------------------------------------------------------------- dues


def dues_summary(branch: Organization, period: int) -> dict:
    """A branch's month: every member whose stint covers the month, the amount due, the live payment (if any).
    应缴 = the monthly amounts of those members; 实缴 = the live payments; 未缴 = those without one."""
    y, m = divmod(period, 100)
    first = dt.date(y, m, 1)
    last = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
    ms = list(
        PartyMember.objects.filter(branch=branch, entered_on__lte=last)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
        .select_related("person")
        .order_by("person__name", "pk")
    )
    live = {
        e.member_id: e
        for e in DuesEntry.objects.filter(
            member__in=ms, period=period, kind=DuesEntry.Kind.PAYMENT, reversal__isnull=True
        ).select_related("actor")
    }
    rows = [{"member": x, "due": x.monthly_fen, "paid": live.get(x.pk)} for x in ms]
    return {
        "rows": rows,
        "due_total": sum(r["due"] or 0 for r in rows if r["paid"] is None)
        + sum(r["paid"].amount_fen for r in rows if r["paid"]),
        "paid_total": sum(r["paid"].amount_fen for r in rows if r["paid"]),
        "unpaid": [r for r in rows if r["paid"] is None],
        "unrated": [r for r in rows if r["paid"] is None and not r["due"]],
    }


def dues_year(branch: Organization, year: int) -> list[dict]:
    """Per member of the branch in ``year``: the net paid per month (fen) and the total."""
    ms = list(
        PartyMember.objects.filter(branch=branch, entered_on__lte=dt.date(year, 12, 31))
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=dt.date(year, 1, 1)))
        .select_related("person")
        .order_by("person__name", "pk")
    )
    months = {x.pk: [0] * 12 for x in ms}
    for e in DuesEntry.objects.filter(member__in=ms, period__gte=year * 100 + 1, period__lte=year * 100 + 12):
        months[e.member_id][e.period % 100 - 1] += e.signed_fen
    return [{"member": x, "months": months[x.pk], "total": sum(months[x.pk])} for x in ms]


def ledger_of(member: PartyMember) -> list[DuesEntry]:
    return list(
        DuesEntry.objects.filter(member__person=member.person)
        .select_related("member__branch", "actor", "reverses")
        .prefetch_related("reversal")
        .order_by("-period", "-created_at", "-id")[:120]
    )


def dues_entry(*, actor, pk) -> DuesEntry:
    return get_scoped_or_404(DuesEntry.objects.select_related("member__branch", "member__person"), actor, pk)


def current_period() -> int:
    return period_of(timezone.localdate())


__all__ = ["REQUIREMENTS", "compliance", "roster_on"]


# ---------------------------------------------------------------- the member's own page (/m/party/)


NOT_EXPECTED_LABEL = "不在参会范围"


def is_party_member(person) -> bool:
    """Whether ``person`` was ever on a branch's roster in the district (the 我的 page links 党员之家 then)."""
    return PartyMember.objects.filter(person=person).exists()


def my_party(person, year: int | None = None, today: dt.date | None = None) -> dict | None:
    """``person``'s own party record for their phone, or None if they were never on a branch's roster here.

    No scoping: it is the signed-in person's own data and nobody else's. ``year`` is clamped to the years of
    their stints (their first 转入 … this year). The dues months follow the console's rule (``dues_summary``): a
    month is due in a stint that began by its last day and had not ended before its first; what was paid is the
    month's net (payments − reversals) across the person's stints; a month after today's is 未到. Meetings are
    those of their branches held while they were on the roster (``roster_on``'s rule: from 转入 to the day
    before leaving), each with their attendance — none recorded is 不在参会范围 (支委会, 党小组会)."""
    today = today or timezone.localdate()
    stints = list(PartyMember.objects.filter(person=person).select_related("branch").order_by("-entered_on", "-pk"))
    if not stints:
        return None
    current = next((s for s in stints if s.status == MemberStatus.ACTIVE), None)
    first_year = min(s.entered_on.year for s in stints)
    years = list(range(today.year, first_year - 1, -1))
    year = year if year in years else today.year
    now = period_of(today)

    net: dict[int, int] = {}
    for period, signed in (
        (e.period, e.signed_fen)
        for e in DuesEntry.objects.filter(
            member__in=stints, period__gte=year * 100 + 1, period__lte=year * 100 + 12
        ).only("period", "kind", "amount_fen")
    ):
        net[period] = net.get(period, 0) + signed
    months = []
    for m in range(1, 13):
        period = year * 100 + m
        first = dt.date(year, m, 1)
        last = dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
        stint = next(
            (s for s in stints if s.entered_on <= last and (s.left_on is None or s.left_on >= first)), None
        )
        paid = net.get(period, 0)
        if paid > 0:
            state = "paid"
        elif stint is None:
            state = "none"
        elif period > now:
            state = "future"
        else:
            state = "unpaid"
        months.append({"month": m, "period": period, "state": state, "paid_fen": max(paid, 0),
                       "due_fen": stint.monthly_fen if stint else None, "branch": stint.branch if stint else None})

    att = {
        a.meeting_id: a.get_status_display()
        for a in Attendance.objects.filter(member__in=stints, meeting__held_on__year=year)
    }
    held = Q()
    for s in stints:
        on_roster = Q(branch_id=s.branch_id, held_on__gte=s.entered_on)
        if s.left_on is not None:
            on_roster &= Q(held_on__lt=s.left_on)
        held |= on_roster
    rows = list(
        Meeting.objects.filter(held, held_on__year=year).select_related("branch").order_by("-held_on", "-id")
    )
    for mt in rows:
        mt.my_status = att.get(mt.pk, NOT_EXPECTED_LABEL)
    tally = {key: sum(1 for mt in rows if mt.my_status == label) for key, label in Attendance.Status.choices}
    return {
        "current": current,
        "letter": open_letter(current) if current else None,
        "latest": stints[0],
        "stints": stints,
        "year": year,
        "years": years,
        "months": months,
        "paid_total_fen": sum(x["paid_fen"] for x in months),
        "unpaid": [x for x in months if x["state"] == "unpaid"],
        "meetings": rows,
        "tally": tally,
        "transfers": list(
            Transfer.objects.filter(person=person).select_related("from_branch", "to_branch").order_by("-on", "-id")
        ),
    }
