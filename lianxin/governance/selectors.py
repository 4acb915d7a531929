"""Reads of 组织建设 that staff see, always scoped to the actor's subtree (DESIGN rule 1)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from lianxin.core.scoping import can, desk_paths, get_scoped_or_404, scope_for, scoped
from lianxin.orgs.models import MEMBER_HOLDING_KINDS, STEP, Organization, OrgKind

from .models import CommitteeTerm, HomeApplication, HomeQuota, HomeRound, HomeScore, NamedHome
from .services import UNION_KINDS

A = HomeApplication.Status
DUE_MONTHS = 6


def _ancestors_or_self(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def _round_reach(actor) -> Q:
    """Rounds a staff member takes part in: organised inside their subtree, or organised above them (their
    unions apply, their street reviews)."""
    scope = scope_for(actor)
    if scope.superuser:
        return Q()
    q = Q(pk__in=[])
    for p in scope.paths("view"):
        q |= Q(org__path__startswith=p) | Q(org__path__in=_ancestors_or_self(p))
    return q


def rounds(*, actor, year=None) -> QuerySet[HomeRound]:
    qs = HomeRound.objects.filter(_round_reach(actor)).select_related("org")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-id")


def round_detail(*, actor, pk) -> HomeRound:
    """404 for a round the actor takes no part in."""
    try:
        return HomeRound.objects.filter(_round_reach(actor)).select_related("org").get(pk=int(pk))
    except (HomeRound.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def organiser_round(*, actor, pk, action: str = "change") -> HomeRound:
    return get_scoped_or_404(HomeRound.objects.select_related("org"), actor, pk, action)


def is_organiser(actor, r: HomeRound, action: str = "change") -> bool:
    return can(actor, action, r.org.path)


def applications(*, actor, round: HomeRound, status: str = "", street=None) -> QuerySet[HomeApplication]:
    """A round's applications the actor may see: their subtree's (the applying union's and its street's staff),
    or every one for the organiser's staff."""
    qs = scoped(HomeApplication.objects.filter(round=round), actor).select_related("union", "street", "home")
    if status in A.values:
        qs = qs.filter(status=status)
    if street is not None:
        qs = qs.filter(street=street)
    return qs.order_by("street__path", "union__path", "id")


def application_detail(*, actor, pk, action: str = "view") -> HomeApplication:
    return get_scoped_or_404(
        HomeApplication.objects.select_related(
            "round", "round__org", "union", "street", "home"
        ).prefetch_related(Prefetch("scores", HomeScore.objects.order_by("id"))),
        actor,
        pk,
        action,
    )


def export_rows(*, actor, round: HomeRound):
    return applications(actor=actor, round=round).prefetch_related("scores")


def status_counts(*, actor, round: HomeRound) -> dict[str, int]:
    rows = (
        scoped(HomeApplication.objects.filter(round=round), actor)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    return {r["status"]: r["n"] for r in rows}


def quotas(round: HomeRound) -> list[HomeQuota]:
    return list(HomeQuota.objects.filter(round=round).select_related("street"))


def round_orgs(*, actor) -> QuerySet[Organization]:
    """Where the actor may organise a round: the federation and the streets in their change scope."""
    return scoped(
        Organization.objects.filter(kind__in=(OrgKind.FEDERATION, OrgKind.STREET)), actor, "change"
    ).order_by("path")


def quota_streets(r: HomeRound) -> QuerySet[Organization]:
    return Organization.objects.filter(kind=OrgKind.STREET, path__startswith=r.org.path).exclude(pk=r.org_id)


def applicant_unions(*, actor, round: HomeRound) -> QuerySet[Organization]:
    """Unions the actor may apply for in this round: member-holding unions of the round's subtree within the
    actor's change scope that have not applied yet."""
    done = HomeApplication.objects.filter(round=round).values("union_id")
    return (
        scoped(
            Organization.objects.filter(kind__in=MEMBER_HOLDING_KINDS, path__startswith=round.org.path),
            actor,
            "change",
        )
        .exclude(pk=round.org_id)
        .exclude(pk__in=done)
        .order_by("path")
    )


WAITING = {A.SUBMITTED: "street__path__in", A.PASSED: "round__org__path__in"}


def waiting_applications(*, actor, status: str = A.SUBMITTED) -> QuerySet[HomeApplication]:
    """Applications of every round waiting for a decision at the actor's own level: 待街道审核 where the actor
    reviews for the application's reviewing street, 待审定 where they review for the round's organiser."""
    if status not in WAITING:
        return HomeApplication.objects.none()
    qs = scoped(HomeApplication.objects.filter(status=status), actor, "review").select_related(
        "round", "union", "street"
    )
    paths = desk_paths(actor, "review")
    if paths is not None:
        qs = qs.filter(**{WAITING[status]: paths})
    return qs.order_by("submitted_at", "id")


def may_review(actor, app: HomeApplication) -> bool:
    return can(actor, "review", app.street.path)


def may_decide(actor, app: HomeApplication) -> bool:
    return can(actor, "review", app.round.org.path)


# ---------------------------------------------------------------------------------------------- the register


def recheck_horizon(today: dt.date | None = None) -> dt.date:
    """Six months from today: titles and terms ending by then are listed as due."""
    today = today or timezone.localdate()
    m = today.month + DUE_MONTHS
    y, m = today.year + (m - 1) // 12, (m - 1) % 12 + 1
    for day in (today.day, 30, 29, 28):
        try:
            return dt.date(y, m, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def homes(
    *, actor, year=None, level: str = "", status: str = "active", due: bool = False
) -> QuerySet[NamedHome]:
    qs = scoped(NamedHome.objects.select_related("union", "application__round"), actor)
    if year:
        qs = qs.filter(year=year)
    if level:
        qs = qs.filter(level=level)
    if status in NamedHome.Status.values:
        qs = qs.filter(status=status)
    if due:
        qs = qs.filter(status=NamedHome.Status.ACTIVE, valid_until__lte=recheck_horizon())
    return qs.order_by("valid_until", "id")


def home_detail(*, actor, pk, action: str = "view") -> NamedHome:
    return get_scoped_or_404(
        NamedHome.objects.select_related("union", "application__round"), actor, pk, action
    )


# ------------------------------------------------------------------------------------------------ 工会换届


def due_terms(*, actor, scope: str = "due", street=None) -> QuerySet[CommitteeTerm]:
    """Current terms in scope: ``due`` = ending within six months or already overdue, ``overdue`` = past their
    end, ``all`` = every current term."""
    today = timezone.localdate()
    qs = scoped(CommitteeTerm.objects.filter(status=CommitteeTerm.Status.CURRENT), actor).select_related(
        "union"
    )
    if scope == "overdue":
        qs = qs.filter(ends_on__lt=today)
    elif scope != "all":
        qs = qs.filter(ends_on__lte=recheck_horizon(today))
    if street is not None:
        qs = qs.filter(union__path__startswith=street.path)
    return qs.order_by("ends_on", "union__path")


def street_counts(*, actor) -> list[dict]:
    """Per street (园区): current terms, how many are overdue (逾期未换届) and how many end within six months.
    One grouped query on the first two path steps (a street's path)."""
    today = timezone.localdate()
    rows = (
        scoped(CommitteeTerm.objects.filter(status=CommitteeTerm.Status.CURRENT), actor)
        .order_by()
        .annotate(sp=Substr("union__path", 1, 2 * STEP))
        .values("sp")
        .annotate(
            total=Count("id"),
            overdue=Count("id", filter=Q(ends_on__lt=today)),
            soon=Count("id", filter=Q(ends_on__gte=today, ends_on__lte=recheck_horizon(today))),
        )
    )
    by_path = {r["sp"]: r for r in rows}
    streets = Organization.objects.filter(path__in=list(by_path), kind=OrgKind.STREET).order_by("path")
    out = [{"street": s, **{k: by_path[s.path][k] for k in ("total", "overdue", "soon")}} for s in streets]
    known = {s.path for s in streets}
    rest = [r for p, r in by_path.items() if p not in known]
    if rest:  # unions outside any street (directly under the federation)
        out.append({"street": None, **{k: sum(r[k] for r in rest) for k in ("total", "overdue", "soon")}})
    return out


def term_union(*, actor, pk, action: str = "view") -> Organization:
    return get_scoped_or_404(Organization.objects.filter(kind__in=UNION_KINDS), actor, pk, action)


def union_terms(union: Organization) -> QuerySet[CommitteeTerm]:
    return CommitteeTerm.objects.filter(union=union).prefetch_related("elected").order_by("-number")


def unregistered_count(*, actor) -> int:
    """Member-holding unions in scope with no committee term on record."""
    return (
        scoped(Organization.objects.filter(kind__in=MEMBER_HOLDING_KINDS), actor)
        .exclude(pk__in=CommitteeTerm.objects.values("union_id"))
        .count()
    )


def unregistered_unions(*, actor) -> QuerySet[Organization]:
    return (
        scoped(Organization.objects.filter(kind__in=MEMBER_HOLDING_KINDS), actor)
        .exclude(pk__in=CommitteeTerm.objects.values("union_id"))
        .order_by("path")
    )
