"""Service 1, joining: routing to the employer's union (or the street's joint union), approval creating the
person, membership and member number, the already-a-member answer, and a union entering it at the counter."""

import pytest

from lianxin.core.errors import ServiceError
from lianxin.members.models import Membership, Person
from lianxin.workflow import services
from lianxin.workflow.models import Application, State

from .helpers import join_data, make_enterprise, member_user, worker

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_join_routes_to_base_union_and_approval_admits(district, client):
    d = district
    u = worker()
    client.force_login(u)
    resp = client.post("/m/join/", {**join_data(d, n=501), "action": "submit"})
    assert resp.status_code == 302
    app = Application.objects.get()
    assert app.state == State.SUBMITTED and app.org == d.base_a1
    assert app.sealed["id_number"] and "*" in app.form["id_number"]  # personal data sealed, masked copy shown
    step = app.steps.get()
    services.decide(actor=d.users["base_a1.reviewer"], step_id=step.pk, decision="approved")
    app.refresh_from_db()
    assert app.state == State.APPROVED and app.decided_at
    person = Person.objects.get(name="王小明")
    m = Membership.objects.get(person=person)
    assert m.union == d.base_a1 and m.status == "member" and m.member_no == app.result["member_no"]
    u.refresh_from_db()
    assert u.person == person
    page = client.get(f"/m/my/applications/{app.pk}/")
    assert m.member_no in page.content.decode()


def test_employer_without_union_goes_to_joint_union_and_is_flagged(district):
    d = district
    ent = make_enterprise(d.street_b, "无工会小店")
    u = worker()
    app = services.create_application(actor=u, programme="join", data=join_data(d, employer=ent, n=502),
                                      submit=True)
    assert app.org == d.joint_b
    ent.refresh_from_db()
    assert ent.needs_union_founding


def test_typed_employer_with_street(district):
    d = district
    app = services.create_application(actor=worker(), programme="join", submit=True, data=join_data(
        d, n=503, employer_id="", employer_name="未登记的早餐店", street_id=str(d.street_a.pk)))
    assert app.org == d.joint_a


def test_already_member_is_told_to_transfer(district, client):
    d = district
    m = member_user(d, d.base_a1)
    from lianxin.core import crypto
    from lianxin.members.services import ID_CTX

    number = crypto.decrypt(m.person.id_cipher, context=ID_CTX)
    client.force_login(worker())
    resp = client.post("/m/join/", {**join_data(d), "id_number": number, "action": "submit"})
    body = resp.content.decode()
    assert resp.status_code == 400
    assert "已是杭州甲科技有限公司工会的会员" in body and "/m/apply/transfer/" in body
    assert not Application.objects.exists()


def test_union_enters_for_worker_at_counter_counts_a_trip(district, client):
    d = district
    client.force_login(d.users["base_a1.admin"])
    resp = client.post("/console/applications/file/join/", {**join_data(d, n=504), "in_person": "1",
                                                             "action": "submit"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    app = Application.objects.get()
    assert app.applicant is None and app.entered_by == d.users["base_a1.admin"] and app.trips == 1
    assert app.state == State.SUBMITTED


def test_union_cannot_enter_for_a_union_outside_scope(district):
    d = district
    with pytest.raises(ServiceError):
        services.create_application(actor=d.users["base_a1.admin"], programme="join", on_behalf=True,
                                    data=join_data(d, employer=d.ent_b1, n=505))


def test_bad_identity_is_refused_in_chinese(district, client):
    client.force_login(worker())
    resp = client.post("/m/join/", {**join_data(district), "id_number": "330114199001011234",
                                    "action": "submit"})
    assert resp.status_code == 400 and "校验位不正确" in resp.content.decode()


def test_second_open_join_for_same_person_refused(district):
    d = district
    data = join_data(d, n=506)
    services.create_application(actor=worker("w1"), programme="join", data=data, submit=True)
    with pytest.raises(ServiceError) as e:
        services.create_application(actor=worker("w2"), programme="join", data=data, submit=True)
    assert "正在办理" in e.value.message


def test_refused_form_keeps_what_was_typed(district, client):
    client.force_login(worker())
    data = join_data(district, n=507, mobile="12345")
    body = client.post("/m/join/", {**data, "action": "submit"}).content.decode()
    assert "不是有效的11位手机号" in body and f'value="{data["id_number"]}"' in body


def test_employer_search_options(district, client):
    client.force_login(worker())
    body = client.get("/applications/enterprises/?employer_q=乙制造").content.decode()
    assert district.ent_b1.name in body and district.ent_a1.name not in body and "找到 1 家" in body
    client.logout()
    assert client.get("/applications/enterprises/?q=乙").status_code == 302  # signed-in users only


def test_no_one_under_16_joins(district, client):
    """《劳动法》 allows no worker under 16: an ID number saying 15 years old is refused at the ID field (a
    reviewer found a child's number accepted)."""
    import datetime as dt

    from lianxin.core.testing import id_number

    today = dt.date.today()
    fifteen = id_number(601, birth=dt.date(today.year - 16, today.month, 1) + dt.timedelta(days=40))
    with pytest.raises(ServiceError) as e:
        services.create_application(actor=worker(), programme="join", data={**join_data(district), "id_number": fifteen},
                                    submit=True)
    assert e.value.field == "id_number" and "未满16周岁" in e.value.message
    sixteen = id_number(602, birth=dt.date(today.year - 16, 1, 1))
    app = services.create_application(actor=worker("w16"), programme="join",
                                      data={**join_data(district), "id_number": sixteen}, submit=True)
    assert app.state == State.SUBMITTED
    assert not Application.objects.filter(title__contains="未满").exists()


def test_one_account_files_one_join_at_a_time(district, client):
    """A second 入会 from the same account, for another ID number, waits until the first is decided."""
    d, u = district, worker()
    first = services.create_application(actor=u, programme="join", data=join_data(d, n=611), submit=True)
    client.force_login(u)
    r = client.post("/m/join/", {**join_data(d, n=612, name="王小红"), "action": "submit"})
    assert r.status_code == 400 and f"编号 {first.number}" in r.content.decode()
    assert Application.objects.filter(programme="join").count() == 1
    services.decide(actor=d.users["base_a1.reviewer"], step_id=first.steps.get().pk, decision="rejected",
                    comment="信息不实")
    second = services.create_application(actor=u, programme="join", data=join_data(d, n=612, name="王小红"))
    assert second.state == State.DRAFT
    # the union's staff at the counter enter joins for many workers
    admin = d.users["base_a1.admin"]
    for n in (613, 614):
        services.create_application(actor=admin, programme="join", data=join_data(d, n=n), on_behalf=True)
