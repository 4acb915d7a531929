"""Home page and 我的: card entry, this month's activities, links to the other teams' pages, my membership,
my activities and my messages."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.activities import services as act
from lianxin.activities.testing import make_activity, make_member
from lianxin.core import notify

pytestmark = pytest.mark.django_db


def soon():
    return dict(starts_at=timezone.now() + dt.timedelta(minutes=30),
                signup_closes_at=timezone.now() + dt.timedelta(minutes=20))


def test_home_for_member_visitor_and_non_member(client, district):
    make_activity(district.street_a, title="白杨夜跑", **soon())
    make_activity(district.street_b, title="下沙夜跑", **soon())
    html = client.get("/m/").content.decode()
    assert "登录" in html and "白杨夜跑" in html  # visitors see what is on
    m = make_member(district.base_a1, "郑洁")
    client.force_login(m.user)
    html = client.get("/m/").content.decode()
    assert "郑洁" in html and "/m/card/" in html and "白杨夜跑" in html and "下沙夜跑" not in html
    for link in ("/m/news/", "/m/my/applications/", "/m/my/bookings/", "/m/activities/"):
        assert f'href="{link}' in html
    client.force_login(User.objects.create_user(username="w2"))
    assert "申请入会" in client.get("/m/").content.decode()


def test_me_lists_membership_activities_and_messages(client, district):
    a = make_activity(district.fed, title="工匠沙龙", capacity=1, waitlist_size=1)
    m1, m2 = make_member(district.base_a1, "甲"), make_member(district.base_a1, "乙")
    s1 = act.sign_up(actor=m1.user, activity_id=a.pk)
    act.sign_up(actor=m2.user, activity_id=a.pk)
    act.cancel_signup(actor=m1.user, signup_id=s1.pk)
    notify.enqueue(channel="inapp", user=m2.user, template="t", title="欢迎", body="欢迎使用", dedupe_key="w:1")
    client.force_login(m2.user)
    html = client.get("/m/me/").content.decode()
    assert m2.membership.member_no in html and "工匠沙龙" in html and "报名成功" in html
    assert "候补成功" in html and "欢迎使用" in html
    assert 'href="/m/my/applications/"' in html and 'href="/m/my/bookings/"' in html
    assert client.get("/m/me/").status_code == 200
    client.logout()
    assert client.get("/m/me/")["Location"].startswith("/m/login/")


def test_home_announces_next_month_when_this_month_runs_dry(client, district):
    from zoneinfo import ZoneInfo

    today = timezone.localdate()
    nxt = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=3)
    make_activity(district.fed, title="下月登山", starts_at=dt.datetime(nxt.year, nxt.month, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    client.force_login(make_member(district.base_a1).user)
    html = client.get("/m/").content.decode()
    assert f"{nxt.month}月预告" in html and "下月登山" in html


def test_home_names_what_waits_for_the_member(client, district):
    """需要您处理: an application returned for correction and a draft never submitted lead to the application,
    unread messages to 我的消息; once resubmitted (and read) the card is gone; other people's never show."""
    from lianxin.workflow import services as wf
    from lianxin.workflow.tests.helpers import join_data, worker

    d = district
    u, other = worker("w-home"), worker("w-other")
    app = wf.create_application(actor=u, programme="join", data=join_data(d, n=611, job="临时"), submit=True)
    # a second open application in the same account (joining allows one per account, so it is filed from another
    # and handed over: the card lists every application that waits, of whatever programme)
    draft = wf.create_application(actor=worker("w-draft"), programme="join", data=join_data(d, n=612), submit=False)
    type(draft).objects.filter(pk=draft.pk).update(applicant=u)
    wf.create_application(actor=other, programme="join", data=join_data(d, n=613), submit=False)
    client.force_login(u)
    html = client.get("/m/").content.decode()
    assert 'id="waiting-on-me"' in html and f"/m/my/applications/{draft.pk}/" in html and "草稿未提交" in html
    assert f"/m/my/applications/{app.pk}/" not in html  # submitted: it waits for the union, not for them
    wf.decide(actor=d.users["base_a1.reviewer"], step_id=app.steps.get().pk, decision="returned",
              comment="岗位请写具体", fields=["job"])
    html = client.get("/m/").content.decode()
    assert f'href="/m/my/applications/{app.pk}/"><span class="m-tag m-unread">退回补正</span>' in html
    assert 'id="unread-link"' in html  # the return came as a message too
    client.post(f"/m/my/applications/{app.pk}/", {"job": "数控车工", "action": "submit"})
    client.post("/m/messages/read/")
    html = client.get("/m/").content.decode()
    assert f"/m/my/applications/{app.pk}/" not in html and 'id="unread-link"' not in html
    assert f"/m/my/applications/{draft.pk}/" in html  # the draft still waits for them
    client.force_login(other)
    assert f"/m/my/applications/{draft.pk}/" not in client.get("/m/").content.decode()


def test_a_pending_join_is_named_where_join_was_offered(client, district):
    """After 申请入会 the home, 我的 and the card page name the application (its state and number, linked) instead
    of offering to join again; once it is rejected they offer it again."""
    from lianxin.workflow import services as wf
    from lianxin.workflow.tests.helpers import join_data, worker

    d, u = district, worker("w-join")
    client.force_login(u)
    for url in ("/m/", "/m/me/", "/m/card/"):
        assert 'href="/m/join/"' in client.get(url).content.decode(), url
    app = wf.create_application(actor=u, programme="join", data=join_data(d, n=621), submit=True)
    for url in ("/m/", "/m/me/", "/m/card/"):
        html = client.get(url).content.decode()
        assert 'id="join-pending"' in html and app.number in html and app.get_state_display() in html, url
        assert f'href="/m/my/applications/{app.pk}/"' in html and 'href="/m/join/"' not in html, url
    wf.decide(actor=d.users["base_a1.reviewer"], step_id=app.steps.get().pk, decision="rejected", comment="不符")
    assert 'href="/m/join/"' in client.get("/m/").content.decode()
