"""Every write of 党支部工作 (see :mod:`lianxin.party.models` for what the database holds).

=====================================  ==============================  ==========================================
step                                   service                         held by
=====================================  ==============================  ==========================================
登记党员 (new or from outside)           :func:`enrol_member`            partial UNIQUE(person) over active stints
预备党员转正                             :func:`confirm_full`            member row lock; CHECK category ↔ dates
支部间转接                               :func:`transfer_member`         member row lock; UNIQUE from_member;
                                                                       partial UNIQUE(person) active
开具 / 接收 / 退回 / 撤回介绍信          :func:`send_letter`,            member row lock, then the letter row;
                                       :func:`accept_letter`,          partial UNIQUE(member) over open
                                       :func:`return_letter`,          letters; CHECK decided shape
                                       :func:`withdraw_letter`
转出到外单位 / 停止党籍 / 去世           :func:`transfer_out`,           member row lock; UNIQUE from_member
                                       :func:`end_membership`
核定党费                                 :func:`set_dues`                member row lock; CHECK fixed ↔ reason
三会一课                                 :func:`record_meeting`          UNIQUE(meeting, member) attendance
党费缴纳                                 :func:`record_payment`          member row lock; partial
                                                                       UNIQUE(member, period, round)
党费冲正                                 :func:`reverse_payment`         payment row lock; UNIQUE reverses
=====================================  ==============================  ==========================================

Who: the administrators (``change``) of the branch or of an organisation above it; a transfer done at once needs
``change`` on both branches, a letter ``change`` on the sending side to send or withdraw and on the receiving side
to accept or return. While a letter waits, no other step moves or closes the stint. Every step is audited
(``party.*``). Lock order: the member (stint) row, then a letter or a dues row. Dates are local dates (Asia/Shanghai): ``timezone.localdate()``, never the UTC date.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core import audit, notify
from lianxin.core.errors import ServiceError
from lianxin.core.idnumbers import parse_id_number
from lianxin.core.models import Notification
from lianxin.core.scoping import require
from lianxin.members.models import Person
from lianxin.members.services import id_bidx
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
    one_year_after,
    yuan,
)

ACTIVE = MemberStatus.ACTIVE
EARLIEST = dt.date(1921, 7, 1)
MAX_YUAN = Decimal("1000000")
# 支委会 and 党小组会 are held by part of the branch: who was not expected is marked NOT_EXPECTED and gets no
# attendance row; the other meetings expect the whole roster.
NOT_EXPECTED = "na"
PARTIAL_KINDS = (MeetingKind.COMMITTEE, MeetingKind.GROUP)


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


def _text(value, *, field: str, label: str, low: int, high: int) -> str:
    text = (value or "").strip()
    if not low <= len(text) <= high:
        raise ServiceError(
            f"请填写{label}（{low} 至 {high} 个字）" if low else f"{label}最多 {high} 个字", field=field
        )
    return text


def _date(value, *, field: str, label: str, low: dt.date = EARLIEST, today: dt.date | None = None) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ServiceError(f"请填写{label}", field=field)
    today = today or timezone.localdate()
    if value > today:
        raise ServiceError(f"{label}不能晚于今天", field=field)
    if value < low:
        raise ServiceError(f"{label}不能早于 {low:%Y-%m-%d}", field=field)
    return value


def parse_yuan(value, *, field: str, label: str, required: bool = True) -> int | None:
    """An amount typed in 元 ("3000", "3,000.5", "８０") -> integer fen; None when empty and not required."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    text = text.removesuffix("元").replace(",", "").strip()
    if not text:
        if required:
            raise ServiceError(f"请填写{label}", field=field)
        return None
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ServiceError(f"{label}应为金额（元），如 3000 或 0.2", field=field) from None
    if not d.is_finite() or d < 0:
        raise ServiceError(f"{label}不能为负数", field=field)
    if d > MAX_YUAN:
        raise ServiceError(f"{label}最多 {MAX_YUAN} 元", field=field)
    fen = d * 100
    if fen != fen.to_integral_value():
        raise ServiceError(f"{label}最多两位小数（精确到分）", field=field)
    return int(fen)


def parse_period(value, *, field: str = "period") -> int:
    """ "2026-03" (or 202603) -> 202603."""
    text = str(value or "").strip().replace("/", "-")
    try:
        if "-" in text:
            y, m = (int(x) for x in text.split("-", 1))
        else:
            n = int(text)
            y, m = divmod(n, 100)
    except ValueError:
        raise ServiceError("所属月份格式应为 2026-03", field=field) from None
    if not (2000 <= y <= 2099 and 1 <= m <= 12):
        raise ServiceError("所属月份格式应为 2026-03", field=field)
    return y * 100 + m


def period_of(d: dt.date) -> int:
    return d.year * 100 + d.month


def period_label(p: int) -> str:
    return f"{p // 100}年{p % 100}月"


def _branch(org: Organization) -> Organization:
    if org is None or org.kind != OrgKind.PARTY:
        raise ServiceError("请选择党支部", field="branch")
    return org


def find_person(id_number) -> Person:
    info = parse_id_number(id_number, field="id_number", label="身份证号")
    p = Person.objects.select_related("org").filter(id_bidx=id_bidx(info.number)).first()
    if p is None:
        raise ServiceError("没有找到该身份证号的人员，请先在“人员”中登记", field="id_number")
    return p


def _lock(member: PartyMember) -> PartyMember:
    return (
        PartyMember.objects.select_for_update(of=("self",))
        .select_related("branch", "person")
        .get(pk=member.pk)
    )


def _active(m: PartyMember) -> None:
    if m.status != ACTIVE:
        raise ServiceError(f"{m.person.name}已不在本支部名册（{m.get_status_display()}）", code="not_active")


# ---------------------------------------------------------------- roster


@transaction.atomic
def enrol_member(
    *,
    actor,
    branch: Organization,
    id_number=None,
    category,
    joined_on,
    full_on=None,
    entered_on=None,
    external_org: str = "",
    person: Person | None = None,
) -> PartyMember:
    """Put a person on a branch's roster: a new member, or (``external_org`` named) one whose 组织关系 comes in
    from outside the district. The person must belong to the organisation the branch is attached to (its parent's
    subtree) and be on no other roster (the partial unique index holds it). Staff find the person by ID number;
    the demo passes ``person`` itself."""
    branch = _branch(branch)
    require(actor, "change", branch.path, "该党支部不在您的管理范围内")
    person = person if person is not None else find_person(id_number)
    parent = branch.parent
    if parent is not None and not person.org.path.startswith(parent.path):
        raise ServiceError(f"该人员不属于{parent.name}，不能登记到本支部", field="id_number")
    if category not in Category.values:
        raise ServiceError("请选择党员类别", field="category")
    today = timezone.localdate()
    joined_on = _date(joined_on, field="joined_on", label="入党日期", today=today)
    if category == Category.FULL:
        full_on = _date(full_on, field="full_on", label="转正日期", low=joined_on, today=today)
    elif full_on:
        raise ServiceError("预备党员不填转正日期（转正在名册中办理）", field="full_on")
    else:
        full_on = None
    entered_on = _date(
        entered_on or today, field="entered_on", label="转入本支部日期", low=joined_on, today=today
    )
    external_org = (external_org or "").strip()
    if len(external_org) > 150:
        raise ServiceError("原所在党组织最多 150 个字", field="external_org")
    live = PartyMember.objects.select_related("branch").filter(person=person, status=ACTIVE).first()
    if live is not None:
        raise ServiceError(
            f"{person.name}已在{live.branch.name}党员名册中，请办理转接", field="id_number", code="duplicate"
        )
    try:
        with transaction.atomic():
            m = PartyMember.objects.create(
                person=person,
                branch=branch,
                category=category,
                joined_on=joined_on,
                full_on=full_on,
                entered_on=entered_on,
                came_from=f"由{external_org}转入" if external_org else "新登记",
                created_by=_uid(actor),
            )
    except IntegrityError:
        raise ServiceError(
            f"{person.name}已在其他党支部名册中", field="id_number", code="duplicate"
        ) from None
    if external_org:
        Transfer.objects.create(
            person=person,
            kind=Transfer.Kind.IN,
            to_member=m,
            to_branch=branch,
            external_org=external_org,
            on=entered_on,
            actor=_uid(actor),
        )
    audit.record(
        actor=actor,
        action="party.member_enrol",
        obj=m,
        org_path=branch.path,
        detail={"person": person.pk, "category": category, "joined_on": joined_on, "from": external_org},
    )
    return m


@transaction.atomic
def confirm_full(*, actor, member: PartyMember, on) -> PartyMember:
    """预备党员转正 — a step of its own, audited, not an edit: once the year of probation is over (``on`` not
    before the due date nor after today) the member becomes 正式党员 from ``on``."""
    m = _lock(member)
    require(actor, "change", m.branch.path, "只有该党支部或上级组织的管理员可以办理转正")
    _active(m)
    if m.category != Category.PROBATIONARY:
        raise ServiceError(f"{m.person.name}已是正式党员", code="already_full")
    due = m.due_on
    today = timezone.localdate()
    if due > today:
        raise ServiceError(f"预备期到 {due:%Y-%m-%d} 才满一年，届时方可转正", field="on", code="not_due")
    on = _date(on, field="on", label="转正日期", low=due, today=today)
    m.category, m.full_on = Category.FULL, on
    m.save(update_fields=["category", "full_on", "updated_at"])
    audit.record(
        actor=actor,
        action="party.member_confirm_full",
        obj=m,
        org_path=m.branch.path,
        detail={"person": m.person_id, "joined_on": m.joined_on, "full_on": on},
    )
    return m


@transaction.atomic
def extend_probation(*, actor, member: PartyMember, until, reason) -> PartyMember:
    """延长预备期 (党章第七条): when the year of probation is over, the branch may extend it once, by at most a
    year — ``until`` after the first due date and no later than a year after it — with the reason the 支部党员大会
    gave. Audited; 转正 is then due on ``until``."""
    m = _lock(member)
    require(actor, "change", m.branch.path, "只有该党支部或上级组织的管理员可以办理")
    _active(m)
    if m.category != Category.PROBATIONARY:
        raise ServiceError(f"{m.person.name}已是正式党员", code="already_full")
    if m.probation_until is not None:
        raise ServiceError(f"{m.person.name}的预备期已延长至 {m.probation_until:%Y-%m-%d}，只能延长一次",
                           code="already_extended")
    first = m.first_due_on
    if first > timezone.localdate():
        raise ServiceError(f"预备期到 {first:%Y-%m-%d} 才满一年，期满时方可讨论延长", code="not_due")
    latest = one_year_after(first)
    if not isinstance(until, dt.date) or isinstance(until, dt.datetime):
        raise ServiceError("请填写预备期延长至的日期", field="until")
    if not first < until <= latest:
        raise ServiceError(
            f"延长预备期不超过一年：应在 {first:%Y-%m-%d} 之后、不晚于 {latest:%Y-%m-%d}", field="until"
        )
    reason = _text(reason, field="reason", label="延长原因", low=2, high=200)
    m.probation_until = until
    m.save(update_fields=["probation_until", "updated_at"])
    audit.record(
        actor=actor,
        action="party.probation_extend",
        obj=m,
        org_path=m.branch.path,
        reason=reason,
        detail={"person": m.person_id, "joined_on": m.joined_on, "first_due_on": first, "probation_until": until},
    )
    return m


def _leave(m: PartyMember, *, status: str, on, reason: str) -> dt.date:
    on = _date(on, field="on", label="日期", low=m.entered_on)
    m.status, m.left_on, m.left_reason = status, on, reason
    m.save(update_fields=["status", "left_on", "left_reason", "updated_at"])
    return on


def _no_open_letter(m: PartyMember) -> None:
    """Under the member's row lock: a stint with a letter waiting at another branch is not moved or closed by any
    other step (withdraw the letter first)."""
    letter = TransferLetter.objects.filter(member=m, status=LetterStatus.PENDING).select_related("to_branch").first()
    if letter is not None:
        raise ServiceError(
            f"{m.person.name}有一封待{letter.to_branch.name}接收的组织关系介绍信，请先撤回或等待对方办理",
            code="letter_open",
        )


def _move(m: PartyMember, *, actor, to_branch: Organization, on, reason: str) -> tuple[PartyMember, Transfer]:
    """Close the (locked, active) stint and open one in ``to_branch`` with the same category, dates and 党费
    settings; the :class:`Transfer` names both."""
    if to_branch.pk == m.branch_id:
        raise ServiceError("转入支部与现所在支部相同", field="to_branch")
    on = _leave(m, status=MemberStatus.OUT, on=on, reason=f"转至{to_branch.name}")
    try:
        with transaction.atomic():
            new = PartyMember.objects.create(
                person=m.person,
                branch=to_branch,
                category=m.category,
                joined_on=m.joined_on,
                full_on=m.full_on,
                probation_until=m.probation_until,
                entered_on=on,
                came_from=f"由{m.branch.name}转入",
                dues_base_fen=m.dues_base_fen,
                dues_fixed_fen=m.dues_fixed_fen,
                dues_fixed_reason=m.dues_fixed_reason,
                created_by=_uid(actor),
            )
            t = Transfer.objects.create(
                person=m.person,
                kind=Transfer.Kind.INTERNAL,
                from_member=m,
                to_member=new,
                from_branch=m.branch,
                to_branch=to_branch,
                on=on,
                reason=reason,
                actor=_uid(actor),
            )
    except IntegrityError:
        raise ServiceError(f"{m.person.name}的组织关系已在转接中", code="not_active") from None
    return new, t


@transaction.atomic
def transfer_member(
    *, actor, member: PartyMember, to_branch: Organization, on, reason: str = ""
) -> PartyMember:
    """支部间转接 done at once by an administrator of both branches: the stint in the old branch closes (已转出)
    and one opens in the new branch with the same category, dates and 党费 settings. Two transfers of one member
    at once: the second waits on the member's row lock and finds the stint closed; past the lock,
    ``from_member`` is unique and the person has at most one active stint. (An administrator of one side only
    sends a :func:`send_letter`.)"""
    m = _lock(member)
    require(actor, "change", m.branch.path, "只有转出支部或上级组织的管理员可以办理转接")
    to_branch = _branch(to_branch)
    require(actor, "change", to_branch.path, "转入的党支部不在您的管理范围内，请开具组织关系介绍信，由对方接收")
    _active(m)
    _no_open_letter(m)
    reason = _text(reason, field="reason", label="说明", low=0, high=200)
    new, _ = _move(m, actor=actor, to_branch=to_branch, on=on, reason=reason)
    audit.record(
        actor=actor,
        action="party.member_transfer",
        obj=new,
        org_path=m.branch.path,
        reason=reason,
        detail={"person": m.person_id, "from": m.branch.name, "to": to_branch.name, "on": new.entered_on},
    )
    return new


# ---------------------------------------------------------------- 组织关系介绍信 (send, accept / return, withdraw)


@transaction.atomic
def send_letter(*, actor, member: PartyMember, to_branch: Organization, note: str = "") -> TransferLetter:
    """开具组织关系介绍信 to another branch of the district — which may lie outside the sender's scope. The member
    stays on the old roster (and pays 党费 there) until the receiver accepts. One open letter per stint:
    the member's row lock orders two senders, the partial unique index holds past it."""
    m = _lock(member)
    require(actor, "change", m.branch.path, "只有转出支部或上级组织的管理员可以开具介绍信")
    _active(m)
    to_branch = _branch(to_branch)
    if to_branch.pk == m.branch_id:
        raise ServiceError("转入支部与现所在支部相同", field="to_branch")
    _no_open_letter(m)
    note = _text(note, field="note", label="说明", low=0, high=200)
    try:
        with transaction.atomic():
            letter = TransferLetter.objects.create(
                member=m, from_branch=m.branch, to_branch=to_branch, note=note, sent_by=_uid(actor)
            )
    except IntegrityError:
        raise ServiceError(f"{m.person.name}已有待接收的组织关系介绍信", code="letter_open") from None
    audit.record(
        actor=actor,
        action="party.letter_send",
        obj=letter,
        org_path=m.branch.path,
        reason=note,
        detail={"person": m.person_id, "from_branch": m.branch.name, "to_branch": to_branch.name},
    )
    return letter


def _lock_letter(letter: TransferLetter) -> tuple[TransferLetter, PartyMember]:
    """Lock order: the member (stint) row, then the letter."""
    m = _lock(letter.member)
    letter = (
        TransferLetter.objects.select_for_update(of=("self",))
        .select_related("from_branch", "to_branch")
        .get(pk=letter.pk)
    )
    if letter.status != LetterStatus.PENDING:
        raise ServiceError(f"该介绍信{letter.get_status_display()}，不能再办理", code="letter_decided")
    return letter, m


def _decide(letter: TransferLetter, *, actor, status: str, reason: str = "", transfer=None) -> None:
    letter.status, letter.decided_by, letter.decided_at = status, _uid(actor), timezone.now()
    letter.decide_reason, letter.transfer = reason, transfer
    letter.save(update_fields=["status", "decided_by", "decided_at", "decide_reason", "transfer"])


@transaction.atomic
def accept_letter(*, actor, letter: TransferLetter, on) -> PartyMember:
    """接收: the receiving branch's administrator takes the member onto its roster from ``on`` (not before the
    letter, not after today); the stint moves as in :func:`transfer_member`. Accepting while the sender
    withdraws: both lock the member row first, so one finds the letter decided."""
    letter, m = _lock_letter(letter)
    require(actor, "change", letter.to_branch.path, "只有转入支部或上级组织的管理员可以接收介绍信")
    _active(m)
    low = max(m.entered_on, timezone.localtime(letter.sent_at).date())
    on = _date(on, field="on", label="转入日期", low=low)
    new, t = _move(m, actor=actor, to_branch=letter.to_branch, on=on, reason=letter.note)
    _decide(letter, actor=actor, status=LetterStatus.ACCEPTED, transfer=t)
    audit.record(
        actor=actor,
        action="party.letter_accept",
        obj=new,
        org_path=letter.to_branch.path,
        reason=letter.note,
        detail={"person": m.person_id, "from_branch": letter.from_branch.name, "to_branch": letter.to_branch.name,
                "on": on},
    )
    notify.tell_members(
        [letter], person_of=lambda _: m.person, template="party_letter", title="组织关系已转入",
        body=f"您的党组织关系已由{letter.from_branch.name}转入{letter.to_branch.name}（{on:%Y-%m-%d}）。",
        key="party.letter_accept",
    )
    return new


def _close_letter(actor, letter: TransferLetter, *, status: str, reason: str, side: str, label: str,
                  who: str, action: str) -> TransferLetter:
    letter, m = _lock_letter(letter)
    branch = letter.to_branch if side == "to" else letter.from_branch
    require(actor, "change", branch.path, f"只有{who}或上级组织的管理员可以{label[:2]}介绍信")
    reason = _text(reason, field="reason", label=label, low=2, high=200)
    _decide(letter, actor=actor, status=status, reason=reason)
    audit.record(
        actor=actor, action=action, obj=letter, org_path=branch.path, reason=reason,
        detail={"person": m.person_id, "from_branch": letter.from_branch.name, "to_branch": letter.to_branch.name},
    )
    return letter


@transaction.atomic
def return_letter(*, actor, letter: TransferLetter, reason: str) -> TransferLetter:
    """退回: the receiver declines, with a reason the sender reads; the member stays where they are."""
    return _close_letter(actor, letter, status=LetterStatus.REJECTED, reason=reason, side="to", label="退回原因",
                         who="转入支部", action="party.letter_return")


@transaction.atomic
def withdraw_letter(*, actor, letter: TransferLetter, reason: str) -> TransferLetter:
    """撤回: the sender takes a waiting letter back (opened by mistake, the member stays)."""
    return _close_letter(actor, letter, status=LetterStatus.WITHDRAWN, reason=reason, side="from",
                         label="撤回原因", who="转出支部", action="party.letter_withdraw")


@transaction.atomic
def transfer_out(*, actor, member: PartyMember, external_org: str, on, reason: str = "") -> PartyMember:
    """组织关系转出到本区以外的党组织."""
    m = _lock(member)
    require(actor, "change", m.branch.path, "只有该党支部或上级组织的管理员可以办理转出")
    _active(m)
    _no_open_letter(m)
    external_org = _text(external_org, field="external_org", label="转往的党组织", low=2, high=150)
    reason = _text(reason, field="reason", label="说明", low=0, high=200)
    on = _leave(m, status=MemberStatus.OUT, on=on, reason=f"转至{external_org}")
    try:
        with transaction.atomic():
            Transfer.objects.create(
                person=m.person,
                kind=Transfer.Kind.OUT,
                from_member=m,
                from_branch=m.branch,
                external_org=external_org,
                on=on,
                reason=reason,
                actor=_uid(actor),
            )
    except IntegrityError:
        raise ServiceError(f"{m.person.name}的组织关系已转出", code="not_active") from None
    audit.record(
        actor=actor,
        action="party.member_transfer_out",
        obj=m,
        org_path=m.branch.path,
        reason=reason,
        detail={"person": m.person_id, "to": external_org, "on": on},
    )
    return m


@transaction.atomic
def end_membership(*, actor, member: PartyMember, status: str, on, reason: str) -> PartyMember:
    """停止党籍, 去世 or — for a 预备党员 only — 取消预备党员资格: the stint closes with the date and the reason (the
    row stays as history)."""
    m = _lock(member)
    require(actor, "change", m.branch.path, "只有该党支部或上级组织的管理员可以办理")
    _active(m)
    _no_open_letter(m)
    if status not in (MemberStatus.STOPPED, MemberStatus.DECEASED, MemberStatus.DISQUALIFIED):
        raise ServiceError("请选择党籍变动类型", field="status")
    if status == MemberStatus.DISQUALIFIED and m.category != Category.PROBATIONARY:
        raise ServiceError(f"{m.person.name}是正式党员，只有预备党员可以取消预备党员资格", field="status",
                           code="not_probationary")
    reason = _text(reason, field="reason", label="原因", low=2, high=200)
    on = _leave(m, status=status, on=on, reason=reason)
    audit.record(
        actor=actor,
        action="party.member_status",
        obj=m,
        org_path=m.branch.path,
        reason=reason,
        detail={"person": m.person_id, "status": status, "on": on},
    )
    return m


@transaction.atomic
def set_dues(*, actor, member: PartyMember, base, fixed=None, fixed_reason: str = "") -> PartyMember:
    """核定党费: the monthly base (the standard rate gives the amount), or — for retired members, members without
    work or in hardship — a small fixed monthly amount with its reason."""
    m = _lock(member)
    require(actor, "change", m.branch.path, "只有该党支部或上级组织的管理员可以核定党费")
    _active(m)
    fixed_fen = parse_yuan(fixed, field="fixed", label="固定月缴额", required=False)
    base_fen = parse_yuan(base, field="base", label="月缴费基数", required=fixed_fen is None)
    fixed_reason = (fixed_reason or "").strip()
    if fixed_fen is not None:
        if fixed_fen == 0:
            raise ServiceError("固定月缴额应大于 0", field="fixed")
        fixed_reason = _text(fixed_reason, field="fixed_reason", label="固定缴纳的原因", low=2, high=200)
    else:
        fixed_reason = ""
    before = {"base": yuan(m.dues_base_fen), "fixed": yuan(m.dues_fixed_fen), "monthly": m.monthly_yuan}
    m.dues_base_fen, m.dues_fixed_fen, m.dues_fixed_reason = base_fen, fixed_fen, fixed_reason
    m.save(update_fields=["dues_base_fen", "dues_fixed_fen", "dues_fixed_reason", "updated_at"])
    if not m.monthly_fen:
        raise ServiceError("按该基数月缴额为 0，请改按固定月缴额核定", field="base")
    audit.record(
        actor=actor,
        action="party.dues_set",
        obj=m,
        org_path=m.branch.path,
        reason=fixed_reason,
        detail={
            "person": m.person_id,
            "before": before,
            "after": {"base": yuan(base_fen), "fixed": yuan(fixed_fen), "monthly": m.monthly_yuan},
        },
    )
    return m


# ---------------------------------------------------------------- 三会一课


def roster_on(branch: Organization, day: dt.date):
    """The branch's members on ``day``: stints begun by then and not yet ended."""
    from django.db.models import Q

    return (
        PartyMember.objects.filter(branch=branch, entered_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .select_related("person")
        .order_by("person__name", "pk")
    )


@transaction.atomic
def record_meeting(
    *, actor, branch: Organization, kind, held_on, topic, minutes, attendance: dict, place: str = ""
) -> Meeting:
    """A branch records a meeting and, for every member on its roster that day, 出席/请假/缺席 (the list is the
    roster of that day, fixed in the attendance rows; for 支委会 and 党小组会 members outside the meeting are
    marked as not expected and get no row)."""
    branch = _branch(branch)
    require(actor, "change", branch.path, "只有该党支部或上级组织的管理员可以登记会议")
    if kind not in MeetingKind.values:
        raise ServiceError("请选择会议类型", field="kind")
    held_on = _date(held_on, field="held_on", label="会议日期", low=dt.date(2000, 1, 1))
    topic = _text(topic, field="topic", label="会议主题", low=2, high=100)
    place = _text(place, field="place", label="地点", low=0, high=100)
    minutes = _text(minutes, field="minutes", label="会议纪要", low=10, high=5000)
    roster = list(roster_on(branch, held_on))
    if not roster:
        raise ServiceError(f"{held_on:%Y-%m-%d}本支部名册中没有党员，请先登记党员", field="held_on")
    rows, missing = [], []
    allowed = set(Attendance.Status.values) | ({NOT_EXPECTED} if kind in PARTIAL_KINDS else set())
    for m in roster:
        value = attendance.get(m.pk) or attendance.get(str(m.pk))
        if value not in allowed:
            missing.append(m.person.name)
        elif value != NOT_EXPECTED:
            rows.append((m, value))
    if missing:
        raise ServiceError(f"请为每位党员选择出席情况：{'、'.join(missing[:10])}", field="attendance")
    if not rows:
        raise ServiceError("至少应有一名应到党员", field="attendance")
    mt = Meeting.objects.create(
        branch=branch,
        kind=kind,
        held_on=held_on,
        topic=topic,
        place=place,
        minutes=minutes,
        recorded_by=_uid(actor),
    )
    Attendance.objects.bulk_create([Attendance(meeting=mt, member=m, status=s) for m, s in rows])
    counts = {s: sum(1 for _, v in rows if v == s) for s in Attendance.Status.values}
    audit.record(
        actor=actor,
        action="party.meeting_record",
        obj=mt,
        org_path=branch.path,
        detail={
            "kind": kind,
            "held_on": held_on,
            "topic": topic,
            "expected": len(rows),
            "present": counts["present"],
            "on_leave": counts["leave"],
            "absentees": counts["absent"],
        },
    )
    return mt


CORRECTION_DAYS = 30


def correctable_until(mt: Meeting) -> dt.date:
    """The last day a recorded meeting may be corrected: ``CORRECTION_DAYS`` after the day it was recorded."""
    return timezone.localdate(mt.created_at) + dt.timedelta(days=CORRECTION_DAYS)


@transaction.atomic
def update_meeting(
    *, actor, meeting: Meeting, kind, topic, minutes, attendance: dict, reason, place: str = ""
) -> Meeting:
    """更正会议记录: within ``CORRECTION_DAYS`` of recording it, the branch's administrator corrects the type,
    topic, place, minutes and attendance of a meeting — never its date (the attendance list is the roster of that
    day) — with a reason. Checked as when recording (every member on that day's roster has a status; 不在参会范围
    only for 支委会/党小组会; at least one expected). Under the meeting's row lock, so two corrections serialise and
    the second sees the first; the attendance rows are updated, added or removed to match. Audited
    ``party.meeting_update`` with each changed field before → after and each changed attendance by name."""
    mt = Meeting.objects.select_for_update(of=("self",)).select_related("branch").get(pk=meeting.pk)
    require(actor, "change", mt.branch.path, "只有该党支部或上级组织的管理员可以更正会议记录")
    if timezone.localdate() > correctable_until(mt):
        raise ServiceError(
            f"会议记录登记已超过 {CORRECTION_DAYS} 天，不能再更正（{correctable_until(mt):%Y-%m-%d}截止）",
            code="too_late",
        )
    if kind not in MeetingKind.values:
        raise ServiceError("请选择会议类型", field="kind")
    topic = _text(topic, field="topic", label="会议主题", low=2, high=100)
    place = _text(place, field="place", label="地点", low=0, high=100)
    minutes = _text(minutes, field="minutes", label="会议纪要", low=10, high=5000)
    reason = _text(reason, field="reason", label="更正原因", low=2, high=200)
    allowed = set(Attendance.Status.values) | ({NOT_EXPECTED} if kind in PARTIAL_KINDS else set())
    roster = list(roster_on(mt.branch, mt.held_on))
    old = {a.member_id: a for a in mt.attendance.select_for_update()}
    wanted, missing = {}, []
    for m in roster:
        value = attendance.get(m.pk) or attendance.get(str(m.pk))
        if value not in allowed:
            missing.append(m.person.name)
        else:
            wanted[m.pk] = value
    if missing:
        raise ServiceError(f"请为每位党员选择出席情况：{'、'.join(missing[:10])}", field="attendance")
    if all(v == NOT_EXPECTED for v in wanted.values()):
        raise ServiceError("至少应有一名应到党员", field="attendance")
    label = dict(Attendance.Status.choices) | {NOT_EXPECTED: "不在参会范围"}
    att_changes, add, drop, change = [], [], [], []
    for m in roster:
        before = old[m.pk].status if m.pk in old else NOT_EXPECTED
        after = wanted[m.pk]
        if before == after:
            continue
        att_changes.append(f"{m.person.name}：{label[before]} → {label[after]}")
        if after == NOT_EXPECTED:
            drop.append(old[m.pk].pk)
        elif m.pk in old:
            old[m.pk].status = after
            change.append(old[m.pk])
        else:
            add.append(Attendance(meeting=mt, member=m, status=after))
    fields = {"kind": kind, "topic": topic, "place": place, "minutes": minutes}
    changes = {f: (getattr(mt, f), v) for f, v in fields.items() if getattr(mt, f) != v}
    if not changes and not att_changes:
        raise ServiceError("没有需要更正的内容", code="unchanged")
    kind_label = dict(MeetingKind.choices)
    for f, (_b, a) in changes.items():
        setattr(mt, f, a)
    if changes:
        mt.save(update_fields=list(changes))
    Attendance.objects.filter(pk__in=drop).delete()
    Attendance.objects.bulk_update(change, ["status"])
    Attendance.objects.bulk_create(add)
    detail = {"reason": reason, "held_on": mt.held_on}
    for f, (b, a) in changes.items():
        if f == "kind":
            detail[f] = f"{kind_label[b]} → {kind_label[a]}"
        elif f == "minutes":
            detail[f] = f"{len(b)} 字 → {len(a)} 字"
        else:
            detail[f] = f"{b or '（空）'} → {a or '（空）'}"
    if att_changes:
        detail["attendance"] = att_changes
    audit.record(actor=actor, action="party.meeting_update", obj=mt, org_path=mt.branch.path, detail=detail)
    return mt


# ---------------------------------------------------------------- 党费


def live_payment(member: PartyMember, period: int) -> DuesEntry | None:
    return (
        DuesEntry.objects.filter(
            member=member, period=period, kind=DuesEntry.Kind.PAYMENT, reversal__isnull=True
        )
        .order_by("-round")
        .first()
    )


@transaction.atomic
def remind_unpaid(*, actor, branch: Organization, period) -> dict:
    """提醒未缴: an in-app reminder to each member on the branch's roster today, with a rated amount, who has no
    live payment for ``period`` (this month or an earlier one). Once per member and month: the outbox's unique
    dedupe key (``party.dues_remind:<period>:<stint>``) makes a second click — or two administrators at once —
    tell nobody twice. Returns who was told now, who had been told before, and who has no portal account (to
    be phoned)."""
    from .selectors import dues_summary  # the console's 未缴 rule, one place

    branch = _branch(branch)
    require(actor, "change", branch.path, "只有该党支部或上级组织的管理员可以提醒缴纳党费")
    period = parse_period(period)
    if period > period_of(timezone.localdate()):
        raise ServiceError("只能提醒本月及以前月份的党费", field="period")
    rows = [r["member"] for r in dues_summary(branch, period)["unpaid"] if r["member"].status == ACTIVE and r["due"]]
    key = f"party.dues_remind:{period}"
    done = set(
        Notification.objects.filter(dedupe_key__in=[f"{key}:{m.pk}" for m in rows]).values_list("dedupe_key", flat=True)
    )
    fresh = [m for m in rows if f"{key}:{m.pk}" not in done]
    people = {p.pk: p for p in Person.objects.filter(pk__in=[m.person_id for m in fresh]).select_related("user")}
    reach = [m for m in fresh if getattr(people[m.person_id], "user", None) is not None]
    label = period_label(period)
    told = notify.tell_members(
        reach, person_of=lambda m: people[m.person_id], template="party_dues", title=f"{label}党费提醒",
        body=lambda m: f"您{label}的党费（{m.monthly_yuan} 元）尚未缴纳，请向{branch.name}缴纳。",
        key=key,
    )
    out = {
        "told": [m.person.name for m in reach],
        "before": [m.person.name for m in rows if f"{key}:{m.pk}" in done],
        "no_account": [m.person.name for m in fresh if m not in reach],
    }
    if told:
        audit.record(actor=actor, action="party.dues_remind", obj=branch, org_path=branch.path,
                     detail={"period": period, "count": told, "no_account": len(out["no_account"])})
    return out


@transaction.atomic
def record_payment(*, actor, member: PartyMember, period) -> DuesEntry:
    """登记缴纳 a member's dues for one month at the member's current monthly amount. Append-only; at most one
    live payment per member and month — the member's row lock serialises staff recording at once, and beneath
    it the partial unique index on (member, period, round) lets only one through."""
    m = _lock(member)
    require(actor, "change", m.branch.path, "只有该党支部或上级组织的管理员可以登记党费")
    period = parse_period(period)
    amount = m.monthly_fen
    if not amount:
        raise ServiceError(f"请先核定{m.person.name}的月缴党费", code="no_rate")
    today = timezone.localdate()
    if period < period_of(m.entered_on):
        raise ServiceError(
            f"{m.person.name}于 {m.entered_on:%Y-%m} 转入本支部，之前的党费不在本支部缴纳", field="period"
        )
    if m.left_on is not None and period > period_of(m.left_on):
        raise ServiceError(f"{m.person.name}已于 {m.left_on:%Y-%m} 离开本支部", field="period")
    if period > today.year * 100 + 12:
        raise ServiceError("最多预缴到本年 12 月", field="period")
    if live_payment(m, period) is not None:
        raise ServiceError(f"{m.person.name}{period_label(period)}的党费已登记", code="paid")
    rounds = DuesEntry.objects.filter(member=m, period=period, kind=DuesEntry.Kind.REVERSAL).count()
    try:
        with transaction.atomic():
            e = DuesEntry.objects.create(
                member=m,
                period=period,
                kind=DuesEntry.Kind.PAYMENT,
                round=rounds,
                amount_fen=amount,
                actor=_uid(actor),
            )
    except IntegrityError:
        raise ServiceError(f"{m.person.name}{period_label(period)}的党费已登记", code="paid") from None
    audit.record(
        actor=actor,
        action="party.dues_pay",
        obj=e,
        org_path=m.branch.path,
        detail={"person": m.person_id, "period": period_label(period), "amount": yuan(amount)},
    )
    return e


@transaction.atomic
def reverse_payment(*, actor, entry: DuesEntry, reason: str) -> DuesEntry:
    """冲正: a wrong payment is taken back in full by a reversal entry with its reason (never an edit); the month
    is then unpaid and may be recorded again. One reversal per payment (``reverses`` is unique)."""
    e = (
        DuesEntry.objects.select_for_update(of=("self",))
        .select_related("member__branch", "member__person")
        .get(pk=entry.pk)
    )
    require(actor, "change", e.member.branch.path, "只有该党支部或上级组织的管理员可以冲正党费")
    if e.kind != DuesEntry.Kind.PAYMENT:
        raise ServiceError("只能冲正缴纳记录", code="not_payment")
    reason = _text(reason, field="reason", label="冲正原因", low=2, high=200)
    if DuesEntry.objects.filter(reverses=e).exists():
        raise ServiceError("该记录已冲正过", code="reversed")
    try:
        with transaction.atomic():
            r = DuesEntry.objects.create(
                member=e.member,
                period=e.period,
                kind=DuesEntry.Kind.REVERSAL,
                round=e.round,
                amount_fen=e.amount_fen,
                reverses=e,
                reason=reason,
                actor=_uid(actor),
            )
    except IntegrityError:
        raise ServiceError("该记录已冲正过", code="reversed") from None
    audit.record(
        actor=actor,
        action="party.dues_reverse",
        obj=r,
        org_path=e.member.branch.path,
        reason=reason,
        detail={"person": e.member.person_id, "period": period_label(e.period), "amount": yuan(e.amount_fen)},
    )
    return r


# ---------------------------------------------------------------- exports


def export_meetings(*, actor, rows, org_path: str, year: int):
    """三会一课 records of a year (xlsx, streamed; text formula-defused by core.excel). Audited."""
    from lianxin.core.excel import XlsxStreamWriter

    header = [
        "序号",
        "党支部",
        "会议类型",
        "会议日期",
        "主题",
        "地点",
        "应到",
        "出席",
        "请假",
        "缺席",
        "请假/缺席人员",
        "会议纪要",
        "记录人",
    ]
    with XlsxStreamWriter(
        header, sheet=f"{year}年三会一课", widths=[6, 24, 12, 12, 30, 16, 6, 6, 6, 6, 24, 60, 12]
    ) as w:
        for n, mt in enumerate(rows, start=1):
            att = list(mt.attendance.all())
            off = [
                f"{a.member.person.name}（{a.get_status_display()}）" for a in att if a.status != "present"
            ]
            who = (mt.recorded_by.display_name or mt.recorded_by.username) if mt.recorded_by_id else ""
            w.row(
                [
                    n,
                    mt.branch.name,
                    mt.get_kind_display(),
                    mt.held_on,
                    mt.topic,
                    mt.place,
                    len(att),
                    sum(a.status == "present" for a in att),
                    sum(a.status == "leave" for a in att),
                    sum(a.status == "absent" for a in att),
                    "、".join(off),
                    mt.minutes,
                    who,
                ]
            )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="party.meetings_export",
            org_path=org_path,
            object_type="party.meeting",
            detail={"year": year, "count": w.n - 1},
        )
    return w


def export_dues(*, actor, branch: Organization, year: int, rows):
    """A branch's 党费收缴 of a year, one row per member: the monthly amount, each month's paid amount (blank:
    unpaid), the year's total. Masked ID numbers (DESIGN rule 2). Audited."""
    from lianxin.core.excel import XlsxStreamWriter

    header = [
        "序号",
        "姓名",
        "身份证号",
        "党员类别",
        "核定方式",
        "月缴额（元）",
        *[f"{m}月" for m in range(1, 13)],
        "全年实缴（元）",
    ]
    with XlsxStreamWriter(header, sheet=f"{year}年党费", widths=[6, 10, 20, 10, 28, 10, *[8] * 12, 12]) as w:
        for n, r in enumerate(rows, start=1):
            m = r["member"]
            w.row(
                [
                    n,
                    m.person.name,
                    m.person.id_masked,
                    m.get_category_display(),
                    m.dues_rule,
                    float(yuan(m.monthly_fen)) if m.monthly_fen else "",
                    *[(r["months"][i] / 100 if r["months"][i] else "") for i in range(12)],
                    r["total"] / 100,
                ]
            )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="party.dues_export",
            obj=branch,
            org_path=branch.path,
            detail={"year": year, "count": w.n - 1},
        )
    return w
