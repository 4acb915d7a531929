"""The organisation API (/api/v1/orgs/): member counts derived from memberships over each subtree, enterprise
filters, coverage per street and industry, edits through the services (audited, 403 for read-only roles)."""

import pytest

from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, make_enterprise, make_person
from lianxin.members import services as member_services
from lianxin.orgs import selectors

pytestmark = [pytest.mark.django_db, pytest.mark.pg]
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _login(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def _members(d):
    for union, n in ((d.base_a1, 3), (d.joint_a, 2), (d.base_b1, 4)):
        for _ in range(n):
            member_services.admit_member(actor=ROOT, person=make_person(union), union=union)
    # ended and applying memberships are not members
    p = make_person(d.base_a1)
    m = member_services.admit_member(actor=ROOT, person=p, union=d.base_a1)
    member_services.end_membership(actor=ROOT, membership=m, reason="退休")


def test_member_counts_are_derived_per_subtree(district, client):
    d = district
    _members(d)
    c = _login(client, d.users["fed.viewer"])
    items = {i["id"]: i for i in c.get("/api/v1/orgs/organizations", {"page_size": 100}).json()["items"]}
    assert items[d.fed.pk]["member_count"] == 9
    assert items[d.street_a.pk]["member_count"] == 5
    assert items[d.joint_a.pk]["member_count"] == 5  # its own 2 + base_a1's 3
    assert items[d.base_a1.pk]["member_count"] == 3
    assert items[d.street_b.pk]["member_count"] == 4
    # the same figures as the console's selector
    assert selectors.member_counts([d.fed, d.street_a, d.base_b1]) == {
        d.fed.pk: 9, d.street_a.pk: 5, d.base_b1.pk: 4}
    detail = c.get(f"/api/v1/orgs/organizations/{d.joint_a.pk}").json()
    assert detail["member_count"] == 5 and detail["parent_name"] == d.street_a.name
    assert detail["kind_label"] == "联合工会"


def test_street_admin_sees_its_subtree_and_edits_through_the_service(district, client):
    d = district
    c = _login(client, d.users["street_a.admin"])
    ids = {i["id"] for i in c.get("/api/v1/orgs/organizations").json()["items"]}
    assert ids == {d.street_a.pk, d.joint_a.pk, d.base_a1.pk}
    r = c.patch(f"/api/v1/orgs/organizations/{d.joint_a.pk}", {"chair_name": "林主席"},
                content_type="application/json")
    assert r.status_code == 200 and r.json()["chair_name"] == "林主席"
    assert AuditEntry.objects.filter(action="org.update", object_id=str(d.joint_a.pk)).exists()
    r = c.patch(f"/api/v1/orgs/organizations/{d.joint_a.pk}", {"founded_on": "2020-01-01",
                                                              "term_ends_on": "2019-01-01"},
                content_type="application/json")
    assert r.status_code == 400 and "任期届满日期" in r.json()["detail"]
    viewer = _login(client, d.users["street_a.viewer"])
    r = viewer.patch(f"/api/v1/orgs/organizations/{d.joint_a.pk}", {"chair_name": "x"},
                     content_type="application/json")
    assert r.status_code == 403
    d.joint_a.refresh_from_db()
    assert d.joint_a.chair_name == "林主席"


def test_enterprises_filter_and_edit(district, client):
    d = district
    uncovered = make_enterprise(d.street_a, "杭州未建会有限公司", headcount=30)
    c = _login(client, d.users["street_a.admin"])
    items = c.get("/api/v1/orgs/enterprises").json()["items"]
    assert {i["id"] for i in items} == {d.ent_a1.pk, uncovered.pk}
    assert [i["id"] for i in c.get("/api/v1/orgs/enterprises", {"covered": "no"}).json()["items"]] == [uncovered.pk]
    assert [i["id"] for i in c.get("/api/v1/orgs/enterprises", {"q": d.ent_a1.credit_code.lower()}).json()[
        "items"]] == [d.ent_a1.pk]
    assert c.get("/api/v1/orgs/enterprises", {"street_id": d.street_b.pk}).status_code == 404
    r = c.patch(f"/api/v1/orgs/enterprises/{uncovered.pk}", {"covering_union_id": d.joint_a.pk, "headcount": 31},
                content_type="application/json")
    assert r.status_code == 200 and r.json()["covering_union_name"] == d.joint_a.name
    r = c.patch(f"/api/v1/orgs/enterprises/{uncovered.pk}", {"covering_union_id": d.joint_b.pk},
                content_type="application/json")
    assert r.status_code == 404  # another street's union does not exist for this caller
    r = c.patch(f"/api/v1/orgs/enterprises/{uncovered.pk}", {"covering_union_id": d.street_a.pk},
                content_type="application/json")
    assert r.status_code == 400 and "覆盖工会" in r.json()["detail"]


def test_coverage_by_street_and_industry(district, client):
    d = district
    make_enterprise(d.street_a, "杭州未建会甲", headcount=50, industry="C")
    make_enterprise(d.street_a, "杭州未建会乙", headcount=100, industry="I")
    c = _login(client, d.users["fed.viewer"])
    rows = {r["label"]: r for r in c.get("/api/v1/orgs/coverage").json()}
    a = rows[d.street_a.name]
    assert (a["enterprises"], a["enterprises_covered"], a["workers"], a["workers_covered"]) == (3, 1, 200, 50)
    assert a["enterprise_rate"] == 33.3 and a["worker_rate"] == 25.0
    by_industry = {r["label"]: r for r in c.get("/api/v1/orgs/coverage", {"by": "industry"}).json()}
    assert by_industry["信息传输、软件和信息技术服务业"]["enterprises_covered"] == 0
    assert by_industry["制造业"]["enterprises"] == 3
    assert c.get("/api/v1/orgs/coverage", {"by": "nonsense"}).status_code == 422
