"""The demo seed runs through the real services and leaves something on every page: the federation's screening
open with shares and sign-ups, a check-up held with 已参加 and 未到, a cancelled lecture, an open class with
children and a running one with its roll taken; the demo member attended the check-up, has a child in the running
class and the screening left to sign up for."""

import random
from types import SimpleNamespace

import pytest
from django.utils import timezone

from lianxin.care import demo, selectors
from lianxin.care.models import (
    Attendance,
    Campaign,
    CampaignShare,
    CampaignSignup,
    CareClass,
    Enrolment,
    Room,
    RoomRating,
)
from lianxin.care.testing import make_woman
from lianxin.core.testing import ROOT, make_user
from lianxin.orgs import services as org_services
from lianxin.orgs.models import OrgKind

pytestmark = [pytest.mark.django_db]


def test_seed(district):
    d = district
    for i in range(4):  # more grassroots unions, so the rooms come in every state
        org_services.create_organization(
            actor=ROOT,
            parent=d.joint_a if i % 2 else d.joint_b,
            kind=OrgKind.BASE,
            name=f"测试{i}有限公司工会",
        )
    keep = make_woman(d.base_a1, "演示会员", age=38)
    for i in range(30):
        make_woman(d.base_a1 if i % 2 else d.base_b1, f"女会员{i}", age=26 + i)
    for i in range(6):
        make_woman(d.base_a1, f"男会员{i}", age=35, gender="M")
    users = {
        "qt_admin": make_user("qt_admin", d.fed, "admin"),
        "by_admin": make_user("by_admin", d.street_a, "admin"),
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
    assert set(Campaign.objects.values_list("status", flat=True)) == {"open", "cancelled"}
    screening = Campaign.objects.get(kind="screening")
    assert CampaignShare.objects.filter(campaign=screening).count() == 2
    assert CampaignSignup.objects.filter(campaign=screening, status="signed").count() >= 8
    marks = set(CampaignSignup.objects.filter(campaign__kind="checkup").values_list("status", flat=True))
    assert marks == {"attended", "absent"}
    assert CampaignSignup.objects.filter(person=keep.person, status="attended").exists()
    assert screening in selectors.open_campaigns(keep.membership.union)
    assert not CampaignSignup.objects.filter(person=keep.person, campaign=screening).exists()
    running = CareClass.objects.get(starts_on__lte=timezone.localdate())
    assert Enrolment.objects.filter(care_class=running, guardian=keep.person).exists()
    assert Attendance.objects.filter(enrolment__care_class=running, present=True).exists()
    assert Attendance.objects.filter(enrolment__care_class=running, present=False).exists()
    open_class = CareClass.objects.get(starts_on__gt=timezone.localdate())
    assert Enrolment.objects.filter(care_class=open_class).count() == 3
    assert set(Room.objects.values_list("status", flat=True)) == {"submitted", "returned", "approved"}
    assert Room.objects.filter(stars=3).exists() and RoomRating.objects.filter(previous=2, stars=3).exists()
    assert selectors.rated_rooms(street_id=d.street_a.pk).exists()
