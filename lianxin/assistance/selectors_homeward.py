"""Scoped reads of 平安返乡: the programmes an actor takes part in, their coaches, the applications in the actor's
subtree (each flagged when the person has an open hardship file — 困难职工优先), and a member's own view."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lianxin.core.scoping import scoped

from .models import (
    HardshipFile,
    HomewardApplication,
    HomewardCoach,
    HomewardKind,
    HomewardProgramme,
    HomewardStatus,
)
from .selectors import _campaign_reach


def _priority():
    return Exists(HardshipFile.objects.filter(person=OuterRef("person"), closed_at__isnull=True))


def programme_list(*, actor):
    """Programmes organised inside the actor's subtree or above it (their unions' members apply)."""
    mine = (scoped(HomewardApplication.objects.all(), actor).filter(programme=OuterRef("pk"))
            .exclude(status=HomewardStatus.CANCELLED).order_by().values("programme")
            .annotate(n=Count("pk")).values("n"))
    from django.db.models import Subquery

    return (HomewardProgramme.objects.filter(_campaign_reach(actor)).select_related("org", "fund")
            .annotate(mine=Subquery(mine)))


def programme_detail(*, actor, pk) -> HomewardProgramme:
    try:
        return (HomewardProgramme.objects.filter(_campaign_reach(actor)).select_related("org", "fund")
                .get(pk=int(pk)))
    except (HomewardProgramme.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def coaches(programme: HomewardProgramme):
    return HomewardCoach.objects.filter(programme=programme).order_by("departs_at", "pk")


def applications(*, actor, programme: HomewardProgramme, status: str = "", kind: str = "", q: str = ""):
    """The programme's applications within the actor's subtree, hardship-archive members first (困难职工优先)."""
    qs = (scoped(HomewardApplication.objects.filter(programme=programme), actor)
          .select_related("person", "union", "coach", "ledger_entry").annotate(priority=_priority()))
    if status in HomewardStatus.values:
        qs = qs.filter(status=status)
    if kind in HomewardKind.values:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(person__name__contains=q.strip()) | Q(union__name__contains=q.strip()))
    return qs.order_by("-priority", "created_at", "pk")


def seat_rows(*, actor, programme: HomewardProgramme):
    """The coach passengers for the 乘车名单 export: live seats only, by coach then union."""
    return (applications(actor=actor, programme=programme, kind=HomewardKind.COACH)
            .filter(status__in=[HomewardStatus.APPLIED, HomewardStatus.CONFIRMED])
            .order_by("coach__departs_at", "coach_id", "union__path", "pk"))


def summary(*, actor, programme: HomewardProgramme) -> dict:
    qs = scoped(HomewardApplication.objects.filter(programme=programme), actor).order_by()
    out = {s: 0 for s in HomewardStatus.values}
    for row in qs.values("status").annotate(n=Count("pk")):
        out[row["status"]] = row["n"]
    out["due"] = qs.filter(kind=HomewardKind.SUBSIDY, status=HomewardStatus.CONFIRMED).count()
    return out


# --- member side -------------------------------------------------------------------------------------------------


def open_for_member(person):
    """Programmes a member may apply to now: organised at or above their current union, still taking
    applications."""
    from lianxin.members.selectors import current_membership
    from lianxin.orgs.models import STEP

    m = current_membership(person)
    if m is None or m.status != "member":
        return HomewardProgramme.objects.none(), None
    p = m.union.path
    return (HomewardProgramme.objects.filter(org__path__in=[p[:i] for i in range(STEP, len(p) + 1, STEP)],
                                             apply_until__gte=timezone.localdate())
            .select_related("org").order_by("-year", "org__path"), m)


def my_applications(person):
    return (HomewardApplication.objects.filter(person=person).select_related("programme", "coach", "union")
            .order_by("-year", "-created_at"))


def member_programme(person, pk) -> HomewardProgramme:
    progs, _ = open_for_member(person)
    try:
        return progs.get(pk=int(pk))
    except (HomewardProgramme.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def applications_to_confirm(*, actor) -> QuerySet[HomewardApplication]:
    """工作台 待办: 平安返乡 applications 待确认 of members of the unions the actor administers (the union's staff in
    scope confirm, as ``services_homeward.decide`` allows and the programme page offers)."""
    return scoped(HomewardApplication.objects.filter(status=HomewardStatus.APPLIED), actor, "change")
