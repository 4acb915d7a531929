"""workflow's attachment-slot schema was called SlotOut, like venues' booking slot: OpenAPI components are keyed
by class name, so /api/v1/openapi.json documented a programme's attachments with a booking slot's fields
(id, starts_at, …) and clients built from it would reject every real answer. Found by the API fuzzer."""

from lianxin.workflow.programmes import PROGRAMMES


def test_programme_attachments_are_documented_with_their_own_schema(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    ref = schemas["ProgrammeOut"]["properties"]["attachments"]["items"]["$ref"]
    attachment = schemas[ref.rsplit("/", 1)[-1]]
    assert set(attachment["properties"]) == {"code", "label", "required"}
    assert set(schemas["SlotOut"]["properties"]) >= {"id", "starts_at", "ends_at"}  # venues' is intact too
    served = client.get("/api/v1/workflow/programmes").json()
    assert {p["code"] for p in served} == set(PROGRAMMES)
    assert all(set(a) == {"code", "label", "required"} for p in served for a in p["attachments"])
