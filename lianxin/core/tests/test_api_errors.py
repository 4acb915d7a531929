"""The API's refusals are declared in its OpenAPI schema (lianxin/core/api_errors.py), and the fuzzer's
conformance check (lianxin/core/tests/test_api_fuzz.py) really fails on an undeclared status or an error body
of another shape — shown here on a real answer, deterministically, so the fuzz's 4xx checks cannot silently
stop checking."""

import json

import pytest
import requests
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.openapi.checks import JsonSchemaError, UndefinedStatusCode

from lianxin.core.api_errors import ALWAYS, WRITE
from lianxin.core.tests.test_api_fuzz import CONFORMANCE

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
ERROR_REF = {"$ref": "#/components/schemas/ApiError"}


def openapi() -> dict:
    from lianxin.api import api

    return api.get_openapi_schema()


def test_every_operation_declares_its_refusals_with_the_one_error_schema():
    spec = openapi()
    operations = [(m.upper(), p, op) for p, item in spec["paths"].items() for m, op in item.items()]
    assert len(operations) >= 45
    for method, path, op in operations:
        responses = {int(c): r for c, r in op["responses"].items()}  # ints here, strings once serialised
        codes = set(responses)
        assert set(ALWAYS) <= codes, (method, path)
        if method in ("POST", "PATCH", "PUT", "DELETE"):
            assert set(WRITE) <= codes, (method, path)
        assert len([c for c in codes if c < 300]) == 1, (method, path)
        for code in codes - {200, 201}:
            assert 400 <= code < 500, (method, path, code)
            assert responses[code]["content"]["application/json"]["schema"] == ERROR_REF, (method, path, code)
    error = spec["components"]["schemas"]["ApiError"]
    assert error["required"] == ["detail"] and error["additionalProperties"] is False
    assert set(error["properties"]) == {"detail", "field", "code", "errors"}


def wrapped(r, *, status: int | None = None, body=None) -> Response:
    """A Django test response as schemathesis reads one, optionally with another status or body."""
    content = r.content if body is None else json.dumps(body, ensure_ascii=False).encode()
    return Response(status_code=status or r.status_code, headers={k.lower(): [v] for k, v in r.headers.items()},
                    content=content, request=requests.Request("GET", "http://testserver/").prepare(), elapsed=0,
                    verify=True)


@pytest.mark.django_db
def test_the_fuzzers_conformance_check_fails_on_an_undeclared_status_or_another_error_shape(client, district):
    client.force_login(district.users["street_a.admin"])
    case = schema["/api/v1/orgs/organizations/{org_id}"]["GET"].Case(path_parameters={"org_id": district.base_b1.pk})
    r = client.get(f"/api/v1/orgs/organizations/{district.base_b1.pk}")  # another street's union: not found
    assert r.status_code == 404
    case.validate_response(wrapped(r), checks=CONFORMANCE)  # declared, and the body is an ApiError

    for altered, failure in ((wrapped(r, status=409), UndefinedStatusCode),
                             (wrapped(r, body={"detail": "未找到", "message": "多余的键"}), JsonSchemaError),
                             (wrapped(r, body={"error": "not found"}), JsonSchemaError)):
        with pytest.raises(FailureGroup) as refused:
            case.validate_response(altered, checks=CONFORMANCE)
        assert {type(e) for e in refused.value.exceptions} == {failure}


def test_a_422_and_a_service_refusal_match_the_declared_error_schema(client, district):
    """The two richest refusal bodies (pydantic's 422 with ``errors``, a ServiceError's 400 with ``field``)."""
    client.force_login(district.users["fed.admin"])
    case = schema["/api/v1/orgs/organizations"]["GET"].Case(query={"page": "abc"})
    r = client.get("/api/v1/orgs/organizations", {"page": "abc"})
    assert r.status_code == 422 and r.json()["errors"] == {"page": "应为整数"}
    case.validate_response(wrapped(r), checks=CONFORMANCE)
    case = schema["/api/v1/workflow/queue"]["GET"].Case(query={"programme": "nope"})
    r = client.get("/api/v1/workflow/queue", {"programme": "nope"})
    assert r.status_code == 400 and r.json()["field"]
    case.validate_response(wrapped(r), checks=CONFORMANCE)


def test_an_unknown_programme_is_404_not_a_form_error(client):
    r = client.get("/api/v1/workflow/programmes/nope")
    assert r.status_code == 404 and r.json()["detail"] == "没有这个办事事项" and r.json()["code"] == "not_found"
    assert client.get("/api/v1/workflow/programmes/join").status_code == 200
