"""Member pages (calendar, detail, sign-up, cancel), the JSON API with session or member token, and the
staff console (publish through the form, scope)."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.activities.api import member_token
from lianxin.activities.models import Activity, Signup
from lianxin.activities.testing import make_activity, make_activity_at_the_door, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_calendar_shows_only_my_audience(client, district):
    month = (timezone.localtime(timezone.now()) + dt.timedelta(days=7)).strftime("%Y-%m")
    mine = make_activity(district.street_a, title="白杨读书会")
    make_activity(district.street_b, title="下沙篮球赛")
    make_activity(district.fed, title="女职工插花", for_women=True)
    m = make_member(district.base_a1)
    client.force_login(m.user)
    html = client.get(f"/m/activities/?month={month}").content.decode()
    assert "白杨读书会" in html and "下沙篮球赛" not in html and "女职工插花" not in html
    assert client.get(f"/m/activities/{mine.pk}/").status_code == 200
    assert client.get("/m/activities/?month=2026-13").status_code == 302


def test_signup_and_cancel_through_pages(client, district):
    a = make_activity_at_the_door(district.fed, capacity=1, waitlist_size=1)
    m1, m2 = make_member(district.base_a1, "甲"), make_member(district.base_a1, "乙")
    client.force_login(m1.user)
    client.post(f"/m/activities/{a.pk}/signup/")
    html = client.get(f"/m/activities/{a.pk}/").content.decode()
    assert "报名成功" in html and 'id="checkin-qr"' in html and "<svg" in html  # check-in QR, door open now
    assert 'http-equiv="refresh"' in html  # the code on the phone renews itself
    client.force_login(m2.user)
    client.post(f"/m/activities/{a.pk}/signup/")
    assert "候补第 1 位" in client.get(f"/m/activities/{a.pk}/").content.decode()
    client.force_login(m1.user)
    s = Signup.objects.get(person=m1.person)
    client.post(f"/m/signups/{s.pk}/cancel/")
    assert Signup.objects.get(person=m2.person).status == "confirmed"


def test_the_signup_button_shows_only_while_signup_is_open(client, district):
    """Before sign-up opens, after it closes and once the activity is over the page says so instead of offering
    a button the service would refuse (a full, ended activity offered 报名候补, then said 报名已截止)."""
    now = timezone.now()
    m = make_member(district.base_a1, "丙")
    client.force_login(m.user)
    cases = (
        (make_activity(district.fed, title="尚未开始报名", signup_opens_at=now + dt.timedelta(days=1)), "报名将于"),
        (make_activity(district.fed, title="报名已截止", starts_in=dt.timedelta(minutes=30),
                       signup_closes_at=now - dt.timedelta(minutes=1)), "截止"),
        (make_activity(district.fed, title="已经结束", starts_at=now - dt.timedelta(hours=3),
                       signup_opens_at=now - dt.timedelta(days=2), signup_closes_at=now - dt.timedelta(hours=4)),
         "活动已结束"),
    )
    for a, words in cases:
        html = client.get(f"/m/activities/{a.pk}/").content.decode()
        assert 'id="signup-btn"' not in html and 'id="signup-closed"' in html and words in html, a.title
    open_one = make_activity(district.fed, title="正在报名", capacity=1)
    assert 'id="signup-btn"' in client.get(f"/m/activities/{open_one.pk}/").content.decode()


def test_anonymous_is_sent_to_login(client, district):
    a = make_activity(district.fed)
    r = client.post(f"/m/activities/{a.pk}/signup/")
    assert r.status_code == 302 and r["Location"].startswith("/m/login/")


def test_api_with_member_token(client, district):
    a = make_activity(district.fed, capacity=1)
    m1, m2 = make_member(district.base_a1, "甲"), make_member(district.base_a1, "乙")
    h1 = {"Authorization": f"Bearer {member_token(m1.user)}"}
    r = client.post(f"/api/v1/activities/{a.pk}/signup", headers=h1)
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    r = client.post(f"/api/v1/activities/{a.pk}/signup", headers=h1)
    assert r.status_code == 400 and r.json()["detail"] == "您已报名该活动"
    r = client.post(f"/api/v1/activities/{a.pk}/signup", headers={"Authorization": f"Bearer {member_token(m2.user)}"})
    assert r.status_code == 400 and r.json()["code"] == "full"
    r = client.post(f"/api/v1/activities/{a.pk}/signup", headers={"Authorization": "Bearer forged"})
    assert r.status_code == 401
    assert client.get("/api/v1/activities/", headers=h1).json()[0]["places_left"] == 0
    sid = Signup.objects.get(person=m1.person).pk
    assert client.post(f"/api/v1/activities/signups/{sid}/cancel", headers=h1).json()["status"] == "cancelled"


def test_api_token_from_session(client, district):
    m = make_member(district.base_a1)
    client.force_login(m.user)
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=False)
    csrf_client.force_login(m.user)
    r = csrf_client.post("/api/v1/activities/token")
    assert r.status_code == 200 and r.json()["token"]


def test_console_publish_and_scope(client, district):
    client.force_login(district.users["street_a.admin"])
    r = client.post("/console/activities/new/", {
        "org": district.street_a.pk, "title": "劳模进企业宣讲", "venue": "白杨街道会议室",
        "starts_at": "2030-05-10T14:00", "ends_at": "2030-05-10T16:00", "signup_opens_at": "2030-05-01T09:00",
        "signup_closes_at": "2030-05-09T18:00", "capacity": 50, "waitlist_size": 10, "publish": "1"})
    assert r.status_code == 302, r.content.decode()[:2000]
    a = Activity.objects.get(title="劳模进企业宣讲")
    assert a.status == "published" and timezone.localtime(a.starts_at).hour == 14
    assert "劳模进企业宣讲" in client.get("/console/activities/").content.decode()
    assert client.get(f"/console/activities/{a.pk}/").status_code == 200
    client.force_login(district.users["street_b.admin"])
    assert client.get(f"/console/activities/{a.pk}/").status_code == 404
    assert "劳模进企业宣讲" not in client.get("/console/activities/").content.decode()
    r = client.post("/console/activities/new/", {
        "org": district.street_a.pk, "title": "越权", "venue": "x", "starts_at": "2030-05-10T14:00",
        "ends_at": "2030-05-10T16:00", "signup_opens_at": "2030-05-01T09:00",
        "signup_closes_at": "2030-05-09T18:00", "capacity": 5, "waitlist_size": 0})
    assert r.status_code == 200 and not Activity.objects.filter(title="越权").exists()
    client.force_login(district.users["fed.admin"])
    assert district.street_a.name in client.get("/console/activities/stats/").content.decode()


def test_back_office_lists_are_scoped(client, district):
    make_activity(district.street_a, title="白杨街道插花")
    make_activity(district.street_b, title="下沙街道插花")
    client.force_login(district.users["street_a.viewer"])
    html = client.get("/admin/activities/activity/").content.decode()
    assert "白杨街道插花" in html and "下沙街道插花" not in html
    other = Activity.objects.get(title="下沙街道插花")
    assert client.get(f"/admin/activities/activity/{other.pk}/change/").status_code == 404


def test_member_token_dies_at_logout(client, district):
    """Activities' API accepts the portal's member tokens, so logging out on the phone revokes them here too
    (all of that member's tokens; another member's keep working)."""
    a = make_activity(district.fed, capacity=5)
    m1, m2 = make_member(district.base_a1, "甲"), make_member(district.base_a1, "乙")
    h1 = {"Authorization": f"Bearer {member_token(m1.user)}"}
    h2 = {"Authorization": f"Bearer {member_token(m2.user)}"}
    assert client.get("/api/v1/activities/", headers=h1).status_code == 200
    client.force_login(m1.user)
    client.post("/m/logout/")
    r = client.post(f"/api/v1/activities/{a.pk}/signup", headers=h1)
    assert r.status_code == 401 and r.json()["detail"] == "登录已失效，请重新登录"
    assert client.post(f"/api/v1/activities/{a.pk}/signup", headers=h2).json()["status"] == "confirmed"
    assert not Signup.objects.filter(person=m1.person).exists()
