"""Scope matrix for 组织建设 (DESIGN rule 1, as core's test_scope_matrix does for the core models): every role of
street A against street B's round, application, named home and union. Street B's objects are absent from every
list and export and answer 404 on every detail, form and action (GET and POST) — and nothing is written; street
A's own are readable by every role."""

import pytest

from lianxin.core.testing import ROOT
from lianxin.governance import services
from lianxin.governance.models import CommitteeTerm, HomeApplication, HomeQuota, HomeRound, NamedHome
from lianxin.governance.testing import election, make_round, passed

pytestmark = [pytest.mark.django_db, pytest.mark.pg]
ROLES = ["admin", "reviewer", "viewer", "auditor"]


@pytest.fixture
def world(district):
    d = district
    out = {}
    for s, street, base in (("a", d.street_a, d.base_a1), ("b", d.street_b, d.base_b1)):
        r = make_round(street, level="street_home", title=f"{street.name}模范职工之家评选", places=3)
        named = passed(r, base)
        services.decide_application(actor=ROOT, application=named, name=True)
        pending = passed(r, d.joint_a if s == "a" else d.joint_b)
        election(base)
        out[s] = {
            "round": r,
            "named": named,
            "pending": pending,
            "home": NamedHome.objects.get(union=base),
            "union": base,
            "street": street,
        }
    return d, out


def snapshot():
    return [
        list(m.objects.order_by("pk").values_list())
        for m in (HomeRound, HomeQuota, HomeApplication, NamedHome, CommitteeTerm)
    ]


def urls(o):
    r, a, p, h, u = o["round"].pk, o["named"].pk, o["pending"].pk, o["home"].pk, o["union"].pk
    gets = [
        f"/console/governance/rounds/{r}/",
        f"/console/governance/rounds/{r}/export/",
        f"/console/governance/rounds/{r}/apply/",
        f"/console/governance/applications/{a}/",
        f"/console/governance/applications/{a}/edit/",
        f"/console/governance/terms/{u}/",
        f"/console/governance/terms/{u}/elect/",
    ]
    posts = [
        (f"/console/governance/rounds/{r}/quota/", {"street": o["street"].pk, "places": "1"}),
        (f"/console/governance/applications/{p}/decide/", {"decision": "name"}),
        (f"/console/governance/applications/{p}/review/", {"decision": "reject", "comment": "越权"}),
        (f"/console/governance/homes/{h}/recheck/", {"decision": "fail", "note": "越权"}),
        (
            f"/console/governance/terms/{u}/elect/",
            {
                "number": "2",
                "elected_on": "2026-01-01",
                "term_years": "5",
                "expected": "10",
                "present": "9",
                "name_1": "越权",
                "post_1": "chair",
                "votes_1": "9",
            },
        ),
    ]
    return gets, posts


@pytest.mark.parametrize("role", ROLES)
def test_street_a_reaches_nothing_of_street_b(client, world, role):
    d, w = world
    client.force_login(d.users[f"street_a.{role}"])
    problems = []
    gets, posts = urls(w["b"])
    for url in gets:
        status = client.get(url).status_code
        if status not in (403, 404) or (status == 403 and "/apply/" not in url):
            problems.append(f"GET {url}: {status}")
    before = snapshot()
    for url, data in posts:
        status = client.post(url, data).status_code
        if status != 404:
            problems.append(f"POST {url}: {status}")
    assert snapshot() == before, "something of street B was written"
    for page in ("/console/governance/", "/console/governance/homes/", "/console/governance/terms/?show=all"):
        html = client.get(page).content.decode()
        for marker in (w["b"]["round"].title, d.base_b1.name, d.joint_b.name):
            if marker in html:
                problems.append(f"{page} shows {marker}")
    assert problems == []


@pytest.mark.parametrize("role", ROLES)
def test_street_a_reads_its_own(client, world, role):
    d, w = world
    client.force_login(d.users[f"street_a.{role}"])
    a = w["a"]
    for url in (
        f"/console/governance/rounds/{a['round'].pk}/",
        f"/console/governance/applications/{a['named'].pk}/",
        f"/console/governance/terms/{a['union'].pk}/",
        "/console/governance/homes/",
    ):
        resp = client.get(url)
        assert resp.status_code == 200 and d.base_a1.name in resp.content.decode(), url
    resp = client.get(f"/console/governance/terms/{a['union'].pk}/elect/")
    assert resp.status_code == (200 if role == "admin" else 403)
