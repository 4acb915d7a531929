"""我的消息 on the member site: the newest five on 我的 with the unread count, every message on /m/messages/ (20 a
page, unread marked), opening one marks it read and leads to the page it is about, 全部标为已读; a member sees
only their own messages; each kind of message leads to a member page that exists."""

import pytest
from django.urls import Resolver404, resolve

from lianxin.accounts.models import User
from lianxin.activities import services as act
from lianxin.activities.testing import make_activity, make_member
from lianxin.core import notify
from lianxin.core.models import Notification
from lianxin.portal import selectors
from lianxin.portal.selectors import _BY_ID, _SECTION

pytestmark = pytest.mark.django_db


def tell(user, template, title, *, key, **context):
    return notify.enqueue(channel="inapp", user=user, template=template, title=title, body=f"{title}的详情",
                          dedupe_key=key, context=context)


def page_of(url):
    try:
        return resolve(url.split("#")[0])
    except Resolver404:
        return None


def test_every_kind_of_message_leads_to_a_member_page():
    for prefix, (_key, pattern, fallback) in _BY_ID.items():
        assert page_of(pattern.format(7)) and page_of(fallback), prefix
    for prefix, url in _SECTION.items():
        assert url.startswith("/m/") and page_of(url), prefix
    n = Notification(template="workflow_decision", context={"application": 12})
    assert selectors.message_link(n) == "/m/my/applications/12/"
    for bad in ({}, {"application": "12; DROP"}, {"application": True}):
        assert selectors.message_link(Notification(template="workflow_decision", context=bad)) == "/m/my/applications/"
    assert selectors.message_link(Notification(template="party_dues")) == "/m/party/"
    assert selectors.message_link(Notification(template="t")) == ""


def test_an_activity_message_names_its_activity(district):
    a = make_activity(district.fed, title="工匠沙龙", capacity=1, waitlist_size=1)
    m1, m2 = make_member(district.base_a1, "甲"), make_member(district.base_a1, "乙")
    s1 = act.sign_up(actor=m1.user, activity_id=a.pk)
    act.sign_up(actor=m2.user, activity_id=a.pk)
    act.cancel_signup(actor=m1.user, signup_id=s1.pk)  # m2 is promoted from the waitlist and told
    n = Notification.objects.get(user=m2.user, template="activity_promoted")
    assert n.context == {"activity": a.pk} and selectors.message_link(n) == f"/m/activities/{a.pk}/"


def test_me_inbox_open_and_mark_all_read(client, district):
    m = make_member(district.base_a1, "郑洁")
    other = make_member(district.base_a1, "王强")
    for i in range(23):
        tell(m.user, "party_dues", f"党费提醒{i:02d}", key=f"m:{i}")
    decided = tell(m.user, "workflow_decision", "申请已办结", key="m:app", application=41)
    theirs = tell(other.user, "t", "别人的消息", key="o:1")
    client.force_login(m.user)

    me = client.get("/m/me/").content.decode()
    assert "24 条未读" in me and "申请已办结" in me and "党费提醒22" in me and "党费提醒18" not in me  # the newest 5
    assert 'href="/m/messages/"' in me and f'href="/m/messages/{decided.pk}/"' in me and "别人的消息" not in me

    first = client.get("/m/messages/").content.decode()
    assert first.count('class="m-message unread"') == 20 and 'id="read-all"' in first and "下一页" in first
    second = client.get("/m/messages/?page=2").content.decode()
    assert second.count('class="m-message unread"') == 4 and "党费提醒00" in second

    opened = client.get(f"/m/messages/{decided.pk}/")
    html = opened.content.decode()
    assert opened.status_code == 200 and "申请已办结的详情" in html
    assert 'id="message-link"' in html and 'href="/m/my/applications/41/"' in html
    decided.refresh_from_db()
    first_read = decided.read_at
    assert first_read is not None
    client.get(f"/m/messages/{decided.pk}/")  # opening it again keeps the first reading time
    decided.refresh_from_db()
    assert decided.read_at == first_read
    assert "23 条未读" in client.get("/m/me/").content.decode()

    assert client.get(f"/m/messages/{theirs.pk}/").status_code == 404  # someone else's: as if it did not exist
    theirs.refresh_from_db()
    assert theirs.read_at is None

    assert client.get("/m/messages/read/").status_code == 405
    done = client.post("/m/messages/read/")
    assert done.status_code == 302 and done["Location"] == "/m/messages/"
    assert [str(x) for x in done.wsgi_request._messages] == ["已将 23 条消息标为已读"]
    assert selectors.unread_count(m.user) == 0 and selectors.unread_count(other.user) == 1
    html = client.get("/m/messages/").content.decode()
    assert 'class="m-message unread"' not in html and 'id="read-all"' not in html and "未读" not in html
    again = client.post("/m/messages/read/", follow=True)
    assert "没有未读消息" in again.content.decode()


def test_messages_need_sign_in_and_an_empty_inbox_says_so(client):
    assert client.get("/m/messages/")["Location"].startswith("/m/login/")
    assert client.post("/m/messages/read/")["Location"].startswith("/m/login/")
    client.force_login(User.objects.create_user(username="w1"))  # signed in, not yet a member
    html = client.get("/m/messages/").content.decode()
    assert "暂无消息" in html and 'id="read-all"' not in html
