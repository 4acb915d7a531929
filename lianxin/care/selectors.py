"""Reads of 女职工与留守关爱: staff views scoped to the actor's subtree (DESIGN rule 1) — campaigns and classes by
their organiser, with their sign-ups and rolls — and the member's own views (what she may sign up for, her
sign-ups, her children's enrolments)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lianxin.core.scoping import desk_paths, get_scoped_or_404, scoped
from lianxin.orgs.models import STEP, Organization, OrgKind

from .models import (
    Attendance,
    Campaign,
    CampaignShare,
    CampaignSignup,
    CareClass,
    Enrolment,
    Room,
    RoomRating,
)
from .services import ORGANISER_KINDS, _ancestors_or_self

# ---------------------------------------------------------------- staff


def organiser_orgs(*, actor) -> QuerySet[Organization]:
    return scoped(Organization.objects.filter(kind__in=ORGANISER_KINDS), actor, "change").order_by("path")


def staff_campaigns(*, actor, status: str = "") -> QuerySet[Campaign]:
    qs = scoped(Campaign.objects.select_related("org"), actor)
    now = timezone.now()
    if status == "upcoming":
        qs = qs.filter(status=Campaign.Status.OPEN, ends_at__gt=now)
    elif status == "ended":
        qs = qs.filter(status=Campaign.Status.OPEN, ends_at__lte=now)
    elif status == "cancelled":
        qs = qs.filter(status=Campaign.Status.CANCELLED)
    return qs.order_by("-starts_at", "-id")


def campaign_detail(*, actor, pk, action: str = "view") -> Campaign:
    return get_scoped_or_404(Campaign.objects.select_related("org"), actor, pk, action)


def campaign_signups(campaign: Campaign, *, status: str = "") -> QuerySet[CampaignSignup]:
    qs = CampaignSignup.objects.filter(campaign=campaign).select_related("person", "union")
    if status in CampaignSignup.Status.values:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=CampaignSignup.Status.WITHDRAWN)
    return qs.order_by("signed_at", "id")


def campaign_shares(campaign: Campaign) -> list[CampaignShare]:
    return list(
        CampaignShare.objects.filter(campaign=campaign).select_related("union").order_by("union__path")
    )


def staff_classes(*, actor, status: str = "") -> QuerySet[CareClass]:
    qs = scoped(CareClass.objects.select_related("org"), actor)
    today = timezone.localdate()
    if status == "upcoming":
        qs = qs.filter(status=CareClass.Status.OPEN, ends_on__gte=today)
    elif status == "ended":
        qs = qs.filter(status=CareClass.Status.OPEN, ends_on__lt=today)
    elif status == "cancelled":
        qs = qs.filter(status=CareClass.Status.CANCELLED)
    return qs.order_by("-starts_on", "-id")


def class_detail(*, actor, pk, action: str = "view") -> CareClass:
    return get_scoped_or_404(CareClass.objects.select_related("org"), actor, pk, action)


def class_roll(care_class: CareClass, day: dt.date | None = None) -> list[Enrolment]:
    """The children enrolled (masked IDs and mobiles only), each with ``mark`` for ``day`` (True/False/None) and
    how many days they came."""
    rows = list(
        Enrolment.objects.filter(care_class=care_class, status=Enrolment.Status.ENROLLED)
        .select_related("guardian", "union")
        .order_by("enrolled_at", "id")
    )
    marks = {}
    present_days: dict[int, int] = {}
    for a in Attendance.objects.filter(enrolment__in=rows).values("enrolment_id", "day", "present"):
        if a["day"] == day:
            marks[a["enrolment_id"]] = a["present"]
        if a["present"]:
            present_days[a["enrolment_id"]] = present_days.get(a["enrolment_id"], 0) + 1
    for e in rows:
        e.mark = marks.get(e.pk)
        e.present_days = present_days.get(e.pk, 0)
    return rows


def class_days(care_class: CareClass) -> list[dt.date]:
    """The class's days up to today (the days a roll can be taken)."""
    last = min(care_class.ends_on, timezone.localdate())
    n = (last - care_class.starts_on).days + 1
    return [care_class.starts_on + dt.timedelta(days=i) for i in range(max(n, 0))]


# ---------------------------------------------------------------- members


def open_campaigns(union) -> QuerySet[Campaign]:
    """Campaigns the member's union is in the audience of and that are still taking sign-ups."""
    return (
        Campaign.objects.filter(
            status=Campaign.Status.OPEN,
            signup_deadline__gt=timezone.now(),
            org__path__in=_ancestors_or_self(union.path),
        )
        .select_related("org")
        .order_by("starts_at", "id")
    )


def open_classes(union) -> QuerySet[CareClass]:
    return (
        CareClass.objects.filter(
            status=CareClass.Status.OPEN,
            signup_deadline__gt=timezone.now(),
            org__path__in=_ancestors_or_self(union.path),
        )
        .select_related("org")
        .order_by("starts_on", "id")
    )


def _pk(pk) -> int:
    try:
        n = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < n < 2**63:
        raise Http404
    return n


def member_campaign(person, union, pk) -> Campaign:
    """A campaign in the member's audience, or one she signed up for."""
    q = Q(org__path__in=_ancestors_or_self(union.path)) if union is not None else Q(pk__in=[])
    c = (
        Campaign.objects.select_related("org")
        .filter(pk=_pk(pk))
        .filter(q | Q(signups__person=person))
        .distinct()
        .first()
    )
    if c is None:
        raise Http404
    return c


def member_class(person, union, pk) -> CareClass:
    q = Q(org__path__in=_ancestors_or_self(union.path)) if union is not None else Q(pk__in=[])
    k = (
        CareClass.objects.select_related("org")
        .filter(pk=_pk(pk))
        .filter(q | Q(enrolments__guardian=person))
        .distinct()
        .first()
    )
    if k is None:
        raise Http404
    return k


def my_signups(person) -> QuerySet[CampaignSignup]:
    return (
        CampaignSignup.objects.filter(person=person)
        .exclude(status=CampaignSignup.Status.WITHDRAWN)
        .select_related("campaign__org")
        .order_by("-campaign__starts_at", "-id")
    )


def my_signup(person, campaign) -> CampaignSignup | None:
    return (
        CampaignSignup.objects.filter(person=person, campaign=campaign)
        .exclude(status=CampaignSignup.Status.WITHDRAWN)
        .first()
    )


def my_enrolments(person, care_class: CareClass | None = None) -> QuerySet[Enrolment]:
    qs = Enrolment.objects.filter(guardian=person, status=Enrolment.Status.ENROLLED).select_related(
        "care_class"
    )
    if care_class is not None:
        qs = qs.filter(care_class=care_class)
    return qs.order_by("-care_class__starts_on", "id")


# ---------------------------------------------------------------- 爱心妈咪小屋


def staff_rooms(*, actor, status: str = "", unrated: bool = False) -> QuerySet[Room]:
    qs = scoped(Room.objects.select_related("union"), actor)
    if status in Room.Status.values:
        qs = qs.filter(status=status)
    if unrated:
        qs = qs.filter(stars__isnull=True)
    return qs.order_by("status", "-updated_at", "-id")


def _desks(actor, depth: int) -> Q | None:
    """Rooms under the organisations at ``depth`` (0 the federation, 1 a street or a union directly under the
    federation) where the actor holds a reviewing role directly; ``None`` (no narrowing) for a superuser."""
    paths = desk_paths(actor, "review")
    if paths is None:
        return None
    q = Q(pk__in=[])
    for p in paths:
        if len(p) == (depth + 1) * STEP:
            q |= Q(union__path__startswith=p)
    return q


def rooms_to_review(*, actor) -> QuerySet[Room]:
    """待街道审核 at the street's desk: the rooms registered under the streets where the actor reviews."""
    qs, desks = staff_rooms(actor=actor, status=Room.Status.SUBMITTED), _desks(actor, 1)
    return qs if desks is None else qs.filter(desks)


def rooms_to_rate(*, actor) -> QuerySet[Room]:
    """Approved rooms with no stars yet, at the federation's desk (the federation rates)."""
    qs, desks = staff_rooms(actor=actor, status=Room.Status.APPROVED, unrated=True), _desks(actor, 0)
    return qs if desks is None else qs.filter(desks)


def room_detail(*, actor, pk, action: str = "view") -> Room:
    return get_scoped_or_404(Room.objects.select_related("union"), actor, pk, action)


def room_history(room: Room) -> QuerySet[RoomRating]:
    return RoomRating.objects.filter(room=room).select_related("rated_by").order_by("-rated_at", "-id")


def room_unions(*, actor) -> QuerySet[Organization]:
    """Base unions in the actor's change scope that have no room yet."""
    return scoped(
        Organization.objects.filter(kind=OrgKind.BASE, care_room__isnull=True), actor, "change"
    ).order_by("path")


def rated_rooms(*, street_id=None) -> QuerySet[Room]:
    """What members see: approved rooms with stars, best first; optionally those of one street."""
    qs = Room.objects.filter(status=Room.Status.APPROVED, stars__isnull=False).select_related("union")
    if street_id:
        street = Organization.objects.filter(pk=street_id, kind=OrgKind.STREET).first()
        qs = qs.filter(union__path__startswith=street.path) if street else qs.none()
    return qs.order_by("-stars", "enterprise_name", "id")


def streets() -> QuerySet[Organization]:
    return Organization.objects.filter(kind=OrgKind.STREET).order_by("path")
