"""The workflow API: schemas are public, applications are the member's own, the queue and decisions are
scoped, personal data leaves masked, a second decision is a 400."""

import json

import pytest

from lianxin.workflow.models import Application

from .helpers import join_data, worker

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_programmes_schema_is_public(client):
    resp = client.get("/api/v1/workflow/programmes")
    assert resp.status_code == 200
    codes = {p["code"]: p for p in resp.json()}
    assert set(codes) == {"join", "transfer", "legal", "profile_correction", "hardship", "study",
                          "legal_aid", "medical_aid", "education", "founding"}
    assert {"name": "id_number", "label": "身份证号"}.items() <= next(
        f for f in codes["join"]["fields"] if f["name"] == "id_number").items()
    assert codes["legal"]["levels"] == ["街道总工会初审", "区总工会登记"]


def test_member_files_and_reviewer_decides(district, client):
    d = district
    u = worker()
    client.force_login(u)
    data = join_data(d, n=3001)
    resp = post(client, "/api/v1/workflow/mine", {"programme": "join", "data": data, "submit": True})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["state"] == "submitted" and data["id_number"] not in resp.content.decode()
    assert "sealed" not in body
    bad = post(client, "/api/v1/workflow/mine", {"programme": "join", "data": {**data, "mobile": "123"}})
    assert bad.status_code == 400 and bad.json()["field"] == "mobile"
    step_id = body["steps"][0]["id"]

    client.force_login(d.users["street_b.reviewer"])
    assert client.get("/api/v1/workflow/queue?scope=all").json() == []
    assert client.get(f"/api/v1/workflow/applications/{body['id']}").status_code == 404
    assert post(client, f"/api/v1/workflow/steps/{step_id}/decide", {"decision": "approved"}).status_code == 404

    client.force_login(d.users["base_a1.reviewer"])
    q = client.get("/api/v1/workflow/queue").json()
    assert [x["step_id"] for x in q] == [step_id]
    ok = post(client, f"/api/v1/workflow/steps/{step_id}/decide", {"decision": "approved"})
    assert ok.status_code == 200 and ok.json()["decision"] == "approved"
    again = post(client, f"/api/v1/workflow/steps/{step_id}/decide", {"decision": "rejected", "comment": "再来"})
    assert again.status_code == 400 and "不能重复审核" in again.json()["detail"]
    assert Application.objects.get().state == "approved"

    client.force_login(u)
    mine = client.get("/api/v1/workflow/mine").json()
    assert mine[0]["result"]["member_no"].startswith("LX")
    client.force_login(worker("other"))
    assert client.get(f"/api/v1/workflow/mine/{body['id']}").status_code == 404
