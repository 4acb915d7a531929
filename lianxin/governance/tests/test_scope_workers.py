"""Scope matrix for 社会化工会工作者: every role of street A against street B's worker, work log and assessment.
Street B's are absent from every list and the export, answer 404 on every page, form and action (GET and POST),
and nothing is written; street A's own are readable by every role. Recruiting and transfers are the federation
administrator's only."""

import pytest
from django.utils import timezone

from lianxin.governance.models import Assessment, AssessmentRound, SocialWorker, WorkerPosting, WorkLog
from lianxin.governance.testing import log_month, open_round, recruit

pytestmark = [pytest.mark.django_db, pytest.mark.pg]
ROLES = ["admin", "reviewer", "viewer", "auditor"]


@pytest.fixture
def world(district):
    d = district
    out = {}
    for s, street in (("a", d.street_a), ("b", d.street_b)):
        w = recruit(street, name=f"{street.name[:2]}社工")
        out[s] = {"worker": w, "log": log_month(w)}
    r = open_round(d.fed)
    for s in "ab":
        out[s]["item"] = Assessment.objects.get(round=r, worker=out[s]["worker"])
    out["round"] = r
    return d, out


def snapshot():
    return [
        list(m.objects.order_by("pk").values_list())
        for m in (SocialWorker, WorkerPosting, WorkLog, AssessmentRound, Assessment)
    ]


def urls(o, d):
    w, log, item = o["worker"].pk, o["log"].pk, o["item"].pk
    month = f"{timezone.localdate():%Y-%m}"
    gets = [
        f"/console/governance/workers/{w}/",
        f"/console/governance/workers/{w}/logs/new/",
        f"/console/governance/workers/logs/{log}/",
        f"/console/governance/workers/logs/{log}/edit/",
        f"/console/governance/workers/assessments/items/{item}/",
    ]
    counts = {"visits": "1", "unions_founded": "0", "members_recruited": "0", "disputes_mediated": "0"}
    posts = [
        (
            f"/console/governance/workers/{w}/transfer/",
            {"to": d.joint_a.pk, "on": month + "-01", "note": "越权"},
        ),
        (f"/console/governance/workers/{w}/renew/", {"contract_end": "2035-01-01", "grade": "1"}),
        (f"/console/governance/workers/{w}/leave/", {"on": month + "-01", "reason": "越权"}),
        (f"/console/governance/workers/{w}/logs/new/", {"month": month, "summary": "越权登记", **counts}),
        (f"/console/governance/workers/logs/{log}/edit/", {"summary": "越权修改", **counts}),
        (f"/console/governance/workers/logs/{log}/confirm/", {}),
        (f"/console/governance/workers/assessments/items/{item}/", {"grade": "excellent", "comment": "越权"}),
    ]
    return gets, posts


@pytest.mark.parametrize("role", ROLES)
def test_street_a_reaches_nothing_of_street_b(client, world, role):
    d, w = world
    client.force_login(d.users[f"street_a.{role}"])
    problems = []
    gets, posts = urls(w["b"], d)
    for url in gets:
        status = client.get(url).status_code
        if status != 404:
            problems.append(f"GET {url}: {status}")
    before = snapshot()
    for url, data in posts:
        status = client.post(url, data).status_code
        if status != 404:
            problems.append(f"POST {url}: {status}")
    assert snapshot() == before, "something of street B was written"
    name = w["b"]["worker"].person.name
    for page in (
        "/console/governance/workers/?status=all",
        "/console/governance/workers/contracts/",
        "/console/governance/workers/logs/",
        f"/console/governance/workers/assessments/{w['round'].pk}/",
    ):
        html = client.get(page).content.decode()
        if name in html:
            problems.append(f"{page} shows {name}")
    resp = client.get(f"/console/governance/workers/assessments/{w['round'].pk}/export/")
    content = b"".join(resp.streaming_content)
    import io

    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    if any(name in str(r) for r in rows):
        problems.append("the export holds street B's worker")
    assert problems == []


@pytest.mark.parametrize("role", ROLES)
def test_street_a_reads_its_own(client, world, role):
    d, w = world
    client.force_login(d.users[f"street_a.{role}"])
    a = w["a"]
    name = a["worker"].person.name
    for url in (
        f"/console/governance/workers/{a['worker'].pk}/",
        f"/console/governance/workers/logs/{a['log'].pk}/",
        "/console/governance/workers/",
        "/console/governance/workers/logs/",
        f"/console/governance/workers/assessments/{w['round'].pk}/",
    ):
        resp = client.get(url)
        assert resp.status_code == 200 and name in resp.content.decode(), url
    # the street's staff never recruit or transfer: only the federation's administrator does
    assert client.get("/console/governance/workers/recruit/").status_code == 403
    before = snapshot()
    resp = client.post(
        f"/console/governance/workers/{a['worker'].pk}/transfer/",
        {"to": d.joint_a.pk, "on": f"{timezone.localdate():%Y-%m-%d}", "note": "街道自行调岗"},
    )
    assert resp.status_code == 403 and snapshot() == before
