"""Sign-up rules on one connection: capacity, waitlist, one per member, window, audience, monthly limit,
cancellation and automatic promotion. Concurrency is in test_signup_concurrency.py (PostgreSQL)."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.activities import services
from lianxin.activities.models import Activity, MonthlyTally, Signup
from lianxin.activities.testing import make_activity, make_member
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import Notification
from lianxin.core.testing import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def refused(code, fn, **kw):
    with pytest.raises(ServiceError) as e:
        fn(**kw)
    assert e.value.code == code, e.value.message
    return e.value


def test_capacity_then_waitlist_then_full(district):
    a = make_activity(district.fed, capacity=2, waitlist_size=1)
    ms = [make_member(district.base_a1, f"会员{i}") for i in range(4)]
    st = [services.sign_up(actor=m.user, activity_id=a.pk).status for m in ms[:3]]
    assert st == ["confirmed", "confirmed", "waitlisted"]
    e = refused("full", services.sign_up, actor=ms[3].user, activity_id=a.pk)
    assert "名额已满" in e.message
    a.refresh_from_db()
    assert (a.taken, a.waitlisted) == (2, 1)
    assert Signup.objects.filter(activity=a).count() == 3


def test_one_live_signup_per_member_and_redo_after_cancel(district):
    a = make_activity(district.fed, capacity=5)
    m = make_member(district.base_a1)
    s = services.sign_up(actor=m.user, activity_id=a.pk)
    refused("duplicate", services.sign_up, actor=m.user, activity_id=a.pk)
    services.cancel_signup(actor=m.user, signup_id=s.pk)
    again = services.sign_up(actor=m.user, activity_id=a.pk)
    assert again.pk != s.pk and again.status == "confirmed"
    a.refresh_from_db()
    assert a.taken == 1


def test_cancel_promotes_earliest_waitlisted_and_tells_them(district):
    a = make_activity(district.fed, capacity=1, waitlist_size=5)
    first, second, third = (make_member(district.base_a1, n) for n in ("甲", "乙", "丙"))
    s1 = services.sign_up(actor=first.user, activity_id=a.pk)
    s2 = services.sign_up(actor=second.user, activity_id=a.pk)
    s3 = services.sign_up(actor=third.user, activity_id=a.pk)
    assert (s2.status, s3.status) == ("waitlisted", "waitlisted")
    services.cancel_signup(actor=first.user, signup_id=s1.pk)
    s2.refresh_from_db()
    s3.refresh_from_db()
    assert s2.status == "confirmed" and s2.promoted_at is not None
    assert s3.status == "waitlisted"
    a.refresh_from_db()
    assert (a.taken, a.waitlisted) == (1, 1)
    note = Notification.objects.get(user=second.user, template="activity_promoted")
    assert a.title in note.title


def test_cancel_without_waitlist_returns_the_place(district):
    a = make_activity(district.fed, capacity=1)
    m1, m2 = make_member(district.base_a1, "甲"), make_member(district.base_a1, "乙")
    s = services.sign_up(actor=m1.user, activity_id=a.pk)
    refused("full", services.sign_up, actor=m2.user, activity_id=a.pk)
    services.cancel_signup(actor=m1.user, signup_id=s.pk)
    assert services.sign_up(actor=m2.user, activity_id=a.pk).status == "confirmed"
    refused("cancelled", services.cancel_signup, actor=m1.user, signup_id=s.pk)


def test_cancelling_a_waitlisted_signup_frees_a_waitlist_place(district):
    a = make_activity(district.fed, capacity=1, waitlist_size=1)
    m1, m2, m3 = (make_member(district.base_a1, n) for n in ("甲", "乙", "丙"))
    services.sign_up(actor=m1.user, activity_id=a.pk)
    w = services.sign_up(actor=m2.user, activity_id=a.pk)
    refused("full", services.sign_up, actor=m3.user, activity_id=a.pk)
    services.cancel_signup(actor=m2.user, signup_id=w.pk)
    assert services.sign_up(actor=m3.user, activity_id=a.pk).status == "waitlisted"


def test_someone_elses_signup_cannot_be_cancelled(district):
    a = make_activity(district.fed, capacity=3)
    m1, m2 = make_member(district.base_a1, "甲"), make_member(district.base_a1, "乙")
    s = services.sign_up(actor=m1.user, activity_id=a.pk)
    refused("not_found", services.cancel_signup, actor=m2.user, signup_id=s.pk)


def test_signup_window_and_status(district):
    m = make_member(district.base_a1)
    now = timezone.now()
    later = make_activity(district.fed, signup_opens_at=now + dt.timedelta(days=1))
    refused("not_open", services.sign_up, actor=m.user, activity_id=later.pk)
    closed = make_activity(district.fed, starts_in=dt.timedelta(days=3),
                           signup_opens_at=now - dt.timedelta(days=2), signup_closes_at=now - dt.timedelta(minutes=1))
    refused("closed", services.sign_up, actor=m.user, activity_id=closed.pk)
    draft = make_activity(district.fed, publish=False)
    refused("not_found", services.sign_up, actor=m.user, activity_id=draft.pk)


def test_audience_is_the_organising_subtree(district):
    a = make_activity(district.street_a)
    inside, outside = make_member(district.base_a1), make_member(district.base_b1)
    assert services.sign_up(actor=inside.user, activity_id=a.pk).status == "confirmed"
    e = refused("not_eligible", services.sign_up, actor=outside.user, activity_id=a.pk)
    assert district.street_a.name in e.message


def test_audience_flags_narrow(district):
    a = make_activity(district.fed, for_women=True, for_migrant=True)
    woman_migrant = make_member(district.base_a1, "李梅", gender="F", is_migrant=True)
    woman = make_member(district.base_a1, "王芳", gender="F")
    man = make_member(district.base_a1, "赵强", is_migrant=True)
    assert services.sign_up(actor=woman_migrant.user, activity_id=a.pk).status == "confirmed"
    assert "农民工" in refused("not_eligible", services.sign_up, actor=woman.user, activity_id=a.pk).message
    assert "女职工" in refused("not_eligible", services.sign_up, actor=man.user, activity_id=a.pk).message


def test_non_members_cannot_sign_up(district):
    from lianxin.accounts.models import User

    a = make_activity(district.fed)
    nobody = User.objects.create_user(username="worker")
    refused("not_member", services.sign_up, actor=nobody, activity_id=a.pk)
    left = make_member(district.base_a1)
    from lianxin.members.services import end_membership

    end_membership(actor=ROOT, membership=left.membership, reason="离职")
    refused("not_member", services.sign_up, actor=left.user, activity_id=a.pk)


def test_monthly_limit_counts_the_activity_month(district):
    m = make_member(district.base_a1)
    base = timezone.now() + dt.timedelta(days=40)
    acts = [make_activity(district.fed, title=f"活动{i}", monthly_limit=2,
                          starts_at=base.replace(day=10) + dt.timedelta(hours=i)) for i in range(3)]
    services.sign_up(actor=m.user, activity_id=acts[0].pk)
    s2 = services.sign_up(actor=m.user, activity_id=acts[1].pk)
    e = refused("monthly_limit", services.sign_up, actor=m.user, activity_id=acts[2].pk)
    assert "2" in e.message
    assert not Signup.objects.filter(activity=acts[2]).exists()
    services.cancel_signup(actor=m.user, signup_id=s2.pk)
    assert services.sign_up(actor=m.user, activity_id=acts[2].pk).status == "confirmed"
    assert MonthlyTally.objects.get(person=m.person).count == 2


def test_refused_signup_leaves_no_trace(district, monkeypatch):
    a = make_activity(district.fed, capacity=1, monthly_limit=1)
    m1, m2 = make_member(district.base_a1, "甲"), make_member(district.base_a1, "乙")
    real_check = services.eligibility_problem

    def someone_else_takes_the_last_place(activity, person, membership):
        # Runs after the service read the row (taken 0): a competitor commits the last place meanwhile,
        # so the early "full" check passes and the conditional UPDATE is what must refuse.
        monkeypatch.setattr(services, "eligibility_problem", real_check)
        services.sign_up(actor=m1.user, activity_id=a.pk)
        return real_check(activity, person, membership)

    monkeypatch.setattr(services, "eligibility_problem", someone_else_takes_the_last_place)
    refused("full", services.sign_up, actor=m2.user, activity_id=a.pk)
    assert not Signup.objects.filter(person=m2.person).exists()
    assert not MonthlyTally.objects.filter(person=m2.person, count__gt=0).exists()
    a.refresh_from_db()
    assert a.taken == 1


def test_staff_publish_only_in_scope_and_validation(district):
    street_admin = district.users["street_a.admin"]
    with pytest.raises(PermissionDenied):
        make_activity_as(street_admin, district.street_b)
    a = make_activity_as(street_admin, district.street_a)
    assert a.status == Activity.Status.PUBLISHED
    with pytest.raises(ServiceError) as e:
        services.update_activity(actor=street_admin, activity=a, capacity=0)
    assert e.value.field == "capacity"
    with pytest.raises(ServiceError) as e:
        make_activity_as(street_admin, district.street_a, ends_at=timezone.now())
    assert e.value.field == "ends_at"
    with pytest.raises(PermissionDenied):
        services.update_activity(actor=district.users["street_a.viewer"], activity=a, title="x")


def make_activity_as(actor, org, **kw):
    now = timezone.now()
    fields = dict(title="工会读书会", venue="职工书屋", starts_at=now + dt.timedelta(days=2),
                  ends_at=now + dt.timedelta(days=2, hours=2), signup_opens_at=now,
                  signup_closes_at=now + dt.timedelta(days=1), capacity=20)
    fields.update(kw)
    return services.create_activity(actor=actor, org=org, publish=True, **fields)


def test_capacity_cannot_drop_below_taken(district):
    a = make_activity(district.fed, capacity=3)
    for i in range(2):
        services.sign_up(actor=make_member(district.base_a1, f"会员{i}").user, activity_id=a.pk)
    with pytest.raises(ServiceError) as e:
        services.update_activity(actor=ROOT, activity=a, capacity=1)
    assert "已报名人数" in e.value.message


def test_cancelling_the_activity_cancels_signups(district):
    a = make_activity(district.fed, capacity=1, waitlist_size=2)
    m1, m2 = make_member(district.base_a1, "甲"), make_member(district.base_a1, "乙")
    services.sign_up(actor=m1.user, activity_id=a.pk)
    services.sign_up(actor=m2.user, activity_id=a.pk)
    services.cancel_activity(actor=ROOT, activity=a, reason="台风停课")
    assert set(Signup.objects.filter(activity=a).values_list("status", flat=True)) == {"cancelled"}
    assert Notification.objects.filter(template="activity_cancelled").count() == 2


def test_womens_committee_activities_reach_the_women_of_its_union(district):
    from lianxin.activities import selectors
    from lianxin.orgs.models import OrgKind
    from lianxin.orgs.services import create_organization

    women = create_organization(actor=ROOT, parent=district.street_a, kind=OrgKind.WOMEN, name="白杨街道妇工委")
    a = make_activity(women, title="三八节插花")
    assert a.for_women
    she, he = make_member(district.base_a1, "王芳", gender="F"), make_member(district.base_a1, "赵强")
    far = make_member(district.base_b1, "李娜", gender="F")
    assert a in selectors.member_activities(she.person, she.membership)
    assert a not in selectors.member_activities(he.person, he.membership)
    assert a not in selectors.member_activities(far.person, far.membership)
    assert services.sign_up(actor=she.user, activity_id=a.pk).status == "confirmed"
    refused("not_eligible", services.sign_up, actor=far.user, activity_id=a.pk)


@pytest.mark.parametrize("activity_id", [0, -1, 2**63, 10**30, "abc", None])
def test_an_activity_id_that_cannot_exist_is_not_found(district, activity_id):
    """The sign-up's hand-written read takes no id the database could not hold (past bigint the SQLite driver
    raises OverflowError, which would be a 500): such an id, like any unknown one, is 活动不存在."""
    member = make_member(district.base_a1, "王芳")
    with pytest.raises(ServiceError) as e:
        services.sign_up(actor=member.user, activity_id=activity_id)
    assert e.value.code == "not_found"
