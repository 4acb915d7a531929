"""Factories for the volunteer tests, the browser test and the demo, through the real services: members who can
sign in, volunteers registered (and approved), projects open for sign-up, and projects moved into the past so
that attendance can be confirmed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lianxin.activities.testing import make_member  # noqa: F401 - re-exported for the tests
from lianxin.core.testing import ROOT

from . import services
from .models import Project, Volunteer


def register(user, *, skills=("medic",), times=("weekend",), note: str = "") -> Volunteer:
    return services.register_volunteer(actor=user, skills=list(skills), times=list(times), note=note)


def make_volunteer(union, name: str = "志愿者", *, approve: bool = True, actor=ROOT, **kw):
    """A member of ``union`` registered as a volunteer (approved unless told otherwise); returns the member
    namespace (person, membership, user) with ``volunteer`` added."""
    m = make_member(union, name, **kw)
    v = register(m.user)
    if approve:
        v = services.decide_volunteer(actor=actor, volunteer=v, approve=True)
    m.volunteer = v
    return m


def make_project(
    org,
    *,
    actor=ROOT,
    title: str = "社区义诊进楼道",
    places: int = 5,
    hours="2",
    starts_in: dt.timedelta = dt.timedelta(days=3),
    **kw,
) -> Project:
    starts = timezone.now() + starts_in
    fields = dict(
        place="白杨街道文体中心",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        signup_deadline=starts - dt.timedelta(hours=2),
        skills=["medic"],
        description="为社区居民量血压、测血糖",
    )
    fields.update(kw)
    return services.create_project(actor=actor, org=org, title=title, places=places, hours=hours, **fields)


def end_project(project: Project, *, ago: dt.timedelta = dt.timedelta(hours=1)) -> Project:
    """Move the project into the past (as if it had happened): it ended ``ago``."""
    now = timezone.now()
    Project.objects.filter(pk=project.pk).update(
        signup_deadline=now - ago - dt.timedelta(hours=4),
        starts_at=now - ago - dt.timedelta(hours=3),
        ends_at=now - ago,
    )
    project.refresh_from_db()
    return project
