"""社会化工会工作者 pages by role: the federation recruits (and only it is offered the form), transfers through the
worker's page; the post's admin logs a month and grades; bad input comes back on its field in Chinese, never a
500; the pages show masked ID numbers and mobiles only."""

import re

import pytest
from django.utils import timezone

from lianxin.core.testing import id_number, mobile
from lianxin.governance.models import Assessment, SocialWorker, WorkerPosting, WorkLog
from lianxin.governance.testing import log_month, open_round, recruit

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def errors(resp):
    return re.findall(r'class="error[^>]*>([^<]*)', resp.content.decode())


def test_the_landing_page_links_the_section(client, district):
    client.force_login(district.users["street_a.viewer"])
    html = client.get("/console/governance/").content.decode()
    assert 'href="/console/governance/workers/"' in html


@pytest.mark.parametrize(
    "who, status",
    [("fed.admin", 200), ("street_a.admin", 403), ("fed.reviewer", 403), ("base_a1.admin", 403)],
)
def test_recruit_form_is_the_federation_admins(client, district, who, status):
    client.force_login(district.users[who])
    assert client.get("/console/governance/workers/recruit/").status_code == status
    html = client.get("/console/governance/workers/").content.decode()
    assert ('href="/console/governance/workers/recruit/"' in html) == (status == 200)
    if status == 403:
        number = id_number()
        resp = client.post(
            "/console/governance/workers/recruit/",
            {
                "post": district.street_a.pk,
                "name": "越权招聘",
                "id_number": number,
                "mobile": mobile(),
                "grade": "3",
                "contract_start": "2026-01-01",
                "contract_end": "2028-01-01",
            },
        )
        assert resp.status_code == 403 and not SocialWorker.objects.exists()


def test_recruit_through_the_form(client, district):
    d = district
    client.force_login(d.users["fed.admin"])
    today = timezone.localdate()
    data = {
        "post": d.street_a.pk,
        "name": "钱社工",
        "id_number": "330104199001011234",
        "mobile": "139",
        "grade": "2",
        "contract_start": today.isoformat(),
        "contract_end": today.replace(year=today.year + 2).isoformat(),
    }
    resp = client.post("/console/governance/workers/recruit/", data)
    assert resp.status_code == 400 and errors(resp) and not SocialWorker.objects.exists()
    number = id_number()
    data.update(id_number=number, mobile="13900001111")
    resp = client.post("/console/governance/workers/recruit/", data)
    assert resp.status_code == 302, errors(resp)
    w = SocialWorker.objects.get()
    html = client.get(resp["Location"]).content.decode()
    assert w.person.id_masked in html and number not in html and "13900001111" not in html
    assert "139****1111" in html


def test_transfer_and_leave_from_the_workers_page(client, district):
    d = district
    w = recruit(d.street_a)
    client.force_login(d.users["fed.admin"])
    today = timezone.localdate().isoformat()
    posting = WorkerPosting.objects.get(worker=w).pk
    resp = client.post(
        f"/console/governance/workers/{w.pk}/transfer/", {"to": d.street_b.pk, "on": today, "note": ""}
    )
    assert resp.status_code == 302 and WorkerPosting.objects.filter(worker=w).count() == 1
    resp = client.post(
        f"/console/governance/workers/{w.pk}/transfer/",
        {"to": d.street_b.pk, "on": today, "note": "工作需要", "posting": posting},
    )
    assert resp.status_code == 302
    html = client.get(f"/console/governance/workers/{w.pk}/").content.decode()
    assert "已将" in html and d.street_b.name in html and "工作需要" in html
    client.post(f"/console/governance/workers/{w.pk}/leave/", {"on": today, "reason": "另有高就"})
    w.refresh_from_db()
    assert w.status == "left"


def test_a_month_entered_with_bad_counts_then_confirmed(client, district):
    d = district
    w = recruit(d.street_a)
    client.force_login(d.users["street_a.admin"])
    url = f"/console/governance/workers/{w.pk}/logs/new/"
    data = {
        "month": f"{timezone.localdate():%Y-%m}",
        "visits": "很多",
        "unions_founded": "0",
        "members_recruited": "3",
        "disputes_mediated": "0",
        "summary": "走访辖区企业",
    }
    resp = client.post(url, data)
    assert resp.status_code == 400 and any("走访企业" in e for e in errors(resp))
    resp = client.post(url, {**data, "month": "下个月"})
    assert resp.status_code == 400
    data["visits"] = "7"
    resp = client.post(url, data)
    assert resp.status_code == 302, errors(resp)
    log = WorkLog.objects.get()
    client.force_login(d.users["street_a.reviewer"])
    assert client.post(f"/console/governance/workers/logs/{log.pk}/confirm/").status_code == 302
    log.refresh_from_db()
    assert log.status == "confirmed"
    client.force_login(d.users["street_a.admin"])
    html = client.get(f"/console/governance/workers/logs/{log.pk}/").content.decode()
    assert "已确认" in html and "/edit/" not in html
    resp = client.post(f"/console/governance/workers/logs/{log.pk}/edit/", {**data, "visits": "9"})
    assert resp.status_code == 400 and WorkLog.objects.get().visits == 7


def test_grading_in_the_open_round(client, district):
    d = district
    ws = [recruit(d.street_a, name=f"社工{i}") for i in range(5)]
    client.force_login(d.users["fed.admin"])
    resp = client.post(
        "/console/governance/workers/assessments/open/", {"org": d.fed.pk, "year": timezone.localdate().year}
    )
    assert resp.status_code == 302
    items = list(Assessment.objects.order_by("id"))
    assert len(items) == len(ws)
    client.force_login(d.users["street_a.admin"])
    url = f"/console/governance/workers/assessments/items/{items[0].pk}/"
    resp = client.post(url, {"grade": "unqualified", "comment": "未完成任务"})
    assert resp.status_code == 400 and any("不合格原因" in e for e in errors(resp))
    assert client.post(url, {"grade": "excellent", "comment": "成绩突出"}).status_code == 302
    resp = client.post(
        f"/console/governance/workers/assessments/items/{items[1].pk}/",
        {"grade": "excellent", "comment": "也很突出"},
    )
    assert resp.status_code == 400 and any("优秀名额已满" in e for e in errors(resp))
    html = client.get(f"/console/governance/workers/assessments/{items[0].round_id}/").content.decode()
    assert "1 / 1" in html and "round-confirm" not in html
    client.force_login(d.users["fed.admin"])
    client.post(f"/console/governance/workers/assessments/{items[0].round_id}/confirm/")
    assert items[0].round.__class__.objects.get().status == "open"  # four not graded yet


def test_pages_render_for_every_role(client, district):
    d = district
    w = recruit(d.street_a, contract_days=30)
    log_month(w)
    open_round(d.fed)
    for who in ("fed.admin", "street_a.viewer", "street_b.admin", "base_a1.reviewer"):
        client.force_login(d.users[who])
        for url in (
            "/console/governance/workers/",
            "/console/governance/workers/contracts/",
            "/console/governance/workers/logs/",
            "/console/governance/workers/assessments/",
        ):
            assert client.get(url).status_code == 200, (who, url)
