"""Reads of activities: a member's view (their audience only) and staff views (scoped, DESIGN rule 1)."""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lianxin.core.errors import ServiceError
from lianxin.core.scoping import get_scoped_or_404, scoped
from lianxin.members.models import Membership, Person
from lianxin.orgs.models import STEP

from .models import Activity, Signup
from .services import SIDE_BODIES


def parse_month(value: str | None) -> dt.date:
    """'2026-12' -> date(2026, 12, 1); empty -> this month (Asia/Shanghai)."""
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        y, m = value.split("-")
        return dt.date(int(y), int(m), 1)
    except (ValueError, TypeError):
        raise ServiceError("月份格式应为 2026-12", field="month") from None


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (dt.datetime.combine(month, dt.time.min, tz), dt.datetime.combine(nxt, dt.time.min, tz))


def _ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def audience_q(person: Person, membership: Membership) -> Q:
    """Activities whose audience contains this member: published by the member's union or an ancestor
    (one indexed ``path IN (...)``), with every ticked flag holding for the member."""
    ancestors = _ancestor_paths(membership.union.path)
    q = Q(org__path__in=ancestors) | Q(org__kind__in=list(SIDE_BODIES), org__parent__path__in=ancestors)
    for flag, holds in (("for_women", person.is_woman), ("for_youth", person.is_youth),
                        ("for_migrant", person.is_migrant), ("for_frontline", person.is_frontline),
                        ("for_model_workers", person.is_model_worker)):
        if not holds:
            q &= Q(**{flag: False})
    return q


def member_activities(person: Person, membership: Membership, *, month: dt.date | None = None,
                      upcoming: bool = False) -> QuerySet[Activity]:
    qs = Activity.objects.select_related("org").filter(audience_q(person, membership),
                                                        status=Activity.Status.PUBLISHED)
    if month is not None:
        start, end = month_bounds(month)
        qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    if upcoming:
        qs = qs.filter(ends_at__gte=timezone.now())
    return qs.order_by("starts_at", "id")


def public_activities(*, month: dt.date) -> QuerySet[Activity]:
    """What a visitor who is not (yet) a member sees: published activities, without sign-up."""
    start, end = month_bounds(month)
    return (Activity.objects.select_related("org").filter(status=Activity.Status.PUBLISHED,
                                                         starts_at__gte=start, starts_at__lt=end)
            .order_by("starts_at", "id"))


def member_activity(person: Person, membership: Membership | None, pk) -> Activity:
    qs = Activity.objects.select_related("org").filter(status__in=[Activity.Status.PUBLISHED,
                                                                   Activity.Status.CANCELLED])
    if membership is not None:
        qs = qs.filter(audience_q(person, membership))
    a = qs.filter(pk=pk).first()
    if a is None:
        raise Http404
    return a


def my_signups(person: Person) -> QuerySet[Signup]:
    return Signup.objects.select_related("activity", "activity__org").filter(person=person).order_by("-id")


def my_signup_for(person: Person, activity: Activity) -> Signup | None:
    return Signup.objects.filter(person=person, activity=activity, status__in=Signup.LIVE).first()


def waitlist_position(signup: Signup) -> int:
    return Signup.objects.filter(activity_id=signup.activity_id, status=Signup.Status.WAITLISTED,
                                 id__lte=signup.id).count()


def calendar_weeks(month: dt.date, activities) -> list[list[dict]]:
    """The month as weeks (Monday first) of {'day', 'items'} cells for the calendar grid."""
    by_day: dict[int, list] = {}
    for a in activities:
        d = timezone.localtime(a.starts_at).date()
        if d.month == month.month:
            by_day.setdefault(d.day, []).append(a)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(month.year, month.month):
        weeks.append([{"day": d, "items": by_day.get(d, [])} for d in week])
    return weeks


# ---------------------------------------------------------------- staff

def staff_activities(*, actor, q: str = "", month: dt.date | None = None, action: str = "view"):
    qs = scoped(Activity.objects.select_related("org"), actor, action)
    if q:
        qs = qs.filter(title__icontains=q.strip())
    if month is not None:
        start, end = month_bounds(month)
        qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    return qs.annotate(checked_in=Count("signups", filter=Q(signups__checked_in_at__isnull=False))).order_by(
        "-starts_at", "-id")


def staff_activity(*, actor, pk, action: str = "view") -> Activity:
    return get_scoped_or_404(Activity.objects.select_related("org"), actor, pk, action)


def activity_signups(*, actor, activity: Activity) -> QuerySet[Signup]:
    """Everyone signed up for an activity the actor may see (names and masked mobiles only)."""
    get_scoped_or_404(Activity.objects.all(), actor, activity.pk)
    return Signup.objects.select_related("person", "union").filter(activity=activity).order_by("status", "id")


def attendance_by_union(*, actor, activity: Activity) -> list[dict]:
    """Per activity: sign-ups, waitlist and check-ins by the attendee's union."""
    get_scoped_or_404(Activity.objects.all(), actor, activity.pk)
    rows = (Signup.objects.filter(activity=activity).values("union__name")
            .annotate(confirmed=Count("id", filter=Q(status=Signup.Status.CONFIRMED)),
                      waitlisted=Count("id", filter=Q(status=Signup.Status.WAITLISTED)),
                      attended=Count("id", filter=Q(checked_in_at__isnull=False)))
            .order_by("union__name"))
    return [r for r in rows if r["confirmed"] or r["waitlisted"]]


def attendance_by_org(*, actor, month: dt.date | None = None) -> list[dict]:
    """Per organising organisation (in scope): activities held, places, confirmed sign-ups, check-ins, rate."""
    qs = scoped(Activity.objects.exclude(status=Activity.Status.DRAFT), actor)
    if month is not None:
        start, end = month_bounds(month)
        qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    sig = scoped(Signup.objects.filter(activity__in=qs), actor)
    counts = {r["activity__org_id"]: r for r in sig.values("activity__org_id").annotate(
        confirmed=Count("id", filter=Q(status=Signup.Status.CONFIRMED)),
        attended=Count("id", filter=Q(checked_in_at__isnull=False)))}
    out = []
    for r in qs.values("org_id", "org__name", "org__path").annotate(n=Count("id")).order_by("org__path"):
        c = counts.get(r["org_id"], {})
        confirmed, attended = c.get("confirmed", 0), c.get("attended", 0)
        out.append({"org": r["org__name"], "activities": r["n"], "confirmed": confirmed, "attended": attended,
                    "rate": f"{attended * 100 / confirmed:.0f}%" if confirmed else "—"})
    return out
