"""portal 0002 drops the old correction table, but first carries each member's pending requests over as one
submitted ``profile_correction`` application (the new mobile re-sealed, never in plain text), which the union
then decides like any other."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lianxin.activities.testing import make_member
from lianxin.core import crypto
from lianxin.core.testing import build_district

pytestmark = [pytest.mark.pg, pytest.mark.django_db(transaction=True)]

BEFORE, AFTER = [("portal", "0001_initial")], [("portal", "0002_delete_datacorrection")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _migrate_to_latest():
    """Leave the database as the other tests expect it (every app at its newest migration)."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_pending_requests_become_applications():
    from lianxin.workflow import services
    from lianxin.workflow.models import Application, State

    d = build_district()
    qian = make_member(d.base_a1, "钱伟", mobile_no="13900000001", job="操作工")
    sun = make_member(d.base_a1, "孙丽")
    old_apps = _migrate(BEFORE)
    try:
        DataCorrection = old_apps.get_model("portal", "DataCorrection")
        cipher = crypto.encrypt("13712345678", context="portal.correction.mobile")
        DataCorrection.objects.create(person_id=qian.person.pk, user_id=qian.user.pk, field="job",
                                      requested_display="班组长", reason="已晋升")
        DataCorrection.objects.create(person_id=qian.person.pk, user_id=qian.user.pk, field="mobile",
                                      requested_display="137****5678", requested_cipher=cipher)
        DataCorrection.objects.create(person_id=sun.person.pk, user_id=sun.user.pk, field="name",
                                      requested_display="孙莉", status="approved")
    finally:
        _migrate(AFTER)
        _migrate_to_latest()
    app = Application.objects.get()  # one per person with pending requests; decided ones are not carried
    assert (app.programme, app.state, app.person_id, app.applicant_id) == ("profile_correction", State.SUBMITTED,
                                                                           qian.person.pk, qian.user.pk)
    assert app.form["job"] == "班组长" and app.form["mobile"] == "137****5678" and app.form["reason"] == "已晋升"
    assert "13712345678" not in str(app.form) + str(app.sealed)
    step = app.steps.get()
    assert step.org == d.base_a1 and step.decision is None
    services.decide(actor=d.users["base_a1.reviewer"], step_id=step.pk, decision="approved")
    qian.person.refresh_from_db()
    assert (qian.person.job, qian.person.mobile_masked) == ("班组长", "137****5678")
    with connection.cursor() as cur:
        assert "portal_datacorrection" not in connection.introspection.table_names(cur)
