"""API fuzzing with schemathesis, from the OpenAPI schema at /api/v1/openapi.json (DESIGN.md: the JSON API's
schema is what "the WeChat front ends and the fuzzer use").

For every operation in the schema, schemathesis generates requests — valid ones and deliberately invalid
ones (wrong types, out-of-range numbers, missing or unexpected fields, odd methods) — and sends each one
through Django in-process (WSGI, the real middleware stack, CSRF included) as:

* a federation administrator signed in by session (``fed.admin``, whose roles reach the whole district);
* a member with a member API token (``Authorization: Bearer``; the same member's session cookie rides
  along, so endpoints that take the session only are exercised as that member too, not just refused);
* an anonymous browser (a valid CSRF token, no session: its writes reach the sign-in check);
* one of the lower staff roles, in turn (:data:`LOWER_STAFF`: a street administrator, a base union's reviewer,
  the other street's auditor), so a third of each operation's cases run as each.

The rules held, on every answer:

* nothing a client sends is a 5xx, and every 4xx is JSON with a ``detail`` in Chinese — the WeChat front ends
  show ``detail`` as it is (ninja's own refusals included: lianxin/api.py answers them in Chinese);
* schemathesis' conformance checks (:data:`CONFORMANCE`), 4xx included: the status is one the operation
  declares (lianxin/core/api_errors.py: an undeclared 404 or 409 fails), the body matches the declared schema
  (an error body must be exactly an ``ApiError``), the content type is the declared one;
* a staff operation's 2xx objects lie inside the caller's subtree (:func:`leak`, against the district
  fixture's paths, not through core.scoping): a street administrator must never list the other street's
  unions, people, memberships, enterprises or applications, a member none at all.

Ids in paths and filters are mostly aimed at real objects (:func:`build_world`, which also places people,
members and an application in both streets), so updates, decisions and reveals run through the services on
real rows, not only into "not found", and a scope leak would have something to leak.

Bounded so CI stays quick and repeatable: EXAMPLES generated cases per operation plus schemathesis' own
explicit and boundary cases (about 2,560 cases, 10,200 requests), derandomized (the same requests every run),
no deadline, no example database. About 85 s on SQLite. Marked ``pg``, so ``make test`` runs it on
PostgreSQL too, which refuses values SQLite stores (a NUL in text) — there with 15 generated cases per
operation and without the anonymous caller (:data:`ON_POSTGRES`). To fuzz one operation or more examples
while working on the API: ``FUZZ_ONLY='/orgs/organizations' FUZZ_EXAMPLES=100 .venv/bin/python -m pytest
lianxin/core/tests/test_api_fuzz.py`` (FUZZ_ONLY is a regular expression on the path).
"""
import itertools
import json
import os
import re

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lianxin.accounts.models import User
from lianxin.activities.testing import make_member
from lianxin.portal import tokens

APP = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
if os.environ.get("FUZZ_ONLY"):
    schema = schema.include(path_regex=os.environ["FUZZ_ONLY"])

# PostgreSQL's run is there for the values PostgreSQL refuses and SQLite stores (a NUL in text, out-of-range
# numbers), which depend on the request, not on who sends it: fewer generated cases and no anonymous caller
# (whose answers never reach the database but through the public reads the others send too), so the
# PostgreSQL half of ``make test`` grows by about a minute and a half, not three
ON_POSTGRES = connection.vendor == "postgresql"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 15 if ON_POSTGRES else 25))
CJK = re.compile(r"[\u3400-\u9fff]")
CSRF_SECRET = "fuzzcsrf" * 4  # a 32-character CSRF secret, sent as cookie and header as a browser would


def session_cookies(user) -> dict:
    c = Client()
    c.force_login(user)
    return {settings.SESSION_COOKIE_NAME: c.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: CSRF_SECRET}


def build_world(district, member):
    """Real objects for the ids the fuzzer sends: an activity the member signed up for, a bookable site with a
    slot the member booked, a published article and e-book, a submitted application waiting at its first
    step. Returns, per id parameter name, the primary keys that exist."""
    import datetime as dt

    from django.utils import timezone

    from lianxin.activities import services as activities
    from lianxin.activities.testing import make_activity
    from lianxin.content import samples
    from lianxin.content import services as content
    from lianxin.core.testing import id_number, make_person, mobile
    from lianxin.members.models import Membership, Person
    from lianxin.orgs.models import Enterprise, Organization
    from lianxin.venues import services as venues
    from lianxin.venues.models import Slot
    from lianxin.workflow import services as workflow

    d = district
    activity = make_activity(d.base_a1)
    signup = activities.sign_up(actor=member.user, activity_id=activity.pk)
    site = venues.create_site(actor=d.users["street_a.admin"], org=d.street_a, street=d.street_a, kind="sports",
                              name="白杨体育馆", address="白杨街道2号大街928号", latitude=30.319, longitude=120.353,
                              bookable=True, opening_hours="周六日 9:00-17:00")
    start = timezone.now() + dt.timedelta(days=1)
    slot = Slot.objects.create(site=site, starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=3)
    booking = venues.book_slot(actor=member.user, slot_id=slot.pk)
    article = content.create_article(actor=d.users["base_a1.admin"], org=d.base_a1, category="news",
                                     title="职工运动会开幕", body="第一段\n\n第二段")
    content.submit_article(actor=d.users["base_a1.admin"], article_id=article.pk)
    content.publish_article(actor=d.users["base_a1.reviewer"], article_id=article.pk)
    epub = samples.make_epub("工匠故事", [("第一章", ["他在车间里工作了二十年。"]), ("第二章", ["徒弟们学会了。"])])
    book = content.upload_book(actor=d.users["fed.admin"], org=d.fed, title="工匠故事",
                               upload=SimpleUploadedFile("x.epub", epub))
    worker = User.objects.create_user(username="fuzz.worker", display_name="申请人")
    app = workflow.create_application(actor=worker, programme="join", submit=True, data={
        "name": "王小明", "id_number": id_number(), "mobile": mobile(), "employer_id": str(d.ent_a1.pk),
        "job": "装配工"})
    # the other street (and a level between) has people, a member and an application too, so a lower role's
    # scope has something to leak
    make_member(d.base_b1, "李雷")
    make_person(d.joint_a, "韩梅梅")
    app_b = workflow.create_application(actor=User.objects.create_user(username="fuzz.worker.b", display_name="申请人乙"),
                                programme="join", submit=True, data={
                                    "name": "赵小红", "id_number": id_number(gender="F"), "mobile": mobile(),
                                    "employer_id": str(d.ent_b1.pk), "job": "质检员"})
    orgs = list(Organization.objects.values_list("pk", flat=True))
    return {
        "org_id": orgs, "union_id": orgs, "street_id": orgs, "street": orgs,
        "enterprise_id": list(Enterprise.objects.values_list("pk", flat=True)),
        "person_id": list(Person.objects.values_list("pk", flat=True)),
        "membership_id": list(Membership.objects.values_list("pk", flat=True)),
        "activity_id": [activity.pk], "signup_id": [signup.pk], "site_id": [site.pk], "slot_id": [slot.pk],
        "booking_id": [booking.pk], "article_id": [article.pk], "book_id": [book.pk], "pk": [app.pk, app_b.pk],
        "step_id": [s.pk for a in (app, app_b) for s in a.steps.all()],
    }


def aim(case, ids: dict) -> None:
    """Point most small generated ids at objects that exist, so the services behind each operation run on real
    data (a PATCH really updates, a decision really decides); 0, multiples of 4, negatives and huge ids are
    kept, so "not found" and overflow are still tried."""
    for params in (case.path_parameters, case.query):
        for name, value in list((params or {}).items()):
            pks = ids.get(name)
            if pks and type(value) is int and 0 < value < 2**31 and value % 4:
                params[name] = pks[value % len(pks)]


# the lower staff roles, each in its own subtree: a street administrator (street_a: joint_a, base_a1), a
# base-union reviewer (base_a1 only) and an auditor of the other street (street_b: joint_b, base_b1)
LOWER_STAFF = {"street": "street_a.admin", "reviewer": "base_a1.reviewer", "auditor": "street_b.auditor"}


@pytest.fixture
def api_callers(district):
    """Per caller: (headers, cookies, the organisation ids its roles reach); and the ids of real objects.
    Django closes "old" connections when a request starts and ends; in a test the connection holds the test's
    transaction, so (as django.test.Client does) that is switched off while the fuzzer sends requests straight
    to the WSGI handler."""
    member = make_member(district.base_a1, "王芳")
    ids = build_world(district, member)
    csrf = {"X-CSRFToken": CSRF_SECRET}
    reach = subtrees(district)
    out = {
        "staff": (csrf, session_cookies(district.users["fed.admin"]), reach["fed.admin"]),
        "member": ({**csrf, "Authorization": f"Bearer {tokens.issue(member.user)}"}, session_cookies(member.user),
                   {}),
        # a browser that opened the H5 site but signed in nowhere: its CSRF token is good, so its writes reach
        # the sign-in check (401), as a real one's do
        "anonymous": (csrf, {settings.CSRF_COOKIE_NAME: CSRF_SECRET}, {}),
    }
    for who, username in LOWER_STAFF.items():
        out[who] = (csrf, session_cookies(district.users[username]), reach[username])
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield out, ids, itertools.count()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def same_constants(monkeypatch):
    """Hypothesis mixes into generated data, now and then, literals it collects from every local module loaded
    so far: the examples then depend on which other tests share the process (the fuzzer sent an id of 2**63
    in the full suite but not alone). That pool is held empty here, so each operation gets the same requests
    however the suite is composed. (Internal to Hypothesis 6.170: should it move, the patch does nothing and
    the fuzz just loses that guarantee.)"""
    from hypothesis.internal.conjecture import providers
    from hypothesis.internal.constants_ast import Constants

    monkeypatch.setattr(providers, "_get_local_constants", Constants, raising=False)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if cache is not None:
        cache.cache.clear()
    yield
    if cache is not None:
        cache.cache.clear()


def problem(response) -> str | None:
    """What is wrong with this answer, or None."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"{status} is not JSON"
    detail = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(detail, str) or not CJK.search(detail):
        return f"{status} has no Chinese detail"
    return None


def subtrees(district) -> dict[str, dict[str, frozenset]]:
    """Per staff username of the district fixture, per action, the organisation ids (and names) its grants
    reach, worked out here from the fixture's materialised paths — independently of core.scoping's query — so
    the fuzz can tell a leak when a list answers with an object from elsewhere."""
    from lianxin.accounts.models import StaffRole
    from lianxin.core.scoping import ACTIONS
    from lianxin.orgs.models import Organization

    orgs = list(Organization.objects.values_list("pk", "name", "path"))
    out = {}
    for username in district.users:
        grants = list(StaffRole.objects.filter(user__username=username, active=True)
                      .values_list("organization__path", "role"))
        out[username] = {action: frozenset(x for pk, name, path in orgs
                                           if any(path.startswith(g) and r in roles for g, r in grants)
                                           for x in (pk, name))
                         for action, roles in ACTIONS.items()}
    return out


# Where a staff operation's 2xx objects sit in the tree: the action whose reach applies and the fields that name
# organisations (by id or, in workflow's answers, by name); an object is in scope when any one of them is (an
# enterprise is reached through its street or its covering union, as Enterprise.SCOPE_PATHS says). Lists
# are checked item by item, pages through their items.
PLACED = {
    ("GET", "/orgs/organizations"): ("view", ("id",)),
    ("GET", "/orgs/organizations/{org_id}"): ("view", ("id",)),
    ("PATCH", "/orgs/organizations/{org_id}"): ("change", ("id",)),
    ("GET", "/orgs/enterprises"): ("view", ("street_id", "covering_union_id")),
    ("GET", "/orgs/enterprises/{enterprise_id}"): ("view", ("street_id", "covering_union_id")),
    ("PATCH", "/orgs/enterprises/{enterprise_id}"): ("change", ("street_id", "covering_union_id")),
    ("GET", "/members/people"): ("view", ("org_id",)),
    ("POST", "/members/people"): ("change", ("org_id",)),
    ("GET", "/members/people/{person_id}"): ("view", ("org_id",)),
    ("PATCH", "/members/people/{person_id}"): ("change", ("org_id",)),
    ("GET", "/members/people/{person_id}/memberships"): ("view", ("union_id",)),
    ("GET", "/members/memberships"): ("view", ("union_id",)),
    ("GET", "/members/memberships/{membership_id}"): ("view", ("union_id",)),
    ("GET", "/workflow/queue"): ("review", ("org",)),
    ("GET", "/workflow/applications/{pk}"): ("view", ("org", "target_org")),
    ("POST", "/workflow/steps/{step_id}/decide"): ("review", ("org",)),
}


def leak(method: str, path: str, response, reach: dict) -> str | None:
    """The first object of a 2xx answer that lies outside the caller's reach, or None."""
    placed = PLACED.get((method.upper(), path.removeprefix("/api/v1")))
    if placed is None or not 200 <= response.status_code < 300:
        return None
    action, fields = placed
    allowed = reach.get(action, frozenset())
    payload = json.loads(response.content)
    items = payload["items"] if isinstance(payload, dict) and "items" in payload else payload
    for item in items if isinstance(items, list) else [items]:
        where = [item.get(f) for f in fields if item.get(f) is not None]
        if not any(w in allowed for w in where):
            return f"scope leak: {json.dumps(item, ensure_ascii=False)[:300]} is outside the caller's reach"
    return None


# schemathesis' conformance checks, on every answer (4xx too): the status is one the operation declares, the
# content type is the declared one and the body matches the declared schema (lianxin/core/api_errors.py)
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@pytest.mark.pg
@hypothesis.settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
@pytest.mark.django_db
def test_api_answers_every_request_without_5xx_and_refuses_in_chinese(case, api_callers, same_constants):
    callers, ids, turn = api_callers
    aim(case, ids)
    # every case as the federation administrator, the member and the anonymous browser, and as one of the lower
    # staff roles in turn (a third of each operation's cases each: the whole file stays near 90 s on SQLite)
    lower = list(LOWER_STAFF)[next(turn) % len(LOWER_STAFF)]
    for who in ("staff", "member", lower) if ON_POSTGRES else ("staff", "member", "anonymous", lower):
        headers, cookies, reach = callers[who]
        response = case.call(headers=headers, cookies=cookies)
        found = problem(response) or leak(case.operation.method, case.operation.path, response, reach)
        assert found is None, (f"{who}: {case.method} {case.formatted_path} → {found}\n"
                               f"{response.content[:600].decode(errors='replace')}\n"
                               f"curl: {case.as_curl_command(headers=headers)}")
        case.validate_response(response, checks=CONFORMANCE)


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def test_api_schema_names_are_unique():
    """OpenAPI components are keyed by the Schema class's name: two apps' classes of the same name share one
    entry and one app's responses are documented (and validated above) with the other's fields — workflow's
    attachment SlotOut was documented as venues' booking SlotOut until this was found."""
    from ninja import Schema

    import lianxin.api  # noqa: F401  (mounts every app's router, importing its schemas)

    owners: dict[str, set[str]] = {}
    for cls in all_subclasses(Schema):
        if cls.__module__.startswith("lianxin.") and cls.__module__.endswith(".api"):
            owners.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: mods for name, mods in owners.items() if len(mods) > 1} == {}


# ninja's own refusals, answered in Chinese by lianxin/api.py (each was English, HTML or a 500 before)


def test_validation_errors_are_chinese_and_name_the_field(client, district):
    client.force_login(district.users["fed.admin"])
    r = client.get("/api/v1/orgs/organizations", {"page": "abc"})
    assert r.status_code == 422
    assert r.json() == {"detail": "page：应为整数", "field": "page", "code": "invalid", "errors": {"page": "应为整数"}}
    r = client.get("/api/v1/orgs/coverage", {"by": "nonsense"})
    assert r.status_code == 422 and r.json()["detail"] == "by：只能是 'street'、'industry'"
    r = client.post("/api/v1/members/people", {"org_id": "x", "name": "甲" * 51}, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["errors"] == {"org_id": "应为整数", "name": "不能超过 50 个字符", "id_number": "必填"}
    r = client.patch(f"/api/v1/orgs/organizations/{district.fed.pk}", {"name": "a\x00b"},
                     content_type="application/json")  # our own validator's message comes through
    assert r.status_code == 422 and r.json()["detail"] == "name：不能包含控制字符"


def test_ninja_refusals_are_chinese_json(district):
    anon = Client(enforce_csrf_checks=True)
    r = anon.get("/api/v1/orgs/organizations")
    assert r.status_code == 401 and r.json() == {"detail": "请先登录"}
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(district.users["fed.admin"])
    r = staff.patch(f"/api/v1/orgs/organizations/{district.fed.pk}", {"name": "新名"},
                    content_type="application/json")  # no CSRF token
    assert r.status_code == 403 and "CSRF" in r.json()["detail"] and CJK.search(r.json()["detail"])
    staff = Client()
    staff.force_login(district.users["fed.admin"])
    r = staff.post("/api/v1/members/people", "{not json", content_type="application/json")
    assert r.status_code == 400 and r.json() == {"detail": "请求内容不是有效的 JSON"}
    r = staff.delete("/api/v1/orgs/organizations")
    assert r.status_code == 405 and r.json()["detail"].startswith("不支持该请求方法") and r["Allow"] == "GET"
    for path in ("/api/v1/activities/abc/signup", "/api/v1/activities/a%0Ab/signup", "/api/v1/nothing"):
        r = staff.post(path)  # an int-routed path that matches nothing (a newline in it, too), or no app at all
        assert r.status_code == 404 and r.json()["detail"] == "没有这个接口", path
    assert staff.get("/api/v1/activities").status_code == 301  # APPEND_SLASH still works under the catch-all


def test_multipart_post_with_a_session_is_415_not_500(district):
    """Django's CSRF check reads request.POST for the form token, which consumes a multipart stream, and ninja
    then failed reading the body (RawPostDataException → 500); a malformed multipart body was Django's HTML
    400 page."""
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(district.users["fed.admin"])
    staff.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    csrf = {"X-CSRFToken": CSRF_SECRET}
    r = staff.post(f"/api/v1/members/people/{district.fed.pk}/reveal", {"field": "mobile", "reason": "核对"},
                   headers=csrf)
    assert r.status_code == 415 and r.json()["detail"].startswith("请求内容应为 JSON")
    r = staff.post("/api/v1/members/people", b"--x\r\nbroken", content_type="multipart/form-data; boundary=x",
                   headers=csrf)
    assert r.status_code == 415 and r.json()["detail"].startswith("请求内容应为 JSON")


def test_an_id_too_large_for_the_database_is_a_404_not_a_500(client, district):
    """activities' sign-up reads the activity with hand-written SQL; on SQLite an id of 2**63 or more made the
    driver raise OverflowError (a 500). On PostgreSQL the same id simply matches nothing: not found either way."""
    member = make_member(district.base_a1, "王芳")
    bearer = {"Authorization": f"Bearer {tokens.issue(member.user)}"}
    r = client.post(f"/api/v1/activities/{2**63}/signup", headers=bearer)
    assert r.status_code == 404 and CJK.search(r.json()["detail"])


def test_the_scope_check_flags_an_object_outside_the_callers_subtree(district):
    """The fuzz's leak check (:func:`leak`) can fail: an answer carrying an object from another subtree is
    flagged, one from inside is not — for ids, for an enterprise reached through its covering union only, for
    workflow's organisation names, and for a member, who reaches nothing."""
    from types import SimpleNamespace

    reach = subtrees(district)

    def answer(body):
        return SimpleNamespace(status_code=200, content=json.dumps(body).encode())

    street_a, reviewer = reach["street_a.admin"], reach["base_a1.reviewer"]
    orgs = "/api/v1/orgs/organizations"
    assert leak("GET", orgs, answer({"items": [{"id": district.joint_a.pk}], "count": 1}), street_a) is None
    assert "scope leak" in leak("GET", orgs, answer({"items": [{"id": district.joint_a.pk},
                                                               {"id": district.base_b1.pk}]}), street_a)
    assert "scope leak" in leak("GET", f"{orgs}/{{org_id}}", answer({"id": district.street_a.pk}), reviewer)
    ent = "/api/v1/orgs/enterprises"
    covered = {"street_id": district.street_b.pk, "covering_union_id": district.base_a1.pk}
    assert leak("GET", ent, answer({"items": [covered]}), reviewer) is None
    assert "scope leak" in leak("GET", ent, answer({"items": [{**covered, "covering_union_id": None}]}), reviewer)
    assert "scope leak" in leak("GET", "/api/v1/workflow/queue", answer([{"org": district.base_b1.name}]),
                                reviewer)
    assert leak("GET", "/api/v1/workflow/queue", answer([{"org": district.base_a1.name}]), reviewer) is None
    assert "scope leak" in leak("GET", "/api/v1/members/people", answer({"items": [{"org_id": district.base_a1.pk}]}),
                                {})
    assert leak("GET", "/api/v1/members/people", answer({"items": []}), {}) is None


def test_the_scope_check_on_real_answers(client, district):
    """On real answers: a street administrator's organisation list passes the check (and is not empty); the
    federation administrator's list, judged with the street administrator's reach — what a leaking selector
    would answer — fails it."""
    reach = subtrees(district)["street_a.admin"]
    client.force_login(district.users["street_a.admin"])
    own = client.get("/api/v1/orgs/organizations")
    assert own.status_code == 200 and len(own.json()["items"]) == 3  # street_a, joint_a, base_a1
    assert leak("GET", "/api/v1/orgs/organizations", own, reach) is None
    client.force_login(district.users["fed.admin"])
    everything = client.get("/api/v1/orgs/organizations")
    assert "scope leak" in leak("GET", "/api/v1/orgs/organizations", everything, reach)
