"""Scoped reads of the organisation tree and the enterprise register, and the coverage figures."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from lianxin.core.scoping import get_scoped_or_404, scope_for, scoped
from lianxin.members.models import Membership, MembershipStatus

from .models import Enterprise, Organization, OrgKind


def org_list(*, actor, kind: str = "", q: str = "", action: str = "view") -> QuerySet[Organization]:
    qs = scoped(Organization.objects.all(), actor, action)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q.strip())
    return qs


def org_detail(*, actor, pk, action: str = "view") -> Organization:
    return get_scoped_or_404(Organization.objects.select_related("parent", "enterprise"), actor, pk, action)


def member_count(org: Organization) -> int:
    """Members in the organisation's subtree, derived from memberships (never stored)."""
    return Membership.objects.filter(union__path__startswith=org.path, status=MembershipStatus.MEMBER).count()


def member_counts(orgs) -> dict[int, int]:
    """Subtree member counts for several organisations in one grouped query."""
    orgs = list(orgs)
    if not orgs:
        return {}
    rows = (Membership.objects.filter(status=MembershipStatus.MEMBER)
            .values("union__path").annotate(n=Count("id")))
    per_path = {r["union__path"]: r["n"] for r in rows}
    return {o.pk: sum(n for p, n in per_path.items() if p.startswith(o.path)) for o in orgs}


def member_holding_unions(*, actor, action: str = "change") -> QuerySet[Organization]:
    return org_list(actor=actor, action=action).filter(kind__in=[OrgKind.BASE, OrgKind.JOINT])


def root_orgs_for(actor) -> list[Organization]:
    """The topmost organisations the actor reaches (one per grant, ancestors removed)."""
    scope = scope_for(actor)
    if scope.superuser:
        return list(Organization.objects.filter(parent__isnull=True))
    return list(Organization.objects.filter(path__in=scope.paths("view")))


def enterprise_list(*, actor, q: str = "", street=None, covered: str = "", action: str = "view"):
    qs = scoped(Enterprise.objects.select_related("street", "covering_union"), actor, action)
    if q:
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(credit_code=q.strip().upper()))
    if street is not None:
        qs = qs.filter(street=street)
    if covered == "yes":
        qs = qs.filter(covering_union__isnull=False)
    elif covered == "no":
        qs = qs.filter(covering_union__isnull=True)
    return qs


def enterprise_streets(*, actor) -> QuerySet[Organization]:
    """The streets ``actor`` may register enterprises in: an enterprise belongs to a street, so only a change
    grant at a street or above can place one (a base union's administrator cannot). The form's choices, its
    URL's gate and the list page's 登记企业 button all ask this."""
    return scoped(Organization.objects.filter(kind=OrgKind.STREET), actor, "change")


def enterprise_detail(*, actor, pk, action: str = "view") -> Enterprise:
    return get_scoped_or_404(Enterprise.objects.select_related("street", "covering_union"), actor, pk, action)


def coverage(*, actor, by: str = "street") -> list[dict]:
    """Union coverage of enterprises and workers, per street or per industry section:
    enterprises covered / all, workers covered / all (headcount of covered enterprises)."""
    key = {"street": "street__name", "industry": "industry"}[by]
    rows = (
        enterprise_list(actor=actor)
        .values(key)
        .annotate(
            enterprises=Count("id"),
            enterprises_covered=Count("id", filter=Q(covering_union__isnull=False)),
            workers=Sum("headcount"),
            workers_covered=Sum("headcount", filter=Q(covering_union__isnull=False)),
        )
        .order_by(key)
    )
    from .models import Industry

    out = []
    for r in rows:
        label = r[key] if by == "street" else Industry(r[key]).label
        workers, wc = r["workers"] or 0, r["workers_covered"] or 0
        out.append({
            "label": label, "enterprises": r["enterprises"], "enterprises_covered": r["enterprises_covered"],
            "enterprise_rate": round(100 * r["enterprises_covered"] / r["enterprises"], 1) if r["enterprises"] else 0,
            "workers": workers, "workers_covered": wc,
            "worker_rate": round(100 * wc / workers, 1) if workers else 0,
        })
    return out
