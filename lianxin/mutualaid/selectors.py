"""Scoped reads of 职工医疗互助. A plan is seen by everyone whose grant lies inside its organiser's subtree (a base
union's administrator enrols their members in the federation's plan) and by those above it; the figures on it —
enrolments, contributions owed, claims, payments — are always only of the actor's own subtree."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from lianxin.core.scoping import get_scoped_or_404, scope_for, scoped
from lianxin.members.models import Membership, MembershipStatus
from lianxin.orgs.models import STEP, Organization
from lianxin.workflow.models import Application, State

from .models import Contribution, Enrolment, MedicalAccount, MedicalPayment, MedicalPlan
from .services import ORGANISER_KINDS, UNION_KINDS, enrolment_for

PROGRAMME = "medical_aid"


def plan_list(*, actor):
    qs = MedicalPlan.objects.select_related("org")
    scope = scope_for(actor)
    if scope.superuser:
        return qs
    paths = scope.paths("view")
    if not paths:
        return qs.none()
    above = {p[:i] for p in paths for i in range(STEP, len(p) + 1, STEP)}  # the organisers over one's grants
    return qs.filter(Q(pk__in=scoped(MedicalPlan.objects.all(), actor).values("pk")) | Q(org__path__in=above))


def plan_detail(*, actor, pk) -> MedicalPlan:
    try:
        return plan_list(actor=actor).get(pk=pk)
    except (MedicalPlan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def organiser_orgs(*, actor):
    """Where the actor may set up a plan: the federation or a street within their change scope."""
    return scoped(Organization.objects.filter(kind__in=ORGANISER_KINDS), actor, "change")


def claims(*, actor, plan: MedicalPlan):
    """The plan's claims in the actor's subtree (applications of the enrolled people, in the plan's year)."""
    return scoped(Application.objects.filter(programme=PROGRAMME, person__medical_enrolments__plan=plan,
                                             form__admitted_on__startswith=str(plan.year)), actor)


def plan_figures(*, actor, plan: MedicalPlan) -> dict:
    enrolled = scoped(Enrolment.objects.filter(plan=plan), actor).count()
    by_state = dict(claims(actor=actor, plan=plan).exclude(state=State.DRAFT).order_by().values("state")
                    .annotate(n=Count("pk")).values_list("state", "n"))
    paid = scoped(MedicalPayment.objects.filter(account__plan=plan), actor).aggregate(n=Count("pk"),
                                                                                     fen=Sum("amount_fen"))
    paid_in = scoped(Contribution.objects.filter(plan=plan), actor).aggregate(s=Sum("amount_fen"))["s"] or 0
    waiting = by_state.get(State.SUBMITTED, 0) + by_state.get(State.IN_REVIEW, 0) + by_state.get(State.RETURNED, 0)
    return {"enrolled": enrolled, "owed_fen": enrolled * plan.contribution_fen, "paid_in_fen": paid_in,
            "claims": sum(by_state.values()), "waiting": waiting, "approved": by_state.get(State.APPROVED, 0),
            "rejected": by_state.get(State.REJECTED, 0), "paid_n": paid["n"] or 0, "paid_fen": paid["fen"] or 0}


def _count(qs):
    return Coalesce(Subquery(qs.order_by().values("c")[:1], output_field=IntegerField()), Value(0))


def union_rows(*, actor, plan: MedicalPlan, q: str = ""):
    """The unions under the plan in the actor's subtree, with their live members and how many take part."""
    live = (Membership.objects.filter(union=OuterRef("pk"), status=MembershipStatus.MEMBER).values("union")
            .annotate(c=Count("pk")))
    taking = Enrolment.objects.filter(plan=plan, union=OuterRef("pk")).values("union").annotate(c=Count("pk"))
    paid_in = Contribution.objects.filter(plan=plan, union=OuterRef("pk")).values("union").annotate(c=Sum("amount_fen"))
    qs = scoped(Organization.objects.filter(kind__in=UNION_KINDS, path__startswith=plan.org.path), actor)
    if q:
        qs = qs.filter(name__contains=q.strip())
    return qs.annotate(live=_count(live), enrolled=_count(taking), paid_in_fen=_count(paid_in)).order_by("path")


def union_for(*, actor, plan: MedicalPlan, pk, action: str = "view") -> Organization:
    """A union under the plan: 404 outside the actor's subtree, 403 inside it for a role that may not ``action``."""
    qs = Organization.objects.filter(kind__in=UNION_KINDS, path__startswith=plan.org.path)
    return get_scoped_or_404(qs, actor, pk, action)


def union_members(*, actor, plan: MedicalPlan, union: Organization):
    """The union's live members (the members app's rule), each with whether they take part and what was paid."""
    from lianxin.members.selectors import membership_list

    account = MedicalAccount.objects.filter(plan=plan, person=OuterRef("person_id"))
    return (membership_list(actor=actor, union=union, status=MembershipStatus.MEMBER).filter(union=union)
            .annotate(enrolled=Exists(Enrolment.objects.filter(plan=plan, person=OuterRef("person_id"))),
                      enrolment_id=Subquery(Enrolment.objects.filter(plan=plan, person=OuterRef("person_id"))
                                            .values("pk")[:1]),
                      paid_fen=Subquery(account.values("paid_fen")[:1]))
            .order_by("member_no"))


def union_totals(*, plan: MedicalPlan, union: Organization) -> dict:
    """What the union's enrolment comes to (the union was reached through :func:`union_for`)."""
    n = Enrolment.objects.filter(plan=plan, union=union).count()
    live = Membership.objects.filter(union=union, status=MembershipStatus.MEMBER).count()
    paid_in = Contribution.objects.filter(plan=plan, union=union).aggregate(s=Sum("amount_fen"))["s"] or 0
    owed = n * plan.contribution_fen
    return {"enrolled": n, "live": live, "owed_fen": owed, "paid_in_fen": paid_in, "due_fen": max(0, owed - paid_in)}


def contributions(*, plan: MedicalPlan, union: Organization):
    """The union's payments of 互助金 under the plan, newest first (the union was reached through :func:`union_for`)."""
    return Contribution.objects.filter(plan=plan, union=union).select_related("entry__fund", "recorded_by")


def enrolment_in(*, actor, plan: MedicalPlan, pk, action: str = "view") -> Enrolment:
    return get_scoped_or_404(Enrolment.objects.filter(plan=plan).select_related("person", "union", "plan"), actor, pk,
                             action)


# --- the member's own ------------------------------------------------------------------------------------------


def member_year(person, year: int | None = None) -> dict:
    """The member's plan this year: enrolment, account, payments, claims under way."""
    from lianxin.workflow.models import OPEN_STATES

    year = year or timezone.localdate().year
    e = enrolment_for(person, year)
    account = MedicalAccount.objects.filter(plan=e.plan, person=person).first() if e else None
    payments = (list(MedicalPayment.objects.filter(account=account).select_related("application", "entry__fund")
                     .order_by("-created_at")) if account else [])
    open_claims = list(Application.objects.filter(programme=PROGRAMME, person=person, state__in=OPEN_STATES)
                       .order_by("-id")[:20]) if person else []
    return {"year": year, "enrolment": e, "plan": e.plan if e else None, "account": account,
            "payments": payments, "open_claims": open_claims}
