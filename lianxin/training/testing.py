"""Factories for the training tests, the browser test and the demo, through the real services: classes open for
enrolment, members enrolled, classes moved into the past so that attendance, scores and certificates can be
recorded."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lianxin.activities.testing import make_member  # noqa: F401 - re-exported for the tests
from lianxin.core.testing import ROOT

from . import services
from .models import Session, TrainingClass


def make_class(
    org,
    *,
    actor=ROOT,
    title: str = "2027 年第一期班组长培训班",
    places: int = 5,
    sessions: int = 5,
    pass_mark: int = 60,
    starts_in: int = 10,
    days: int = 3,
    **kw,
) -> TrainingClass:
    today = timezone.localdate()
    starts = today + dt.timedelta(days=starts_in)
    fields = dict(
        place="区职工服务中心三楼培训室",
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=days),
        signup_deadline=starts - dt.timedelta(days=2),
        hours=24,
        description="班组管理、安全生产、劳动法规",
    )
    fields.update(kw)
    return services.create_class(
        actor=actor, org=org, title=title, places=places, sessions=sessions, pass_mark=pass_mark, **fields
    )


def end_class(klass: TrainingClass, *, ago: int = 1) -> TrainingClass:
    """Move the class into the past (as if it had been held): it ended ``ago`` days ago."""
    today = timezone.localdate()
    ends = today - dt.timedelta(days=ago)
    TrainingClass.objects.filter(pk=klass.pk).update(
        signup_deadline=ends - dt.timedelta(days=5), starts_on=ends - dt.timedelta(days=3), ends_on=ends
    )
    klass.refresh_from_db()
    return klass


def start_class(klass: TrainingClass) -> TrainingClass:
    """Move the class so that it runs today (sign-up closed yesterday)."""
    today = timezone.localdate()
    TrainingClass.objects.filter(pk=klass.pk).update(
        signup_deadline=today - dt.timedelta(days=1), starts_on=today, ends_on=today + dt.timedelta(days=2)
    )
    klass.refresh_from_db()
    return klass


def attend_all(klass: TrainingClass, present, *, actor=ROOT, sessions=None) -> None:
    """Record every session (or ``sessions``, numbers) with the enrolments in ``present`` at each."""
    ids = [e.pk for e in present]
    for s in Session.objects.filter(klass=klass).order_by("n"):
        services.record_attendance(
            actor=actor, klass=klass, n=s.n, present_ids=ids if sessions is None or s.n in sessions else []
        )
