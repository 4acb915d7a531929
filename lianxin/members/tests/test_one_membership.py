"""A person is a member of at most one base union at a time (issue 2), held by the database: a partial unique
constraint on active memberships. The service turns a second admission into a Chinese "transfer instead";
concurrent admissions from separate connections still end with exactly one membership; a transfer keeps the
history and never has two active rows."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from lianxin.core.errors import ServiceError
from lianxin.core.testing import ROOT, make_person
from lianxin.members import services
from lianxin.members.models import ACTIVE_STATUSES, Membership, MembershipStatus
from lianxin.orgs import services as org_services
from lianxin.orgs.models import OrgKind


@pytest.mark.pg
@pytest.mark.django_db
def test_database_rejects_a_second_active_membership(district):
    p = make_person(district.base_a1)
    services.admit_member(actor=ROOT, person=p, union=district.base_a1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(person=p, union=district.joint_b, status=MembershipStatus.APPLYING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(person=p, union=district.joint_a, status=MembershipStatus.MEMBER,
                                  member_no="LX-RAW-1", joined_on="2024-01-01")
    # ended memberships do not count
    Membership.objects.create(person=p, union=district.joint_b, status=MembershipStatus.LEFT)
    assert Membership.objects.filter(person=p, status__in=ACTIVE_STATUSES).count() == 1


@pytest.mark.pg
@pytest.mark.django_db
def test_admitting_a_member_of_another_union_says_transfer(district):
    p = make_person(district.base_a1, name="钱七")
    services.admit_member(actor=ROOT, person=p, union=district.base_a1)
    with pytest.raises(ServiceError) as e:
        services.admit_member(actor=ROOT, person=p, union=district.joint_a)
    assert "请办理转会" in e.value.message and district.base_a1.name in e.value.message
    with pytest.raises(ServiceError) as e:
        services.admit_member(actor=ROOT, person=p, union=district.base_a1)
    assert "已是本会会员" in e.value.message
    assert Membership.objects.filter(person=p).count() == 1


@pytest.mark.pg
@pytest.mark.django_db
def test_transfer_keeps_history_and_the_constraint(district):
    p = make_person(district.base_a1, name="孙八")
    first = services.admit_member(actor=ROOT, person=p, union=district.base_a1)
    second = services.transfer_membership(actor=ROOT, membership=first, to_union=district.joint_a)
    third = services.transfer_membership(actor=ROOT, membership=second, to_union=district.joint_b)
    rows = list(Membership.objects.filter(person=p).order_by("id"))
    assert [(m.union_id, m.status) for m in rows] == [
        (district.base_a1.pk, MembershipStatus.TRANSFERRED),
        (district.joint_a.pk, MembershipStatus.TRANSFERRED),
        (district.joint_b.pk, MembershipStatus.MEMBER),
    ]
    assert third.transferred_from_id == second.pk and second.transferred_from_id == first.pk
    assert {m.member_no for m in rows} == {first.member_no}  # the number travels with the member
    assert all(m.left_on for m in rows[:2])
    p.refresh_from_db()
    assert p.org_id == district.joint_b.pk
    # mid-transfer the database still refuses a second active row
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(person=p, union=district.base_a1, status=MembershipStatus.APPLYING)
    # a transfer of a closed membership is refused, and the history is untouched
    with pytest.raises(ServiceError):
        services.transfer_membership(actor=ROOT, membership=first, to_union=district.base_b1)
    assert Membership.objects.filter(person=p, status__in=ACTIVE_STATUSES).count() == 1


N_THREADS = 8


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_concurrent_admissions_to_different_unions_make_one_membership(district):
    d = district
    unions = [d.base_a1, d.base_b1, d.joint_a, d.joint_b]
    for i in range(N_THREADS - len(unions)):
        unions.append(org_services.create_organization(actor=ROOT, parent=d.joint_a, kind=OrgKind.BASE,
                                                       name=f"并发测试工会{i}"))
    person = make_person(d.base_a1, name="并发人")
    barrier = threading.Barrier(N_THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def admit(union):
        try:
            barrier.wait(timeout=30)
            services.admit_member(actor=ROOT, person=person, union=union)
            outcome = "ok"
        except ServiceError as e:
            outcome = f"refused: {e.message}"
        except Exception as e:  # noqa: BLE001 - anything else is a bug; record it for the assertion
            outcome = f"error: {type(e).__name__}: {e}"
        finally:
            connection.close()  # each thread has its own connection; close it
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=admit, args=(u,)) for u in unions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == N_THREADS
    assert results.count("ok") == 1, results
    assert all(r == "ok" or r.startswith("refused:") for r in results), results
    assert Membership.objects.filter(person=person, status__in=ACTIVE_STATUSES).count() == 1
    assert Membership.objects.filter(person=person).count() == 1


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_admission_takes_the_number_counter_before_the_person(district):
    """One lock order for everyone who both locks people and draws member numbers: the counter first, then the
    person (a roster import holds the counter while it locks the people of each chunk). An admission that waits
    for the counter must not be holding its person meanwhile, or it and an import could deadlock."""
    from django.db import DatabaseError, connections

    from lianxin.members.models import Person

    p = make_person(district.base_a1, name="周九")
    counter_held, release, admitted = threading.Event(), threading.Event(), []

    def importer():  # holds the counter as a running import does
        try:
            with transaction.atomic():
                services.lock_member_numbers()
                counter_held.set()
                release.wait(20)
        finally:
            connections.close_all()

    def admission():
        try:
            admitted.append(services.admit_member(actor=ROOT, person=p, union=district.base_a1))
        finally:
            connections.close_all()

    a = threading.Thread(target=importer)
    a.start()
    assert counter_held.wait(10)
    b = threading.Thread(target=admission)
    b.start()
    b.join(1.0)
    assert b.is_alive()  # waiting for the counter
    try:
        with transaction.atomic():  # ...and not holding the person: NOWAIT gets the row at once
            assert list(Person.objects.select_for_update(nowait=True).filter(pk=p.pk).values_list("pk", flat=True))
    except DatabaseError:
        pytest.fail("the waiting admission holds the person's row lock: lock order is person → counter")
    finally:
        release.set()
        a.join(10)
        b.join(10)
    assert len(admitted) == 1 and admitted[0].member_no
