"""API fuzzing with schemathesis (DESIGN.md: "the fuzzer uses" the OpenAPI schema at /api/v1/openapi.json).

For every operation in the schema, schemathesis generates requests — valid ones and deliberately invalid
ones (wrong types, out-of-range numbers, missing or unexpected fields, odd methods) — and sends each one
through Django in-process (WSGI, the real middleware stack, CSRF included) three times:

* as a federation administrator signed in by session (``fed.admin``, whose roles reach the whole district);
* as a member with a member API token (``Authorization: Bearer``; the same member's session cookie rides
  along, so endpoints that take the session only are exercised as that member too, not just refused);
* anonymously.

The rule held: nothing a client sends is a 5xx, and every 4xx is JSON with a ``detail`` in Chinese — the
WeChat front ends show ``detail`` as it is. That includes ninja's own refusals (422 validation, 401, CSRF,
unparsable body, 405), which lianxin/api.py answers in Chinese. A 2xx answer must match the operation's
declared response schema.

Bounded so CI stays quick and repeatable: a fixed number of examples per operation, derandomized (the same
requests every run), no deadline, no example database. Runs on SQLite only: on PostgreSQL every operation
rebuilds the district and it takes several times as long.
"""

import json
import re

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from schemathesis.specs.openapi.checks import response_schema_conformance

from lianxin.activities.testing import make_member
from lianxin.portal import tokens

APP = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)

EXAMPLES = 20
CJK = re.compile(r"[\u3400-\u9fff]")
CSRF_SECRET = "fuzzcsrf" * 4  # a 32-character CSRF secret, sent as cookie and header as a browser would


def session_cookies(user) -> dict:
    c = Client()
    c.force_login(user)
    return {settings.SESSION_COOKIE_NAME: c.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: CSRF_SECRET}


@pytest.fixture
def callers(district):
    """(headers, cookies) per caller. Django closes "old" connections when a request starts and ends; in a
    test the connection holds the test's transaction, so (as django.test.Client does) that is switched off
    while the fuzzer sends requests straight to the WSGI handler."""
    member = make_member(district.base_a1, "王芳")
    csrf = {"X-CSRFToken": CSRF_SECRET}
    out = {
        "staff": (csrf, session_cookies(district.users["fed.admin"])),
        "member": ({**csrf, "Authorization": f"Bearer {tokens.issue(member.user)}"}, session_cookies(member.user)),
        "anonymous": ({}, {}),
    }
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield out
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


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


@schema.parametrize()
@hypothesis.settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
@pytest.mark.django_db
def test_api_answers_every_request_without_5xx_and_refuses_in_chinese(case, callers):
    for who, (headers, cookies) in callers.items():
        response = case.call(headers=headers, cookies=cookies)
        found = problem(response)
        assert found is None, (f"{who}: {case.method} {case.formatted_path} → {found}\n"
                               f"{response.content[:600].decode(errors='replace')}\n"
                               f"curl: {case.as_curl_command(headers=headers)}")
        if response.status_code < 300:
            case.validate_response(response, checks=[response_schema_conformance])


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


def test_huge_page_number_is_a_422_not_a_500(client, district):
    """OFFSET past the 64-bit range was a database error (SQLite "datatype mismatch", PostgreSQL "bigint out
    of range"); every paginated list now bounds ``page``."""
    client.force_login(district.users["fed.admin"])
    for url in ("/api/v1/orgs/organizations", "/api/v1/orgs/enterprises", "/api/v1/members/people",
                "/api/v1/members/memberships", "/api/v1/content/articles", "/api/v1/content/books"):
        r = client.get(url, {"page": 184467440737095518})
        assert r.status_code == 422 and r.json()["field"] == "page", url
        assert client.get(url, {"page": 1_000_000}).status_code == 200, url  # a page past the last is empty


def test_ninja_refusals_are_chinese_json(district):
    from django.test import Client

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
    r = staff.post("/api/v1/activities/abc/signup")  # an int-routed path that matches nothing
    assert r.status_code == 404 and r.json()["detail"] == "没有这个接口"
    assert staff.get("/api/v1/activities").status_code == 301  # APPEND_SLASH still works under the catch-all


def test_multipart_post_with_a_session_is_415_not_500(district):
    """Django's CSRF check reads request.POST for the form token, which consumes a multipart stream, and ninja
    then failed reading the body (RawPostDataException → 500); a malformed multipart body was Django's HTML
    400 page."""
    from django.test import Client

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
