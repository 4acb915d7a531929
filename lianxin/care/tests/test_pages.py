"""The console pages by role and scope — a matrix of street A's roles against street B's campaigns, classes,
sign-ups and enrolments (list, detail, every write, the export: 404 outside, 403 for a role that may not) — the
forms' Chinese refusals, 已参加/未到, the masked and audited export; and the member's H5 pages (sign up, withdraw,
the refusal for a man, enrolling a child with the ID kept masked, cancelling)."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.care import services
from lianxin.care.models import Campaign, CampaignSignup, CareClass, Enrolment
from lianxin.care.testing import child_id, make_campaign, make_class, make_woman, start_campaign, start_class
from lianxin.core import crypto
from lianxin.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def _form(dt_):
    return timezone.localtime(dt_).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def world(district):
    d = district
    wa = make_woman(d.base_a1, "林晓", mobile_no="13912345678")
    wb = make_woman(d.base_b1, "黄丽")
    ca = make_campaign(d.street_a, title="白杨女职工两癌筛查")
    cb = make_campaign(d.street_b, title="下沙女职工健康体检")
    sa = services.sign_up(actor=wa.user, campaign_id=ca.pk)
    sb = services.sign_up(actor=wb.user, campaign_id=cb.pk)
    ka = make_class(d.street_a, title="白杨暑期爱心托管班")
    kb = make_class(d.street_b, title="下沙暑期爱心托管班")
    ea = services.enrol_child(
        actor=wa.user,
        class_id=ka.pk,
        child_name="林小雨",
        child_id=child_id(8, 60, on=ka.starts_on),
        guardian_mobile="13957101111",
    )
    eb = services.enrol_child(
        actor=wb.user,
        class_id=kb.pk,
        child_name="黄小宝",
        child_id=child_id(8, 61, on=kb.starts_on),
        guardian_mobile="13957102222",
    )
    return d, (wa, wb), (ca, cb), (sa, sb), (ka, kb), (ea, eb)


def test_scope_matrix_street_a_against_street_b(client, world):
    d, _, (ca, cb), (sa, sb), (ka, kb), (ea, eb) = world
    start_campaign(cb)
    start_class(kb)
    for role in ("admin", "reviewer", "viewer", "auditor"):
        client.force_login(d.users[f"street_a.{role}"])
        html = client.get("/console/care/").content.decode()
        assert "白杨女职工两癌筛查" in html and "下沙女职工健康体检" not in html, role
        html = client.get("/console/care/classes/").content.decode()
        assert "白杨暑期爱心托管班" in html and "下沙暑期爱心托管班" not in html, role
        for url in (
            f"/console/care/{cb.pk}/",
            f"/console/care/{cb.pk}/export/",
            f"/console/care/classes/{kb.pk}/",
        ):
            assert client.get(url).status_code == 404, (role, url)
        for url, data in (
            (f"/console/care/{cb.pk}/cancel/", {"reason": "下雨"}),
            (f"/console/care/{cb.pk}/shares/", {"union": d.base_b1.pk, "places": "1"}),
            (f"/console/care/{cb.pk}/signups/{sb.pk}/mark/", {"attended": "1"}),
            (f"/console/care/classes/{kb.pk}/cancel/", {"reason": "下雨"}),
            (
                f"/console/care/classes/{kb.pk}/roll/{eb.pk}/mark/",
                {"present": "1", "day": kb.starts_on.isoformat()},
            ),
        ):
            assert client.post(url, data).status_code == 404, (role, url)
        # in its own street: a role that may not change gets 403
        if role != "admin":
            assert client.post(f"/console/care/{ca.pk}/cancel/", {"reason": "下雨"}).status_code == 403, role
            assert (
                client.post(f"/console/care/classes/{ka.pk}/cancel/", {"reason": "下雨"}).status_code == 403
            )
        assert client.get(f"/console/care/{ca.pk}/").status_code == 200
    cb.refresh_from_db()
    kb.refresh_from_db()
    assert cb.status == "open" and kb.status == "open"
    assert CampaignSignup.objects.get(pk=sb.pk).status == "signed"
    assert not AuditEntry.objects.filter(action__in=["care.attendance_mark", "care.signup_attended"]).exists()
    # the federation sees both
    client.force_login(d.users["fed.viewer"])
    html = client.get("/console/care/").content.decode()
    assert "白杨女职工两癌筛查" in html and "下沙女职工健康体检" in html


def test_the_campaign_page_masks_and_the_organiser_marks(client, world):
    d, (wa, _), (ca, _), (sa, _), _, _ = world
    client.force_login(d.users["street_a.admin"])
    html = client.get(f"/console/care/{ca.pk}/").content.decode()
    number = crypto.decrypt(wa.person.id_cipher, context="person.id_number")
    assert "林晓" in html and number not in html and wa.person.id_masked in html
    assert "13912345678" not in html and "139****5678" in html
    assert f'id="attend-{sa.pk}"' not in html  # not before the start
    start_campaign(ca)
    html = client.get(f"/console/care/{ca.pk}/").content.decode()
    assert f'id="attend-{sa.pk}"' in html
    r = client.post(f"/console/care/{ca.pk}/signups/{sa.pk}/mark/", {"attended": "1"}, follow=True)
    assert "林晓：已参加" in r.content.decode()
    assert CampaignSignup.objects.get(pk=sa.pk).status == "attended"
    r = client.get(f"/console/care/{ca.pk}/export/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    b"".join(r.streaming_content)
    assert AuditEntry.objects.filter(action="care.signup_export").exists()


def test_shares_from_the_page(client, world):
    d = world[0]
    c = make_campaign(d.fed, places=10)
    client.force_login(d.users["fed.admin"])
    r = client.post(f"/console/care/{c.pk}/shares/", {"union": d.street_a.pk, "places": "20"}, follow=True)
    assert "分配名额应在 1 至 10 之间" in r.content.decode()
    r = client.post(f"/console/care/{c.pk}/shares/", {"union": "x", "places": "2"}, follow=True)
    assert "只能把名额分配给组织单位的下级工会" in r.content.decode()
    r = client.post(f"/console/care/{c.pk}/shares/", {"union": d.street_a.pk, "places": "4"}, follow=True)
    html = r.content.decode()
    assert "已为白杨街道总工会分配 4 个名额" in html and "已分配 4 / 10 个名额" in html


def test_the_forms_refuse_in_chinese_and_publish(client, district):
    d = district
    client.force_login(d.users["street_a.admin"])
    now = timezone.now()
    data = {
        "org": d.street_a.pk,
        "kind": "screening",
        "title": "女职工两癌筛查",
        "place": "妇幼保健院",
        "starts_at": _form(now + dt.timedelta(days=5)),
        "ends_at": _form(now + dt.timedelta(days=4)),
        "signup_deadline": _form(now + dt.timedelta(days=3)),
        "places": "30",
        "min_age": "25",
        "max_age": "64",
    }
    r = client.post("/console/care/new/", data)
    assert r.status_code == 400 and "结束时间应晚于开始时间" in r.content.decode()
    r = client.post(
        "/console/care/new/", {**data, "places": "abc", "ends_at": _form(now + dt.timedelta(days=5, hours=3))}
    )
    assert r.status_code == 400 and "名额应为整数" in r.content.decode()
    r = client.post("/console/care/new/", {**data, "org": d.street_b.pk})
    assert r.status_code == 400 and "该组织不在您的管理范围内" in r.content.decode()
    r = client.post("/console/care/new/", {**data, "ends_at": _form(now + dt.timedelta(days=5, hours=3))})
    c = Campaign.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/console/care/{c.pk}/"
    day = timezone.localdate()
    kdata = {
        "org": d.street_a.pk,
        "title": "暑期爱心托管班",
        "place": "职工之家",
        "starts_on": day.isoformat(),
        "ends_on": (day + dt.timedelta(days=20)).isoformat(),
        "daily_hours": "08:30-17:00",
        "signup_deadline": _form(now + dt.timedelta(days=2)),
        "places": "20",
        "min_age": "6",
        "max_age": "12",
    }
    r = client.post("/console/care/classes/new/", kdata)
    assert r.status_code == 400 and "开班日期应晚于今天" in r.content.decode()
    r = client.post("/console/care/classes/new/", {**kdata, "starts_on": "2026-13-01"})
    assert r.status_code == 400 and "开班日期格式不对" in r.content.decode()
    r = client.post(
        "/console/care/classes/new/", {**kdata, "starts_on": (day + dt.timedelta(days=5)).isoformat()}
    )
    assert r.status_code == 302 and CareClass.objects.count() == 1
    client.force_login(d.users["street_a.viewer"])
    assert client.get("/console/care/new/").status_code == 403
    assert client.get("/console/care/classes/new/").status_code == 403


def test_the_roll_page_marks_attendance(client, world):
    d, _, _, _, (ka, _), (ea, _) = world
    client.force_login(d.users["street_a.admin"])
    html = client.get(f"/console/care/classes/{ka.pk}/").content.decode()
    number = crypto.decrypt(ea.child_id_cipher, context=services.CHILD_ID_CTX)
    assert "林小雨" in html and number not in html and ea.child_id_masked in html and "139****1111" in html
    assert f'id="present-{ea.pk}"' not in html
    start_class(ka)
    today = timezone.localdate().isoformat()
    r = client.post(
        f"/console/care/classes/{ka.pk}/roll/{ea.pk}/mark/", {"present": "1", "day": today}, follow=True
    )
    html = r.content.decode()
    assert "林小雨：到班" in html and f'<td id="mark-{ea.pk}">到班</td>' in html
    r = client.post(
        f"/console/care/classes/{ka.pk}/roll/{ea.pk}/mark/",
        {"present": "1", "day": "2000-01-01"},
        follow=True,
    )
    assert "请选择托管班期间的日期" in r.content.decode()
    assert client.get(f"/console/care/classes/{ka.pk}/?day=not-a-date").status_code == 200


def test_member_signs_up_and_withdraws_on_the_phone(client, district):
    d = district
    c = make_campaign(d.street_a, places=3)
    w = make_woman(d.base_a1, "钱丽娟")
    client.force_login(w.user)
    html = client.get("/m/care/").content.decode()
    assert f"/m/care/campaigns/{c.pk}/" in html
    r = client.post(f"/m/care/campaigns/{c.pk}/signup/", follow=True)
    html = r.content.decode()
    assert "报名成功" in html and 'id="signup-status">已报名' in html and '<b id="remaining">2</b>' in html
    r = client.post(f"/m/care/campaigns/{c.pk}/signup/", follow=True)
    assert "您已报名该活动" in r.content.decode()
    r = client.post(f"/m/care/campaigns/{c.pk}/withdraw/", follow=True)
    assert "已退出报名，名额已释放" in r.content.decode()
    c.refresh_from_db()
    assert c.remaining == 3
    assert client.get("/m/care/campaigns/99999/").status_code == 404
    other = make_campaign(d.street_b, title="下沙女职工健康体检")
    assert client.get(f"/m/care/campaigns/{other.pk}/").status_code == 404


def test_a_man_is_told_the_campaign_is_for_women(client, district):
    d = district
    c = make_campaign(d.street_a)
    m = make_woman(d.base_a1, "张伟", gender="M")
    client.force_login(m.user)
    html = client.get(f"/m/care/campaigns/{c.pk}/").content.decode()
    assert "面向女职工" in html and 'id="signup"' not in html
    r = client.post(f"/m/care/campaigns/{c.pk}/signup/", follow=True)
    assert "面向女职工" in r.content.decode() and not CampaignSignup.objects.exists()


def test_member_enrols_a_child_and_cancels(client, district):
    d = district
    k = make_class(d.street_a, places=3)
    g = make_woman(d.base_a1, "家长")
    client.force_login(g.user)
    number = child_id(8, 70, on=k.starts_on)
    r = client.post(
        f"/m/care/classes/{k.pk}/enrol/",
        {"child_name": "小明", "child_id": number[:17] + "Y", "guardian_mobile": "13957100001"},
    )
    html = r.content.decode()
    assert r.status_code == 400 and "子女身份证号" in html and "应为18位" in html
    assert 'value="小明"' in html  # nothing typed is lost
    r = client.post(
        f"/m/care/classes/{k.pk}/enrol/",
        {"child_name": "小明", "child_id": number, "guardian_mobile": "12345"},
    )
    assert r.status_code == 400 and "不是有效的11位手机号" in r.content.decode()
    r = client.post(
        f"/m/care/classes/{k.pk}/enrol/",
        {"child_name": "小明", "child_id": number, "guardian_mobile": "13957100001"},
        follow=True,
    )
    html = r.content.decode()
    e = Enrolment.objects.get()
    assert "已为小明报名" in html and e.child_id_masked in html and number not in html
    r = client.post(f"/m/care/enrolments/{e.pk}/cancel/", follow=True)
    assert "已取消小明的报名" in r.content.decode()
    assert Enrolment.objects.get().status == "cancelled"
    other = make_woman(district.base_a1, "别人")
    client.force_login(other.user)
    r = client.post(f"/m/care/enrolments/{e.pk}/cancel/", follow=True)
    assert "没有这条报名记录" in r.content.decode()


def test_a_worker_not_yet_a_member_is_told_to_join(client, district):
    from lianxin.accounts.models import User
    from lianxin.core.testing import make_person

    p = make_person(district.base_a1, "未入会", gender="F")
    u = User.objects.create_user(username="nj", person=p)
    client.force_login(u)
    html = client.get("/m/care/").content.decode()
    assert 'id="not-member"' in html and "/m/join/" in html


def test_the_back_office_is_read_only_and_scoped(client, world):
    d, (wa, wb), (ca, cb), _, (ka, kb), (ea, eb) = world
    client.force_login(d.users["street_a.admin"])
    for model in (
        "campaign",
        "campaignshare",
        "campaignsignup",
        "careclass",
        "enrolment",
        "room",
        "roomrating",
    ):
        assert client.get(f"/admin/care/{model}/").status_code == 200, model
    html = client.get("/admin/care/enrolment/").content.decode()
    number = crypto.decrypt(ea.child_id_cipher, context=services.CHILD_ID_CTX)
    assert "林小雨" in html and "黄小宝" not in html and number not in html
    assert client.get(f"/admin/care/campaign/{cb.pk}/change/").status_code == 404
    assert client.get("/admin/care/campaign/add/").status_code == 403
    r = client.post(f"/admin/care/campaign/{ca.pk}/change/", {"title": "改名", "_save": "1"})
    assert r.status_code == 403 and Campaign.objects.get(pk=ca.pk).title == "白杨女职工两癌筛查"
