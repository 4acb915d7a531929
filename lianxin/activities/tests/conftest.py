import pytest

from lianxin.activities import services
from lianxin.activities.testing import make_activity, make_member


@pytest.fixture
def full(district):
    """A street activity with its one place taken by 甲, 乙 first on the waitlist, 丙 second (the staff-cancel
    tests, console and API)."""
    a = make_activity(district.street_a, capacity=1, waitlist_size=2, monthly_limit=3)
    ms = {n: make_member(district.base_a1, n) for n in ("甲", "乙", "丙")}
    ss = {n: services.sign_up(actor=m.user, activity_id=a.pk) for n, m in ms.items()}
    assert [s.status for s in ss.values()] == ["confirmed", "waitlisted", "waitlisted"]
    return a, ms, ss
