"""Return for correction: the reviewer names the fields; the applicant changes only those and resubmits; the
application resumes at the level that returned it, without starting over."""

import pytest

from lianxin.core.errors import ServiceError
from lianxin.workflow import services
from lianxin.workflow.models import Application, State

from .helpers import PDF, Upload, attach_all, join_data, legal_data, worker

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_returned_join_fixed_and_resubmitted(district, client):
    d = district
    u = worker()
    app = services.create_application(actor=u, programme="join", data=join_data(d, n=601, job="临时"),
                                      submit=True)
    step = app.steps.get()
    with pytest.raises(ServiceError):  # naming no field is refused
        services.decide(actor=d.users["base_a1.reviewer"], step_id=step.pk, decision="returned", comment="请补正")
    services.decide(actor=d.users["base_a1.reviewer"], step_id=step.pk, decision="returned",
                    comment="岗位请写具体", fields=["job"])
    app.refresh_from_db()
    assert app.state == State.RETURNED and app.returned_fields == ["job"]
    client.force_login(u)
    page = client.get(f"/m/my/applications/{app.pk}/").content.decode()
    assert "岗位请写具体" in page and 'name="job"' in page and 'name="name"' not in page
    # a changed name is ignored: only the returned field may change
    resp = client.post(f"/m/my/applications/{app.pk}/", {"job": "数控车工", "name": "别人", "action": "submit"})
    assert resp.status_code == 302
    app.refresh_from_db()
    assert app.form["job"] == "数控车工" and app.form["name"] == "王小明" and app.state == State.SUBMITTED
    assert app.steps.count() == 2 and app.steps.filter(decision__isnull=True).count() == 1


def test_legal_returned_at_federation_resumes_there(district):
    d = district
    admin = d.users["base_a1.admin"]
    app = services.create_application(actor=admin, programme="legal", data=legal_data(d.base_a1))
    with pytest.raises(ServiceError) as e:
        services.submit_application(actor=admin, app=app)
    assert "请上传" in e.value.message
    attach_all(app, admin, ["approval_doc", "chairman_id", "filer_id"])
    services.submit_application(actor=admin, app=app)
    s1 = app.steps.get(decision__isnull=True)
    services.decide(actor=d.users["street_a.reviewer"], step_id=s1.pk, decision="approved")
    s2 = app.steps.get(decision__isnull=True)
    services.decide(actor=d.users["fed.reviewer"], step_id=s2.pk, decision="returned", comment="批准文件不清晰",
                    fields=["att:approval_doc", "approval_no"], in_person=True)
    app.refresh_from_db()
    assert app.trips == 1
    with pytest.raises(ServiceError):  # the named file must be uploaded again
        services.update_application(actor=admin, app=app, data={"approval_no": "白工〔2026〕9号"})
        services.submit_application(actor=admin, app=app)
    app.refresh_from_db()
    with pytest.raises(ServiceError):  # a slot that was not named cannot be changed
        services.add_attachment(actor=admin, app=app, slot="filer_id", upload=Upload(PDF, "x.pdf"))
    services.update_application(actor=admin, app=app, data={"approval_no": "白工〔2026〕9号"})
    services.add_attachment(actor=admin, app=app, slot="approval_doc", upload=Upload(PDF, "clear.pdf"))
    services.submit_application(actor=admin, app=app)
    app.refresh_from_db()
    assert app.state == State.IN_REVIEW and app.form["approval_no"] == "白工〔2026〕9号"
    open_step = app.steps.get(decision__isnull=True)
    assert open_step.org == d.fed  # the street's approval stands
    assert Application.objects.count() == 1


def test_withdraw(district):
    d = district
    u = worker()
    app = services.create_application(actor=u, programme="join", data=join_data(d, n=602), submit=True)
    services.withdraw_application(actor=u, app=app)
    app.refresh_from_db()
    assert app.state == State.WITHDRAWN and not app.steps.filter(decision__isnull=True).exists()
    # withdrawn frees the person to apply again
    services.create_application(actor=u, programme="join", data=join_data(d, n=602), submit=True)
