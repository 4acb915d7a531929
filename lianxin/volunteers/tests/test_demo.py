"""The demo seed runs through the real services and leaves something on every page: volunteers in each state,
projects held (hours credited, one reversal), one waiting for its attendance, open ones (one full); the demo
member is an approved volunteer with hours and an open project left to sign up for."""

import random
from types import SimpleNamespace

import pytest
from django.utils import timezone

from lianxin.core.testing import make_user
from lianxin.volunteers import demo, selectors
from lianxin.volunteers.models import HoursEntry, Project, Volunteer
from lianxin.volunteers.testing import make_member

pytestmark = [pytest.mark.django_db]


def test_seed(district):
    d = district
    keep = make_member(d.base_a1, "演示会员", gender="F")
    for i in range(40):
        make_member(d.base_a1 if i % 2 else d.base_b1, f"会员{i}", gender="M")
    users = {
        "qt_admin": make_user("qt_admin", d.fed, "admin"),
        "by_admin": make_user("by_admin", d.street_a, "admin"),
        "xs_admin": make_user("xs_admin", d.street_b, "admin"),
    }
    ctx = SimpleNamespace(
        fed=d.fed,
        streets=[d.street_a, d.street_b],
        users=users,
        rng=random.Random(7),
        today=timezone.localdate(),
        log=lambda m: None,
    )
    demo.seed(ctx)
    statuses = set(Volunteer.objects.values_list("status", flat=True))
    assert statuses == {"pending", "approved", "declined"}
    now = timezone.now()
    assert Project.objects.filter(ends_at__lt=now).count() == 3
    open_ = Project.objects.filter(signup_deadline__gt=now)
    assert open_.count() == 3 and open_.filter(remaining=0).exists()
    assert (
        HoursEntry.objects.filter(kind="credit").exists()
        and HoursEntry.objects.filter(kind="reversal").count() == 1
    )
    mine = Volunteer.objects.get(person=keep.person)
    assert mine.status == "approved" and selectors.total_minutes(mine) > 0
    assert any(
        p.remaining and not p.signups.filter(volunteer=mine).exists() for p in selectors.open_projects(mine)
    )
    waiting = Project.objects.get(title__startswith="职工子女暑期托管班")
    assert waiting.signups.filter(status="signed").exists() and waiting.ends_at < now
