"""Reads of 工会志愿者服务: staff views scoped to the actor's subtree (DESIGN rule 1) — projects by their organiser,
registrations, the ranking and the hours ledger by the volunteer's union — and the member's own views."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from lianxin.core.scoping import get_scoped_or_404, scoped
from lianxin.orgs.models import STEP, Organization

from .models import HoursEntry, Project, Signup, Skill, Volunteer
from .services import ORGANISER_KINDS

CREDIT, REVERSAL = HoursEntry.Kind.CREDIT, HoursEntry.Kind.REVERSAL


def _minutes(kind) -> Subquery:
    q = (
        HoursEntry.objects.filter(volunteer=OuterRef("pk"), kind=kind)
        .order_by()
        .values("volunteer")
        .annotate(s=Sum("minutes"))
        .values("s")
    )
    return Coalesce(Subquery(q, output_field=IntegerField()), Value(0))


def with_totals(qs: QuerySet[Volunteer]) -> QuerySet[Volunteer]:
    """Each volunteer's net minutes (credits less reversals) and attendances, as subqueries (no row fan-out)."""
    attended = (
        Signup.objects.filter(volunteer=OuterRef("pk"), status=Signup.Status.ATTENDED)
        .order_by()
        .values("volunteer")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(
        total_minutes=_minutes(CREDIT) - _minutes(REVERSAL),
        attended=Coalesce(Subquery(attended, output_field=IntegerField()), Value(0)),
    )


# ---------------------------------------------------------------- staff: projects


def project_orgs(*, actor) -> QuerySet[Organization]:
    return scoped(Organization.objects.filter(kind__in=ORGANISER_KINDS), actor, "change").order_by("path")


def staff_projects(*, actor, status: str = "") -> QuerySet[Project]:
    qs = scoped(Project.objects.select_related("org"), actor)
    if status == "upcoming":
        qs = qs.filter(status=Project.Status.OPEN, ends_at__gt=timezone.now())
    elif status == "ended":
        qs = qs.filter(status=Project.Status.OPEN, ends_at__lte=timezone.now())
    elif status == "unconfirmed":  # ended, attendance not yet recorded for some volunteers
        qs = qs.filter(
            Exists(Signup.objects.filter(project=OuterRef("pk"), status=Signup.Status.SIGNED)),
            status=Project.Status.OPEN,
            ends_at__lte=timezone.now(),
        )
    elif status in Project.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-starts_at", "-id")


def project_detail(*, actor, pk, action: str = "view") -> Project:
    return get_scoped_or_404(Project.objects.select_related("org"), actor, pk, action)


def project_signups(project: Project) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(project=project)
        .select_related("volunteer__person", "volunteer__union")
        .prefetch_related("hours")
        .order_by("status", "signed_at", "id")
    )


# ---------------------------------------------------------------- staff: volunteers, ranking, ledger


def staff_volunteers(*, actor, status: str = "", skill: str = "") -> QuerySet[Volunteer]:
    qs = with_totals(scoped(Volunteer.objects.select_related("person", "union"), actor))
    if status in Volunteer.Status.values:
        qs = qs.filter(status=status)
    if skill in Skill.values:  # the JSON list as text holds the quoted code (codes are plain ASCII words)
        qs = qs.filter(skills__icontains=f'"{skill}"')
    return qs.order_by("-created_at", "-id")


def volunteer_detail(*, actor, pk, action: str = "view") -> Volunteer:
    return get_scoped_or_404(Volunteer.objects.select_related("person", "union"), actor, pk, action)


def ranking(*, actor) -> QuerySet[Volunteer]:
    """Volunteers of the actor's subtree with hours, most first (ties by fewer attendances' longer service,
    then by name)."""
    return (
        with_totals(scoped(Volunteer.objects.select_related("person", "union"), actor))
        .filter(total_minutes__gt=0)
        .order_by("-total_minutes", "-attended", "person__name", "pk")
    )


def hours_entries(*, actor, action: str = "view") -> QuerySet[HoursEntry]:
    return scoped(
        HoursEntry.objects.select_related(
            "volunteer__person", "volunteer__union", "signup__project", "actor"
        ),
        actor,
        action,
    ).order_by("created_at", "id")


def entry_detail(*, actor, pk) -> HoursEntry:
    return get_scoped_or_404(
        HoursEntry.objects.select_related("signup__project__org", "volunteer"), actor, pk
    )


def ledger_of(volunteer: Volunteer) -> QuerySet[HoursEntry]:
    return (
        HoursEntry.objects.filter(volunteer=volunteer)
        .select_related("signup__project", "reverses", "actor")
        .order_by("-created_at", "-id")
    )


def total_minutes(volunteer: Volunteer | None) -> int:
    if volunteer is None:
        return 0
    rows = dict(
        HoursEntry.objects.filter(volunteer=volunteer)
        .order_by()
        .values("kind")
        .annotate(s=Sum("minutes"))
        .values_list("kind", "s")
    )
    return (rows.get(CREDIT) or 0) - (rows.get(REVERSAL) or 0)


# ---------------------------------------------------------------- members


def _ancestors_or_self(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def my_volunteer(person) -> Volunteer | None:
    if person is None:
        return None
    return Volunteer.objects.select_related("union").filter(person=person).first()


def open_projects(volunteer: Volunteer) -> QuerySet[Project]:
    """Projects the volunteer may still sign up for: open, before the deadline, organised by their union or one
    above it."""
    return (
        Project.objects.filter(
            status=Project.Status.OPEN,
            signup_deadline__gt=timezone.now(),
            org__path__in=_ancestors_or_self(volunteer.union.path),
        )
        .select_related("org")
        .order_by("starts_at", "id")
    )


def member_project(volunteer: Volunteer, pk) -> Project:
    """A project the volunteer can see: in their audience (open or not), or one they signed up for."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    p = (
        Project.objects.select_related("org")
        .filter(pk=pk)
        .filter(Q(org__path__in=_ancestors_or_self(volunteer.union.path)) | Q(signups__volunteer=volunteer))
        .distinct()
        .first()
    )
    if p is None:
        raise Http404
    return p


def my_signups(volunteer: Volunteer) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(volunteer=volunteer)
        .exclude(status=Signup.Status.WITHDRAWN)
        .select_related("project__org")
        .order_by("-project__starts_at", "-id")
    )


def my_signup(volunteer: Volunteer, project: Project) -> Signup | None:
    return (
        Signup.objects.filter(volunteer=volunteer, project=project)
        .exclude(status=Signup.Status.WITHDRAWN)
        .first()
    )
