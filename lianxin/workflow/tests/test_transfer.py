"""Service 2, transferring: the old union releases, the new one accepts; the member number and history are kept
and the one-membership constraint holds throughout."""

import pytest

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.members.models import Membership
from lianxin.workflow import services
from lianxin.workflow.models import Application, State

from .helpers import member_user, worker

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_transfer_two_steps_keeps_number_and_history(district, client):
    d = district
    u = member_user(d, d.base_a1, employer=d.ent_a1)
    old = Membership.objects.get(person=u.person)
    client.force_login(u)
    resp = client.post("/m/apply/transfer/", {"employer_id": str(d.ent_b1.pk), "reason": "换工作",
                                              "action": "submit"})
    assert resp.status_code == 302
    app = Application.objects.get()
    assert (app.org, app.target_org) == (d.base_a1, d.base_b1)
    first = app.steps.get()
    assert first.org == d.base_a1
    # the receiving union cannot release on behalf of the old one
    with pytest.raises(PermissionDenied):
        services.decide(actor=d.users["street_b.reviewer"], step_id=first.pk, decision="approved")
    services.decide(actor=d.users["base_a1.reviewer"], step_id=first.pk, decision="approved")
    app.refresh_from_db()
    assert app.state == State.IN_REVIEW
    assert Membership.objects.get(pk=old.pk).status == "member"  # nothing moves until the new union accepts
    second = app.steps.get(decision__isnull=True)
    assert second.org == d.base_b1
    services.decide(actor=d.users["street_b.reviewer"], step_id=second.pk, decision="approved")
    app.refresh_from_db()
    assert app.state == State.APPROVED
    hist = list(Membership.objects.filter(person=u.person).order_by("id"))
    assert [h.status for h in hist] == ["transferred", "member"]
    assert hist[1].union == d.base_b1 and hist[1].member_no == old.member_no and hist[1].transferred_from == hist[0]
    u.person.refresh_from_db()
    assert u.person.employer == d.ent_b1 and u.person.org == d.base_b1


def test_only_members_may_ask(district):
    with pytest.raises(ServiceError) as e:
        services.create_application(actor=worker(), programme="transfer",
                                    data={"employer_id": str(district.ent_b1.pk), "reason": "x"})
    assert "在册会员" in e.value.message


def test_same_union_refused(district):
    d = district
    u = member_user(d, d.base_a1)
    with pytest.raises(ServiceError) as e:
        services.create_application(actor=u, programme="transfer", data={"employer_id": str(d.ent_a1.pk),
                                                                         "reason": "同单位"})
    assert "无需转会" in e.value.message
