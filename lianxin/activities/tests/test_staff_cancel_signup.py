"""Staff cancel a member's sign-up with a reason: only administrators over the organising organisation may;
the place is freed and the waitlist promoted exactly as when the member cancels; the member (and whoever is
promoted) is told in-app; the act is audited."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.activities import services
from lianxin.activities.models import Activity, MonthlyTally, Signup
from lianxin.activities.testing import make_activity, make_member
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.core.testing import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_staff_cancel_frees_the_place_and_promotes_the_waitlist(district, full):
    a, ms, ss = full
    s = services.staff_cancel_signup(actor=district.users["street_a.admin"], signup_id=ss["甲"].pk,
                                     reason="  会员来电要求取消  ")
    assert s.status == "cancelled" and s.cancelled_at is not None and s.promoted.pk == ss["乙"].pk
    a.refresh_from_db()
    assert (a.taken, a.waitlisted) == (1, 1)
    statuses = dict(Signup.objects.filter(activity=a).values_list("person__name", "status"))
    assert statuses == {"甲": "cancelled", "乙": "confirmed", "丙": "waitlisted"}
    assert Signup.objects.get(pk=ss["乙"].pk).promoted_at is not None
    # 甲's monthly count is returned, as when 甲 cancels.
    assert MonthlyTally.objects.get(person=ms["甲"].person).count == 0
    # 甲 is told why; 乙 is told of the promotion (the same message as when a member cancels).
    told = Notification.objects.get(user=ms["甲"].user, template="activity_signup_cancelled")
    assert told.channel == "inapp" and "会员来电要求取消" in told.body and a.title in told.title
    assert Notification.objects.filter(user=ms["乙"].user, template="activity_promoted").count() == 1
    assert not Notification.objects.filter(user=ms["丙"].user).exists()
    entry = AuditEntry.objects.get(action="activity.signup_cancel")
    assert entry.reason == "会员来电要求取消" and entry.object_id == str(ss["甲"].pk)
    assert entry.org_path == district.street_a.path and entry.actor.username == "street_a.admin"
    assert entry.detail["was"] == "confirmed" and entry.detail["promoted_signup"] == ss["乙"].pk


def test_a_member_whose_portal_account_is_closed_is_texted_instead(district, full):
    """Nobody signed up is left untold: without an active portal account the notice goes to the mobile on file
    (as a text, once); members on the portal get it in-app only, never a text as well."""
    from lianxin.core import crypto
    from lianxin.members.services import MOBILE_CTX

    a, ms, ss = full
    ms["甲"].user.is_active = False
    ms["甲"].user.save(update_fields=["is_active"])
    services.cancel_activity(actor=district.users["street_a.admin"], activity=a, reason="场馆检修")
    texts = Notification.objects.filter(template="activity_cancelled", channel="sms")
    assert texts.count() == 1
    sms = texts.get()
    assert crypto.decrypt(sms.recipient_cipher, context="notification.recipient") == crypto.decrypt(
        ms["甲"].person.mobile_cipher, context=MOBILE_CTX)
    assert sms.body.startswith("【连心】") and "场馆检修" in sms.body and sms.user is None
    assert not Notification.objects.filter(user=ms["甲"].user).exists()
    inapp = Notification.objects.filter(template="activity_cancelled", channel="inapp")
    assert set(inapp.values_list("user", flat=True)) == {ms["乙"].user.pk, ms["丙"].user.pk}
    # cancelling again is refused; nothing is sent twice
    with pytest.raises(ServiceError):
        services.cancel_activity(actor=district.users["street_a.admin"], activity=a, reason="场馆检修")
    assert Notification.objects.filter(template="activity_cancelled").count() == 3


def test_staff_cancel_matches_the_members_own_cancellation(district, full):
    """The same sign-ups cancelled once by staff and once by the member leave the same counters."""
    a, ms, ss = full
    twin = make_activity(district.street_a, title="孪生活动", capacity=1, waitlist_size=2)
    twins = {n: services.sign_up(actor=m.user, activity_id=twin.pk) for n, m in ms.items()}
    services.staff_cancel_signup(actor=district.users["street_a.admin"], signup_id=ss["甲"].pk, reason="测试原因")
    services.cancel_signup(actor=ms["甲"].user, signup_id=twins["甲"].pk)
    services.staff_cancel_signup(actor=district.users["street_a.admin"], signup_id=ss["丙"].pk, reason="测试原因")
    services.cancel_signup(actor=ms["丙"].user, signup_id=twins["丙"].pk)
    a.refresh_from_db()
    twin.refresh_from_db()
    assert (a.taken, a.waitlisted) == (twin.taken, twin.waitlisted) == (1, 0)

    def state(act):
        return sorted(Signup.objects.filter(activity=act).values_list("person__name", "status"))

    assert state(a) == state(twin) == [("丙", "cancelled"), ("乙", "confirmed"), ("甲", "cancelled")]


def test_freed_place_with_nobody_waiting_goes_back_to_the_pool(district):
    a = make_activity(district.street_a, capacity=1)
    first, second = make_member(district.base_a1, "甲"), make_member(district.base_a1, "乙")
    s = services.sign_up(actor=first.user, activity_id=a.pk)
    with pytest.raises(ServiceError, match="名额已满"):
        services.sign_up(actor=second.user, activity_id=a.pk)
    assert services.staff_cancel_signup(actor=district.users["fed.admin"], signup_id=s.pk,
                                        reason="不符合报名条件").promoted is None
    assert Activity.objects.get(pk=a.pk).taken == 0
    assert services.sign_up(actor=second.user, activity_id=a.pk).status == "confirmed"


def test_reason_is_required_and_nothing_changes_without_it(district, full):
    a, ms, ss = full
    for reason in ("", "   ", "x", None):
        with pytest.raises(ServiceError) as e:
            services.staff_cancel_signup(actor=district.users["street_a.admin"], signup_id=ss["甲"].pk,
                                         reason=reason)
        assert e.value.field == "reason" and e.value.message == "请填写取消原因"
    with pytest.raises(ServiceError, match="不能超过200字"):
        services.staff_cancel_signup(actor=district.users["street_a.admin"], signup_id=ss["甲"].pk,
                                     reason="原" * 201)
    assert Signup.objects.get(pk=ss["甲"].pk).status == "confirmed"
    assert not AuditEntry.objects.filter(action="activity.signup_cancel").exists()


def test_refusals_cancelled_started_and_wrong_activity(district, full):
    a, ms, ss = full
    admin = district.users["street_a.admin"]
    services.cancel_signup(actor=ms["丙"].user, signup_id=ss["丙"].pk)
    with pytest.raises(ServiceError, match="该报名已取消"):
        services.staff_cancel_signup(actor=admin, signup_id=ss["丙"].pk, reason="重复操作")
    other = make_activity(district.street_a, title="别的活动")
    with pytest.raises(ServiceError, match="未找到该报名"):
        services.staff_cancel_signup(actor=admin, signup_id=ss["甲"].pk, activity_id=other.pk, reason="走错页面")
    with pytest.raises(ServiceError, match="未找到该报名"):
        services.staff_cancel_signup(actor=admin, signup_id=10 ** 9, reason="不存在")
    now = timezone.now()
    services.update_activity(actor=ROOT, activity=a, starts_at=now - dt.timedelta(minutes=5),
                             signup_opens_at=now - dt.timedelta(days=2), signup_closes_at=now - dt.timedelta(hours=1))
    with pytest.raises(ServiceError, match="活动已开始，不能取消报名"):
        services.staff_cancel_signup(actor=admin, signup_id=ss["甲"].pk, reason="来不及了")
    assert Signup.objects.get(pk=ss["甲"].pk).status == "confirmed"


@pytest.mark.parametrize("username", ["street_b.admin", "street_a.viewer", "street_a.reviewer", "street_a.auditor",
                                      "base_a1.admin", "fed.viewer"])
def test_only_admins_over_the_organiser_may_cancel(district, full, username):
    """The member's own union (base_a1) sees the sign-up but does not own the organiser's quota."""
    a, ms, ss = full
    with pytest.raises(PermissionDenied):
        services.staff_cancel_signup(actor=district.users[username], signup_id=ss["甲"].pk, reason="越权取消")
    assert Signup.objects.get(pk=ss["甲"].pk).status == "confirmed"
    assert Activity.objects.get(pk=a.pk).taken == 1


def test_console_page_cancels_with_a_reason(client, district, full):
    a, ms, ss = full
    client.force_login(district.users["fed.admin"])
    html = client.get(f"/console/activities/{a.pk}/").content.decode()
    assert f'action="/console/activities/{a.pk}/signups/{ss["甲"].pk}/cancel/"' in html
    url = f"/console/activities/{a.pk}/signups/{ss['甲'].pk}/cancel/"
    r = client.post(url, {"reason": ""}, follow=True)
    assert "请填写取消原因" in r.content.decode() and Signup.objects.get(pk=ss["甲"].pk).status == "confirmed"
    r = client.post(url, {"reason": "会员重复报名"}, follow=True)
    html = r.content.decode()
    assert r.status_code == 200 and "已取消 甲 的报名" in html and "候补会员 乙 已递补" in html
    assert Signup.objects.get(pk=ss["甲"].pk).status == "cancelled"
    # A sign-up id under another activity's page is not found, and nothing changes.
    other = make_activity(district.street_a, title="别的活动")
    r = client.post(f"/console/activities/{other.pk}/signups/{ss['乙'].pk}/cancel/", {"reason": "走错页面"},
                    follow=True)
    assert "未找到该报名" in r.content.decode() and Signup.objects.get(pk=ss["乙"].pk).status == "confirmed"
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("username, status", [("street_b.admin", 404), ("base_a1.admin", 404),
                                              ("street_a.viewer", 403), ("street_a.reviewer", 403)])
def test_console_refuses_out_of_scope_and_non_admin_staff(client, district, full, username, status):
    a, ms, ss = full
    client.force_login(district.users[username])
    r = client.post(f"/console/activities/{a.pk}/signups/{ss['甲'].pk}/cancel/", {"reason": "越权取消"})
    assert r.status_code == status
    assert Signup.objects.get(pk=ss["甲"].pk).status == "confirmed"


def test_viewers_see_the_list_without_cancel_buttons(client, district, full):
    a, ms, ss = full
    client.force_login(district.users["street_a.viewer"])
    html = client.get(f"/console/activities/{a.pk}/").content.decode()
    assert "甲" in html and "/signups/" not in html and "确认取消" not in html
