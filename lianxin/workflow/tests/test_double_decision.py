"""A step is decided once: a second decision (sequential, or two reviewers at the same moment on PostgreSQL)
is refused, leaving exactly one decision and one audit entry."""

import pytest

from lianxin.core.errors import ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import race
from lianxin.workflow import services
from lianxin.workflow.models import Application, Step

from .helpers import join_data, worker


def _filed(d, n):
    app = services.create_application(actor=worker(f"w{n}"), programme="join", data=join_data(d, n=n),
                                      submit=True)
    return app, app.steps.get()


@pytest.mark.django_db
@pytest.mark.pg
def test_second_decision_refused(district):
    d = district
    app, step = _filed(d, 901)
    services.decide(actor=d.users["base_a1.reviewer"], step_id=step.pk, decision="approved")
    with pytest.raises(ServiceError) as e:
        services.decide(actor=d.users["street_a.reviewer"], step_id=step.pk, decision="rejected", comment="不符")
    assert e.value.code in ("already_decided", "not_pending")
    assert AuditEntry.objects.filter(action__in=["workflow.approved", "workflow.rejected"]).count() == 1
    app.refresh_from_db()
    assert app.state == "approved"


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_one_wins(district):
    d = district
    app, step = _filed(d, 902)
    results = race([lambda u=u: services.decide(actor=d.users[u], step_id=step.pk, decision="approved")
                    for u in ("base_a1.reviewer", "street_a.reviewer")], ok_label="ok")
    assert sorted(results) == ["already_decided", "ok"]
    assert Step.objects.filter(application=app, decision="approved").count() == 1
    assert AuditEntry.objects.filter(action="workflow.approved", object_id=str(app.pk)).count() == 1
    app.refresh_from_db()
    assert app.state == "approved"
    from lianxin.members.models import Membership

    assert Membership.objects.filter(person__name="王小明").count() == 1
    assert Application.objects.count() == 1


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_concurrent_filing_and_submitting_one_each(district):
    """Two tabs filing the same person's join at once: one application. Two taps on 提交: one open step."""
    d = district
    data = join_data(d, n=903)
    users = [worker("tab1"), worker("tab2")]
    results = race([lambda u=u: services.create_application(actor=u, programme="join", data=data) for u in users],
                   ok_label="ok")
    assert sorted(results) == ["duplicate", "ok"]
    app = Application.objects.get()
    owner = app.applicant
    results = race([lambda: services.submit_application(actor=owner, app=app)] * 2, ok_label="ok")
    assert sorted(results) == ["not_editable", "ok"]
    assert Step.objects.filter(application=app, decision__isnull=True).count() == 1
