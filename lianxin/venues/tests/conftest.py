import datetime as dt
import itertools

import pytest
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.core.testing import PASSWORD, make_person
from lianxin.venues import services
from lianxin.venues.models import Slot

_n = itertools.count(1)


def new_member(district, org=None):
    n = next(_n)
    return User.objects.create_user(username=f"m{n}", password=PASSWORD,
                                    person=make_person(org or district.base_a1, f"会员{n}"))


@pytest.fixture
def site(district):
    return services.create_site(actor=district.users["street_a.admin"], org=district.street_a,
                                street=district.street_a, kind="sports", name="浙江理工大学体育馆",
                                address="白杨街道2号大街928号", latitude=30.3190, longitude=120.3530,
                                bookable=True, opening_hours="周六日 9:00-17:00")


def make_slot(site, *, hours_ahead: float = 24, capacity: int = 2) -> Slot:
    start = timezone.now() + dt.timedelta(hours=hours_ahead)
    return Slot.objects.create(site=site, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                               capacity=capacity)
