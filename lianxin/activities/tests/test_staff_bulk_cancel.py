"""Staff cancel several sign-ups of one activity at once (取消勾选的报名): one reason, all or none, waitlisted ones
first so nobody in the batch is promoted and then cancelled, each member told and each cancellation audited as the
single one is; on PostgreSQL a batch racing members' own cancellations and sign-ups keeps the quota exact."""

import pytest

from lianxin.activities import services
from lianxin.activities.models import Signup
from lianxin.activities.testing import make_activity, make_member
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.core.testing import race


def bulk(actor, a, signups, reason="活动场地调整"):
    return services.staff_cancel_signups(actor=actor, activity_id=a.pk, signup_ids=[s.pk for s in signups],
                                         reason=reason)


@pytest.mark.django_db
@pytest.mark.pg
class TestBulkCancel:
    def test_a_batch_of_a_confirmed_and_a_waitlisted_promotes_the_one_left_outside_it(self, district, full):
        a, ms, ss = full
        done = bulk(district.users["street_a.admin"], a, [ss["甲"], ss["乙"]])
        assert [s.person.name for s in done] == ["乙", "甲"]  # the waitlisted one first
        statuses = dict(Signup.objects.filter(activity=a).values_list("person__name", "status"))
        assert statuses == {"甲": "cancelled", "乙": "cancelled", "丙": "confirmed"}
        a.refresh_from_db()
        assert (a.taken, a.waitlisted) == (1, 0)
        assert done[1].promoted.person.name == "丙"
        # 乙 was never promoted: told of the cancellation only
        assert not Notification.objects.filter(user=ms["乙"].user, template="activity_promoted").exists()
        for n in ("甲", "乙"):
            told = Notification.objects.get(user=ms[n].user, template="activity_signup_cancelled")
            assert "活动场地调整" in told.body
        assert Notification.objects.filter(user=ms["丙"].user, template="activity_promoted").count() == 1
        assert AuditEntry.objects.filter(action="activity.signup_cancel", reason="活动场地调整").count() == 2

    def test_one_that_cannot_be_cancelled_refuses_the_whole_batch(self, district, full):
        a, ms, ss = full
        admin = district.users["street_a.admin"]
        services.cancel_signup(actor=ms["丙"].user, signup_id=ss["丙"].pk)
        with pytest.raises(ServiceError) as e:
            bulk(admin, a, [ss["甲"], ss["丙"]])
        assert e.value.code == "cancelled" and "丙" in e.value.message
        other = make_activity(district.street_a, title="别的活动")
        stranger = services.sign_up(actor=make_member(district.base_a1, "丁").user, activity_id=other.pk)
        with pytest.raises(ServiceError) as e:
            bulk(admin, a, [ss["甲"], stranger])
        assert e.value.code == "not_found"
        for ids, code in (([], "none"), (["x"], "none"), (list(range(1, 300)), "too_many")):
            with pytest.raises(ServiceError) as e:
                services.staff_cancel_signups(actor=admin, activity_id=a.pk, signup_ids=ids, reason="原因")
            assert e.value.code == code
        with pytest.raises(ServiceError) as e:
            bulk(admin, a, [ss["甲"]], reason=" ")
        assert e.value.field == "reason"
        assert Signup.objects.get(pk=ss["甲"].pk).status == "confirmed"
        assert not AuditEntry.objects.filter(action="activity.signup_cancel").exists()

    def test_only_administrators_over_the_organiser(self, district, full):
        a, ms, ss = full
        for who in ("base_a1.admin", "street_a.reviewer", "street_b.admin"):
            with pytest.raises(PermissionDenied):
                bulk(district.users[who], a, [ss["甲"]])
        assert Signup.objects.get(pk=ss["甲"].pk).status == "confirmed"

    def test_the_console_form(self, client, district, full):
        a, ms, ss = full
        url = f"/console/activities/{a.pk}/signups/cancel/"
        client.force_login(district.users["street_a.viewer"])
        assert 'id="bulk-cancel"' not in client.get(f"/console/activities/{a.pk}/").content.decode()
        assert client.post(url, {"signup": [ss["甲"].pk], "reason": "原因"}).status_code == 403
        client.force_login(district.users["street_b.admin"])
        assert client.post(url, {"signup": [ss["甲"].pk], "reason": "原因"}).status_code == 404
        client.force_login(district.users["street_a.admin"])
        html = client.get(f"/console/activities/{a.pk}/").content.decode()
        assert 'id="bulk-cancel"' in html and f'name="signup" value="{ss["丙"].pk}" form="bulk-cancel"' in html
        r = client.post(url, {"signup": [ss["甲"].pk, ss["丙"].pk], "reason": ""}, follow=True)
        assert "请填写取消原因" in r.content.decode()
        r = client.post(url, {"signup": [ss["甲"].pk, ss["丙"].pk], "reason": "场地维修"}, follow=True)
        html = r.content.decode()
        assert "已取消 2 条报名" in html and "乙 已递补为正式报名" in html
        assert Signup.objects.filter(activity=a, status="confirmed").get().person.name == "乙"


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_a_batch_racing_members_cancelling_and_signing_up_keeps_the_quota_exact(district):
    a = make_activity(district.street_a, capacity=3, waitlist_size=3)
    ms = [make_member(district.base_a1, f"会员{i}") for i in range(6)]
    ss = [services.sign_up(actor=m.user, activity_id=a.pk) for m in ms]
    late = [make_member(district.base_a1, f"新人{i}") for i in range(3)]
    admin = district.users["street_a.admin"]
    outcome = {}

    def the_batch():
        try:
            outcome["batch"] = len(bulk(admin, a, [ss[0], ss[1], ss[4]]))
        except ServiceError as e:
            outcome["batch"] = e.code

    calls = [the_batch,
             lambda: services.cancel_signup(actor=ms[1].user, signup_id=ss[1].pk),
             lambda: services.cancel_signup(actor=ms[3].user, signup_id=ss[3].pk)]
    calls += [lambda m=m: services.sign_up(actor=m.user, activity_id=a.pk) for m in late]
    race(calls)
    a.refresh_from_db()
    live = Signup.objects.filter(activity=a)
    assert live.filter(status="confirmed").count() == a.taken <= a.capacity
    assert live.filter(status="waitlisted").count() == a.waitlisted <= a.waitlist_size
    # the batch is all or none: either it cancelled its three, or 会员1's own cancellation came first and it
    # was refused whole (会员0 and 会员4 then still live)
    if outcome["batch"] == 3:
        assert {ss[0].pk, ss[1].pk, ss[4].pk} <= set(live.filter(status="cancelled").values_list("pk", flat=True))
    else:
        assert outcome["batch"] == "cancelled"
        assert set(live.filter(pk__in=[ss[0].pk, ss[4].pk]).values_list("status", flat=True)) <= set(Signup.LIVE)
    assert Signup.objects.get(pk=ss[3].pk).status == "cancelled"  # 会员3's own, outside the batch, always lands
    assert Signup.objects.get(pk=ss[1].pk).status == "cancelled"  # by the batch or by 会员1, exactly once
    assert AuditEntry.objects.filter(action="activity.signup_cancel").count() == (3 if outcome["batch"] == 3 else 0)
