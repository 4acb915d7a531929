"""Scoped reads of assistance: funds with their derived balances, a fund's ledger, the hardship archive."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from lianxin.core.scoping import desk_paths, get_scoped_or_404, scoped
from lianxin.orgs.models import Organization, OrgKind

from .models import (
    SEAT_ENDED,
    SEAT_PLACED,
    Campaign,
    CampaignStatus,
    EntryKind,
    Fund,
    HardshipFile,
    LedgerEntry,
    Recipient,
    RecipientStatus,
    Retreat,
    RetreatSeat,
    RetreatShare,
    SeatStatus,
)

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
    return (LedgerEntry.objects.filter(fund=fund).select_related("person", "application", "actor", "recipient")
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
            .select_related("fund", "application", "recipient__campaign").order_by("-created_at"))


# --- 两节送温暖 -------------------------------------------------------------------------------------------------


def _campaign_reach(actor) -> Q:
    """Campaigns an actor takes part in: those organised inside their subtree (they run or oversee them) and those
    organised above them (their unions put people forward)."""
    from lianxin.core.scoping import scope_for
    from lianxin.orgs.models import STEP

    scope = scope_for(actor)
    if scope.superuser:
        return Q()
    q = Q(pk__in=[])
    for p in scope.paths("view"):
        q |= Q(org__path__startswith=p) | Q(org__path__in=[p[:i] for i in range(STEP, len(p), STEP)])
    return q


def campaign_list(*, actor):
    mine = (Recipient.objects.filter(campaign=OuterRef("pk")).order_by().values("campaign")
            .annotate(n=Count("pk")).values("n"))
    return (Campaign.objects.filter(_campaign_reach(actor)).select_related("org", "fund")
            .annotate(listed=Subquery(scoped(Recipient.objects.all(), actor).filter(campaign=OuterRef("pk"))
                                      .order_by().values("campaign").annotate(n=Count("pk")).values("n")),
                      total=Subquery(mine)))


def campaign_detail(*, actor, pk) -> Campaign:
    """404 for a campaign the actor takes no part in."""
    try:
        return (Campaign.objects.filter(_campaign_reach(actor)).select_related("org", "fund", "fund__org")
                .get(pk=int(pk)))
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def recipients(*, actor, campaign: Campaign, status: str = "", union=None, q: str = ""):
    """The campaign's list as far as the actor's scope reaches (the organiser's administrators see all of it)."""
    qs = scoped(Recipient.objects.filter(campaign=campaign).select_related("person", "union", "ledger_entry"), actor)
    if status in RecipientStatus.values:
        qs = qs.filter(status=status)
    if union is not None:
        qs = qs.filter(union__path__startswith=union.path)
    if q:
        qs = qs.filter(Q(person__name__contains=q.strip()) | Q(union__name__contains=q.strip()))
    return qs


def campaign_summary(*, actor, campaign: Campaign) -> dict:
    """Counts and sums by status, and per proposing union, over what the actor sees: one grouped query each."""
    qs = scoped(Recipient.objects.filter(campaign=campaign), actor).order_by()
    by_status = {s: {"n": 0, "fen": 0} for s in RecipientStatus.values}
    for row in qs.values("status").annotate(n=Count("pk"), fen=Sum("amount_fen")):
        by_status[row["status"]] = {"n": row["n"], "fen": row["fen"] or 0}
    unions = []
    for row in (qs.values("union_id", "union__name", "union__path")
                .annotate(n=Count("pk"), fen=Sum("amount_fen"),
                          approved=Count("pk", filter=Q(status=RecipientStatus.APPROVED)),
                          proposed=Count("pk", filter=Q(status=RecipientStatus.PROPOSED)),
                          paid=Count("pk", filter=Q(status__in=[RecipientStatus.PAID, RecipientStatus.DELIVERED])),
                          delivered=Count("pk", filter=Q(status=RecipientStatus.DELIVERED)))
                .order_by("union__path")):
        unions.append(row)
    return {"by_status": by_status, "unions": unions,
            "approved_fen": by_status[RecipientStatus.APPROVED]["fen"]}


def proposing_unions(*, actor, campaign: Campaign):
    """Unions in both the campaign's subtree and the actor's change scope, for 从困难职工档案添加."""
    return (scoped(Organization.objects.filter(path__startswith=campaign.org.path, kind__in=FUND_ORG_KINDS), actor,
                   "change").order_by("path"))


def campaign_orgs(*, actor):
    """Where the actor may organise a campaign."""
    return scoped(Organization.objects.filter(kind__in=(OrgKind.FEDERATION, OrgKind.STREET, OrgKind.JOINT,
                                                        OrgKind.INDUSTRY)), actor, "change")


def my_aid(person):
    """A member's own help received (hardship aid, 送温暖, any payment naming them), newest first — for their 我的
    page; ``person`` is the signed-in member's own record."""
    return (LedgerEntry.objects.filter(person=person, kind=EntryKind.DISBURSE)
            .select_related("fund", "recipient__campaign", "application").order_by("-created_at"))


# --- 疗休养 ------------------------------------------------------------------------------------------------------


def retreat_list(*, actor):
    mine = (scoped(RetreatSeat.objects.filter(status__in=SEAT_PLACED), actor).filter(retreat=OuterRef("pk"))
            .order_by().values("retreat").annotate(n=Count("pk")).values("n"))
    return (Retreat.objects.filter(_campaign_reach(actor)).select_related("org")
            .annotate(mine=Subquery(mine)).order_by("-starts_on"))


def retreat_detail(*, actor, pk) -> Retreat:
    try:
        return Retreat.objects.filter(_campaign_reach(actor)).select_related("org").get(pk=int(pk))
    except (Retreat.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def retreat_seats(*, actor, retreat: Retreat, status: str = ""):
    qs = scoped(RetreatSeat.objects.filter(retreat=retreat).select_related("person", "union"), actor)
    if status in SeatStatus.values:
        qs = qs.filter(status=status)
    return qs


def retreat_waitlist(*, actor, retreat: Retreat) -> list[RetreatSeat]:
    """The 候补名单 rows the actor may see, each with ``position`` — its place in its pool's line counted over the
    whole pool (a union sees that its member is third even when the two before are other unions') — and ``pool``
    (the share's organisation, or the trip's own places). Ordered by pool, then position."""
    line: dict[int, int] = {}
    counts: dict[int | None, int] = {}
    for pk, share_id in (RetreatSeat.objects.filter(retreat=retreat, status=SeatStatus.WAITLISTED)
                         .order_by("nominated_at", "pk").values_list("pk", "share_id")):
        counts[share_id] = counts.get(share_id, 0) + 1
        line[pk] = counts[share_id]
    rows = list(scoped(RetreatSeat.objects.filter(retreat=retreat, status=SeatStatus.WAITLISTED), actor)
                .select_related("person", "union", "share__org"))
    for s in rows:
        s.position = line.get(s.pk, 0)
        s.pool = s.share.org.name if s.share_id else "总名额"
    return sorted(rows, key=lambda s: (s.share.org.path if s.share_id else "", s.position))


def waitlist_position(seat: RetreatSeat) -> int:
    """Where a waitlisted seat stands in its pool's line (1 = next to be promoted)."""
    return (RetreatSeat.objects.filter(retreat_id=seat.retreat_id, share_id=seat.share_id,
                                       status=SeatStatus.WAITLISTED)
            .filter(Q(nominated_at__lt=seat.nominated_at) | Q(nominated_at=seat.nominated_at, pk__lte=seat.pk))
            .count())


def retreat_shares(retreat: Retreat):
    return RetreatShare.objects.filter(retreat=retreat).select_related("org")


def share_orgs(*, actor, retreat: Retreat):
    """Organisations below the organiser a share may go to: its streets and joint/industry unions."""
    return (scoped(Organization.objects.filter(path__startswith=retreat.org.path, kind__in=(
        OrgKind.STREET, OrgKind.JOINT, OrgKind.INDUSTRY, OrgKind.BASE)).exclude(pk=retreat.org_id), actor)
        .order_by("path"))


def my_retreats(person):
    return (RetreatSeat.objects.filter(person=person).exclude(status__in=SEAT_ENDED)
            .select_related("retreat").order_by("-retreat__starts_on"))


def names_to_review(*, actor) -> QuerySet[Recipient]:
    """工作台 待办: 送温暖 names 待审核 in open campaigns organised where the actor is an administrator themselves
    (the organiser reviews; an ancestor could, but it is not their desk)."""
    qs = Recipient.objects.filter(status=RecipientStatus.PROPOSED, campaign__status=CampaignStatus.OPEN)
    paths = desk_paths(actor, "change")
    return qs if paths is None else qs.filter(campaign__org__path__in=paths)
