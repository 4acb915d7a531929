"""Console pages by role: lists and details of one's own subtree only (another street's union, application or
term answers 404 and is not listed), forms' Chinese refusals re-rendered with what was typed, the export."""

import re

import pytest
from django.utils import timezone

from lianxin.core.testing import ROOT
from lianxin.governance import services
from lianxin.governance.models import CommitteeTerm, HomeApplication
from lianxin.governance.testing import apply, election, make_round, passed

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def data(district):
    d = district
    r = make_round(d.fed, places=2)
    a = passed(r, d.base_a1)
    b = apply(r, d.base_b1)
    election(d.base_a1)
    election(d.base_b1)
    return d, r, a, b


def test_a_street_sees_its_own_and_nothing_of_the_other(client, data):
    d, r, a, b = data
    client.force_login(d.users["street_a.admin"])
    html = client.get(f"/console/governance/rounds/{r.pk}/").content.decode()
    assert d.base_a1.name in html and d.base_b1.name not in html
    assert client.get(f"/console/governance/applications/{a.pk}/").status_code == 200
    assert client.get(f"/console/governance/applications/{b.pk}/").status_code == 404
    assert (
        client.post(
            f"/console/governance/applications/{b.pk}/review/", {"decision": "pass", "score": "90"}
        ).status_code
        == 404
    )
    b.refresh_from_db()
    assert b.status == "submitted"
    assert client.get(f"/console/governance/terms/{d.base_b1.pk}/").status_code == 404
    assert client.get(f"/console/governance/terms/{d.base_b1.pk}/elect/").status_code == 404
    html = client.get("/console/governance/terms/?show=all").content.decode()
    assert d.base_a1.name in html and d.base_b1.name not in html
    xlsx = client.get(f"/console/governance/rounds/{r.pk}/export/")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_review_and_decision_buttons_follow_the_roles(client, data):
    d, r, a, b = data
    client.force_login(d.users["street_b.reviewer"])
    html = client.get(f"/console/governance/applications/{b.pk}/").content.decode()
    assert 'id="review-form"' in html and 'id="decide-form"' not in html
    client.force_login(d.users["fed.viewer"])
    html = client.get(f"/console/governance/applications/{a.pk}/").content.decode()
    assert 'id="decide-form"' not in html
    r2 = client.post(f"/console/governance/applications/{a.pk}/decide/", {"decision": "name"})
    assert r2.status_code == 403
    client.force_login(d.users["fed.reviewer"])
    html = client.get(f"/console/governance/applications/{a.pk}/").content.decode()
    assert 'id="decide-form"' in html
    client.post(f"/console/governance/applications/{a.pk}/decide/", {"decision": "name"})
    again = client.post(
        f"/console/governance/applications/{a.pk}/decide/",
        {"decision": "decline", "note": "再议"},
        follow=True,
    )
    assert "已由他人处理" in again.content.decode()
    assert HomeApplication.objects.get(pk=a.pk).status == "named"


def test_the_application_form_shows_each_items_message_and_keeps_the_input(client, data):
    d, r, a, b = data
    client.force_login(d.users["street_a.admin"])
    post = {
        "union": d.joint_a.pk,
        "summary": "阵地齐全，活动丰富，会员满意。",
        "score_organisation": "25",
        "note_organisation": "三会健全",
        "score_democracy": "abc",
    }
    resp = client.post(f"/console/governance/rounds/{r.pk}/apply/", post)
    html = resp.content.decode()
    assert resp.status_code == 400
    assert "组织健全：自评分不能超过满分 20 分" in html and "民主管理：自评分应为 0–20 的整数" in html
    assert "维权机制：请填写自评分（0–20 分）" in html and 'value="三会健全"' in html
    assert not HomeApplication.objects.filter(union=d.joint_a).exists()
    # base_b1 is not offered to street_a
    html = client.get(f"/console/governance/rounds/{r.pk}/apply/").content.decode()
    assert d.joint_a.name in html and d.base_b1.name not in html and f'value="{d.base_a1.pk}"' not in html


def test_the_election_form_refuses_in_chinese(client, data):
    d, *_ = data
    client.force_login(d.users["street_a.admin"])
    resp = client.post(
        f"/console/governance/terms/{d.base_a1.pk}/elect/",
        {
            "number": "2",
            "elected_on": timezone.localdate().isoformat(),
            "term_years": "5",
            "expected": "40",
            "present": "30",
            "name_1": "周主席",
            "post_1": "chair",
            "votes_1": "12",
        },
    )
    assert resp.status_code == 400
    errors = re.findall(r'class="error[^"]*"[^>]*>([^<]*)', resp.content.decode())
    assert "第 1 行（周主席）：得票 12 票未超过实到人数 30 人的半数，不能当选" in errors, errors
    assert CommitteeTerm.objects.filter(union=d.base_a1).count() == 1


def test_register_and_recheck_pages(client, data):
    d, r, a, b = data
    services.decide_application(actor=ROOT, application=a, name=True)
    client.force_login(d.users["street_a.reviewer"])
    html = client.get("/console/governance/homes/").content.decode()
    assert d.base_a1.name in html
    client.force_login(d.users["street_b.reviewer"])
    assert d.base_a1.name not in client.get("/console/governance/homes/").content.decode()
    assert (
        client.post(
            f"/console/governance/homes/{a.home.pk}/recheck/", {"decision": "fail", "note": "x"}
        ).status_code
        == 404
    )
