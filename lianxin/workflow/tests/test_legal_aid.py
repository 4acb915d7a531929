"""职工法律援助 on the engine: a member files a dispute, the union accepts, the street's legal-aid station assigns a
handler; the member is told who will call. Non-members and bad input are refused in Chinese."""

import pytest

from lianxin.core.errors import ServiceError
from lianxin.workflow import services as workflow
from lianxin.workflow.tests.helpers import member_user, worker

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def data(**kw):
    d = {"dispute": "wages", "employer_name": "杭州某装饰工程有限公司", "wanted": "mediation", "amount": "18600",
         "description": "三月入职，公司拖欠八至十月工资一万八千六百元，多次催要无果。"}
    d.update(kw)
    return d


def test_union_accepts_street_assigns_member_is_told(district):
    from lianxin.core.models import Notification

    d = district
    user = member_user(d, d.base_a1)
    app = workflow.create_application(actor=user, programme="legal_aid", data=data(), submit=True)
    assert app.org == d.base_a1 and app.form["amount"] == "18,600.00"
    workflow.decide(actor=d.users["base_a1.reviewer"], step_id=app.steps.get(decision__isnull=True).pk,
                    decision="approved")
    step = app.steps.get(decision__isnull=True)
    assert step.org == d.street_a
    with pytest.raises(ServiceError):
        workflow.decide(actor=d.users["street_a.reviewer"], step_id=step.pk, decision="approved",
                        approval={"service": "x", "handler": "王律师", "handler_phone": "0571-86001235"})
    workflow.decide(actor=d.users["street_a.reviewer"], step_id=step.pk, decision="approved",
                    approval={"service": "representation", "handler": "王律师", "handler_phone": "0571-86001235"})
    app.refresh_from_db()
    assert app.state == "approved" and app.result["service"] == "代理劳动仲裁或诉讼"
    told = Notification.objects.filter(user=user, template="workflow_decision").order_by("-id").first()
    assert "已指派王律师" in told.body and "0571-86001235" in told.body


def test_refusals(district):
    d = district
    with pytest.raises(ServiceError) as e:
        workflow.create_application(actor=worker(), programme="legal_aid", data=data())
    assert e.value.code == "not_member"
    user = member_user(d, d.base_a1)
    for bad, field in ((data(dispute="fight"), "dispute"), (data(description="太短"), "description"),
                       (data(amount="一万"), "amount"), (data(employer_name=""), "employer_name")):
        with pytest.raises(ServiceError) as e:
            workflow.create_application(actor=user, programme="legal_aid", data=bad)
        assert field in e.value.errors, (field, e.value.errors)
    workflow.create_application(actor=user, programme="legal_aid", data=data(amount=""), submit=True)
    with pytest.raises(ServiceError) as e:  # one open request per dispute type
        workflow.create_application(actor=user, programme="legal_aid", data=data(), submit=True)
    assert e.value.code == "duplicate"
