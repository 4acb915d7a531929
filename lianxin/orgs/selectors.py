"""Scoped reads of the organisation tree and the enterprise register, and the coverage figures."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from lianxin.core.scoping import get_scoped_or_404, scope_for, scoped
from lianxin.members.models import Membership, MembershipStatus

from .models import STEP, Enterprise, Organization, OrgKind


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
    return member_counts([org]).get(org.pk, 0)


def _outermost(paths) -> list[str]:
    out: list[str] = []
    for p in sorted(set(paths)):
        if not any(p.startswith(a) for a in out):
            out.append(p)
    return out


def member_counts(orgs) -> dict[int, int]:
    """Subtree member counts for several organisations, in two queries whatever their number: the
    organisations inside their subtrees (the tree table: thousands of rows at most), then the members per
    union, counted on the (union, status) index of memberships alone, grouped by union id without joining
    the tree. Only the unions under the given organisations are counted: a base union's page counts that
    union, not the district's million memberships. The sums per subtree are done here, from the paths."""
    orgs = list(orgs)
    if not orgs:
        return {}
    under = Q(pk__in=[])
    for p in _outermost(o.path for o in orgs):
        under |= Q(path__startswith=p)
    # every organisation under them, not only today's member-holding kinds: a membership counts wherever it is
    unions = dict(Organization.objects.filter(under).order_by().values_list("pk", "path"))
    if not unions:
        return {o.pk: 0 for o in orgs}
    per_union = (Membership.objects.filter(status=MembershipStatus.MEMBER, union_id__in=list(unions))
                 .order_by().values_list("union_id").annotate(n=Count("*")))
    subtree: dict[str, int] = {}  # path -> members in its subtree: each union's count added to its ancestors
    for u, n in per_union:
        path = unions[u]
        for end in range(STEP, len(path) + 1, STEP):
            subtree[path[:end]] = subtree.get(path[:end], 0) + n
    return {o.pk: subtree.get(o.path, 0) for o in orgs}


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
