"""DESIGN rule 4 for staff cancellations on PostgreSQL: a staff cancel racing members' sign-ups for the last
place, the member's own cancellation of the same sign-up, and the waitlist — the quota stays exact (``taken``
equals the live confirmed sign-ups, never above capacity), each sign-up is cancelled once, and a freed place
goes to the waitlist before any newcomer."""

from collections import Counter

import pytest

from lianxin.activities import services
from lianxin.activities.models import Activity, Signup
from lianxin.activities.testing import make_activity, make_member
from lianxin.core.testing import race

pytestmark = [pytest.mark.pgonly, pytest.mark.django_db(transaction=True)]


def assert_exact(a: Activity) -> None:
    a.refresh_from_db()
    live = Signup.objects.filter(activity=a)
    assert live.filter(status="confirmed").count() == a.taken <= a.capacity
    assert live.filter(status="waitlisted").count() == a.waitlisted <= a.waitlist_size
    assert live.filter(status__in=Signup.LIVE).values("person").distinct().count() == \
        live.filter(status__in=Signup.LIVE).count()


def _staff_cancel(admin, signup_pk):
    """"done" when this call cancelled it (the refusal's code, e.g. "cancelled", otherwise)."""
    def call():
        services.staff_cancel_signup(actor=admin, signup_id=signup_pk, reason="并发测试")
        return "done"
    return call


def _sign_up(user, activity_pk):
    return lambda: services.sign_up(actor=user, activity_id=activity_pk).status


def test_staff_cancel_racing_signups_for_the_last_place(district):
    admin = district.users["street_a.admin"]
    newcomers = [make_member(district.base_a1, f"新人{i}") for i in range(6)]
    for round_no in range(5):
        a = make_activity(district.street_a, title=f"最后一个名额{round_no}", capacity=1)
        holder = make_member(district.base_a1, f"占位{round_no}")
        held = services.sign_up(actor=holder.user, activity_id=a.pk)
        results = race([_staff_cancel(admin, held.pk)] + [_sign_up(m.user, a.pk) for m in newcomers])
        c = Counter(results)
        assert c["done"] == 1
        # Whoever ran after the cancel committed may take the freed place; at most one does.
        assert c["confirmed"] <= 1 and c["confirmed"] + c["full"] == len(newcomers)
        assert_exact(a)
        assert a.taken == c["confirmed"]
        assert Signup.objects.get(pk=held.pk).status == "cancelled"


def test_staff_cancel_and_member_cancel_of_the_same_signup(district):
    admin = district.users["fed.admin"]
    for round_no in range(5):
        a = make_activity(district.street_a, title=f"同时取消{round_no}", capacity=2, waitlist_size=2)
        ms = [make_member(district.base_a1, f"会员{round_no}-{i}") for i in range(4)]
        ss = [services.sign_up(actor=m.user, activity_id=a.pk) for m in ms]
        assert [s.status for s in ss] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
        results = race([_staff_cancel(admin, ss[0].pk),
                        lambda s=ss[0], m=ms[0]: services.cancel_signup(actor=m.user, signup_id=s.pk) and "done"])
        # Exactly one of them cancelled it; the other was told it was already cancelled.
        assert Counter(results) == {"done": 1, "cancelled": 1}
        assert_exact(a)
        assert (a.taken, a.waitlisted) == (2, 1)
        assert Signup.objects.get(pk=ss[2].pk).status == "confirmed"  # one promotion, not two
        assert Signup.objects.get(pk=ss[3].pk).status == "waitlisted"


def test_freed_place_goes_to_the_waitlist_not_to_a_racing_newcomer(district):
    admin = district.users["street_a.admin"]
    for round_no in range(5):
        a = make_activity(district.street_a, title=f"候补优先{round_no}", capacity=1, waitlist_size=1)
        holder, waiting = make_member(district.base_a1, f"甲{round_no}"), make_member(district.base_a1, f"乙{round_no}")
        held = services.sign_up(actor=holder.user, activity_id=a.pk)
        queued = services.sign_up(actor=waiting.user, activity_id=a.pk)
        newcomers = [make_member(district.base_a1, f"丙{round_no}-{i}") for i in range(4)]
        results = race([_staff_cancel(admin, held.pk)] + [_sign_up(m.user, a.pk) for m in newcomers])
        c = Counter(results)
        assert c["done"] == 1 and c["confirmed"] == 0  # the place went to 乙, not to a newcomer
        assert c["waitlisted"] <= 1 and c["waitlisted"] + c["full"] == len(newcomers)
        assert Signup.objects.get(pk=queued.pk).status == "confirmed"
        assert_exact(a)
        assert (a.taken, a.waitlisted) == (1, c["waitlisted"])
