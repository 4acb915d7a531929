"""Every write of assistance: funds, money in and out of them, hardship files. Money moves are audited
(DESIGN rule 3) and appended under a row lock on the fund; the database's constraints (models.py) refuse a
negative balance or a second entry in the same place of the sequence even if a caller skipped the lock."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from lianxin.core import audit
from lianxin.core.errors import ServiceError
from lianxin.core.scoping import require
from lianxin.orgs.models import Organization

from .models import (
    SEAT_ENDED,
    Campaign,
    CampaignStatus,
    Category,
    EntryKind,
    Fund,
    HardshipFile,
    LedgerEntry,
    Level,
    Purpose,
    Recipient,
    RecipientStatus,
    Retreat,
    RetreatAudience,
    RetreatSeat,
    RetreatShare,
    SeatStatus,
)

MAX_FEN = 10**12  # ten billion yuan: more than any fund here; what the ledger's CHECK also bounds


def parse_yuan(value, *, label: str = "金额", field: str = "amount", allow_zero: bool = False) -> int:
    """'1,234.5' / '１２３４.５０' / 1234.5 → 123450 fen. Refused in Chinese: not a number, more than two
    decimals, negative, zero (unless allowed), or beyond :data:`MAX_FEN`."""
    import unicodedata

    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    text = text.removesuffix("元").replace(",", "").replace("，", "").replace(" ", "").removeprefix("¥")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ServiceError(f"{label}应为以元为单位的数字，如 1000 或 1000.50", field=field)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ServiceError(f"{label}应为以元为单位的数字，如 1000 或 1000.50", field=field) from None
    if amount != amount.quantize(Decimal("0.01")):
        raise ServiceError(f"{label}最多精确到分（两位小数）", field=field)
    fen = int(amount * 100)
    if fen < 0 or (fen == 0 and not allow_zero):
        raise ServiceError(f"{label}应大于 0", field=field)
    if fen > MAX_FEN:
        raise ServiceError(f"{label}过大", field=field)
    return fen


def yuan(fen: int) -> str:
    """123450 → '1,234.50'."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


@transaction.atomic
def create_fund(*, actor, org, year: int, purpose: str = Purpose.HARDSHIP, name: str = "") -> Fund:
    require(actor, "change", org.path, "只能为本组织及下级组织设立资金")
    if purpose not in Purpose.values:
        raise ServiceError("请选择资金用途", field="purpose")
    if not 2000 <= int(year) <= timezone.localdate().year + 1:
        raise ServiceError("年度应为 2000 年至明年之间", field="year")
    name = (name or "").strip() or f"{org.name}{year}年度{Purpose(purpose).label}资金"
    if len(name) > 100:
        raise ServiceError("资金名称最多 100 个字", field="name")
    try:
        with transaction.atomic():
            fund = Fund.objects.create(org=org, purpose=purpose, year=year, name=name,
                                       created_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError:
        raise ServiceError(f"{org.name}已设立 {year} 年度的{Purpose(purpose).label}资金", field="year") from None
    audit.record(actor=actor, action="assistance.fund_create", obj=fund, org_path=org.path,
                 detail={"name": fund.name, "year": year})
    return fund


def balance(fund: Fund) -> int:
    """The fund's balance in fen: its last entry's running balance (0 before the first)."""
    return (LedgerEntry.objects.filter(fund=fund).order_by("-seq").values_list("balance_after_fen", flat=True)
            .first() or 0)


def _append(*, actor, fund: Fund, kind: str, amount_fen: int, memo: str, application=None,
            person=None, recipient=None) -> LedgerEntry:
    """One entry at the end of the fund's ledger. The fund's row lock queues concurrent writers; the balance is
    checked here for the message and by the database's CHECK for the rule."""
    locked = Fund.objects.select_for_update().get(pk=fund.pk)
    last = (LedgerEntry.objects.filter(fund=locked).order_by("-seq").values_list("seq", "balance_after_fen")
            .first() or (0, 0))
    after = last[1] + amount_fen
    if after < 0:
        raise ServiceError(f"{locked.name}余额不足：现有 {yuan(last[1])} 元，本次需支出 {yuan(-amount_fen)} 元。"
                           "请先拨入资金或调整金额", field="amount", code="insufficient_funds")
    who = getattr(actor, "on_behalf", None) or actor  # an approval's payment names the approving reviewer
    entry = LedgerEntry.objects.create(fund=locked, seq=last[0] + 1, kind=kind, amount_fen=amount_fen,
                                       balance_after_fen=after, memo=memo[:200], application=application,
                                       person=person, recipient=recipient, actor=who if getattr(who, "pk", None) else None)
    audit.record(actor=actor, action=f"assistance.{kind}", obj=entry, org_path=locked.org.path,
                 detail={"fund": locked.name, "amount": yuan(abs(amount_fen)), "balance": yuan(after)})
    return entry


@transaction.atomic
def allocate(*, actor, fund: Fund, amount, memo: str) -> LedgerEntry:
    """拨入: money into the fund (the year's budget, a donation, a higher union's grant)."""
    require(actor, "change", fund.org.path, "只有资金所属组织的管理员可以拨入资金")
    fen = parse_yuan(amount)
    memo = (memo or "").strip()
    if len(memo) < 2:
        raise ServiceError("请填写资金来源或用途说明", field="memo")
    return _append(actor=actor, fund=fund, kind=EntryKind.ALLOCATE, amount_fen=fen, memo=memo)


def fund_for(org, *, purpose: str = Purpose.HARDSHIP, year: int | None = None) -> Fund | None:
    """The fund that pays for an application received at ``org``: the year's fund of the nearest organisation
    on the way up (the union itself, its joint union, its street, the federation) that has one."""
    from lianxin.workflow.programmes import ancestors

    year = year or timezone.localdate().year
    funds = {f.org_id: f for f in Fund.objects.filter(purpose=purpose, year=year,
                                                       org__in=ancestors(org)).select_related("org")}
    for o in reversed(ancestors(org)):
        if o.pk in funds:
            return funds[o.pk]
    return None


def require_fund(org, *, purpose: str, year: int | None = None) -> Fund:
    """:func:`fund_for`, or a Chinese refusal naming what to set up."""
    year = year or timezone.localdate().year
    fund = fund_for(org, purpose=purpose, year=year)
    if fund is None:
        raise ServiceError(f"{org.name}及其上级组织都没有设立 {year} 年度的{Purpose(purpose).label}资金，"
                           "请先在“帮扶资金”中设立并拨入资金", field="amount", code="no_fund")
    return fund


def disburse(*, actor, fund: Fund, amount_fen: int, memo: str, person, application=None,
             recipient=None) -> LedgerEntry:
    """支出: ``amount_fen`` (> 0) paid to ``person`` from ``fund``, for an approved application or a campaign's
    recipient. Call inside the transaction that records why (an approval, a campaign's payout), so that the money
    and its reason are written together or not at all."""
    if amount_fen <= 0:
        raise ServiceError("支出金额应大于 0", field="amount")
    return _append(actor=actor, fund=fund, kind=EntryKind.DISBURSE, amount_fen=-amount_fen, memo=memo,
                   application=application, person=person, recipient=recipient)


def pay_hardship(*, actor, app, person, amount_fen: int, form: dict, level: str) -> tuple[LedgerEntry, HardshipFile]:
    """The approved hardship application: the payment from the fund that covers its union, and the person's
    hardship file opened or brought up to date — in the approval's transaction, so all or nothing."""
    fund = require_fund(app.org, purpose=Purpose.HARDSHIP)
    entry = disburse(actor=actor, fund=fund, amount_fen=amount_fen, memo=f"困难帮扶 {person.name}",
                     application=app, person=person)
    values = {"union": app.org, "level": level, "cause": form["cause"], "family_size": form["family_size"],
              "income_fen": parse_yuan(form["monthly_income"], allow_zero=True), "situation": form["situation"]}
    file = HardshipFile.objects.select_for_update().filter(person=person, closed_at__isnull=True).first()
    if file is None:
        file = HardshipFile.objects.create(person=person, **values)
        action = "assistance.file_open"
    else:
        for k, v in values.items():
            setattr(file, k, v)
        file.save()
        action = "assistance.file_update"
    audit.record(actor=actor, action=action, obj=file, org_path=app.org.path,
                 detail={"person": person.pk, "kind": file.get_level_display(), "application": app.number})
    return entry, file


def pay_study(*, actor, app, person, child_id: str, form: dict, amount_fen: int):
    """The approved 金秋助学 application: its grant row (one per child per year, the database's unique constraint,
    whichever union's member applied) and the payment from the 金秋助学 fund that covers the union — in the
    approval's transaction, so all or nothing."""
    from lianxin.members.services import id_bidx

    from .models import StudyGrant

    year = timezone.localdate().year
    fund = require_fund(app.org, purpose=Purpose.STUDY, year=year)
    try:
        with transaction.atomic():
            grant = StudyGrant.objects.create(application=app, person=person, union=app.org,
                                              child_bidx=id_bidx(child_id), child_name=form["child_name"],
                                              school=form["school"], level=form["level"], year=year,
                                              amount_fen=amount_fen)
    except IntegrityError:
        raise ServiceError(f"{form['child_name']}今年已获金秋助学资助，同一名学生每年只资助一次，请不予通过",
                           code="duplicate") from None
    entry = disburse(actor=actor, fund=fund, amount_fen=amount_fen, memo=f"金秋助学 {person.name}（子女{form['child_name']}）",
                     application=app, person=person)
    audit.record(actor=actor, action="assistance.study_grant", obj=grant, org_path=app.org.path,
                 detail={"person": person.pk, "application": app.number, "amount": yuan(amount_fen)})
    return entry, grant


@transaction.atomic
def close_file(*, actor, file: HardshipFile, reason: str) -> HardshipFile:
    """脱困: the person no longer lives in hardship; the file stays as history."""
    f = HardshipFile.objects.select_for_update().select_related("union").get(pk=file.pk)
    require(actor, "change", f.union.path)
    if f.closed_at is not None:
        raise ServiceError("该档案已标记脱困")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError("请填写脱困情况说明", field="reason")
    f.closed_at = timezone.now()
    f.save(update_fields=["closed_at", "updated_at"])
    audit.record(actor=actor, action="assistance.file_close", obj=f, org_path=f.union.path, reason=reason[:500])
    return f


# --- 两节送温暖 campaigns: the organiser sets one up, unions put people forward, the organiser approves and pays
# them all at once, the unions record each visit. ------------------------------------------------------------

CAMPAIGN_FUND_HELP = "从组织单位向上最近一级设立了本年度“两节送温暖”资金的组织列支"


def _lock_campaign(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update(of=("self",)).select_related("org", "fund__org").get(pk=campaign.pk)


def _open_for_proposals(c: Campaign) -> None:
    if c.status != CampaignStatus.OPEN:
        raise ServiceError(f"{c.name}已结束，不能再报送或审核")


@transaction.atomic
def create_campaign(*, actor, org, name: str, standard, maximum, budget, deadline) -> Campaign:
    require(actor, "change", org.path, "只能为本组织设立送温暖活动")
    name = (name or "").strip()
    if not 4 <= len(name) <= 100:
        raise ServiceError("活动名称应为 4 至 100 个字，如：2027 年元旦春节送温暖", field="name")
    standard_fen = parse_yuan(standard, label="慰问标准", field="standard")
    max_fen = parse_yuan(maximum, label="每人最高", field="maximum")
    if max_fen < standard_fen:
        raise ServiceError("每人最高金额不能低于慰问标准", field="maximum")
    budget_fen = parse_yuan(budget, label="预算", field="budget")
    if budget_fen < standard_fen:
        raise ServiceError("预算不能低于一人的慰问标准", field="budget")
    today = timezone.localdate()
    if deadline < today:
        raise ServiceError("报送截止日期不能早于今天", field="deadline")
    fund = require_fund(org, purpose=Purpose.WARMTH, year=today.year)
    c = Campaign.objects.create(org=org, name=name, fund=fund, standard_fen=standard_fen, max_fen=max_fen,
                                budget_fen=budget_fen, deadline=deadline,
                                created_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="assistance.campaign_create", obj=c, org_path=org.path,
                 detail={"name": name, "budget": yuan(budget_fen), "fund": fund.name})
    return c


def _putting_forward(actor, *, org, person, until, verb: str) -> Organization:
    """The union that puts ``person`` forward for something ``org`` organises (a campaign, a trip) until the day
    ``until``: their current union, inside ``org``'s subtree and the actor's change scope."""
    from lianxin.members.selectors import live_member_for

    if timezone.localdate() > until:
        raise ServiceError(f"{verb}已于 {until:%Y-%m-%d} 截止")
    m = live_member_for(actor, person)
    if not m.union.path.startswith(org.path):
        raise ServiceError(f"{person.name}所在的{m.union.name}不在{org.name}范围内", field="person")
    return m.union


def _check_proposal(actor, c: Campaign, person) -> Organization:
    _open_for_proposals(c)
    return _putting_forward(actor, org=c.org, person=person, until=c.deadline, verb="报送")


def _amount_for(c: Campaign, amount) -> int:
    if amount in (None, ""):
        return c.standard_fen
    fen = parse_yuan(amount, label="慰问金")
    if fen > c.max_fen:
        raise ServiceError(f"慰问金不能超过每人最高 {yuan(c.max_fen)} 元", field="amount")
    return fen


@transaction.atomic
def propose_recipient(*, actor, campaign: Campaign, person, category: str, reason: str, amount=None) -> Recipient:
    """Put one member forward. A person is in a campaign's list at most once: proposals queue on the campaign's
    row lock, and the database's unique constraint holds the rule for any writer that skipped it."""
    c = _lock_campaign(campaign)
    union = _check_proposal(actor, c, person)
    if category not in Category.values:
        raise ServiceError("请选择慰问类别", field="category")
    reason = (reason or "").strip()
    if len(reason) < 2 or len(reason) > 200:
        raise ServiceError("请填写慰问事由（2 至 200 个字）", field="reason")
    fen = _amount_for(c, amount)
    try:
        with transaction.atomic():
            r = Recipient.objects.create(campaign=c, person=person, union=union, category=category,
                                         amount_fen=fen, reason=reason,
                                         proposed_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError:
        other = Recipient.objects.filter(campaign=c, person=person).select_related("union").first()
        where = f"（{other.union.name}已报送）" if other else ""
        raise ServiceError(f"{person.name}已在本次慰问名单中{where}", field="person", code="duplicate") from None
    audit.record(actor=actor, action="assistance.recipient_add", obj=r, org_path=union.path,
                 detail={"campaign": c.name, "person": person.pk, "amount": yuan(fen)})
    return r


@transaction.atomic
def propose_from_archive(*, actor, campaign: Campaign, union) -> tuple[int, int]:
    """Put forward, at the standard amount, every person with an open hardship file whose current union lies in
    ``union``'s subtree. Idempotent: people already listed are counted, not added again. Returns (added, already)."""
    from lianxin.members.models import Membership

    c = _lock_campaign(campaign)  # proposals to one campaign queue: "already listed" below stays true
    _open_for_proposals(c)
    if timezone.localdate() > c.deadline:
        raise ServiceError(f"报送已于 {c.deadline:%Y-%m-%d} 截止")
    require(actor, "change", union.path)
    if not union.path.startswith(c.org.path):
        raise ServiceError(f"{union.name}不在{c.org.name}范围内", field="union")
    live = Membership.objects.filter(person=OuterRef("person"), status="member", union__path__startswith=union.path)
    rows = list(HardshipFile.objects.filter(closed_at__isnull=True)  # one open file per person (a constraint)
                .annotate(live_union=Subquery(live.values("union_id")[:1])).filter(live_union__isnull=False)
                .values_list("person_id", "live_union", "level"))
    listed = set(Recipient.objects.filter(campaign=c, person_id__in=[p for p, _, _ in rows])
                 .values_list("person_id", flat=True))
    labels = dict(Level.choices)
    new = [Recipient(campaign=c, person_id=p, union_id=u, category=Category.HARDSHIP, amount_fen=c.standard_fen,
                     reason=f"在档困难职工（{labels.get(level, '困难')}）",
                     proposed_by=actor if getattr(actor, "pk", None) else None)
           for p, u, level in rows if p not in listed]
    Recipient.objects.bulk_create(new, batch_size=500)
    added = len(new)
    if added:
        audit.record(actor=actor, action="assistance.recipient_import", obj=c, org_path=union.path,
                     detail={"campaign": c.name, "count": added, "union": union.name})
    return added, len(rows) - added


@transaction.atomic
def withdraw_recipient(*, actor, recipient: Recipient) -> None:
    r = Recipient.objects.select_for_update().select_related("campaign", "union", "person").get(pk=recipient.pk)
    require(actor, "change", r.union.path)
    _open_for_proposals(r.campaign)
    if r.status not in (RecipientStatus.PROPOSED, RecipientStatus.REJECTED):
        raise ServiceError("已审核或已发放的慰问对象不能撤回")
    audit.record(actor=actor, action="assistance.recipient_withdraw", obj=r, org_path=r.union.path,
                 detail={"campaign": r.campaign.name, "person": r.person_id})
    r.delete()


@transaction.atomic
def decide_recipients(*, actor, campaign: Campaign, ids, approve: bool, note: str = "") -> int:
    """The organiser approves (or turns down) listed people. Only still-undecided ones — or, to approve, turned-down
    ones — change: a conditional UPDATE, so a second click or a racing reviewer changes nothing twice."""
    c = _lock_campaign(campaign)
    require(actor, "change", c.org.path, "只有活动组织单位的管理员可以审核慰问名单")
    _open_for_proposals(c)
    note = (note or "").strip()[:200]
    if not approve and len(note) < 2:
        raise ServiceError("不通过时请填写审核意见", field="note")
    ids = [int(i) for i in ids if str(i).isdigit()]
    if not ids:
        raise ServiceError("请先勾选慰问对象", field="ids")
    before = ([RecipientStatus.PROPOSED, RecipientStatus.REJECTED] if approve
              else [RecipientStatus.PROPOSED, RecipientStatus.APPROVED])
    n = (Recipient.objects.filter(campaign=c, pk__in=ids, status__in=before)
         .update(status=RecipientStatus.APPROVED if approve else RecipientStatus.REJECTED,
                 decided_by=actor if getattr(actor, "pk", None) else None, decided_at=timezone.now(),
                 decision_note=note))
    if n:
        audit.record(actor=actor, action="assistance.recipient_approve" if approve else "assistance.recipient_reject",
                     obj=c, org_path=c.org.path, detail={"campaign": c.name, "count": n}, reason=note)
    return n


def _append_many(*, actor, fund: Fund, payments: list[tuple[int, str, int, int]],
                 link: str = "recipient_id") -> list[LedgerEntry]:
    """Disbursements (amount_fen > 0, memo, person id, reason id) appended in one go under the fund's lock; the
    reason id fills ``link`` (a campaign's recipient, or ``homeward_id`` for a 返乡 ticket subsidy). Raises
    ``insufficient_funds`` before writing anything when the balance does not cover them all."""
    locked = Fund.objects.select_for_update().select_related("org").get(pk=fund.pk)
    seq, bal = (LedgerEntry.objects.filter(fund=locked).order_by("-seq").values_list("seq", "balance_after_fen")
                .first() or (0, 0))
    total = sum(p[0] for p in payments)
    if total > bal:
        raise ServiceError(f"{locked.name}余额不足：现有 {yuan(bal)} 元，本次需支出 {yuan(total)} 元。"
                           "请先拨入资金", code="insufficient_funds")
    who = actor if getattr(actor, "pk", None) else None
    entries = []
    for amount, memo, person_id, reason_id in payments:
        seq, bal = seq + 1, bal - amount
        entries.append(LedgerEntry(fund=locked, seq=seq, kind=EntryKind.DISBURSE, amount_fen=-amount,
                                   balance_after_fen=bal, memo=memo[:200], person_id=person_id,
                                   actor=who, **{link: reason_id}))
    LedgerEntry.objects.bulk_create(entries, batch_size=500)
    return entries


@transaction.atomic
def pay_campaign(*, actor, campaign: Campaign) -> tuple[int, int]:
    """发放: every approved recipient paid at once from the campaign's fund — all of them or, when the budget or the
    fund's balance would not cover them all, none. The campaign's row lock queues a second click; the budget is a
    CHECK on the campaign, the balance a CHECK on the ledger, one payment per recipient a unique key on the
    ledger. Returns (people paid, fen paid)."""
    c = _lock_campaign(campaign)
    require(actor, "change", c.org.path, "只有活动组织单位的管理员可以发放慰问金")
    due = list(Recipient.objects.select_for_update(of=("self",)).filter(campaign=c, status=RecipientStatus.APPROVED)
               .order_by("union__path", "pk").values_list("pk", "person_id", "amount_fen", "person__name"))
    if not due:
        raise ServiceError("没有已审核待发放的慰问对象", code="nothing_due")
    total = sum(d[2] for d in due)
    if c.paid_fen + total > c.budget_fen:
        raise ServiceError(f"超出活动预算：预算 {yuan(c.budget_fen)} 元，已发放 {yuan(c.paid_fen)} 元，"
                           f"本次需发放 {yuan(total)} 元。请调整名单或金额", code="over_budget")
    _append_many(actor=actor, fund=c.fund,
                 payments=[(amount, f"{c.name} {name}", person, pk) for pk, person, amount, name in due])
    Recipient.objects.filter(pk__in=[d[0] for d in due]).update(status=RecipientStatus.PAID)
    Campaign.objects.filter(pk=c.pk).update(paid_fen=F("paid_fen") + total)
    audit.record(actor=actor, action="assistance.campaign_pay", obj=c, org_path=c.org.path,
                 detail={"campaign": c.name, "count": len(due), "amount": yuan(total), "fund": c.fund.name})
    _tell_recipients(c, [d[0] for d in due])
    return len(due), total


def _tell_recipients(c: Campaign, ids: list[int]) -> None:
    """Each paid person hears of it: an in-app message when they have an account, an SMS to the mobile on file
    (the outbox sends after commit and never twice for one recipient)."""
    from lianxin.accounts.models import User
    from lianxin.members.services import tell_person

    rows = Recipient.objects.filter(pk__in=ids).select_related("person", "union")
    users = dict(User.objects.filter(person__in=[r.person_id for r in rows], is_active=True)
                 .values_list("person_id", "pk"))
    for r in rows:
        body = (f"您好，{r.union.name}为您报送的{c.name}慰问金 {yuan(r.amount_fen)} 元已发放，"
                "工会将与您联系上门慰问。")
        tell_person(r.person, user_id=users.get(r.person_id), template="assistance_condolence", title=c.name,
                    body=body, key=f"warmth:{r.pk}", context={"campaign": c.pk})


@transaction.atomic
def mark_delivered(*, actor, campaign: Campaign, ids) -> int:
    """送达: the union has visited and handed over. Only paid recipients in the actor's change scope change."""
    from lianxin.core.scoping import scoped

    ids = [int(i) for i in ids if str(i).isdigit()]
    if not ids:
        raise ServiceError("请先勾选已送达的慰问对象", field="ids")
    mine = scoped(Recipient.objects.filter(campaign=campaign, pk__in=ids, status=RecipientStatus.PAID), actor,
                  "change")
    n = Recipient.objects.filter(pk__in=mine.values("pk")).update(
        status=RecipientStatus.DELIVERED, delivered_at=timezone.now(),
        delivered_by=actor if getattr(actor, "pk", None) else None)
    if n:
        audit.record(actor=actor, action="assistance.recipient_deliver", obj=campaign,
                     org_path=campaign.org.path, detail={"campaign": campaign.name, "count": n})
    return n


@transaction.atomic
def close_campaign(*, actor, campaign: Campaign) -> Campaign:
    c = _lock_campaign(campaign)
    require(actor, "change", c.org.path, "只有活动组织单位的管理员可以结束活动")
    _open_for_proposals(c)
    if Recipient.objects.filter(campaign=c, status=RecipientStatus.APPROVED).exists():
        raise ServiceError("还有已审核未发放的慰问对象，请先发放或改为不通过")
    c.status = CampaignStatus.CLOSED
    c.save(update_fields=["status"])
    audit.record(actor=actor, action="assistance.campaign_close", obj=c, org_path=c.org.path,
                 detail={"campaign": c.name, "paid": yuan(c.paid_fen)})
    return c


def export_sheet(*, actor, campaign: Campaign, rows):
    """慰问金发放签收表 (xlsx, streamed in constant memory): ``rows`` are the scoped recipients the page shows; ID
    numbers and mobiles masked (DESIGN rule 2), cells defused (rule 8), a blank column to sign on the visit.
    Audited as an export. Returns the finished :class:`~lianxin.core.excel.XlsxStreamWriter`."""
    from lianxin.core.excel import XlsxStreamWriter

    header = ["序号", "报送工会", "姓名", "身份证号", "手机号码", "慰问类别", "慰问事由", "慰问金（元）", "状态",
              "领取人签字", "日期"]
    n = 0
    with XlsxStreamWriter(header, sheet="签收表", widths=[6, 24, 10, 20, 14, 10, 30, 12, 8, 14, 12]) as w:
        for n, r in enumerate(rows.iterator(chunk_size=1000), start=1):
            w.row([n, r.union.name, r.person.name, r.person.id_masked, r.person.mobile_masked,
                   r.get_category_display(), r.reason, r.amount_fen / 100, r.get_status_display(), "", ""])
    with transaction.atomic():
        audit.record(actor=actor, action="assistance.campaign_export", obj=campaign, org_path=campaign.org.path,
                     detail={"campaign": campaign.name, "count": n})
    return w


def export_ledger(*, actor, fund: Fund):
    """The fund's whole ledger (xlsx, streamed in constant memory, oldest first), for the finance office: payees by
    name only, each entry's reason (application number or campaign). Audited as an export."""
    from lianxin.core.excel import XlsxStreamWriter

    entries = (LedgerEntry.objects.filter(fund=fund).order_by("seq")
               .select_related("person", "application", "recipient__campaign", "homeward__programme", "actor"))
    header = ["序号", "时间", "类型", "金额（元）", "余额（元）", "摘要", "受助人", "依据", "经办人"]
    with XlsxStreamWriter(header, sheet="资金台账", widths=[6, 18, 6, 14, 14, 30, 10, 26, 12]) as w:
        for e in entries.iterator(chunk_size=2000):
            why = (e.application.number if e.application_id else e.recipient.campaign.name if e.recipient_id
                   else e.homeward.programme.name if e.homeward_id else "")
            who = (e.actor.display_name or e.actor.username) if e.actor_id else "系统"
            w.row([e.seq, timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"), e.get_kind_display(),
                   e.amount_fen / 100, e.balance_after_fen / 100, e.memo, e.person.name if e.person_id else "",
                   why, who])
    with transaction.atomic():
        audit.record(actor=actor, action="assistance.ledger_export", obj=fund, org_path=fund.org.path,
                     detail={"fund": fund.name, "count": w.n - 1})
    return w


# --- 疗休养 ------------------------------------------------------------------------------------------------------


def _int(value, *, label: str, field: str, lo: int, hi: int) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError(f"{label}应为整数", field=field) from None
    if not lo <= n <= hi:
        raise ServiceError(f"{label}应在 {lo} 至 {hi} 之间", field=field)
    return n


@transaction.atomic
def create_retreat(*, actor, org, name: str, destination: str, audience: str, starts_on, ends_on, nominate_until,
                   places, cost="0", notes: str = "") -> Retreat:
    require(actor, "change", org.path, "只能为本组织安排疗休养")
    name, destination, notes = (name or "").strip(), (destination or "").strip(), (notes or "").strip()
    if not 4 <= len(name) <= 100:
        raise ServiceError("名称应为 4 至 100 个字，如：2027 年劳模疗休养第一期", field="name")
    if not 2 <= len(destination) <= 100:
        raise ServiceError("请填写目的地", field="destination")
    if audience not in RetreatAudience.values:
        raise ServiceError("请选择疗休养对象", field="audience")
    today = timezone.localdate()
    if starts_on < today:
        raise ServiceError("出发日期不能早于今天", field="starts_on")
    if ends_on < starts_on:
        raise ServiceError("返回日期不能早于出发日期", field="ends_on")
    if (ends_on - starts_on).days > 30:
        raise ServiceError("疗休养最长 30 天", field="ends_on")
    if not today <= nominate_until < starts_on:
        raise ServiceError("推荐截止日期应在今天到出发日期之前", field="nominate_until")
    if len(notes) > 2000:
        raise ServiceError("行程安排最多 2000 个字", field="notes")
    r = Retreat.objects.create(org=org, name=name, destination=destination, audience=audience, year=starts_on.year,
                               starts_on=starts_on, ends_on=ends_on, nominate_until=nominate_until,
                               places=_int(places, label="名额", field="places", lo=1, hi=10000),
                               cost_fen=parse_yuan(cost or "0", label="人均费用", field="cost", allow_zero=True),
                               notes=notes, created_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="assistance.retreat_create", obj=r, org_path=org.path,
                 detail={"name": name, "places": r.places})
    return r


def _lock_retreat(retreat: Retreat) -> Retreat:
    return Retreat.objects.select_for_update(of=("self",)).select_related("org").get(pk=retreat.pk)


@transaction.atomic
def share_places(*, actor, retreat: Retreat, org, places) -> RetreatShare:
    """名额分配: ``places`` of the trip for ``org``'s subtree (0 withdraws a share nobody has used). The shares never
    add up to more than the trip's places (checked under the trip's lock) and never fall below what their unions
    already took (the share's CHECK)."""
    r = _lock_retreat(retreat)
    require(actor, "change", r.org.path, "只有疗休养组织单位的管理员可以分配名额")
    if org.pk == r.org_id or not org.path.startswith(r.org.path):
        raise ServiceError(f"只能把名额分配给{r.org.name}的下级组织", field="org")
    n = _int(places, label="名额", field="places", lo=0, hi=r.places)
    share = RetreatShare.objects.select_for_update().filter(retreat=r, org=org).first()
    others = (RetreatShare.objects.filter(retreat=r).exclude(org=org).order_by()
              .aggregate(s=Sum("places"))["s"] or 0)
    if others + n > r.places:
        raise ServiceError(f"分配合计不能超过总名额 {r.places} 个（其他单位已分配 {others} 个）", field="places")
    if share is not None and n < share.taken:
        raise ServiceError(f"{org.name}已推荐 {share.taken} 人，名额不能少于已推荐人数", field="places")
    if share is not None and n == 0:
        if share.seats.exists():
            raise ServiceError(f"{org.name}已有推荐记录，不能取消分配，可把名额调为已推荐人数", field="places")
        share.delete()
    elif share is None:
        if n == 0:
            raise ServiceError("名额应大于 0", field="places")
        if RetreatShare.objects.filter(retreat=r).filter(
                Q(org__path__startswith=org.path) | Q(org__path__in=_prefixes(org.path))).exists():
            raise ServiceError("该组织的上级或下级已分配名额，不能重复分配", field="org")
        share = RetreatShare.objects.create(retreat=r, org=org, places=n)
    else:
        share.places = n
        share.save(update_fields=["places"])
    audit.record(actor=actor, action="assistance.retreat_share", obj=r, org_path=r.org.path,
                 detail={"name": r.name, "org": org.name, "places": n})
    if share.pk is not None:  # more places for the street go to its waitlist first, in order
        _promote(actor=actor, r=r, share_id=share.pk, room=share.places - share.taken)
    return share


def _prefixes(path: str) -> list[str]:
    from lianxin.orgs.models import STEP

    return [path[:i] for i in range(STEP, len(path), STEP)]


def _eligible(r: Retreat, person) -> None:
    if r.audience == RetreatAudience.MODEL and not person.is_model_worker:
        raise ServiceError(f"{r.name}面向劳动模范、先进工作者；{person.name}的登记信息中不是劳模",
                           field="person", code="not_eligible")
    if r.audience == RetreatAudience.FRONTLINE and not person.is_frontline:
        raise ServiceError(f"{r.name}面向一线职工；{person.name}的登记信息中不是一线职工", field="person",
                           code="not_eligible")


@transaction.atomic
def nominate(*, actor, retreat: Retreat, person, reason: str, waitlist: bool = False) -> RetreatSeat:
    """A union puts one member forward. The seat counts against the trip's places and the share its union falls
    under, each by a conditional UPDATE (``taken < places``) under their row locks (trip, then share — the order
    of every writer of both), so concurrent nominations never overfill; the person's one rest holiday this year
    is a partial unique constraint. Any refusal rolls all three back.

    When the places are gone the nomination is refused with ``code="full"`` — unless ``waitlist``: then the seat
    is put on the 候补名单 of the same pool (the share, or the trip when it has no shares), holding no place, in
    the order of nomination. The locks are held until commit, so a withdrawal running at the same time either
    freed its place before this nomination looked (which then takes it) or finds this seat on the waitlist."""
    r = Retreat.objects.select_related("org").get(pk=retreat.pk)
    union = _putting_forward(actor, org=r.org, person=person, until=r.nominate_until, verb="推荐")
    _eligible(r, person)
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 200:
        raise ServiceError("请填写推荐理由（2 至 200 个字）", field="reason")
    shares = {s.org.path: s for s in RetreatShare.objects.filter(retreat=r).select_related("org")}
    share = next((shares[p] for p in sorted(shares, key=len, reverse=True) if union.path.startswith(p)), None)
    if shares and share is None:
        raise ServiceError(f"{union.name}所在单位没有分配到{r.name}的名额", code="no_places")
    r = _lock_retreat(r)  # lock order: trip, then share
    if share is not None:
        share = RetreatShare.objects.select_for_update(of=("self",)).select_related("org").get(pk=share.pk)
    full = ""
    if r.taken >= r.places:
        full = f"{r.name}的 {r.places} 个名额已满"
    elif share is not None and share.taken >= share.places:
        full = f"{share.org.name}分到的 {share.places} 个名额已用完"
    if full and not waitlist:
        raise ServiceError(full, code="full")
    status = SeatStatus.WAITLISTED if full else SeatStatus.NOMINATED
    try:
        with transaction.atomic():
            seat = RetreatSeat.objects.create(retreat=r, person=person, union=union, share=share, year=r.year,
                                              status=status, reason=reason,
                                              nominated_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError:
        other = (RetreatSeat.objects.filter(person=person, year=r.year).exclude(status__in=SEAT_ENDED)
                 .select_related("retreat").first())
        where = ""
        if other:
            where = f"（{other.retreat.name}{'，候补' if other.status == SeatStatus.WAITLISTED else ''}）"
        raise ServiceError(f"{person.name}今年已安排疗休养{where}，每人每年一次", field="person",
                           code="duplicate") from None
    if status == SeatStatus.NOMINATED:
        _take_place(r, share)
    audit.record(actor=actor, action="assistance.retreat_nominate", obj=seat, org_path=union.path,
                 detail={"name": r.name, "person": person.pk, "status": seat.get_status_display()})
    return seat


def _take_place(r: Retreat, share: RetreatShare | None) -> None:
    """One place of the trip and of the share (caller holds both row locks): conditional UPDATEs, so even a
    caller that misjudged the counts cannot pass the places (and the CHECKs stand behind them)."""
    if not Retreat.objects.filter(pk=r.pk, taken__lt=F("places")).update(taken=F("taken") + 1):
        raise ServiceError(f"{r.name}的 {r.places} 个名额已满", code="full")
    if share is not None and not RetreatShare.objects.filter(pk=share.pk, taken__lt=F("places")).update(
            taken=F("taken") + 1):
        raise ServiceError(f"{share.org.name}分到的 {share.places} 个名额已用完", code="full")


def _free_place(s: RetreatSeat) -> None:
    Retreat.objects.filter(pk=s.retreat_id, taken__gt=0).update(taken=F("taken") - 1)
    if s.share_id:
        RetreatShare.objects.filter(pk=s.share_id, taken__gt=0).update(taken=F("taken") - 1)


def waitlist(retreat: Retreat, share_id: int | None):
    """The 候补名单 of one pool (a share, or the trip's seats outside any share), first in line first."""
    return RetreatSeat.objects.filter(retreat=retreat, share_id=share_id, status=SeatStatus.WAITLISTED).order_by(
        "nominated_at", "pk")


def _promote(*, actor, r: Retreat, share_id: int | None, room: int = 1) -> list[RetreatSeat]:
    """递补: the first waitlisted seats of the pool take up to ``room`` free places. The caller holds the trip's
    row lock (so concurrent withdrawals promote one after another, each seeing the last one's promotions); the
    share is locked here, after the trip. Stops at the first place the counters refuse, so a promotion never
    passes the share's or the trip's places. The promoted are told (in-app and SMS, once per seat)."""
    share = None
    if share_id is not None:
        share = RetreatShare.objects.select_for_update(of=("self",)).select_related("org").get(pk=share_id)
    promoted = []
    for _ in range(max(room, 0)):
        nxt = waitlist(r, share_id).select_for_update(of=("self",)).select_related("union").first()
        if nxt is None:
            break
        try:
            with transaction.atomic():
                _take_place(r, share)
        except ServiceError:
            break
        nxt.status, nxt.promoted_at = SeatStatus.NOMINATED, timezone.now()
        nxt.save(update_fields=["status", "promoted_at"])
        audit.record(actor=actor, action="assistance.retreat_promote", obj=nxt, org_path=nxt.union.path,
                     detail={"name": r.name, "person": nxt.person_id})
        promoted.append(nxt)
    if promoted:
        _tell_promoted(r, [s.pk for s in promoted])
    return promoted


def _tell_promoted(r: Retreat, ids: list[int]) -> None:
    """The promoted member hears of it: in-app when they have an account, an SMS to the mobile on file (through
    the outbox: sent after commit, never twice for one seat)."""
    from lianxin.accounts.models import User
    from lianxin.members.services import tell_person

    rows = list(RetreatSeat.objects.filter(pk__in=ids).select_related("person", "union"))
    users = dict(User.objects.filter(person__in=[s.person_id for s in rows], is_active=True)
                 .values_list("person_id", "pk"))
    for s in rows:
        body = (f"您好，{s.union.name}为您候补的{r.name}（{r.destination}，{r.starts_on:%m月%d日}出发）有了空余名额，"
                "您已递补为正式人员，请留意工会的行程通知。")
        key = f"retreat:{s.pk}:promoted"
        tell_person(s.person, user_id=users.get(s.person_id), template="assistance_retreat", title=r.name,
                    body=body, key=key, context={"retreat": r.pk})


@transaction.atomic
def withdraw_seat(*, actor, seat: RetreatSeat, reason: str) -> tuple[RetreatSeat, RetreatSeat | None]:
    """退出: the nominating union's administrator takes a nominated or waitlisted person off the trip before it
    starts, with a reason. The seat stays (status 已退出, who, when, why) and frees the person. A nominated seat's
    place goes back to the trip and its share and, in the same transaction, to the first waitlisted seat of the
    same pool (the share, or the trip when the seat has none — the pool ``nominate`` counted it in). Locks: the
    trip, the seat, the share — the order of ``nominate``. Returns the seat and whoever was promoted."""
    r = _lock_retreat(seat.retreat)
    s = (RetreatSeat.objects.select_for_update(of=("self",)).select_related("union", "person")
         .get(pk=seat.pk, retreat=r))
    require(actor, "change", s.union.path, "只有推荐工会的管理员可以办理退出")
    if s.status not in (SeatStatus.NOMINATED, SeatStatus.WAITLISTED):
        raise ServiceError(f"{s.person.name}的状态是“{s.get_status_display()}”，只有已推荐或候补的人员可以退出",
                           code="state")
    if timezone.localdate() >= r.starts_on:
        raise ServiceError(f"{r.name}已于 {r.starts_on:%Y-%m-%d} 出发，不能再退出", code="started")
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 200:
        raise ServiceError("请填写退出原因（2 至 200 个字）", field="reason")
    held = s.status == SeatStatus.NOMINATED
    s.status, s.withdrawn_at, s.withdraw_reason = SeatStatus.WITHDRAWN, timezone.now(), reason
    s.withdrawn_by = actor if getattr(actor, "pk", None) else None
    s.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "withdrawn_by"])
    if held:
        _free_place(s)
    audit.record(actor=actor, action="assistance.retreat_withdraw", obj=s, org_path=s.union.path, reason=reason,
                 detail={"name": r.name, "person": s.person_id, "status": SeatStatus(
                     SeatStatus.NOMINATED if held else SeatStatus.WAITLISTED).label})
    promoted = _promote(actor=actor, r=r, share_id=s.share_id) if held else []
    return s, (promoted[0] if promoted else None)


@transaction.atomic
def mark_attended(*, actor, retreat: Retreat, ids) -> int:
    """参加登记 by the organiser, once the trip has started."""
    r = _lock_retreat(retreat)
    require(actor, "change", r.org.path, "只有疗休养组织单位的管理员可以登记参加情况")
    if timezone.localdate() < r.starts_on:
        raise ServiceError("出发后才能登记参加情况")
    ids = [int(i) for i in ids if str(i).isdigit()]
    if not ids:
        raise ServiceError("请先勾选参加的人员", field="ids")
    n = RetreatSeat.objects.filter(retreat=r, pk__in=ids, status=SeatStatus.NOMINATED).update(
        status=SeatStatus.ATTENDED)
    if n:
        audit.record(actor=actor, action="assistance.retreat_attend", obj=r, org_path=r.org.path,
                     detail={"name": r.name, "count": n})
    return n


def export_retreat(*, actor, retreat: Retreat, rows):
    """疗休养人员名单 (xlsx, streamed; masked; audited as an export)."""
    from lianxin.core.excel import XlsxStreamWriter

    header = ["序号", "推荐工会", "姓名", "性别", "身份证号", "手机号码", "推荐理由", "状态"]
    with XlsxStreamWriter(header, sheet="人员名单", widths=[6, 24, 10, 6, 20, 14, 30, 8]) as w:
        for n, s in enumerate(rows.iterator(chunk_size=1000), start=1):
            w.row([n, s.union.name, s.person.name, s.person.get_gender_display(), s.person.id_masked,
                   s.person.mobile_masked, s.reason, s.get_status_display()])
    with transaction.atomic():
        audit.record(actor=actor, action="assistance.retreat_export", obj=retreat, org_path=retreat.org.path,
                     detail={"name": retreat.name, "count": w.n - 1})
    return w
