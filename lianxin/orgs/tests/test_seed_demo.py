import pytest
from django.core.management import call_command

from lianxin.accounts.models import StaffRole
from lianxin.core.audit import verify
from lianxin.members.models import Membership, Person
from lianxin.orgs.models import Enterprise, Organization, OrgKind

pytestmark = [pytest.mark.django_db]


def _snapshot():
    return (list(Person.objects.order_by("id_bidx").values_list("name", "birth_date", "gender")[:50]),
            list(Enterprise.objects.order_by("credit_code").values_list("name", "credit_code", "headcount")))


def test_seed_demo_builds_a_consistent_district_and_is_deterministic():
    call_command("seed_demo", people=600, enterprises=40, verbosity=0)
    assert Organization.objects.filter(kind=OrgKind.FEDERATION).count() == 1
    assert Organization.objects.filter(kind=OrgKind.STREET).count() == 2
    assert Organization.objects.filter(kind__in=[OrgKind.JOINT, OrgKind.INDUSTRY]).count() == 10
    assert {OrgKind.YOUTH, OrgKind.WOMEN, OrgKind.PARTY} <= set(Organization.objects.values_list("kind", flat=True))
    ents = Enterprise.objects.all()
    uncovered = ents.filter(covering_union__isnull=True).count()
    assert ents.count() == 40 and 0.1 < uncovered / 40 < 0.5
    people = Person.objects.count()  # 600 from the district, plus any that the apps' demo data add
    assert people >= 600 and Person.objects.values("id_bidx").distinct().count() == people
    assert Person.objects.exclude(mobile_bidx="").values("mobile_bidx").distinct().count() >= 600
    assert Membership.objects.filter(status="member").count() > 400
    assert {"admin", "reviewer", "viewer", "auditor"} == set(StaffRole.objects.values_list("role", flat=True))
    assert verify() == []
    first = _snapshot()
    call_command("seed_demo", if_empty=True, verbosity=0)  # second run is a no-op
    assert Person.objects.count() == people
    # a fresh run with the same seed produces the same district
    call_command("flush", interactive=False, verbosity=0)
    call_command("seed_demo", people=600, enterprises=40, verbosity=0)
    assert _snapshot() == first
