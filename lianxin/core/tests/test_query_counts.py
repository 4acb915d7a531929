"""The staff pages and API lists that people use every day read a constant number of queries, however many rows
they list (no query per row: an N+1 at a district's million members is a page that never loads), and the
console's pager (首页 / 末页 / 跳页) shows exactly Django's pages, whether it counted the list exactly, read it in
one scan, or only estimated its size. No timings here: ``make bench BENCH=console`` measures those."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import RequestFactory

from lianxin.core import pagination
from lianxin.core import views as core_views
from lianxin.core.testing import ROOT, make_enterprise, make_person
from lianxin.members import services as member_services
from lianxin.members.models import Person
from lianxin.orgs import services as org_services
from lianxin.orgs.models import OrgKind

pytestmark = [pytest.mark.pg, pytest.mark.django_db]

USERS = ("fed.admin", "street_a.admin", "base_a1.reviewer")


def pages(d, own) -> list[str]:
    person = Person.objects.filter(org=d.base_a1).order_by("id").first()
    return [
        "/console/",
        "/console/people/",
        "/console/people/?page=2",
        "/console/people/?page=last",
        "/console/people/?status=member",
        "/console/people/?status=none",
        f"/console/people/?org={d.base_a1.pk}",
        "/console/people/?q=职工",
        f"/console/people/{person.pk}/",
        "/console/orgs/",
        f"/console/orgs/{d.base_a1.pk}/",
        f"/console/orgs/{own.pk}/",
        "/console/coverage/",
        "/console/enterprises/",
        "/console/imports/",
        "/console/applications/",
        "/api/v1/members/people",
        "/api/v1/members/memberships",
        "/api/v1/orgs/organizations",
        "/api/v1/orgs/enterprises",
    ]


def grow(d, n: int, start: int) -> None:
    """n more of everything the pages list: people (every other one a member) in base_a1, in a new base union
    under street_a and in a joint union, enterprises (every other one covered), base unions."""
    new_union = org_services.create_organization(actor=ROOT, parent=d.joint_a, kind=OrgKind.BASE,
                                                 name=f"扩充{start}企业工会")
    for i in range(start, start + n):
        org = (d.base_a1, new_union, d.joint_a)[i % 3]
        p = make_person(org, f"职工{i:03d}", gender="F" if i % 2 else "M")
        if i % 2 == 0:
            member_services.admit_member(actor=ROOT, person=p, union=org)
        make_enterprise(d.street_a, f"扩充企业{i:03d}有限公司", covering_union=new_union if i % 2 else None)
    for i in range(start, start + n, 5):
        org_services.create_organization(actor=ROOT, parent=d.street_a, kind=OrgKind.BASE, name=f"扩充工会{i:03d}")


def queries_per_page(client, paths: list[str]) -> dict[str, int]:
    """SQL statements per request (an execute wrapper: the test client's request_started signal empties the
    connection's query log that CaptureQueriesContext reads)."""
    out = {}
    for path in paths:
        seen: list[str] = []

        def count(execute, sql, params, many, context, seen=seen):
            seen.append(sql)
            return execute(sql, params, many, context)

        client.get(path)  # first request: anything loaded once per process or session is not counted
        with connection.execute_wrapper(count):
            r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        out[path] = len(seen)
    return out


@pytest.mark.parametrize("username", USERS)
def test_queries_per_page_do_not_grow_with_rows(district, client, username):
    grow(district, 5, 0)
    client.force_login(district.users[username])
    own = {"fed.admin": district.fed, "street_a.admin": district.street_a}.get(username, district.base_a1)
    paths = pages(district, own)
    few = queries_per_page(client, paths)
    grow(district, 45, 100)
    many = queries_per_page(client, paths)
    grown = {p: (few[p], many[p]) for p in paths if many[p] > few[p]}
    assert not grown, f"queries per page grew with the rows (5 -> 50 rows: before, after): {grown}"


def test_person_list_lists_what_it_counts(district, client):
    """The fast paths still show every person, their membership and the right total."""
    grow(district, 12, 0)
    client.force_login(district.users["street_a.admin"])
    r = client.get("/console/people/?q=职工")
    html = r.content.decode()
    assert "共 12 条" in html
    assert all(f"职工{i:03d}" in html for i in range(12))
    r = client.get("/console/people/?status=member")
    assert "共 6 条" in r.content.decode()


# ------------------------------------------------------------------------------------------------- the pager

def _pages_equal(qs, per_page: int, **kwargs) -> None:
    """Every page, 'last', a number past the end and rubbish give Django's own paginator's rows."""
    django_pages = Paginator(qs, per_page)
    rf = RequestFactory()
    last = django_pages.num_pages
    for number in [*range(1, last + 1), "last", str(last + 5), "x", "0"]:
        page = core_views.paginate(rf.get("/", {"page": number}), qs, per_page, **kwargs)
        expected_no = {"last": last, str(last + 5): last, "x": 1, "0": last}.get(number, number)
        # Django's get_page sends "0" (EmptyPage) to the last page as well
        assert page.number == expected_no, (number, page.number)
        assert [o.pk for o in page.object_list] == [o.pk for o in django_pages.page(expected_no).object_list], number
        assert page.has_next() == (expected_no < last)
        assert page.has_previous() == (expected_no > 1)


@pytest.fixture
def people(district):
    for i in range(23):
        make_person(district.base_a1 if i % 2 else district.base_b1, f"翻页{i:02d}")
    return Person.objects.select_related("org")


def test_pager_counted_exactly_matches_django(people):
    page = core_views.paginate(RequestFactory().get("/"), people, 5)
    assert page.paginator.count == 23 and not page.paginator.approximate
    _pages_equal(people, 5)  # back-half pages are read backwards from the end: same rows, same order


def test_pager_single_scan_matches_django(people):
    _pages_equal(people, 4, single_scan=True)
    _pages_equal(people.filter(name__contains="翻页1"), 3, single_scan=True)


def test_pager_past_the_count_limit_matches_django(people, monkeypatch):
    """A list longer than the count limit: estimated total (PostgreSQL) or counted (SQLite), pages still exact,
    末页 and numbers past the end counted exactly."""
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 6)
    page = core_views.paginate(RequestFactory().get("/"), people, 5)
    assert page.paginator.count > 6
    _pages_equal(people, 5)
    _pages_equal(people.order_by("name"), 4)  # not totally ordered by a unique column: read forwards


def test_pager_template_says_when_the_total_is_estimated(district, client, monkeypatch):
    for i in range(35):
        make_person(district.base_a1, f"分页{i:02d}")
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 5)
    client.force_login(district.users["fed.admin"])
    html = client.get("/console/people/").content.decode()
    assert "末页" in html and "page=last" in html and 'name="page"' in html
    assert "首页" in client.get("/console/people/?page=2").content.decode()
    # PostgreSQL: its estimate ("共约"), or, when the estimate is proved too low (a fresh table has no
    # statistics), the exact count; SQLite: the exact count
    assert "共 35 条" in html or "共约" in html or "超过 5 条" in html
    last = client.get("/console/people/?page=last").content.decode()
    assert "共 35 条" in last and "第 2 / 2 页" in last  # the last page counts exactly
    assert "分页00" in last  # the oldest person, on the last page (read backwards from the end)


def test_pager_gives_up_a_slow_count_but_not_the_pages(people, monkeypatch, client, district):
    """A count that does not finish within the budget: pages, 下一页 and 末页 still right, the total not shown."""
    monkeypatch.setattr(pagination, "count_within", lambda ms, qs: None)
    page = core_views.paginate(RequestFactory().get("/"), people, 5)
    assert page.paginator.unknown
    _pages_equal(people, 5)
    for i in range(35):
        make_person(district.base_a1, f"分页{i:02d}")
    client.force_login(district.users["fed.admin"])
    html = client.get("/console/people/").content.decode()
    assert "条数较多" in html and "下一页" in html and "page=last" in html
    assert "共 58 条" in client.get("/console/people/?page=last").content.decode()


@pytest.mark.pgonly
def test_count_budget_cancels_and_leaves_the_transaction_usable(people):
    from django.db.models.expressions import RawSQL

    slow = people.filter(pk__in=RawSQL("SELECT id FROM members_person WHERE pg_sleep(0.2) IS NOT NULL", []))
    with connection.cursor() as c:
        c.execute("SHOW statement_timeout")
        before = c.fetchone()[0]
    assert pagination.count_within(20, slow) is None
    assert pagination.count_within(5000, people) == 23
    with connection.cursor() as c:
        c.execute("SHOW statement_timeout")
        assert c.fetchone()[0] == before


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_count_budget_outside_a_transaction_leaves_the_session_unchanged(district):
    from django.db.models.expressions import RawSQL

    for i in range(3):
        make_person(district.base_a1, f"预算{i}")
    people = Person.objects.all()
    slow = people.filter(pk__in=RawSQL("SELECT id FROM members_person WHERE pg_sleep(0.2) IS NOT NULL", []))
    with connection.cursor() as c:
        c.execute("SHOW statement_timeout")
        before = c.fetchone()[0]
    assert not connection.in_atomic_block
    assert pagination.count_within(20, slow) is None
    assert pagination.count_within(5000, people) == 3
    with connection.cursor() as c:
        c.execute("SHOW statement_timeout")
        assert c.fetchone()[0] == before


# ------------------------------------------------------------------------------------------- the API's pages

API_LISTS = ("/api/v1/members/people", "/api/v1/members/memberships", "/api/v1/orgs/organizations",
             "/api/v1/orgs/enterprises")


@pytest.mark.parametrize("username", USERS)
def test_api_list_queries_do_not_grow_with_rows_on_any_page(district, client, username):
    """orgs.api.Pages counts through bounded_count: the same statements on the first page, a middle one, one
    past the end and with another page size, at 5 and at 50 more rows."""
    grow(district, 5, 0)
    client.force_login(district.users[username])
    paths = [f"{url}?{q}" for url in API_LISTS for q in ("page=2&page_size=3", "page=999", "page_size=200")]
    few = queries_per_page(client, paths)
    grow(district, 45, 100)
    many = queries_per_page(client, paths)
    grown = {p: (few[p], many[p]) for p in paths if many[p] > few[p]}
    assert not grown, f"API queries grew with the rows (5 -> 50 rows: before, after): {grown}"


def test_api_list_count_is_exact_below_the_limit(people, district, client):
    client.force_login(district.users["fed.admin"])
    total = Person.objects.count()
    for page in (1, 2, 999):
        body = client.get("/api/v1/members/people", {"page": page, "page_size": 5}).json()
        assert body["count"] == total and body["approximate"] is False, page


def test_api_schema_declares_the_approximate_flag(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    paged = {name: s for name, s in schema.items() if name.startswith("Paged")}
    assert paged
    for name, s in paged.items():
        assert s["properties"]["approximate"]["type"] == "boolean", name
        assert "估计" in s["properties"]["approximate"]["description"], name


@pytest.mark.pgonly
def test_api_list_past_the_count_limit_says_its_total_is_approximate(people, district, client, monkeypatch):
    """Past COUNT_LIMIT (here 5) the API gives PostgreSQL's estimate and says so; a page shorter than
    page_size is the real last one and gives the exact total."""
    with connection.cursor() as c:
        c.execute("ANALYZE")  # fresh tables have no statistics: the estimate would be proved too low
    client.force_login(district.users["fed.admin"])
    total = client.get("/api/v1/members/people", {"page_size": 200}).json()["count"]
    assert total == Person.objects.count() > 20
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 5)
    first = client.get("/api/v1/members/people", {"page_size": 10}).json()
    assert first["approximate"] is True and first["count"] > 5 and len(first["items"]) == 10
    size = next(n for n in range(6, 20) if total % n)  # a page size whose last page is short
    last_no = -(-total // size)
    last = client.get("/api/v1/members/people", {"page": last_no, "page_size": size}).json()
    assert last["approximate"] is False and last["count"] == total and len(last["items"]) == total % size
    # and the pages are the exact ones
    ids = [p["id"] for n in range(1, last_no + 1)
           for p in client.get("/api/v1/members/people", {"page": n, "page_size": size}).json()["items"]]
    assert len(ids) == len(set(ids)) == total
