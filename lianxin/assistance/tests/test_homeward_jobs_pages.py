"""平安返乡 and 就业帮扶 pages: the console's forms give Chinese messages at the field (never a 500), reads are
scoped (404 outside the subtree), the seat list export is masked, and the member's H5 pages apply, refuse with
the typed text kept, and show the member's own applications."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from lianxin.assistance import services_homeward as homeward
from lianxin.assistance import services_jobs as jobs
from lianxin.assistance.models import HomewardApplication, JobApplication, JobSeeker
from lianxin.core.testing import ROOT
from lianxin.workflow.tests.helpers import member_user

from .helpers import fund

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

TODAY = timezone.localdate


@pytest.fixture
def setup(district):
    d = district
    f = fund(d.street_a, "1000", purpose="warmth")
    d.p = homeward.create_programme(actor=ROOT, org=d.street_a, year=TODAY().year, name="白杨街道春节平安返乡",
                                    apply_until=TODAY() + dt.timedelta(days=10), subsidy="300", fund=f)
    d.c = homeward.add_coach(actor=ROOT, programme=d.p, destination="安徽阜阳",
                             departs_at=timezone.now() + dt.timedelta(days=20), seats="2")
    d.u = member_user(d, d.base_a1, username="m1", name="周返乡")
    d.post = jobs.create_post(actor=ROOT, union=d.base_a1, employer=d.ent_a1, title="数控车床操作工", trade="车工",
                              openings=1, salary_min=5000, salary_max=7000, requirements="两年经验",
                              contact="人事部 王女士", valid_until=TODAY() + dt.timedelta(days=30))
    return d


def test_console_homeward_pages_and_scope(setup, client):
    d = setup
    base = f"/console/assistance/homeward/{d.p.pk}/"
    client.force_login(d.users["street_a.admin"])
    assert "白杨街道春节平安返乡" in client.get("/console/assistance/homeward/").content.decode()
    r = client.post("/console/assistance/homeward/new/", {"org": d.street_a.pk, "year": TODAY().year, "name": "返乡",
                                                         "apply_until": TODAY().isoformat(), "subsidy": "abc"})
    assert r.status_code == 400 and "名称应为 4 至 100 个字" in r.content.decode()
    r = client.post(base + "coaches/", {"destination": "河南信阳", "departs_at": "明天", "seats": "40"})
    assert r.status_code == 400 and "请填写发车日期和时间" in r.content.decode()
    at = timezone.localtime() + dt.timedelta(days=20)
    r = client.post(base + "coaches/", {"destination": "河南信阳", "departs_at": at.strftime("%Y-%m-%dT%H:%M"),
                                        "seats": "40"}, follow=True)
    assert "已安排河南信阳专车，40 个座位" in r.content.decode()
    client.force_login(d.users["street_b.admin"])  # another street's programme does not exist for them
    for path in ("", "seats.xlsx"):
        assert client.get(base + path).status_code == 404
    assert client.post(base + "pay/").status_code == 404
    client.force_login(d.users["base_a1.admin"])  # a union sees the programme, cannot add coaches
    assert client.get(base).status_code == 200
    r = client.post(base + "coaches/", {"destination": "河南信阳", "departs_at": at.strftime("%Y-%m-%dT%H:%M"),
                                        "seats": "40"})
    assert r.status_code == 403


def test_member_applies_is_refused_clearly_and_staff_export_masked(setup, client):
    from python_calamine import CalamineWorkbook

    d = setup
    client.force_login(d.u)
    page = client.get("/m/homeward/").content.decode()
    assert "安徽阜阳专车" in page and "余座 2 / 2" in page and "购票补贴" in page
    r = client.post(f"/m/homeward/{d.p.pk}/apply/", {"hometown": "安徽省阜阳市临泉县"})
    assert r.status_code == 400 and "请选择返乡方式" in r.content.decode()
    assert 'value="安徽省阜阳市临泉县"' in r.content.decode()  # the typed text is kept
    r = client.post(f"/m/homeward/{d.p.pk}/apply/", {"kind": "coach", "hometown": "安徽省阜阳市临泉县"})
    assert r.status_code == 400 and "请选择要乘坐的专车" in r.content.decode()
    r = client.post(f"/m/homeward/{d.p.pk}/apply/", {"kind": "coach", "coach": d.c.pk,
                                                     "hometown": "安徽省阜阳市临泉县"}, follow=True)
    page = r.content.decode()
    assert "已报名安徽阜阳专车座位" in page and 'id="my-homeward"' in page and "待确认" in page
    r = client.post(f"/m/homeward/{d.p.pk}/apply/", {"kind": "subsidy", "hometown": "安徽"})
    assert r.status_code == 400 and "每人每年一次" in r.content.decode()
    assert "/m/homeward/" in client.get("/m/me/").content.decode()

    client.force_login(d.users["base_a1.admin"])
    a = HomewardApplication.objects.get()
    r = client.post(f"/console/assistance/homeward/{d.p.pk}/decide/", {"ids": [a.pk], "decision": "confirm"},
                    follow=True)
    assert "已确认 1 人" in r.content.decode()
    x = client.get(f"/console/assistance/homeward/{d.p.pk}/seats.xlsx")
    data = b"".join(x.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0][3:6] == ["姓名", "身份证号", "手机号码"]
    assert rows[1][3] == "周返乡" and "*" in rows[1][4] and "*" in rows[1][5]
    assert rows[1][9] == "已确认"

    client.force_login(d.u)
    r = client.post(f"/m/homeward/applications/{a.pk}/cancel/", follow=True)
    assert "已取消报名" in r.content.decode()
    d.c.refresh_from_db()
    assert d.c.taken == 0
    other = member_user(d, d.base_a1, username="m2", name="别人")
    client.force_login(other)
    assert client.post(f"/m/homeward/applications/{a.pk}/cancel/").status_code == 404


def test_member_outside_the_programme_sees_nothing_to_apply(setup, client):
    d = setup
    outsider = member_user(d, d.base_b1, username="b1", name="下沙职工")
    client.force_login(outsider)
    page = client.get("/m/homeward/").content.decode()
    assert 'id="no-programme"' in page
    assert client.post(f"/m/homeward/{d.p.pk}/apply/", {"kind": "subsidy", "hometown": "安徽"}).status_code == 404


def test_console_job_pages(setup, client):
    d = setup
    client.force_login(d.users["base_a1.admin"])
    r = client.post("/console/assistance/jobs/new/", {"union": d.base_a1.pk, "employer": "没有这家公司",
                                                      "title": "电工", "trade": "电工", "openings": "1",
                                                      "salary_min": "5000", "salary_max": "4000",
                                                      "requirements": "持证", "contact": "王女士",
                                                      "valid_until": (TODAY() + dt.timedelta(days=5)).isoformat()})
    assert r.status_code == 400 and "企业名录中没有找到" in r.content.decode()
    u = member_user(d, d.base_b1, username="seek", name="求职者")
    a = jobs.apply(actor=u, post=d.post)
    jobs.register_seeker(actor=u, wanted_job="车床操作", trade="车工")
    page = client.get(f"/console/assistance/jobs/{d.post.pk}/").content.decode()
    assert "求职者" in page and '<option value="recommended">推荐</option>' in page
    url = f"/console/assistance/jobs/{d.post.pk}/applications/{a.pk}/outcome/"
    r = client.post(url, {"status": "hired"})
    assert r.status_code == 400 and "只能登记为：推荐、未录用" in r.content.decode()
    r = client.post(url, {"status": "recommended"}, follow=True)
    assert "已登记 求职者：推荐" in r.content.decode()
    client.force_login(d.users["street_b.admin"])  # the applicant's own street sees them, cannot record
    assert client.get(f"/console/assistance/jobs/{d.post.pk}/").status_code == 404
    page = client.get("/console/assistance/jobs/seekers/").content.decode()
    assert "求职者" in page and "暂无" in page  # the base_a1 post lies outside street_b's scope
    client.force_login(d.users["street_a.admin"])
    assert "求职者" not in client.get("/console/assistance/jobs/seekers/").content.decode()
    client.force_login(d.users["fed.admin"])
    page = client.get("/console/assistance/jobs/seekers/").content.decode()
    assert f'/console/assistance/jobs/{d.post.pk}/' in page  # matched by 工种 车工


def test_member_job_pages(setup, client):
    d = setup
    client.force_login(d.u)
    page = client.get("/m/jobs/").content.decode()
    assert "数控车床操作工" in page and "5000–7000 元/月" in page
    r = client.post(f"/m/jobs/{d.post.pk}/apply/", follow=True)
    assert "报名成功" in r.content.decode() and "已报名" in r.content.decode()
    r = client.post(f"/m/jobs/{d.post.pk}/apply/", follow=True)
    assert "您已报名该岗位" in r.content.decode()
    assert JobApplication.objects.count() == 1
    r = client.post("/m/jobs/seeker/", {"wanted_job": "", "trade": "车工", "skills": "十年经验"})
    assert r.status_code == 400 and "请填写意向岗位" in r.content.decode() and "十年经验" in r.content.decode()
    r = client.post("/m/jobs/seeker/", {"wanted_job": "车床操作", "trade": "车工", "active": "on"}, follow=True)
    assert "求职登记已保存" in r.content.decode()
    assert JobSeeker.objects.get(person=d.u.person).active
    assert client.get("/m/jobs/999999/").status_code == 404
