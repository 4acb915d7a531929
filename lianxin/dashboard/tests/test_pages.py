"""The dashboard page, its report and its API: scoped like every page (404 outside the subtree), a bad year
answered in Chinese, cached figures recounted on request, the report audited, a fixed number of queries."""

import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, make_person
from lianxin.dashboard import selectors
from lianxin.governance import services_workers as workers
from lianxin.governance import testing as gov_testing
from lianxin.members import services as members
from lianxin.orgs import services as org_services
from lianxin.orgs.models import OrgKind
from lianxin.party import services as party
from lianxin.party import testing as party_testing

from .helpers import build

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def f(district):
    return build(district)


def login(client, district, who):
    client.force_login(district.users[who])
    return client


def test_federation_page_shows_its_figures_and_children(f, client):
    d = f.d
    page = login(client, d, "fed.viewer").get("/console/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<b id="kpi-members">6</b>' in html
    assert f'href="/console/dashboard/?org={d.street_a.pk}&amp;year=' in html  # drill down into a street
    assert d.street_b.name in html and "小微企业建会率" in html
    assert 'id="chart-trend"' in html and "vendor/echarts.min.js" in html


@pytest.mark.parametrize("role", ["admin", "reviewer", "viewer", "auditor"])
def test_drilling_down_stays_inside_the_scope(f, client, role):
    d = f.d
    login(client, d, f"street_a.{role}")
    own = client.get("/console/dashboard/")
    assert own.status_code == 200 and '<b id="kpi-members">4</b>' in own.content.decode()
    for other in (d.street_b.pk, d.fed.pk, d.base_b1.pk, "abc", 10**30):
        assert client.get(f"/console/dashboard/?org={other}").status_code == 404, other
        assert client.get(f"/console/dashboard/report.xlsx?org={other}").status_code == 404, other
        assert client.post(f"/console/dashboard/refresh/?org={other}").status_code == 404, other
        assert client.get(f"/api/v1/dashboard/overview?org={other}").status_code in (404, 422), other
    assert not AuditEntry.objects.filter(action="dashboard.export").exists()
    joint = client.get(f"/console/dashboard/?org={d.joint_a.pk}").content.decode()
    assert '<b id="kpi-members">4</b>' in joint
    # the way back up: the street (reachable) is a link, the federation (not reachable) is not shown
    assert (
        f'<a href="/console/dashboard/?org={d.street_a.pk}' in joint
        and d.fed.name not in joint.split("<h1>")[0]
    )


def test_a_base_union_sees_only_itself(f, client):
    html = login(client, f.d, "base_a1.auditor").get("/console/dashboard/").content.decode()
    assert '<b id="kpi-members">4</b>' in html and f.d.base_a1.name in html and "妇组织" in html


def test_a_bad_year_is_answered_in_chinese(f, client):
    login(client, f.d, "fed.admin")
    for year, message in (("1999", "年份应在 2000–"), ("abc", "年份应为四位数字"), ("9999", "年份应在")):
        r = client.get(f"/console/dashboard/?year={year}")
        assert r.status_code == 400 and message in r.content.decode()
        r = client.get(f"/console/dashboard/report.xlsx?year={year}")
        assert r.status_code == 400 and message in r.content.decode()
    assert client.get("/console/dashboard/?year=2020").status_code == 200


def test_people_without_a_staff_role_are_refused(f, client):
    from lianxin.accounts.models import User

    client.force_login(User.objects.create_user(username="worker", password="x-Lianxin-2026"))
    assert client.get("/console/dashboard/").status_code == 403
    client.logout()
    assert client.get("/console/dashboard/").status_code == 302  # to the login page


def test_figures_are_cached_until_recounted(f, client):
    d = f.d
    login(client, d, "fed.admin")
    assert '<b id="kpi-members">6</b>' in client.get("/console/dashboard/").content.decode()
    p = make_person(d.base_b1, "新会员")
    members.admit_member(actor=ROOT, person=p, union=d.base_b1)
    assert '<b id="kpi-members">6</b>' in client.get("/console/dashboard/").content.decode()
    r = client.post(f"/console/dashboard/refresh/?org={d.fed.pk}")
    assert r.status_code == 302
    assert '<b id="kpi-members">7</b>' in client.get(r["Location"]).content.decode()
    # the street's own cached figures are its own: recounting the federation did not touch them
    login(client, d, "street_b.viewer")
    assert client.get("/console/dashboard/").status_code == 200


def test_cached_figures_are_not_served_for_another_organisation(f):
    """The cache key is the organisation's id; a key's stored path must match, or the figures are recounted
    (an organisation moved in the tree keeps its id but not its subtree)."""
    d = f.d
    first = selectors.overview(actor=d.users["fed.admin"], org=d.street_a, year=2026)
    d.street_a.path = d.street_b.path  # as if the cached entry belonged elsewhere
    again = selectors.overview(actor=d.users["fed.admin"], org=d.street_a, year=2026)
    assert again["path"] == d.street_b.path != first["path"]


def test_report_download(f, client):
    d = f.d
    r = login(client, d, "street_a.viewer").get("/console/dashboard/report.xlsx?year=2026")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"] and "2026" in r["Content-Disposition"]
    wb = CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    assert wb.sheet_names == [
        "概览",
        "下级单位",
        "会员构成",
        "逐月",
        "审批事项",
        "企业规模",
        "下级单位工会服务",
    ]
    summary = {row[0]: row[1] for row in wb.get_sheet_by_name("概览").to_python()[1:]}
    assert summary["统计组织"] == d.street_a.name and summary["在册会员"] == 4
    assert summary["小微企业建会率（%）"] == 50.0
    children = wb.get_sheet_by_name("下级单位").to_python()
    assert children[1][:4] == [d.joint_a.name, "联合工会", 2.0, 4.0]
    entry = AuditEntry.objects.filter(action="dashboard.export").get()
    assert entry.org_path == d.street_a.path and entry.actor == d.users["street_a.viewer"]
    assert entry.detail == {"year": 2026, "org": d.street_a.name}


def test_api(f, client):
    d = f.d
    assert client.get("/api/v1/dashboard/overview").status_code == 401
    login(client, d, "street_a.admin")
    r = client.get("/api/v1/dashboard/overview?year=2026")
    assert r.status_code == 200
    body = r.json()
    assert body["org_name"] == d.street_a.name and body["members"]["total"] == 4
    assert body["children"][0]["name"] == d.joint_a.name
    assert client.get(f"/api/v1/dashboard/overview?org={d.street_b.pk}").status_code == 404
    bad = client.get("/api/v1/dashboard/overview?year=1999")
    assert bad.status_code == 400 and bad.json()["field"] == "year" and "年份" in bad.json()["detail"]
    login(client, d, "fed.viewer")
    assert (
        client.get(f"/api/v1/dashboard/overview?org={d.street_b.pk}&year=2026").json()["members"]["total"]
        == 2
    )


def test_queries_do_not_grow_with_the_district(f):
    d = f.d

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            selectors.compute(d.fed, 2026)
        return len(ctx.captured_queries)

    before = queries()
    for i in range(6):
        street = org_services.create_organization(
            actor=ROOT, parent=d.fed, kind=OrgKind.STREET, name=f"新街道{i}总工会"
        )
        union = org_services.create_organization(
            actor=ROOT, parent=street, kind=OrgKind.BASE, name=f"新企业{i}工会"
        )
        for k in range(3):
            members.admit_member(actor=ROOT, person=make_person(union, f"会员{i}{k}"), union=union)
        # and rows of the tables the 党支部 and 社会化工会工作者 figures read, under every new street
        branch = party_testing.make_branch(union, f"新党支部{i}")
        party.record_payment(
            actor=ROOT, member=party_testing.make_party_member(branch, f"党员{i}", base="4000"), period=202601
        )
        party_testing.make_meeting(branch, kind="lecture")
        worker = gov_testing.recruit(street, name=f"社工{i}号")
        workers.confirm_work_log(actor=ROOT, log=gov_testing.log_month(worker, months_ago=0))
    assert queries() == before
    assert selectors.compute(d.fed, 2026)["party"]["members"] == 6


def test_warming_recounts_the_top_of_the_tree(f):
    from django.core.management import call_command
    from django.utils import timezone

    d = f.d
    year = timezone.localdate().year
    stale = selectors.overview(actor=d.users["fed.admin"], org=d.fed, year=year)
    members.admit_member(actor=ROOT, person=make_person(d.base_b1, "新会员"), union=d.base_b1)
    call_command("dashboard_warm")
    fresh = cache.get(selectors._key(d.fed, year))
    assert fresh["members"]["total"] == stale["members"]["total"] + 1
    assert cache.get(selectors._key(d.street_b, year))["members"]["total"] == 3
    assert cache.get(selectors._key(d.base_b1, year)) is None  # deeper ones: counted when opened
