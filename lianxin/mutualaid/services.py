"""Every write of 职工医疗互助: plans, enrolments, and the payment an approved claim makes. Each runs in one
transaction and is audited; refusals are :class:`ServiceError` in Chinese.

The amount rule (:func:`claim_amount`): (政策范围内个人自付 − 起付线) × 补助比例, the deductible applied per hospital
stay, rounded to the fen half up (四舍五入到分, as a clerk's calculator and the finance office do; the rounding
moves at most half a fen, and the yearly cap is applied after it, so the cap is never exceeded by rounding).

The yearly cap is the database's: :func:`pay_claim` locks the person's :class:`MedicalAccount`, and raises
``paid_fen`` with a conditional ``UPDATE … WHERE paid_fen + amount <= cap_fen`` under a ``CHECK paid_fen <=
cap_fen``, inside the approval's transaction; a refusal raises, and the engine rolls everything back.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from lianxin.assistance.models import Purpose
from lianxin.assistance.services import allocate, disburse, parse_yuan, require_fund, yuan
from lianxin.core import audit
from lianxin.core.errors import ServiceError
from lianxin.core.scoping import require
from lianxin.orgs.models import OrgKind

from .models import Contribution, Enrolment, MedicalAccount, MedicalPayment, MedicalPlan

ORGANISER_KINDS = (OrgKind.FEDERATION, OrgKind.STREET)
UNION_KINDS = (OrgKind.BASE, OrgKind.JOINT, OrgKind.INDUSTRY)
BATCH = 1000


# ---------------------------------------------------------------------------------------------------------------
# The rule


def claim_amount(plan: MedicalPlan, self_pay_fen: int) -> int:
    """What the rule pays for one stay, before the yearly cap: (self pay − deductible) × ratio %, in fen, rounded
    half up. Integer arithmetic only (no floats)."""
    base = max(0, int(self_pay_fen) - plan.deductible_fen)
    return (base * plan.ratio + 50) // 100


def payable(plan: MedicalPlan, account: MedicalAccount | None, self_pay_fen: int) -> int:
    """The rule's amount with the remaining yearly cap applied."""
    remaining = account.remaining_fen if account is not None else plan.cap_fen
    return max(0, min(claim_amount(plan, self_pay_fen), remaining))


def enrolment_for(person, year: int) -> Enrolment | None:
    """The person's enrolment in a plan of ``year`` (the nearest organiser's, should there be two)."""
    if person is None:
        return None
    return (Enrolment.objects.select_related("plan", "plan__org", "union").filter(person=person, plan__year=year)
            .order_by("-plan__org__depth").first())


# ---------------------------------------------------------------------------------------------------------------
# Plans


@transaction.atomic
def create_plan(*, actor, org, year: int, name: str = "", contribution, deductible, ratio, cap,
                enrol_opens: dt.date, enrol_closes: dt.date) -> MedicalPlan:
    require(actor, "change", org.path, "只能为本组织设立医疗互助计划")
    if org.kind not in ORGANISER_KINDS:
        raise ServiceError("医疗互助计划由区总工会或街道总工会组织", field="org")
    year = int(year)
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise ServiceError("年度应为 2000 年至明年之间", field="year")
    contribution_fen = parse_yuan(contribution, label="互助金", field="contribution")
    deductible_fen = parse_yuan(deductible, label="起付线", field="deductible", allow_zero=True)
    cap_fen = parse_yuan(cap, label="年度最高补助", field="cap")
    if contribution_fen > 10**8 or deductible_fen > 10**9 or cap_fen > 10**9:
        raise ServiceError("金额过大", field="cap")
    try:
        ratio = int(ratio)
    except (TypeError, ValueError):
        raise ServiceError("补助比例应为 1 至 100 的整数", field="ratio") from None
    if not 1 <= ratio <= 100:
        raise ServiceError("补助比例应为 1 至 100 的整数", field="ratio")
    if enrol_closes < enrol_opens:
        raise ServiceError("参加登记截止日期不能早于开始日期", field="enrol_closes")
    if not {enrol_opens.year, enrol_closes.year} <= {year - 1, year}:
        raise ServiceError(f"参加登记时间应在 {year} 年度内（可从上一年开始）", field="enrol_closes")
    name = (name or "").strip() or f"{org.name}{year}年度职工住院医疗互助"
    if len(name) > 100:
        raise ServiceError("计划名称最多 100 个字", field="name")
    try:
        with transaction.atomic():
            plan = MedicalPlan.objects.create(
                org=org, year=year, name=name, contribution_fen=contribution_fen, deductible_fen=deductible_fen,
                ratio=ratio, cap_fen=cap_fen, enrol_opens=enrol_opens, enrol_closes=enrol_closes,
                created_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError:
        raise ServiceError(f"{org.name}已设立 {year} 年度的医疗互助计划", field="year") from None
    audit.record(actor=actor, action="mutualaid.plan_create", obj=plan, org_path=org.path,
                 detail={"name": plan.name, "year": year, "contribution": yuan(contribution_fen),
                         "deductible": yuan(deductible_fen), "ratio": ratio, "cap": yuan(cap_fen)})
    return plan


# ---------------------------------------------------------------------------------------------------------------
# Enrolment


def _check_union(actor, plan: MedicalPlan, union, *, today: dt.date | None = None) -> None:
    require(actor, "change", union.path, "只能为本工会的会员办理参加")
    if union.kind not in UNION_KINDS or not union.path.startswith(plan.org.path):
        raise ServiceError(f"{union.name}不在{plan.name}的范围内", field="union")
    today = today or timezone.localdate()
    if not plan.enrol_opens <= today <= plan.enrol_closes:
        raise ServiceError(f"{plan.name}的参加登记时间为 {plan.enrol_opens:%Y-%m-%d} 至 {plan.enrol_closes:%Y-%m-%d}，"
                           "现在不能办理", code="window_closed")


def _lock(plan: MedicalPlan) -> MedicalPlan:
    """The plan's row lock: enrolments of one plan queue, so counts are exact and nobody is enrolled twice."""
    return MedicalPlan.objects.select_for_update().select_related("org").get(pk=plan.pk)


def _create(plan, union, person_ids, actor) -> None:
    who = actor if getattr(actor, "pk", None) else None
    for i in range(0, len(person_ids), BATCH):
        chunk = person_ids[i:i + BATCH]
        Enrolment.objects.bulk_create([Enrolment(plan=plan, person_id=p, union=union, enrolled_by=who)
                                       for p in chunk])
        MedicalAccount.objects.bulk_create([MedicalAccount(plan=plan, person_id=p, cap_fen=plan.cap_fen)
                                            for p in chunk])


@transaction.atomic
def enrol_union(*, actor, plan: MedicalPlan, union) -> tuple[int, int]:
    """为本工会全部在册会员参加: every live member of ``union`` (its own members, not those of unions below it)
    who has not taken part yet. Idempotent: a second run adds nobody. Returns (added, already)."""
    from lianxin.members.models import MembershipStatus
    from lianxin.members.selectors import membership_list

    plan = _lock(plan)
    _check_union(actor, plan, union)
    live = list(membership_list(actor=actor, union=union, status=MembershipStatus.MEMBER).filter(union=union)
                .order_by("person_id").values_list("person_id", flat=True))
    taken = set(Enrolment.objects.filter(plan=plan, person_id__in=live).values_list("person_id", flat=True))
    new = [p for p in live if p not in taken]
    _create(plan, union, new, actor)
    if new:
        audit.record(actor=actor, action="mutualaid.enrol_union", obj=plan, org_path=union.path,
                     detail={"union": union.name, "added": len(new), "unchanged": len(taken),
                             "owed": yuan(len(new) * plan.contribution_fen)})
    return len(new), len(taken)


@transaction.atomic
def enrol_member(*, actor, plan: MedicalPlan, person) -> Enrolment:
    from lianxin.members.selectors import live_member_for

    m = live_member_for(actor, person, refused="，不能参加")
    plan = _lock(plan)
    _check_union(actor, plan, m.union)
    if Enrolment.objects.filter(plan=plan, person=person).exists():
        raise ServiceError(f"{person.name}已参加{plan.name}", field="person", code="already_enrolled")
    _create(plan, m.union, [person.pk], actor)
    e = Enrolment.objects.get(plan=plan, person=person)
    audit.record(actor=actor, action="mutualaid.enrol", obj=e, org_path=m.union.path,
                 detail={"name": person.name, "union": m.union.name})
    return e


@transaction.atomic
def withdraw_member(*, actor, enrolment: Enrolment) -> None:
    """Take a person off the plan (entered by mistake, left before the plan year): only in the enrolment window,
    and not once anything was paid or while a claim is open."""
    from lianxin.workflow.models import OPEN_STATES, Application

    plan = _lock(enrolment.plan)
    e = Enrolment.objects.select_related("union", "person").get(pk=enrolment.pk)
    _check_union(actor, plan, e.union)
    account = MedicalAccount.objects.select_for_update().filter(plan=plan, person=e.person).first()
    if account is not None and (account.paid_fen or account.payments.exists()):
        raise ServiceError(f"{e.person.name}本年度已获住院补助，不能退出", code="has_payments")
    if Application.objects.filter(programme="medical_aid", person=e.person, state__in=OPEN_STATES).exists():
        raise ServiceError(f"{e.person.name}有正在办理的住院补助申请，办结后才能退出", code="open_claim")
    owed_after = (Enrolment.objects.filter(plan=plan, union=e.union).count() - 1) * plan.contribution_fen
    paid_in = contributed_fen(plan, e.union)
    if paid_in > owed_after:
        raise ServiceError(f"{e.union.name}已缴互助金 {yuan(paid_in)} 元，{e.person.name}退出后应缴 {yuan(owed_after)} 元，"
                           "已缴将多于应缴，不能退出（请联系组织单位办理退款或改为参加其他会员）", code="paid_in")
    if account is not None:
        account.delete()
    e.delete()
    audit.record(actor=actor, action="mutualaid.withdraw", object_type="mutualaid.enrolment",
                 object_id=str(enrolment.pk), org_path=e.union.path,
                 detail={"name": e.person.name, "union": e.union.name})


# ---------------------------------------------------------------------------------------------------------------
# Contributions (互助金到账)


def contributed_fen(plan: MedicalPlan, union) -> int:
    """What ``union`` has paid in under ``plan`` so far."""
    return Contribution.objects.filter(plan=plan, union=union).aggregate(s=Sum("amount_fen"))["s"] or 0


@transaction.atomic
def record_contribution(*, actor, plan: MedicalPlan, union, amount, received_on: dt.date,
                        memo: str = "") -> Contribution:
    """登记到账: the organiser's finance staff record a union's payment of 互助金. It goes into the organiser's
    职工医疗互助 fund for the plan's year as one ``allocate`` entry; a union never pays in more than its
    enrolment comes to (the plan's row lock holds enrolments and withdrawals still while that is checked)."""
    plan = _lock(plan)
    require(actor, "change", plan.org.path, f"互助金到账由{plan.org.name}登记")
    if union.kind not in UNION_KINDS or not union.path.startswith(plan.org.path):
        raise ServiceError(f"{union.name}不在{plan.name}的范围内", field="union")
    fen = parse_yuan(amount, label="到账金额")
    if not isinstance(received_on, dt.date):
        raise ServiceError("请填写到账日期", field="received_on")
    if received_on > timezone.localdate():
        raise ServiceError("到账日期不能晚于今天", field="received_on")
    if received_on.year < plan.year - 1:
        raise ServiceError(f"到账日期应在 {plan.year - 1} 年以后", field="received_on")
    memo = (memo or "").strip()
    if len(memo) > 100:
        raise ServiceError("说明最多 100 个字", field="memo")
    owed = Enrolment.objects.filter(plan=plan, union=union).count() * plan.contribution_fen
    paid = contributed_fen(plan, union)
    if paid + fen > owed:
        raise ServiceError(f"{union.name}应缴互助金 {yuan(owed)} 元，已缴 {yuan(paid)} 元，本次最多登记 "
                           f"{yuan(max(0, owed - paid))} 元", field="amount", code="over_owed")
    fund = require_fund(plan.org, purpose=Purpose.MEDICAL, year=plan.year)
    entry = allocate(actor=actor, fund=fund, amount=yuan(fen),
                     memo=f"{union.name}缴纳{plan.year}年度医疗互助金" + (f"（{memo}）" if memo else ""))
    c = Contribution.objects.create(plan=plan, union=union, amount_fen=fen, received_on=received_on, memo=memo,
                                    entry=entry, recorded_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="mutualaid.contribution", obj=c, org_path=union.path,
                 detail={"union": union.name, "amount": yuan(fen), "paid_in": yuan(paid + fen), "owed": yuan(owed)})
    return c


# ---------------------------------------------------------------------------------------------------------------
# The approved claim


def pay_claim(*, actor, app, person, amount_fen: int, form: dict) -> tuple[MedicalPayment, MedicalAccount]:
    """Pay an approved 住院补助 claim, inside the approval's transaction: the person's yearly account raised
    within its cap, the payment from the 职工医疗互助 fund covering the receiving union, and the payment record.
    Any refusal raises before or after writes alike; the caller's transaction undoes them all."""
    admitted = dt.date.fromisoformat(form["admitted_on"])
    discharged = dt.date.fromisoformat(form["discharged_on"])
    self_pay = parse_yuan(form["self_pay"], allow_zero=True)
    e = enrolment_for(person, admitted.year)
    if e is None:
        raise ServiceError(f"{person.name}未参加 {admitted.year} 年度职工医疗互助，不能发放，请不予通过",
                           code="not_enrolled")
    plan = e.plan
    account = MedicalAccount.objects.select_for_update().get(plan=plan, person=person)
    rule = claim_amount(plan, self_pay)
    if amount_fen > rule:
        raise ServiceError(f"核定金额不能高于按规则计算的 {yuan(rule)} 元", field="amount", code="over_rule")
    if amount_fen > account.remaining_fen:
        raise ServiceError(f"{person.name} {plan.year} 年度最高补助 {yuan(account.cap_fen)} 元，已补助 "
                           f"{yuan(account.paid_fen)} 元，剩余 {yuan(account.remaining_fen)} 元，本次核定的 "
                           f"{yuan(amount_fen)} 元超出剩余额度，请重新核定", field="amount", code="over_cap")
    # the rule itself, whatever the lock: raised only while it stays within the cap (the CHECK holds it too)
    raised = MedicalAccount.objects.filter(pk=account.pk, paid_fen__lte=F("cap_fen") - amount_fen).update(
        paid_fen=F("paid_fen") + amount_fen)
    if raised != 1:
        raise ServiceError(f"{person.name}本年度剩余补助额度不足，请重新核定", field="amount", code="over_cap")
    account.refresh_from_db()
    fund = require_fund(app.org, purpose=Purpose.MEDICAL, year=plan.year)
    entry = disburse(actor=actor, fund=fund, amount_fen=amount_fen, memo=f"医疗互助住院补助 {person.name}",
                     person=person, application=app)
    try:
        with transaction.atomic():
            payment = MedicalPayment.objects.create(
                account=account, application=app, entry=entry, hospital=form["hospital"][:100], admitted_on=admitted,
                discharged_on=discharged, self_pay_fen=self_pay, amount_fen=amount_fen)
    except IntegrityError:
        raise ServiceError(f"{person.name} {admitted:%Y-%m-%d} 入院的这次住院已发放过补助，不能重复发放",
                           code="already_paid") from None
    audit.record(actor=actor, action="mutualaid.pay", obj=payment, org_path=app.org.path,
                 detail={"person": person.pk, "amount": yuan(amount_fen), "year_paid": yuan(account.paid_fen),
                         "remaining": yuan(account.remaining_fen), "number": app.number})
    return payment, account
