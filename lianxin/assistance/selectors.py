"""Scoped reads of assistance: funds with their derived balances, a fund's ledger, the hardship archive."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery, Sum
from django.utils import timezone

from lianxin.core.scoping import get_scoped_or_404, scoped
from lianxin.orgs.models import Organization, OrgKind

from .models import EntryKind, Fund, HardshipFile, LedgerEntry

FUND_ORG_KINDS = (OrgKind.FEDERATION, OrgKind.STREET, OrgKind.JOINT, OrgKind.INDUSTRY, OrgKind.BASE)


def _with_balance(qs):
    last = LedgerEntry.objects.filter(fund=OuterRef("pk")).order_by("-seq").values("balance_after_fen")[:1]
    out = (LedgerEntry.objects.filter(fund=OuterRef("pk"), kind=EntryKind.DISBURSE).order_by()
           .values("fund").annotate(s=-Sum("amount_fen")).values("s"))  # paid out, as a positive sum
    return qs.annotate(balance_fen=Subquery(last), paid_fen=Subquery(out))


def fund_list(*, actor, year: int | None = None):
    qs = scoped(Fund.objects.select_related("org"), actor)
    if year:
        qs = qs.filter(year=year)
    return _with_balance(qs)


def fund_detail(*, actor, pk, action: str = "view") -> Fund:
    return get_scoped_or_404(_with_balance(Fund.objects.select_related("org")), actor, pk, action)


def ledger(fund: Fund):
    """The fund's entries, newest first (the caller got ``fund`` through :func:`fund_detail`)."""
    return (LedgerEntry.objects.filter(fund=fund).select_related("person", "application", "actor")
            .order_by("-seq"))


def fund_orgs(*, actor):
    """Where the actor may set up a fund: unions and federations in their change scope."""
    return scoped(Organization.objects.filter(kind__in=FUND_ORG_KINDS), actor, "change")


def hardship_files(*, actor, status: str = "open", q: str = ""):
    """The archive in scope, with what each person was paid this year (one grouped subquery)."""
    start = timezone.localtime().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    paid = (LedgerEntry.objects.filter(person=OuterRef("person"), kind=EntryKind.DISBURSE, created_at__gte=start)
            .order_by().values("person").annotate(s=-Sum("amount_fen")).values("s"))
    qs = scoped(HardshipFile.objects.select_related("person", "union"), actor).annotate(paid_fen=Subquery(paid))
    if status == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif status == "closed":
        qs = qs.filter(closed_at__isnull=False)
    if q:
        qs = qs.filter(Q(person__name__contains=q.strip()) | Q(union__name__contains=q.strip()))
    return qs


def hardship_file(*, actor, pk, action: str = "view") -> HardshipFile:
    return get_scoped_or_404(HardshipFile.objects.select_related("person", "union"), actor, pk, action)


def aid_history(file: HardshipFile):
    return (LedgerEntry.objects.filter(person=file.person, kind=EntryKind.DISBURSE)
            .select_related("fund", "application").order_by("-created_at"))
