"""Check-in codes expire and the door is open only in the activity's check-in window: a stale or pre-expiry
code, a scan before the window or after the activity has ended each get a clear Chinese refusal (never a
500), and a sign-up that was checked in can no longer be cancelled (nor one cancelled be checked in)."""

import datetime as dt
import time

import pytest
from django.core import signing
from django.utils import timezone

from lianxin.activities import services
from lianxin.activities.models import Signup
from lianxin.activities.testing import make_activity, make_activity_at_the_door, make_member
from lianxin.core.errors import ServiceError
from lianxin.core.testing import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


class _IssuedEarlier(signing.TimestampSigner):
    """The production signer with its clock turned back: a code as if shown on the phone ``ago`` seconds ago."""

    def __init__(self, *, ago: int, **kw):
        super().__init__(**kw)
        self.ago = ago

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - self.ago)


def aged_token(signup, ago: int) -> str:
    return _IssuedEarlier(ago=ago, salt=services.CHECKIN_SALT).sign(str(signup.pk))


def test_checkin_window_runs_from_before_the_start_to_the_end(district):
    a = make_activity(district.fed)
    opens, closes = services.checkin_window(a)
    assert opens == a.starts_at - services.checkin_opens_before() and closes == a.ends_at
    second = dt.timedelta(seconds=1)
    assert not services.checkin_open(a, opens - second)
    assert services.checkin_open(a, opens) and services.checkin_open(a, a.starts_at)
    assert services.checkin_open(a, closes)
    assert not services.checkin_open(a, closes + second)


def test_expired_code_is_refused_and_a_fresh_one_accepted(district):
    a = make_activity_at_the_door(district.fed)
    s = services.sign_up(actor=make_member(district.base_a1, "过期码").user, activity_id=a.pk)
    staff = district.users["fed.reviewer"]
    stale = aged_token(s, services.checkin_code_ttl() + 60)
    r = services.check_in(actor=staff, token=stale, activity_id=a.pk)
    assert not r.ok and r.message == services.CHECKIN_EXPIRED == "签到码已过期，请会员刷新手机上的活动页面后重新出示"
    s.refresh_from_db()
    assert s.checked_in_at is None
    # Shown a few minutes ago, still inside its lifetime: accepted.
    r = services.check_in(actor=staff, token=aged_token(s, services.checkin_code_ttl() // 2), activity_id=a.pk)
    assert r.ok and r.message == "签到成功"


def test_code_without_issue_time_from_before_expiry_is_refused_as_expired(district):
    a = make_activity_at_the_door(district.fed)
    s = services.sign_up(actor=make_member(district.base_a1).user, activity_id=a.pk)
    legacy = signing.Signer(salt=services.CHECKIN_SALT).sign(str(s.pk))  # the old, never-expiring format
    r = services.check_in(actor=district.users["fed.admin"], token=legacy)
    assert not r.ok and r.message == services.CHECKIN_EXPIRED
    # A code signed with another key or salt is not "expired" but invalid.
    assert services.check_in(actor=district.users["fed.admin"],
                             token=signing.TimestampSigner(salt="other").sign(str(s.pk))).message == "无效的签到码"
    assert services.check_in(actor=district.users["fed.admin"], token="").message == "无效的签到码"


def test_scan_before_the_window_opens_is_refused_with_the_opening_time(district):
    a = make_activity(district.fed, starts_in=dt.timedelta(days=3))
    s = services.sign_up(actor=make_member(district.base_a1, "早到").user, activity_id=a.pk)
    r = services.check_in(actor=district.users["fed.reviewer"], token=services.checkin_token(s), activity_id=a.pk)
    opens = timezone.localtime(a.starts_at - services.checkin_opens_before())
    assert not r.ok and r.message == f"签到尚未开始，{opens:%m月%d日 %H:%M} 起可签到" and r.name == "早到"
    s.refresh_from_db()
    assert s.checked_in_at is None


def test_scan_after_the_activity_ended_is_refused(district):
    a = make_activity(district.fed)
    s = services.sign_up(actor=make_member(district.base_a1).user, activity_id=a.pk)
    now = timezone.now()
    # The organiser reschedules it to earlier today (it is over): fresh code, closed door.
    services.update_activity(actor=ROOT, activity=a, signup_opens_at=now - dt.timedelta(days=2),
                             signup_closes_at=now - dt.timedelta(days=1), starts_at=now - dt.timedelta(hours=3),
                             ends_at=now - dt.timedelta(minutes=1))
    r = services.check_in(actor=district.users["fed.reviewer"], token=services.checkin_token(s), activity_id=a.pk)
    assert not r.ok and r.message == "活动已结束，签到已关闭"
    assert Signup.objects.get(pk=s.pk).checked_in_at is None


def test_checkin_page_shows_refusals_never_a_500(client, district):
    a = make_activity(district.fed, starts_in=dt.timedelta(days=2))
    s = services.sign_up(actor=make_member(district.base_a1, "扫码人").user, activity_id=a.pk)
    client.force_login(district.users["fed.reviewer"])
    page = client.get(f"/console/activities/checkin/?activity={a.pk}").content.decode()
    assert "当前不在签到时间内" in page
    for token, message in ((services.checkin_token(s), "签到尚未开始"),
                           (aged_token(s, services.checkin_code_ttl() + 1), "签到码已过期"),
                           ("not-a-token", "无效的签到码"), ("1:2:3", "无效的签到码")):
        r = client.post(f"/console/activities/checkin/?activity={a.pk}", {"token": token, "activity": a.pk})
        assert r.status_code == 200 and message in r.content.decode(), token


def test_member_sees_the_code_only_while_the_door_is_open(client, district):
    later = make_activity(district.fed, title="三天后的活动", starts_in=dt.timedelta(days=3))
    now_on = make_activity_at_the_door(district.fed, title="马上开始的活动")
    m = make_member(district.base_a1)
    s_later = services.sign_up(actor=m.user, activity_id=later.pk)
    s_now = services.sign_up(actor=m.user, activity_id=now_on.pk)
    client.force_login(m.user)
    html = client.get(f"/m/activities/{later.pk}/").content.decode()
    assert 'id="checkin-qr"' not in html and "签到码将于" in html and 'http-equiv="refresh"' not in html
    html = client.get(f"/m/activities/{now_on.pk}/").content.decode()
    assert 'id="checkin-qr"' in html and f'content="{services.checkin_code_ttl() // 6}"' in html
    services.check_in(actor=district.users["fed.admin"], token=services.checkin_token(s_now))
    html = client.get(f"/m/activities/{now_on.pk}/").content.decode()
    assert 'id="checkin-qr"' not in html and "签到</p>" in html and "已于" in html
    assert s_later.status == "confirmed"


def test_checked_in_signup_cannot_be_cancelled_and_cancelled_one_not_checked_in(district):
    a = make_activity_at_the_door(district.fed, capacity=2)
    m1, m2 = make_member(district.base_a1, "已签到"), make_member(district.base_a1, "被取消")
    s1 = services.sign_up(actor=m1.user, activity_id=a.pk)
    s2 = services.sign_up(actor=m2.user, activity_id=a.pk)
    staff = district.users["fed.admin"]
    assert services.check_in(actor=staff, token=services.checkin_token(s1)).ok
    with pytest.raises(ServiceError) as e:
        services.cancel_signup(actor=m1.user, signup_id=s1.pk)
    assert e.value.code == "checked_in" and e.value.message == "该会员已签到，不能取消报名"
    with pytest.raises(ServiceError):
        services.staff_cancel_signup(actor=staff, signup_id=s1.pk, reason="误报名")
    token = services.checkin_token(s2)
    services.staff_cancel_signup(actor=staff, signup_id=s2.pk, reason="重复报名")
    r = services.check_in(actor=staff, token=token)
    assert not r.ok and r.message == "该报名已取消"
    a.refresh_from_db()
    assert a.taken == 1 and Signup.objects.get(pk=s1.pk).status == "confirmed"
