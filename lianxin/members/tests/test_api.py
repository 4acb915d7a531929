"""The people API (/api/v1/members/): masked output, search by name / member number / full ID number (blind
index), creation and edits through the services with Chinese errors, audited reveal, membership history,
pagination — and the OpenAPI schema the WeChat front ends and the fuzzer read."""

import pytest

from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, id_number, make_person, mobile
from lianxin.members import services
from lianxin.members.models import Person

pytestmark = [pytest.mark.django_db]
BACKEND = "django.contrib.auth.backends.ModelBackend"
PEOPLE = "/api/v1/members/people"


@pytest.fixture
def admin_client(district, client):
    client.force_login(district.users["street_a.admin"], backend=BACKEND)
    return client


def test_openapi_schema_and_docs_render(admin_client):
    r = admin_client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for p in ("/api/v1/members/people", "/api/v1/members/people/{person_id}/reveal",
              "/api/v1/orgs/organizations", "/api/v1/orgs/coverage", "/api/v1/orgs/enterprises/{enterprise_id}"):
        assert p in paths
    docs = admin_client.get("/api/v1/docs")
    assert docs.status_code == 200
    # self-hosted Swagger UI (django-ninja uses a CDN unless "ninja" is an installed app): nothing from outside
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html
    r = admin_client.get("/api/docs")
    assert r.status_code in (301, 302) and r.headers["Location"] == "/api/v1/docs"


def test_anonymous_gets_nothing(district, client):
    make_person(district.base_a1)
    assert client.get(PEOPLE).status_code == 401


def test_list_is_masked_scoped_and_paginated(district, admin_client):
    numbers = {}
    for i in range(7):
        p = make_person(district.base_a1, name=f"分页{i}")
        numbers[p.pk] = p
    make_person(district.base_b1, name="乙街道的人")
    r = admin_client.get(PEOPLE, {"page_size": 3})
    body = r.json()
    assert r.status_code == 200 and body["count"] == 7 and len(body["items"]) == 3
    page3 = admin_client.get(PEOPLE, {"page_size": 3, "page": 3}).json()["items"]
    assert len(page3) == 1
    for item in body["items"]:
        p = numbers[item["id"]]
        assert item["id_number"] == p.id_masked and "*" in item["id_number"]
        assert item["mobile"] == p.mobile_masked
        assert not {"id_cipher", "id_bidx", "mobile_cipher", "mobile_bidx"} & set(item)


def test_search_by_name_member_number_and_full_id_number(district, admin_client):
    num = id_number()
    p = services.create_person(actor=ROOT, org=district.base_a1, name="周九", id_number=num, mobile=mobile())
    m = services.admit_member(actor=ROOT, person=p, union=district.base_a1)
    make_person(district.base_a1, name="吴十")
    for q in ("周九", "周", m.member_no, num, num.lower(), " ".join([num[:6], num[6:14], num[14:]])):
        items = admin_client.get(PEOPLE, {"q": q}).json()["items"]
        assert [i["id"] for i in items] == [p.pk], q
    assert admin_client.get(PEOPLE, {"q": num[:-1] + "0" if num[-1] != "0" else "1"}).json()["items"] == []


def test_create_goes_through_the_service_with_chinese_errors(district, admin_client):
    num = id_number(gender="F")
    payload = {"org_id": district.base_a1.pk, "name": "郑十一", "id_number": num, "mobile": mobile()}
    r = admin_client.post(PEOPLE, {**payload, "gender": "M"}, content_type="application/json")
    assert r.status_code == 400 and "性别与身份证号不符" in r.json()["detail"]
    r = admin_client.post(PEOPLE, {**payload, "id_number": num[:-1] + ("1" if num[-1] != "1" else "2")},
                          content_type="application/json")
    assert r.status_code == 400 and "校验位" in r.json()["detail"]
    r = admin_client.post(PEOPLE, {**payload, "education": "phd"}, content_type="application/json")
    assert r.status_code == 422
    r = admin_client.post(PEOPLE, payload, content_type="application/json")
    assert r.status_code == 201
    created = r.json()
    assert created["gender"] == "F" and created["id_number"] == Person.objects.get(pk=created["id"]).id_masked
    assert AuditEntry.objects.filter(action="person.create", object_id=str(created["id"])).exists()
    r = admin_client.post(PEOPLE, payload, content_type="application/json")
    assert r.status_code == 400 and "已登记" in r.json()["detail"]
    # another street's organisation is "not found"
    r = admin_client.post(PEOPLE, {**payload, "org_id": district.base_b1.pk, "id_number": id_number()},
                          content_type="application/json")
    assert r.status_code == 404


def test_update_and_reveal(district, admin_client):
    p = make_person(district.base_a1, name="冯十二")
    new_phone = mobile()
    r = admin_client.patch(f"{PEOPLE}/{p.pk}", {"job": "焊工", "mobile": new_phone}, content_type="application/json")
    assert r.status_code == 200 and r.json()["job"] == "焊工"
    assert r.json()["mobile"] == new_phone[:3] + "****" + new_phone[-4:]
    r = admin_client.patch(f"{PEOPLE}/{p.pk}", {"name": " "}, content_type="application/json")
    assert r.status_code == 400 and r.json()["detail"] == "姓名不能为空"
    r = admin_client.post(f"{PEOPLE}/{p.pk}/reveal", {"field": "mobile", "reason": "联系本人"},
                          content_type="application/json")
    assert r.status_code == 200 and r.json() == {"field": "mobile", "value": new_phone}
    assert AuditEntry.objects.filter(action="person.reveal", object_id=str(p.pk), reason="联系本人").count() == 1


def test_membership_history(district, admin_client):
    p = make_person(district.base_a1, name="陈十三")
    m1 = services.admit_member(actor=ROOT, person=p, union=district.base_a1)
    m2 = services.transfer_membership(actor=ROOT, membership=m1, to_union=district.joint_a)
    rows = admin_client.get(f"{PEOPLE}/{p.pk}/memberships").json()
    assert [(r["id"], r["status"], r["member_no"]) for r in rows] == [
        (m1.pk, "transferred", m1.member_no), (m2.pk, "member", m1.member_no)]
    assert rows[1]["transferred_from_id"] == m1.pk
    detail = admin_client.get(f"{PEOPLE}/{p.pk}").json()
    assert detail["current_membership"]["union_name"] == district.joint_a.name
    # a union's list covers its subtree (base_a1 sits under joint_a), filterable by status
    listed = admin_client.get("/api/v1/members/memberships", {"union_id": district.joint_a.pk}).json()
    assert sorted(i["id"] for i in listed["items"]) == sorted([m1.pk, m2.pk])
    listed = admin_client.get("/api/v1/members/memberships", {"union_id": district.joint_a.pk,
                                                              "status": "member"}).json()
    assert [i["id"] for i in listed["items"]] == [m2.pk]


@pytest.mark.pg
def test_hostile_input_is_a_4xx_never_a_500(district, admin_client):
    """What a fuzzer sends: NUL bytes (PostgreSQL rejects them in text), over-long strings, nulls for columns
    that cannot be empty, unknown codes. Each is refused at the edge or ignored, and nothing is written."""
    p = make_person(district.base_a1, name="褚十四")
    url = f"{PEOPLE}/{p.pk}"
    cases = [
        ("patch", url, {"job": "焊\x00工"}),
        ("patch", url, {"job": "长" * 61}),
        ("patch", url, {"ethnicity": "x" * 21}),
        ("patch", url, {"political_status": "king"}),
        ("post", PEOPLE, {"org_id": district.base_a1.pk, "name": "a\x00", "id_number": id_number()}),
        ("post", PEOPLE, {"org_id": district.base_a1.pk, "name": "a", "id_number": "\x00" * 18}),
        ("post", PEOPLE, {"org_id": 2**70, "name": "a", "id_number": id_number()}),
        ("post", f"{url}/reveal", {"field": "id_number", "reason": "\x00\x00"}),
        ("patch", f"/api/v1/orgs/organizations/{district.joint_a.pk}", {"address": "\x00"}),
        ("patch", f"/api/v1/orgs/enterprises/{district.ent_a1.pk}", {"headcount": 2**40}),
        ("patch", f"/api/v1/orgs/enterprises/{district.ent_a1.pk}", {"industry": "Z"}),
    ]
    before = (Person.objects.get(pk=p.pk).updated_at, AuditEntry.objects.count())
    for method, u, body in cases:
        r = getattr(admin_client, method)(u, body, content_type="application/json")
        assert 400 <= r.status_code < 500, (u, body, r.status_code)
    for q in ("\x00", "张" * 500):
        assert admin_client.get(PEOPLE, {"q": q}).status_code == 422
    assert (Person.objects.get(pk=p.pk).updated_at, AuditEntry.objects.count()) == before
    # explicit nulls mean "unchanged", not "blank the column"
    r = admin_client.patch(url, {"job": None, "name": None, "employer_name": None}, content_type="application/json")
    assert r.status_code == 200 and r.json()["name"] == "褚十四"
    r = admin_client.patch(f"/api/v1/orgs/enterprises/{district.ent_a1.pk}", {"name": None, "headcount": None},
                           content_type="application/json")
    assert r.status_code == 200 and r.json()["name"] == district.ent_a1.name
