"""Factories for the care tests, the browser test and the demo, through the real services: members who can sign
in, campaigns and classes open for sign-up, and campaigns moved into the past so attendance can be recorded."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lianxin.activities.testing import make_member  # noqa: F401 - re-exported for the tests
from lianxin.core.idnumbers import make_id_number
from lianxin.core.testing import ROOT

from . import services
from .models import Campaign


def make_woman(union, name: str = "王芳", *, age: int = 40, gender: str = "F", mobile_no: str | None = None):
    """A member of ``union`` (a woman unless told otherwise) who is ``age`` years old today by her ID number,
    with a user to sign in as."""
    from types import SimpleNamespace

    from lianxin.accounts.models import User
    from lianxin.core.testing import id_number, mobile
    from lianxin.members import services as member_services

    today = timezone.localdate()
    birth = today.replace(year=today.year - age, day=min(today.day, 28)) - dt.timedelta(days=40)
    person = member_services.create_person(
        actor=ROOT,
        org=union,
        name=name,
        id_number=id_number(gender=gender, birth=birth),
        mobile=mobile_no if mobile_no is not None else mobile(),
    )
    membership = member_services.admit_member(actor=ROOT, person=person, union=union)
    user = User.objects.create_user(username=f"member{person.pk}", person=person, display_name=name)
    return SimpleNamespace(person=person, membership=membership, user=user)


def make_campaign(
    org,
    *,
    actor=ROOT,
    title: str = "女职工“两癌”免费筛查",
    places: int = 5,
    starts_in: dt.timedelta = dt.timedelta(days=5),
    **kw,
) -> Campaign:
    starts = timezone.now() + starts_in
    fields = dict(
        place="区妇幼保健院",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=8),
        signup_deadline=starts - dt.timedelta(days=1),
        kind="screening",
        min_age=18,
        max_age=65,
        description="宫颈癌、乳腺癌免费筛查，请空腹前往",
    )
    fields.update(kw)
    return services.create_campaign(actor=actor, org=org, title=title, places=places, **fields)


def start_campaign(c: Campaign, *, ago: dt.timedelta = dt.timedelta(hours=1)) -> Campaign:
    """Move the campaign into the past (as if it had happened): it started ``ago``."""
    now = timezone.now()
    Campaign.objects.filter(pk=c.pk).update(
        signup_deadline=now - ago - dt.timedelta(days=1),
        starts_at=now - ago,
        ends_at=now - ago + dt.timedelta(hours=8),
    )
    c.refresh_from_db()
    return c


def make_class(
    org,
    *,
    actor=ROOT,
    title: str = "暑期爱心托管班",
    places: int = 5,
    starts_in_days: int = 10,
    days: int = 20,
    **kw,
):
    start = timezone.localdate() + dt.timedelta(days=starts_in_days)
    fields = dict(
        place="白杨街道职工之家",
        starts_on=start,
        ends_on=start + dt.timedelta(days=days),
        signup_deadline=timezone.now() + dt.timedelta(days=starts_in_days - 3),
        min_age=6,
        max_age=12,
        daily_hours="08:30-17:00",
        description="作业辅导、手工、阅读与安全教育",
    )
    fields.update(kw)
    return services.create_class(actor=actor, org=org, title=title, places=places, **fields)


def child_id(age: int, n: int, *, on: dt.date | None = None, gender: str = "M") -> str:
    """A valid ID number of a child who is ``age`` on ``on`` (default: today)."""
    on = on or timezone.localdate()
    birth = on.replace(year=on.year - age, day=min(on.day, 28)) - dt.timedelta(days=30 + n % 200)
    return make_id_number("330114", birth, 300 + n, gender)


def start_class(k, *, days_ago: int = 2):
    """Move the class so that it opened ``days_ago`` days ago (today is one of its days)."""
    from .models import CareClass

    today = timezone.localdate()
    CareClass.objects.filter(pk=k.pk).update(
        starts_on=today - dt.timedelta(days=days_ago),
        ends_on=today + dt.timedelta(days=10),
        signup_deadline=timezone.now() - dt.timedelta(days=days_ago + 1),
    )
    k.refresh_from_db()
    return k
