"""The console pages by role and scope (lists, details, the forms' Chinese refusals, deciding, confirming, the
ranking with masked phones, the audited and formula-safe export) and the member's H5 pages (registering with
its refusals, the open projects, signing up and withdrawing, hours and history)."""

import io

import pytest
from django.utils import timezone

from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT
from lianxin.volunteers import services
from lianxin.volunteers.models import HoursEntry, Project, Signup, Volunteer
from lianxin.volunteers.testing import end_project, make_member, make_project, make_volunteer, register

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

MOBILE = "13912345678"


@pytest.fixture
def world(district):
    d = district
    a = make_volunteer(d.base_a1, "林晓", mobile_no=MOBILE)
    b = make_volunteer(d.base_b1, "黄磊")
    pa = make_project(d.street_a, title="社区义诊进楼道")
    pb = make_project(d.street_b, title="下沙助老送餐")
    return d, a, b, pa, pb


def _form(dt_):
    return timezone.localtime(dt_).strftime("%Y-%m-%dT%H:%M")


def test_console_lists_and_details_are_scoped(client, world):
    d, a, b, pa, pb = world
    client.force_login(d.users["fed.admin"])
    html = client.get("/console/volunteers/").content.decode()
    assert "社区义诊进楼道" in html and "下沙助老送餐" in html and '"/console/volunteers/new/"' in html
    client.force_login(d.users["street_a.viewer"])
    html = client.get("/console/volunteers/").content.decode()
    assert "社区义诊进楼道" in html and "下沙助老送餐" not in html and "/console/volunteers/new/" not in html
    assert client.get(f"/console/volunteers/{pa.pk}/").status_code == 200
    assert client.get(f"/console/volunteers/{pb.pk}/").status_code == 404
    assert client.get(f"/console/volunteers/volunteers/{b.volunteer.pk}/").status_code == 404
    html = client.get("/console/volunteers/volunteers/?status=all").content.decode()
    assert "林晓" in html and "黄磊" not in html and MOBILE not in html and "139****5678" in html
    assert client.post(f"/console/volunteers/{pa.pk}/cancel/", {"reason": "下雨"}).status_code == 403


def test_the_project_form_refuses_in_chinese_and_publishes(client, district):
    d = district
    client.force_login(d.users["street_a.admin"])
    now = timezone.now()
    data = {
        "org": d.street_a.pk,
        "title": "职工子女暑期托管",
        "place": "白杨街道职工之家",
        "starts_at": _form(now + timezone.timedelta(days=5)),
        "ends_at": _form(now + timezone.timedelta(days=5, hours=4)),
        "signup_deadline": _form(now + timezone.timedelta(days=4)),
        "places": "10",
        "hours": "abc",
        "skills": ["tutor"],
        "description": "",
    }
    r = client.post("/console/volunteers/new/", data)
    assert r.status_code == 400 and "每次计入时长应为小时数" in r.content.decode()
    assert 'value="职工子女暑期托管"' in r.content.decode()  # what was typed is kept
    r = client.post("/console/volunteers/new/", data | {"hours": "4", "org": d.street_b.pk})
    assert r.status_code == 400 and "该组织不在您的管理范围内" in r.content.decode()
    r = client.post("/console/volunteers/new/", data | {"hours": "4", "signup_deadline": data["ends_at"]})
    assert r.status_code == 400 and "报名截止应在现在到开始时间之间" in r.content.decode()
    r = client.post("/console/volunteers/new/", data | {"hours": "4"})
    p = Project.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/console/volunteers/{p.pk}/"
    assert (p.minutes, p.skills, p.org) == (240, ["tutor"], d.street_a)
    r = client.get(f"/console/volunteers/{p.pk}/edit/")
    assert r.status_code == 200 and 'value="4"' in r.content.decode()


def test_staff_decide_registrations_in_their_scope(client, district):
    d = district
    m = make_member(d.base_a1, "陈秀英")
    v = register(m.user, skills=("medic", "counsel"))
    client.force_login(d.users["street_b.reviewer"])
    assert (
        client.post(f"/console/volunteers/volunteers/{v.pk}/decide/", {"decision": "approve"}).status_code
        == 404
    )
    client.force_login(d.users["base_a1.viewer"])
    assert (
        client.post(f"/console/volunteers/volunteers/{v.pk}/decide/", {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(d.users["base_a1.reviewer"])
    html = client.get("/console/volunteers/volunteers/").content.decode()
    assert f'id="approve-{v.pk}"' in html and "医疗救护、心理疏导" in html
    assert "陈秀英" in client.get("/console/volunteers/volunteers/?skill=counsel").content.decode()
    assert "陈秀英" not in client.get("/console/volunteers/volunteers/?skill=law").content.decode()
    r = client.post(f"/console/volunteers/volunteers/{v.pk}/decide/", {"decision": "decline", "reason": ""})
    assert r.status_code == 302
    v.refresh_from_db()
    assert v.status == "pending"
    client.post(f"/console/volunteers/volunteers/{v.pk}/decide/", {"decision": "approve"})
    v.refresh_from_db()
    assert v.status == "approved"


def test_confirm_ranking_and_export(client, world):
    from python_calamine import CalamineWorkbook

    d, a, b, pa, pb = world
    evil = make_project(d.street_a, title='=HYPERLINK("http://x","点我")', hours="1.5")
    s1 = services.sign_up(actor=a.user, project_id=pa.pk)
    s2 = services.sign_up(actor=a.user, project_id=evil.pk)
    sb = services.sign_up(actor=b.user, project_id=pb.pk)
    for p in (pa, evil, pb):
        end_project(p)
    client.force_login(d.users["street_a.admin"])
    html = client.get(f"/console/volunteers/{pa.pk}/").content.decode()
    assert f'id="attend-{s1.pk}"' in html
    client.post(f"/console/volunteers/{pa.pk}/signups/{s1.pk}/confirm/", {"attended": "1"})
    client.post(f"/console/volunteers/{evil.pk}/signups/{s2.pk}/confirm/", {"attended": "1"})
    assert (
        client.post(f"/console/volunteers/{pb.pk}/signups/{sb.pk}/confirm/", {"attended": "1"}).status_code
        == 404
    )
    assert HoursEntry.objects.filter(volunteer=a.volunteer).count() == 2
    services.confirm_attendance(actor=ROOT, signup=sb, attended=True)
    html = client.get("/console/volunteers/ranking/").content.decode()
    assert (
        "林晓" in html
        and "黄磊" not in html
        and "3.5" in html
        and "139****5678" in html
        and MOBILE not in html
    )
    r = client.get("/console/volunteers/ranking/export/")
    assert r.status_code == 200
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[0][:4] == ["序号", "时间", "姓名", "手机号码"]
    assert (
        len(rows) == 3
        and {x[2] for x in rows[1:]} == {"林晓"}
        and {x[3] for x in rows[1:]} == {"139****5678"}
    )
    assert any(str(x[5]).startswith("'=HYPERLINK") for x in rows[1:])  # defused, never a formula
    assert AuditEntry.objects.filter(action="volunteers.hours_export", detail__count=2).count() == 1
    client.force_login(d.users["street_a.viewer"])
    assert client.get("/console/volunteers/ranking/export/").status_code == 200
    html = client.get(f"/console/volunteers/volunteers/{a.volunteer.pk}/").content.decode()
    assert 'id="total-hours">3.5<' in html and "冲正原因" not in html  # a viewer is offered no reversal
    client.force_login(d.users["street_a.admin"])
    credit = HoursEntry.objects.get(signup=s2)
    client.post(f"/console/volunteers/hours/{credit.pk}/reverse/", {"hours": "1.5", "reason": "未实际到岗"})
    html = client.get(f"/console/volunteers/volunteers/{a.volunteer.pk}/").content.decode()
    assert 'id="total-hours">2<' in html and "未实际到岗" in html


def test_member_registers_signs_up_and_withdraws(client, district):
    d = district
    m = make_member(d.base_a1, "钱丽娟", gender="F")
    assert client.get("/m/volunteers/").status_code == 302  # anonymous: to the SMS sign-in
    client.force_login(m.user)
    me = client.get("/m/me/").content.decode()
    assert 'href="/m/volunteers/"' in me
    html = client.get("/m/volunteers/").content.decode()
    assert 'id="register"' in html
    r = client.post("/m/volunteers/register/", {"times": ["weekend"], "note": "持急救员证"})
    assert r.status_code == 400 and "请至少选择一项特长" in r.content.decode()
    assert "持急救员证" in r.content.decode() and Volunteer.objects.count() == 0
    r = client.post("/m/volunteers/register/", {"skills": ["medic", "bogus"], "times": ["weekend"]})
    assert r.status_code == 400 and "特长中有无效的选项" in r.content.decode()
    r = client.post("/m/volunteers/register/", {"skills": ["medic"], "times": ["weekend", "holiday_time"]})
    assert r.status_code == 302
    assert 'id="registration-pending"' in client.get("/m/volunteers/").content.decode()
    p = make_project(d.street_a, places=1)
    assert client.get(f"/m/volunteers/projects/{p.pk}/").status_code == 302  # not approved yet
    services.decide_volunteer(
        actor=d.users["base_a1.reviewer"], volunteer=Volunteer.objects.get(), approve=True
    )
    html = client.get("/m/volunteers/").content.decode()
    assert f'id="project-{p.pk}"' in html and "匹配您的特长" in html and 'id="total-hours">0<' in html
    client.post(f"/m/volunteers/projects/{p.pk}/signup/")
    html = client.get(f"/m/volunteers/projects/{p.pk}/").content.decode()
    assert 'id="remaining">0<' in html and 'id="withdraw"' in html
    client.post(f"/m/volunteers/projects/{p.pk}/withdraw/")
    assert Signup.objects.get().status == "withdrawn"
    assert 'id="remaining">1<' in client.get(f"/m/volunteers/projects/{p.pk}/").content.decode()
    other = make_project(d.street_b, title="下沙助老送餐")
    assert client.get(f"/m/volunteers/projects/{other.pk}/").status_code == 404
    r = client.post(f"/m/volunteers/projects/{other.pk}/signup/", follow=True)
    assert "该项目面向" in r.content.decode() or r.status_code == 404


def test_a_worker_not_yet_a_member_is_told_to_join(client, district):
    from lianxin.accounts.models import User
    from lianxin.core.testing import make_person

    user = User.objects.create_user(username="w", person=make_person(district.base_a1, "未入会"))
    client.force_login(user)
    html = client.get("/m/volunteers/").content.decode()
    assert 'id="not-member"' in html and "/m/join/" in html
    r = client.post("/m/volunteers/register/", {"skills": ["medic"], "times": ["weekend"]}, follow=True)
    assert "只有在册会员可以登记" in r.content.decode() and Volunteer.objects.count() == 0


def test_the_back_office_is_read_only_and_scoped(client, world):
    d, a, b, pa, pb = world
    client.force_login(d.users["street_a.admin"])
    for model in ("volunteer", "project", "signup", "hoursentry"):
        assert client.get(f"/admin/volunteers/{model}/").status_code == 200, model
    html = client.get("/admin/volunteers/volunteer/").content.decode()
    assert "林晓" in html and "黄磊" not in html
    assert client.get(f"/admin/volunteers/volunteer/{b.volunteer.pk}/change/").status_code == 404
    assert client.get("/admin/volunteers/project/add/").status_code == 403
    r = client.post(f"/admin/volunteers/project/{pa.pk}/change/", {"title": "改名", "_save": "1"})
    assert r.status_code == 403 and Project.objects.get(pk=pa.pk).title == "社区义诊进楼道"
