"""Staff cancel a member's sign-up through the API (``POST /api/v1/activities/{id}/signups/{id}/cancel`` with
``{"reason": …}``), the same operation as the console's 取消报名 and through the same service: the place goes to
the waitlist, the member is told, the act is audited. Only administrators over the organiser; other staff get
404 (outside the subtree) or 403 (a role that may not); member tokens (401) and members' sessions (403) are
refused; a missing reason and the other rule refusals are Chinese 400s — never a 500."""

import json

import pytest

from lianxin.activities import services
from lianxin.activities.api import member_token
from lianxin.activities.models import Activity, MonthlyTally, Signup
from lianxin.activities.testing import make_activity, make_member
from lianxin.core.models import AuditEntry, Notification

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def _url(a, s):
    return f"/api/v1/activities/{a.pk}/signups/{s.pk}/cancel"


def _post(client, a, s, body=None, **kw):
    data = json.dumps(body) if body is not None else ""
    return client.post(_url(a, s), data=data, content_type="application/json", **kw)


def _state(a):
    a.refresh_from_db()
    return (a.taken, a.waitlisted,
            sorted(Signup.objects.filter(activity=a).values_list("person__name", "status")))


def test_api_cancel_frees_the_place_and_promotes_like_the_console(district, client, full):
    a, ms, ss = full
    client.force_login(district.users["street_a.admin"])
    r = _post(client, a, ss["甲"], {"reason": "  会员来电要求取消  "})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["id"], body["activity_id"], body["person_name"], body["status"]) == (
        ss["甲"].pk, a.pk, "甲", "cancelled")
    assert body["promoted_signup_id"] == ss["乙"].pk and body["promoted_person_name"] == "乙"
    assert body["cancelled_at"]
    assert _state(a) == (1, 1, [("丙", "waitlisted"), ("乙", "confirmed"), ("甲", "cancelled")])
    assert MonthlyTally.objects.get(person=ms["甲"].person).count == 0
    told = Notification.objects.get(user=ms["甲"].user, template="activity_signup_cancelled")
    assert "会员来电要求取消" in told.body
    assert Notification.objects.filter(user=ms["乙"].user, template="activity_promoted").count() == 1
    entry = AuditEntry.objects.get(action="activity.signup_cancel")
    assert (entry.reason, entry.object_id, entry.org_path, entry.actor.username) == (
        "会员来电要求取消", str(ss["甲"].pk), district.street_a.path, "street_a.admin")
    assert entry.detail["was"] == "confirmed" and entry.detail["promoted_signup"] == ss["乙"].pk

    # the same two cancellations through the console page leave a twin activity in the same state
    twin = make_activity(district.street_a, title="孪生活动", capacity=1, waitlist_size=2, monthly_limit=3)
    twins = {n: services.sign_up(actor=m.user, activity_id=twin.pk) for n, m in ms.items()}
    r = client.post(f"/console/activities/{twin.pk}/signups/{twins['甲'].pk}/cancel/", {"reason": "会员来电要求取消"})
    assert r.status_code == 302
    assert _post(client, a, ss["丙"], {"reason": "重复报名"}).json()["promoted_signup_id"] is None
    client.post(f"/console/activities/{twin.pk}/signups/{twins['丙'].pk}/cancel/", {"reason": "重复报名"})
    assert _state(a) == _state(twin) == (1, 0, [("丙", "cancelled"), ("乙", "confirmed"), ("甲", "cancelled")])
    assert AuditEntry.objects.filter(action="activity.signup_cancel").count() == 4

    # a second cancellation of the same sign-up is a Chinese 400
    r = _post(client, a, ss["甲"], {"reason": "再取消一次"})
    assert r.status_code == 400 and r.json()["detail"] == "该报名已取消" and r.json()["code"] == "cancelled"


def test_out_of_scope_and_lesser_roles_are_refused(district, client, full):
    a, ms, ss = full
    before = _state(a)
    for username, status in (("street_b.admin", 404),  # another street: the activity does not exist for them
                             ("base_a1.admin", 404),  # the member's own union: sees the sign-up, not the quota
                             ("street_a.viewer", 403), ("street_a.reviewer", 403),
                             ("fed.viewer", 403), ("fed.auditor", 403)):
        c = client.__class__()
        c.force_login(district.users[username])
        r = _post(c, a, ss["甲"], {"reason": "越权取消"})
        assert r.status_code == status, (username, r.status_code, r.content)
        assert r.json()["detail"] in ("未找到", "无权进行此操作"), username
    assert _state(a) == before
    assert not AuditEntry.objects.filter(action="activity.signup_cancel").exists()
    assert not Notification.objects.filter(template="activity_signup_cancelled").exists()
    # an administrator above the organiser may
    client.force_login(district.users["fed.admin"])
    assert _post(client, a, ss["甲"], {"reason": "上级取消"}).status_code == 200


def test_member_tokens_and_member_sessions_are_refused(district, client, full):
    a, ms, ss = full
    before = _state(a)
    token = {"Authorization": f"Bearer {member_token(ms['甲'].user)}"}
    assert client.get("/api/v1/activities/", headers=token).status_code == 200  # a good member token
    r = _post(client, a, ss["甲"], {"reason": "我自己取消"}, headers=token)
    assert r.status_code == 401
    r = _post(client, a, ss["甲"], {"reason": "匿名取消"})
    assert r.status_code == 401
    client.force_login(ms["甲"].user)  # a member signed in on the H5 pages
    r = _post(client, a, ss["乙"], {"reason": "替别人取消"})
    assert r.status_code == 403 and r.json()["detail"] == "仅限工作人员操作"
    assert _state(a) == before


def test_staff_session_needs_the_second_factor(district, client, full, settings):
    a, ms, ss = full
    settings.LIANXIN_STAFF_OTP = "required"
    client.force_login(district.users["street_a.admin"])  # password only
    r = _post(client, a, ss["甲"], {"reason": "未验证"})
    assert r.status_code == 403 and r.json()["code"] == "otp_required"
    assert Signup.objects.get(pk=ss["甲"].pk).status == "confirmed"


def test_missing_reason_and_bad_requests_are_chinese_400_or_404(district, client, full):
    a, ms, ss = full
    client.force_login(district.users["street_a.admin"])
    before = _state(a)
    for body in (None, {}, {"reason": ""}, {"reason": "   "}, {"reason": "好"}):
        r = _post(client, a, ss["甲"], body)
        assert r.status_code == 400, (body, r.status_code, r.content)
        assert r.json() == {"detail": "请填写取消原因", "field": "reason", "code": "reason"}, body
    r = _post(client, a, ss["甲"], {"reason": "长" * 201})
    assert r.status_code == 400 and r.json()["detail"] == "取消原因不能超过200字"
    r = client.post(_url(a, ss["甲"]), data="{not json", content_type="application/json")
    assert 400 <= r.status_code < 500
    r = _post(client, a, ss["甲"], {"reason": ["列表"]})
    assert r.status_code == 422
    assert _state(a) == before

    other = make_activity(district.street_a, title="另一活动")
    elsewhere = services.sign_up(actor=make_member(district.base_a1, "丁").user, activity_id=other.pk)
    r = _post(client, a, elsewhere, {"reason": "张冠李戴"})  # a sign-up of another activity
    assert r.status_code == 404 and r.json()["detail"] == "未找到该报名"
    assert Signup.objects.get(pk=elsewhere.pk).status == "confirmed"
    r = client.post(f"/api/v1/activities/{a.pk}/signups/999999/cancel", data='{"reason": "不存在"}',
                    content_type="application/json")
    assert r.status_code == 404
    r = client.post(f"/api/v1/activities/999999/signups/{ss['甲'].pk}/cancel", data='{"reason": "不存在"}',
                    content_type="application/json")
    assert r.status_code == 404 and r.json()["detail"] == "未找到"
    assert client.get(_url(a, ss["甲"])).status_code == 405
    assert Activity.objects.get(pk=a.pk).taken == 1


def test_the_operation_is_documented_with_session_auth_only(client, district):
    client.force_login(district.users["fed.admin"])
    spec = client.get("/api/v1/openapi.json").json()
    op = spec["paths"]["/api/v1/activities/{activity_id}/signups/{signup_id}/cancel"]["post"]
    assert op["security"] == [{"SessionAuth": []}]
    assert set(op["responses"]) >= {"200", "400", "403", "404"}
