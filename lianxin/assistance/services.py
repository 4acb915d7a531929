"""Every write of assistance: funds, money in and out of them, hardship files. Money moves are audited
(DESIGN rule 3) and appended under a row lock on the fund; the database's constraints (models.py) refuse a
negative balance or a second entry in the same place of the sequence even if a caller skipped the lock."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core import audit
from lianxin.core.errors import ServiceError
from lianxin.core.scoping import require

from .models import EntryKind, Fund, HardshipFile, LedgerEntry, Purpose

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
