"""最多跑一次 at the union's counter: staff enter a member's request for help (hardship aid, legal aid …) in the
member's name — the member is the application's person and gets the SMS, the staff member is who entered it, the
visit counts as one trip when ticked. The member must be live and in the staff member's change scope; transfers and
corrections stay the member's own (or the person page's) business."""

import pytest

from lianxin.assistance.models import LedgerEntry
from lianxin.assistance.tests.helpers import fund, hardship_data, to_last_level
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.workflow import services as workflow
from lianxin.workflow.models import Application
from lianxin.workflow.tests.helpers import attach_all, member_user

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_union_staff_file_hardship_for_a_member_and_it_is_paid(district):
    d = district
    fund(d.fed, "10000")
    m = member_user(d, d.base_a1, username="m1", name="王大姐")
    staff = d.users["base_a1.admin"]
    app = workflow.create_application(actor=staff, programme="hardship", data=hardship_data(), on_behalf=True,
                                      in_person=True, for_person=m.person)
    assert (app.person, app.applicant, app.entered_by, app.org, app.trips) == (m.person, None, staff, d.base_a1, 1)
    attach_all(app, staff, ["proof"])
    workflow.submit_application(actor=staff, app=app)
    workflow.decide(actor=d.users["fed.reviewer"], step_id=to_last_level(d, app).pk, decision="approved",
                    approval={"amount": "1000", "level": "ordinary"})
    assert LedgerEntry.objects.get(application=app).person == m.person


def test_who_may_be_named(district):
    d = district
    staff = d.users["base_a1.admin"]
    with pytest.raises(ServiceError) as e:
        workflow.create_application(actor=staff, programme="hardship", data=hardship_data(), on_behalf=True)
    assert e.value.field == "member"
    other = member_user(d, d.base_b1, username="m2", name="外街道会员")
    with pytest.raises(PermissionDenied):
        workflow.create_application(actor=staff, programme="hardship", data=hardship_data(), on_behalf=True,
                                    for_person=other.person)
    assert not Application.objects.exists()


def test_returned_application_is_corrected_by_the_staff_who_entered_it(district):
    d = district
    m = member_user(d, d.base_a1, username="m3", name="李师傅")
    staff = d.users["base_a1.admin"]
    app = workflow.create_application(actor=staff, programme="legal_aid", on_behalf=True, for_person=m.person,
                                      data={"dispute": "wages", "employer_name": "杭州某公司", "wanted": "advice",
                                            "description": "公司拖欠三个月工资共一万五千元，多次催要没有结果。"},
                                      submit=True)
    workflow.decide(actor=d.users["base_a1.reviewer"], step_id=app.steps.get(decision__isnull=True).pk,
                    decision="returned", fields=["employer_name"], comment="请写单位全称")
    app.refresh_from_db()
    workflow.update_application(actor=staff, app=app, data={"employer_name": "杭州某装饰工程有限公司"})
    workflow.submit_application(actor=staff, app=app)
    app.refresh_from_db()
    assert app.state in ("submitted", "in_review") and app.person == m.person and "杭州某装饰工程有限公司" in app.title


def test_counter_page(district, client):
    from lianxin.core import crypto
    from lianxin.members.services import REVEALABLE

    d = district
    m = member_user(d, d.base_a1, username="m4", name="赵阿姨")
    col, context, _ = REVEALABLE["id_number"]
    full = crypto.decrypt(getattr(m.person, col), context=context)
    client.force_login(d.users["base_a1.admin"])
    assert "困难职工帮扶" in client.get("/console/applications/filed/").content.decode()
    page = client.get("/console/applications/file/hardship/").content.decode()
    assert 'name="member"' in page
    form = {**hardship_data(), "member": "赵阿姨", "action": "save"}
    r = client.post("/console/applications/file/hardship/", form)
    assert r.status_code == 400 and "完整的身份证号" in r.content.decode() and 'value="赵阿姨"' in r.content.decode()
    r = client.post("/console/applications/file/hardship/", {**form, "member": full})
    assert r.status_code == 302
    assert Application.objects.get().person == m.person
    assert client.get("/console/applications/file/transfer/").status_code == 404
    assert client.get("/console/applications/file/profile_correction/").status_code == 404
