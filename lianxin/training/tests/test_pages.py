"""Console and member pages of 职工教育培训: the scope matrix (street A's class against street B's roles and every
role of street A, a federation class seen from below with only one's own trainees), the publish form's Chinese
refusals, enrolling from the roster, 点名 and scores through the pages, issuing, the audited, masked and
formula-safe export, verifying a certificate, and the member's /m/training/ page."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT
from lianxin.training import services
from lianxin.training.models import Enrolment
from lianxin.training.testing import end_class, make_class, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def world(district):
    d = district
    k = make_class(d.street_a, places=5, sessions=2)
    a = make_member(d.base_a1, "林班长", mobile_no="13912345678")
    e = services.enrol(actor=ROOT, klass=k, person=a.person)
    return d, k, a, e


def _urls(k, e):
    return {
        "detail": ("get", f"/console/training/{k.pk}/"),
        "enrol": ("get", f"/console/training/{k.pk}/enrol/"),
        "session": ("get", f"/console/training/{k.pk}/sessions/1/"),
        "scores": ("get", f"/console/training/{k.pk}/scores/"),
        "export": ("get", f"/console/training/{k.pk}/export/"),
        "quota": ("post", f"/console/training/{k.pk}/quota/"),
        "issue": ("post", f"/console/training/{k.pk}/issue/"),
        "withdraw": ("post", f"/console/training/{k.pk}/enrolments/{e.pk}/withdraw/"),
        "roll-call": ("post", f"/console/training/{k.pk}/sessions/1/"),
    }


def test_scope_matrix(client, world):
    """Street B's roles reach nothing of street A's class (404, nothing written); street A's viewer and auditor
    read and export but write nothing (403); street A's administrator does everything."""
    d, k, a, e = world
    urls = _urls(k, e)
    for who in ("street_b.admin", "street_b.reviewer", "street_b.viewer", "street_b.auditor"):
        client.force_login(d.users[who])
        for name, (method, url) in urls.items():
            r = getattr(client, method)(url, {"union": d.base_a1.pk, "quota": "1"} if name == "quota" else {})
            assert r.status_code == 404, (who, name, r.status_code)
    for who in ("street_a.viewer", "street_a.auditor"):
        client.force_login(d.users[who])
        for name, (method, url) in urls.items():
            r = getattr(client, method)(url, {"union": d.base_a1.pk, "quota": "1"} if name == "quota" else {})
            expected = 200 if method == "get" else 403
            if name == "enrol":
                expected = 200  # the roster page opens, empty: they may change no union
            assert r.status_code == expected, (who, name, r.status_code)
        html = client.get(f"/console/training/{k.pk}/enrol/").content.decode()
        assert "没有可报名的在册会员" in html
    e.refresh_from_db()
    assert (
        e.status == "enrolled"
        and not AuditEntry.objects.filter(
            action__in=["training.quota_set", "training.withdraw", "training.attendance_record"]
        ).exists()
    )
    # the trainee's own base union sees the class and its own trainee, but not the organiser's pages
    client.force_login(d.users["base_a1.admin"])
    assert "林班长" in client.get(urls["detail"][1]).content.decode()
    assert client.get(urls["session"][1]).status_code == 404
    assert client.get(urls["export"][1]).status_code == 404
    client.force_login(d.users["street_a.admin"])
    assert client.post(urls["quota"][1], {"union": d.base_a1.pk, "quota": "2"}).status_code == 302
    assert client.post(urls["withdraw"][1]).status_code == 302
    e.refresh_from_db()
    assert e.status == "withdrawn"


def test_a_federation_class_seen_from_each_street_shows_its_own_trainees(client, district):
    d = district
    k = make_class(d.fed, places=5)
    services.enrol(actor=ROOT, klass=k, person=make_member(d.base_a1, "白杨学员").person)
    services.enrol(actor=ROOT, klass=k, person=make_member(d.base_b1, "下沙学员").person)
    client.force_login(d.users["street_b.viewer"])
    html = client.get(f"/console/training/{k.pk}/").content.decode()
    assert "下沙学员" in html and "白杨学员" not in html
    assert f"/console/training/{k.pk}/" in client.get("/console/training/").content.decode()
    client.force_login(d.users["fed.viewer"])
    html = client.get(f"/console/training/{k.pk}/").content.decode()
    assert "下沙学员" in html and "白杨学员" in html


def test_publish_form_refusals_and_success(client, district):
    d = district
    client.force_login(d.users["street_a.admin"])
    today = timezone.localdate()
    data = {
        "org": d.street_a.pk,
        "title": "白杨街道班组长轮训班",
        "place": "职工之家",
        "starts_on": (today + dt.timedelta(days=9)).isoformat(),
        "ends_on": (today + dt.timedelta(days=8)).isoformat(),
        "signup_deadline": (today + dt.timedelta(days=7)).isoformat(),
        "hours": "16",
        "sessions": "4",
        "places": "30",
        "pass_mark": "60",
    }
    r = client.post("/console/training/new/", data)
    assert r.status_code == 400 and "结业日期不能早于开班日期" in r.content.decode()
    r = client.post("/console/training/new/", {**data, "places": ""})
    assert r.status_code == 400 and "请填写名额" in r.content.decode()
    r = client.post("/console/training/new/", {**data, "org": d.street_b.pk})
    assert r.status_code == 400 and "该组织不在您的管理范围内" in r.content.decode()
    r = client.post(
        "/console/training/new/", {**data, "ends_on": (today + dt.timedelta(days=10)).isoformat()}
    )
    assert r.status_code == 302
    client.force_login(d.users["street_a.viewer"])
    assert client.get("/console/training/new/").status_code == 403


def test_enrol_roll_call_scores_issue_export_verify(client, district):
    from python_calamine import CalamineWorkbook

    d = district
    k = make_class(d.fed, places=3, sessions=2, title='=HYPERLINK("http://x","点我")班组长班')
    a = make_member(d.base_a1, "林班长", mobile_no="13912345678")
    b = make_member(d.base_a1, "周班长")
    services.set_quota(actor=ROOT, klass=k, union=d.base_a1, quota="1")
    client.force_login(d.users["base_a1.admin"])
    html = client.get(f"/console/training/{k.pk}/enrol/?q=林").content.decode()
    assert "林班长" in html and "周班长" not in html and "139****5678" in html and "13912345678" not in html
    client.post(f"/console/training/{k.pk}/enrol/", {"person": a.person.pk})
    r = client.post(f"/console/training/{k.pk}/enrol/", {"person": b.person.pk}, follow=True)
    assert "的 1 个名额已用完" in r.content.decode()
    e = Enrolment.objects.get()
    assert e.person == a.person and e.enrolled_by == d.users["base_a1.admin"]
    end_class(k)
    client.force_login(d.users["fed.admin"])
    for n in (1, 2):
        assert client.post(f"/console/training/{k.pk}/sessions/{n}/", {"present": [e.pk]}).status_code == 302
    r = client.post(f"/console/training/{k.pk}/scores/", {f"score_{e.pk}": "百"})
    assert r.status_code == 400 and "林班长的成绩应为 0 至 100 的整数" in r.content.decode()
    client.post(f"/console/training/{k.pk}/scores/", {f"score_{e.pk}": "88"})
    r = client.post(f"/console/training/{k.pk}/issue/", follow=True)
    e.refresh_from_db()
    assert e.certificate_no and e.certificate_no in r.content.decode()
    r = client.post(f"/console/training/{k.pk}/issue/", follow=True)
    assert "没有新的合格学员需要发证" in r.content.decode()
    r = client.get(f"/console/training/{k.pk}/export/")
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[0][:4] == ["序号", "姓名", "手机号码", "所在工会"]
    assert rows[1][1:3] == ["林班长", "139****5678"] and rows[1][6] == 88 and rows[1][8] == e.certificate_no
    assert AuditEntry.objects.filter(action="training.roll_export", detail__count=1).count() == 1
    assert str(rows[1][9]).startswith("'=HYPERLINK")  # the title is written as text, never a formula
    # verification: the street holding the trainee's union sees it, the other street does not
    client.force_login(d.users["street_a.viewer"])
    html = client.get(f"/console/training/verify/?no={e.certificate_no}").content.decode()
    assert "证书有效" in html and "林班长" in html and "88 分" in html
    client.force_login(d.users["street_b.viewer"])
    html = client.get(f"/console/training/verify/?no={e.certificate_no}").content.decode()
    assert "证书有效" not in html and "未找到" in html
    # the member sees the certificate on the phone
    client.force_login(a.user)
    html = client.get("/m/training/").content.decode()
    assert e.certificate_no in html and "出勤 2/2 课次" in html and "考核成绩 88 分" in html


def test_member_page_without_trainings(client, district):
    m = make_member(district.base_a1, "新会员")
    client.force_login(m.user)
    html = client.get("/m/training/").content.decode()
    assert "还没有参加培训" in html and "/m/apply/education/" in html
    html = client.get("/m/apply/education/").content.decode()
    assert "毕业（取证）日期" in html
