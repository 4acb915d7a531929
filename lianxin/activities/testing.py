"""Factories for activity tests, the portal's tests, the browser tests and the benchmark: members who can sign in,
and published activities with an open sign-up window. Built through the real services."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.core.testing import ROOT, make_person
from lianxin.members import services as member_services

from . import services


def make_member(union, name: str = "张三", *, gender: str = "M", mobile_no: str | None = None, **kw):
    person = make_person(union, name, gender=gender, mobile_no=mobile_no, **kw)
    membership = member_services.admit_member(actor=ROOT, person=person, union=union)
    user = User.objects.create_user(username=f"member{person.pk}", person=person, display_name=name)
    return SimpleNamespace(person=person, membership=membership, user=user)


def make_activity(org, *, title: str = "职工羽毛球赛", capacity: int = 10, waitlist_size: int = 0,
                  starts_in: dt.timedelta = dt.timedelta(days=7), publish: bool = True, **kw):
    now = timezone.now()
    starts = kw.pop("starts_at", now + starts_in)
    fields = dict(venue="职工之家二楼活动室", starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
                  signup_opens_at=now - dt.timedelta(hours=1), signup_closes_at=starts - dt.timedelta(hours=1),
                  summary="测试活动")
    fields.update(kw)
    return services.create_activity(actor=ROOT, org=org, publish=publish, title=title, capacity=capacity,
                                    waitlist_size=waitlist_size, **fields)


def make_activity_at_the_door(org, **kw):
    """A published activity whose check-in window is open now: it starts within the hour (the door opens
    services.checkin_opens_before() ahead) and members may still sign up until it starts."""
    starts = timezone.now() + min(dt.timedelta(hours=1), services.checkin_opens_before() / 2)
    kw.setdefault("signup_closes_at", starts)
    return make_activity(org, starts_at=starts, **kw)
