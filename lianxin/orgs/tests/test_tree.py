import pytest

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.testing import ROOT
from lianxin.orgs import selectors, services
from lianxin.orgs.models import Organization, OrgKind

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_paths_nest_and_subtree_is_one_prefix(district):
    d = district
    assert d.base_a1.path.startswith(d.joint_a.path) and d.joint_a.path.startswith(d.street_a.path)
    sub = set(Organization.objects.filter(path__startswith=d.street_a.path).values_list("pk", flat=True))
    assert {d.street_a.pk, d.joint_a.pk, d.base_a1.pk} <= sub and d.base_b1.pk not in sub


def test_kind_rules_refuse_impossible_children(district):
    with pytest.raises(ServiceError, match="不能设立"):
        services.create_organization(actor=ROOT, parent=district.base_a1, kind=OrgKind.STREET, name="x")
    with pytest.raises(ServiceError, match="顶级"):
        services.create_organization(actor=ROOT, parent=None, kind=OrgKind.STREET, name="x")


def test_street_admin_cannot_create_under_other_street(district):
    with pytest.raises(PermissionDenied):
        services.create_organization(actor=district.users["street_a.admin"], parent=district.street_b,
                                     kind=OrgKind.JOINT, name="越权联合工会")
    with pytest.raises(PermissionDenied):
        services.create_organization(actor=district.users["street_a.viewer"], parent=district.street_a,
                                     kind=OrgKind.JOINT, name="查看员不能写")


def test_move_rewrites_the_whole_subtree(district):
    d = district
    moved = services.move_organization(actor=ROOT, org=d.joint_a, new_parent=d.street_b)
    d.base_a1.refresh_from_db()
    assert moved.path.startswith(d.street_b.path) and d.base_a1.path.startswith(moved.path)
    assert d.base_a1.depth == moved.depth + 1
    with pytest.raises(ServiceError, match="自己的下级"):
        services.move_organization(actor=ROOT, org=d.street_b, new_parent=d.base_a1)


def test_member_count_is_derived_from_memberships(district):
    from lianxin.core.testing import make_person
    from lianxin.members.services import admit_member

    for i in range(3):
        admit_member(actor=ROOT, person=make_person(district.base_a1, f"会员{i}"), union=district.base_a1)
    assert selectors.member_count(district.base_a1) == 3
    assert selectors.member_count(district.street_a) == 3
    assert selectors.member_count(district.street_b) == 0
    assert selectors.member_counts([district.fed, district.street_b]) == {district.fed.pk: 3, district.street_b.pk: 0}


def test_coverage_by_street_counts_enterprises_and_workers(district):
    from lianxin.core.testing import make_enterprise

    make_enterprise(district.street_a, "未建会小微企业", size="micro", headcount=10)
    rows = {r["label"]: r for r in selectors.coverage(actor=district.users["fed.viewer"], by="street")}
    a = rows["白杨街道总工会"]
    assert (a["enterprises"], a["enterprises_covered"], a["workers"], a["workers_covered"]) == (2, 1, 60, 50)
    assert a["enterprise_rate"] == 50.0
    # a street viewer sees only its own street
    assert [r["label"] for r in selectors.coverage(actor=district.users["street_b.viewer"])] == ["下沙街道总工会"]


def test_enterprise_credit_code_is_validated_and_unique(district):
    from lianxin.core.testing import credit_code, make_enterprise

    with pytest.raises(ServiceError, match="统一社会信用代码"):
        services.create_enterprise(actor=ROOT, street=district.street_a, name="坏代码", credit_code="123",
                                   industry="C", size="small", ownership="private")
    make_enterprise(district.street_a, "甲", n=999)
    with pytest.raises(ServiceError, match="已登记"):
        services.create_enterprise(actor=ROOT, street=district.street_a, name="乙", credit_code=credit_code(999),
                                   industry="C", size="small", ownership="private")
