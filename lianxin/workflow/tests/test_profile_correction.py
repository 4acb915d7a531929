"""个人信息更正 (programme ``profile_correction``): a member asks to correct their own record from 我的; nothing
changes until their union approves in the applications queue, which applies it through
members.services.update_person (audited). The requested new mobile is sealed like the join form's, with only a
masked copy in the form. Replaces the portal's former private correction requests."""

import pytest

from lianxin.activities.testing import make_member
from lianxin.core import crypto
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.members.services import MOBILE_CTX
from lianxin.workflow import selectors, services
from lianxin.workflow.models import Application, State

from .helpers import worker

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

CODE = "profile_correction"


def file(member, **data):
    return services.create_application(actor=member.user, programme=CODE, data=data, submit=True)


def test_whole_flow_from_me_to_applied(district, client):
    """我的 → apply page → 我的申请 → queue → return for correction → fix → approve → record changed."""
    d = district
    m = make_member(d.base_a1, "钱伟", mobile_no="13900000001", job="操作工")
    client.force_login(m.user)
    me = client.get("/m/me/").content.decode()
    assert f'href="/m/apply/{CODE}/"' in me
    form = client.get(f"/m/apply/{CODE}/").content.decode()
    assert 'name="mobile"' in form and 'name="education"' in form and "本科" in form
    assert "现登记：操作工" in form and "现登记：139****0001" in form  # what the record holds, masked
    resp = client.post(f"/m/apply/{CODE}/", {"name": "钱玮", "mobile": "13712345678", "job": "班长",
                                             "reason": "登记错字，已换手机", "action": "submit"})
    assert resp.status_code == 302
    app = Application.objects.get(programme=CODE)
    assert app.state == State.SUBMITTED and app.org == d.base_a1 and app.person == m.person
    assert app.form["mobile"] == "137****5678" and "13712345678" not in str(app.form) + str(app.sealed)
    m.person.refresh_from_db()
    assert (m.person.name, m.person.job, m.person.mobile_masked) == ("钱伟", "操作工", "139****0001")
    assert app.number in client.get("/m/my/applications/").content.decode()

    # the union's reviewer finds it in the queue and sees the record beside the request
    reviewer = d.users["base_a1.reviewer"]
    step = app.steps.get()
    assert [s.pk for s in selectors.queue(actor=reviewer, programme=CODE)] == [step.pk]
    client.force_login(reviewer)
    page = client.get(f"/console/applications/{app.pk}/").content.decode()
    assert 'id="compare"' in page and "钱伟" in page and "钱玮" in page and "137****5678" in page
    assert "13712345678" not in page
    resp = client.post(f"/console/applications/{app.pk}/decide/", {
        "step": step.pk, "decision": "returned", "fields": ["job"], "comment": "岗位请写全称"})
    assert resp.status_code == 302

    # the member fixes only the named field and resubmits; the sealed mobile survives the round trip
    client.force_login(m.user)
    page = client.get(f"/m/my/applications/{app.pk}/").content.decode()
    assert "岗位请写全称" in page and 'name="job"' in page and 'name="name"' not in page
    resp = client.post(f"/m/my/applications/{app.pk}/", {"job": "装配车间班长", "name": "别人", "action": "submit"})
    assert resp.status_code == 302
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and app.form["job"] == "装配车间班长" and app.form["name"] == "钱玮"
    assert crypto.decrypt(app.sealed["mobile"], context="workflow.form.mobile") == "13712345678"

    client.force_login(reviewer)
    step = app.steps.get(decision__isnull=True)
    assert client.post(f"/console/applications/{app.pk}/decide/",
                       {"step": step.pk, "decision": "approved"}).status_code == 302
    app.refresh_from_db()
    assert app.state == State.APPROVED and app.result["corrected"] == ["姓名", "手机号码", "岗位/职务"]
    m.person.refresh_from_db()
    assert (m.person.name, m.person.job, m.person.mobile_masked) == ("钱玮", "装配车间班长", "137****5678")
    assert crypto.decrypt(m.person.mobile_cipher, context=MOBILE_CTX) == "13712345678"
    entry = AuditEntry.objects.get(action="person.update", object_id=str(m.person.pk))
    assert entry.detail["before"]["name"] == "钱伟" and entry.detail["after"]["mobile"] == "137****5678"
    assert AuditEntry.objects.filter(action="workflow.approved", object_id=str(app.pk)).exists()
    done = Notification.objects.get(user=m.user, template="workflow_decision", title__contains="办结")
    assert "姓名、手机号码、岗位/职务已按申请更正" in done.body
    assert "已更正：姓名、手机号码、岗位/职务" in client.get(f"/console/applications/{app.pk}/").content.decode()
    client.force_login(m.user)
    assert "已更正：姓名、手机号码、岗位/职务" in client.get(f"/m/my/applications/{app.pk}/").content.decode()


def test_choices_and_education_applied(district):
    m = make_member(district.base_a1)
    app = file(m, education="bachelor", political_status="league", ethnicity="回族")
    services.decide(actor=district.users["street_a.reviewer"], step_id=app.steps.get().pk, decision="approved")
    m.person.refresh_from_db()
    assert (m.person.education, m.person.political_status, m.person.ethnicity) == ("bachelor", "league", "回族")


def test_refusals_name_the_field(district):
    m = make_member(district.base_a1, "钱伟", mobile_no="13900000001", job="操作工")
    cases = [({"education": "phd"}, "education", "学历"),
             ({"political_status": "x"}, "political_status", "政治面貌"),
             ({"mobile": "123"}, "mobile", "手机"),
             ({"reason": "只写了说明"}, None, "至少填写一项"),
             ({"job": "操作工"}, "job", "与现有登记相同"),
             ({"mobile": "139 0000 0001"}, "mobile", "与现有登记相同")]
    for data, field, words in cases:
        with pytest.raises(ServiceError) as e:
            file(m, **data)
        assert e.value.field == field and words in e.value.message, data
    with pytest.raises(ServiceError) as e:  # an account with no person record
        services.create_application(actor=worker(), programme=CODE, data={"job": "班长"})
    assert e.value.code == "not_member"
    app = file(m, job="班长")
    with pytest.raises(ServiceError) as e:  # one open correction per person (a database constraint)
        file(m, name="钱玮")
    assert e.value.code == "duplicate"
    with pytest.raises(ServiceError) as e:
        services.decide(actor=district.users["base_a1.reviewer"], step_id=app.steps.get().pk,
                        decision="rejected", comment="")
    assert e.value.field == "comment"
    services.decide(actor=district.users["base_a1.reviewer"], step_id=app.steps.get().pk, decision="rejected",
                    comment="请携带证明到工会办理")
    m.person.refresh_from_db()
    assert m.person.job == "操作工"
    assert "请携带证明" in Notification.objects.get(user=m.user, title__contains="未通过").body
    file(m, name="钱玮")  # a decided request frees the person to ask again


def test_scope(district, client):
    d = district
    m = make_member(d.base_a1, "钱伟")
    app = file(m, job="班长")
    step = app.steps.get()
    assert [s.pk for s in selectors.queue(actor=d.users["street_a.reviewer"], scope="all")] == [step.pk]
    assert not selectors.queue(actor=d.users["street_b.reviewer"], scope="all").exists()
    assert not selectors.queue(actor=d.users["street_a.viewer"], scope="all").exists()
    assert not selectors.application_list(actor=d.users["street_b.admin"], programme=CODE).exists()
    client.force_login(d.users["street_b.admin"])
    assert client.get(f"/console/applications/{app.pk}/").status_code == 404
    assert client.post(f"/console/applications/{app.pk}/decide/",
                       {"step": step.pk, "decision": "approved"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.decide(actor=d.users["street_b.admin"], step_id=step.pk, decision="approved")
    client.force_login(d.users["base_a1.viewer"])
    assert client.post(f"/console/applications/{app.pk}/decide/",
                       {"step": step.pk, "decision": "approved"}).status_code == 403
    # another member neither sees it nor may withdraw it; staff cannot file one for somebody
    other = make_member(d.base_a1, "孙丽")
    client.force_login(other.user)
    assert client.get(f"/m/my/applications/{app.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.withdraw_application(actor=other.user, app=app)
    client.force_login(d.users["base_a1.admin"])
    assert client.get(f"/console/applications/file/{CODE}/").status_code == 404
    m.person.refresh_from_db()
    assert m.person.job != "班长" and app.steps.get().decision is None


def test_old_addresses_lead_to_the_workflow(district, client):
    m = make_member(district.base_a1)
    client.force_login(m.user)
    assert client.get("/m/me/correction/")["Location"] == f"/m/apply/{CODE}/"
    client.force_login(district.users["street_a.admin"])
    assert client.get("/console/corrections/")["Location"] == f"/console/applications/?programme={CODE}&tab=all"


def test_sms_goes_to_the_mobile_on_record_not_the_requested_one(district):
    from lianxin.core.notify import RECIPIENT_CTX

    m = make_member(district.base_a1, mobile_no="13900000001")
    app = file(m, mobile="13712345678")
    services.decide(actor=district.users["base_a1.reviewer"], step_id=app.steps.get().pk, decision="rejected",
                    comment="请本人持身份证到工会更改")
    sms = Notification.objects.get(channel="sms", context__application=app.pk)
    assert crypto.decrypt(sms.recipient_cipher, context=RECIPIENT_CTX) == "13900000001"


def test_a_former_member_may_still_correct_their_record(district):
    from lianxin.core.testing import ROOT
    from lianxin.members import services as members

    m = make_member(district.base_a1, job="操作工")
    members.end_membership(actor=ROOT, membership=m.membership, reason="退休")
    with pytest.raises(ServiceError):  # member-only programmes are closed to them …
        services.create_application(actor=m.user, programme="transfer",
                                    data={"employer_id": str(district.ent_b1.pk), "reason": "x"})
    app = file(m, job="退休职工")  # … but their record is still theirs to correct
    assert app.org == m.person.org and app.state == State.SUBMITTED
