"""The reviewer queue's ``programme`` filter is checked against the programmes before it reaches the database:
a NUL in it (``?programme=%00``) was a 500 on PostgreSQL (text cannot hold NUL), found by the API fuzzer."""

import pytest

pytestmark = pytest.mark.pg


def test_unknown_or_nul_programme_is_a_chinese_400(client, district):
    client.force_login(district.users["fed.admin"])
    for code in ("\x00", "nonsense", "join\x00"):
        r = client.get("/api/v1/workflow/queue", {"programme": code})
        assert r.status_code == 400, code
        assert r.json()["detail"] == "没有这个办事事项" and r.json()["field"] == "programme"
    r = client.get("/api/v1/workflow/queue", {"programme": "join", "scope": "all"})
    assert r.status_code == 200 and r.json() == []
