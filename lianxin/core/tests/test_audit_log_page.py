"""The audit log page names who acted by their display name (the chained actor_label, a user name, stays in the
tooltip), with one query for the actors however many rows the page shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lianxin.core import audit
from lianxin.core.testing import make_user

pytestmark = pytest.mark.django_db


def _page_queries(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as q:
        r = client.get("/console/audit/")
    assert r.status_code == 200
    return r.content.decode(), len(q)


def test_actors_by_display_name_without_a_query_per_row(client, district):
    chair = district.users["fed.admin"]
    chair.display_name = "王主席"
    chair.save()
    audit.record(actor=chair, action="person.reveal", obj=district.base_a1, org_path=district.base_a1.path,
                 reason="核对")
    client.force_login(chair)
    html, few = _page_queries(client)
    assert "王主席" in html and 'title="fed.admin"' in html
    for i in range(8):
        staff = make_user(f"staff{i}")
        staff.display_name = f"干事{i}"
        staff.save()
        audit.record(actor=staff, action="person.reveal", obj=district.base_a1, org_path=district.base_a1.path,
                     reason="核对")
    html, many = _page_queries(client)
    assert "干事7" in html and many == few


def test_every_recorded_action_has_a_chinese_name():
    """A new ``audit.record(action="app.verb")`` without a name would show its code to the clerk."""
    import re
    from pathlib import Path

    from lianxin.core.templatetags.console_ui import AUDIT_ACTIONS

    root = Path(__file__).resolve().parents[2]
    recorded = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "testing.py":
            continue
        recorded |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    recorded |= {f"workflow.{d}" for d in ("approved", "returned", "rejected")}  # action=f"workflow.{decision}"
    assert len(recorded) > 40
    assert sorted(recorded - set(AUDIT_ACTIONS)) == []
