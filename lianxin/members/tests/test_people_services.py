import datetime as dt

import pytest

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, id_number, make_person
from lianxin.members import selectors, services
from lianxin.members.models import Membership, MembershipStatus

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_create_person_derives_and_cross_checks(district):
    n = id_number(gender="F", birth=dt.date(1988, 8, 8))
    p = services.create_person(actor=ROOT, org=district.base_a1, name="李娜", id_number=n.lower(), mobile="13912345678",
                               gender="F", birth_date=dt.date(1988, 8, 8))
    assert (p.gender, p.birth_date, p.region_code) == ("F", dt.date(1988, 8, 8), "330114")
    assert p.id_masked == n[:4] + "*" * 10 + n[-4:] and p.mobile_masked == "139****5678"
    assert n not in p.id_cipher and "13912345678" not in p.mobile_cipher
    with pytest.raises(ServiceError, match="性别与身份证号不符"):
        services.create_person(actor=ROOT, org=district.base_a1, name="x", id_number=id_number(gender="F"), gender="M")
    with pytest.raises(ServiceError, match="出生日期与身份证号不符"):
        services.create_person(actor=ROOT, org=district.base_a1, name="x", id_number=id_number(birth=dt.date(1990, 1, 1)),
                               birth_date=dt.date(1990, 1, 2))
    with pytest.raises(ServiceError, match="已登记"):
        services.create_person(actor=ROOT, org=district.base_b1, name="重复", id_number=n)


def test_search_by_name_member_number_full_id_and_mobile(district):
    p = make_person(district.base_a1, "王建国", mobile_no="13600001111")
    m = services.admit_member(actor=ROOT, person=p, union=district.base_a1)
    actor = district.users["street_a.viewer"]
    number = services.crypto.decrypt(p.id_cipher, context=services.ID_CTX)
    for q in ("建国", m.member_no, number, number.lower(), "136 0000 1111"):
        assert list(selectors.person_list(actor=actor, q=q)) == [p], q
    assert not selectors.person_list(actor=actor, q=number[:10]).exists()  # no partial-ID search
    assert not selectors.person_list(actor=district.users["street_b.admin"], q=number).exists()  # scope


def test_reveal_needs_reason_and_role_and_is_audited(district):
    p = make_person(district.base_a1, "赵六", mobile_no="13700002222")
    with pytest.raises(ServiceError, match="事由"):
        services.reveal_person_field(actor=district.users["street_a.admin"], person=p, field="mobile", reason="")
    with pytest.raises(PermissionDenied):
        services.reveal_person_field(actor=district.users["street_a.viewer"], person=p, field="mobile", reason="核对")
    with pytest.raises(PermissionDenied):
        services.reveal_person_field(actor=district.users["street_b.admin"], person=p, field="mobile", reason="核对")
    assert services.reveal_person_field(actor=district.users["street_a.reviewer"], person=p, field="mobile",
                                        reason="电话回访") == "13700002222"
    e = AuditEntry.objects.filter(action="person.reveal").get()
    assert e.reason == "电话回访" and e.actor.username == "street_a.reviewer" and "13700002222" not in str(e.detail)


def test_transfer_keeps_history_and_number(district):
    p = make_person(district.base_a1, "孙七")
    m1 = services.admit_member(actor=ROOT, person=p, union=district.base_a1)
    with pytest.raises(ServiceError, match="转会"):
        services.admit_member(actor=ROOT, person=p, union=district.base_b1)
    m2 = services.transfer_membership(actor=ROOT, membership=m1, to_union=district.base_b1)
    m1.refresh_from_db()
    p.refresh_from_db()
    assert (m1.status, m2.status, m2.member_no, m2.transferred_from_id) == (
        MembershipStatus.TRANSFERRED, MembershipStatus.MEMBER, m1.member_no, m1.pk)
    assert p.org_id == district.base_b1.pk
    assert Membership.objects.filter(person=p, status__in=["applying", "member"]).count() == 1
    # the old street's admin cannot move someone else's member
    with pytest.raises(PermissionDenied):
        services.transfer_membership(actor=district.users["street_a.admin"], membership=m2, to_union=district.base_a1)


def test_end_membership_requires_reason(district):
    p = make_person(district.base_a1, "周八")
    m = services.admit_member(actor=ROOT, person=p, union=district.base_a1)
    with pytest.raises(ServiceError, match="原因"):
        services.end_membership(actor=ROOT, membership=m, reason=" ")
    services.end_membership(actor=ROOT, membership=m, reason="退休")
    m.refresh_from_db()
    assert m.status == MembershipStatus.LEFT
