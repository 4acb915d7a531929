"""社会化工会工作者 services: recruitment and posting, transfers with history, contracts due, leaving; who may do
each (the federation's administrator recruits and posts, a street only sees its own)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, id_number, make_person, mobile
from lianxin.governance import selectors_workers as sel
from lianxin.governance import services_workers as services
from lianxin.governance.models import SocialWorker, WorkerPosting
from lianxin.governance.testing import recruit

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_recruit_creates_person_worker_and_posting(district):
    d = district
    number, phone = id_number(), mobile()
    w = recruit(
        d.street_a, actor=d.users["fed.admin"], name="陈社工", id_number=number, mobile=phone, grade=1
    )
    assert w.person.name == "陈社工" and w.person.org == d.street_a
    assert w.person.id_masked != number and w.person.id_masked.endswith(number[-4:])
    assert w.get_grade_display() == "一级" and w.band == "6800–8200 元/月"
    p = WorkerPosting.objects.get(worker=w)
    assert p.org == d.street_a and p.ended_on is None
    e = AuditEntry.objects.filter(action="governance.worker_recruit").get()
    assert e.detail["id"] == w.person.id_masked and number not in str(e.detail)


def test_recruit_reuses_a_registered_person_and_refuses_a_second_time(district):
    d = district
    person = make_person(d.base_a1, "吴会员")
    w = recruit(d.joint_a, person=person)
    assert w.person == person
    with pytest.raises(ServiceError) as e:
        recruit(d.street_b, person=person)
    assert e.value.code == "duplicate" and "已是在岗的社会化工会工作者" in e.value.message
    with pytest.raises(ServiceError) as e:
        recruit(d.street_b, person=person, name="别的名字")
    assert e.value.field == "name"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"grade": 4}, "grade"),
        ({"grade": "x"}, "grade"),
        ({"name": " "}, "name"),
        ({"id_number": "330104199001011234"}, "身份证号"),
        ({"mobile": "12345"}, "手机号码"),
        ({"contract_end": timezone.localdate() - dt.timedelta(days=90)}, "contract_end"),
        ({"posted_on": timezone.localdate() + dt.timedelta(days=4000)}, "posted_on"),
    ],
)
def test_bad_input_names_the_field(district, change, field):
    with pytest.raises(ServiceError) as e:
        recruit(district.street_a, **change)
    assert e.value.field == field and e.value.message
    assert not SocialWorker.objects.exists()


def test_recruit_needs_a_proper_post(district):
    with pytest.raises(ServiceError) as e:
        recruit(district.fed)
    assert e.value.field == "post"


@pytest.mark.parametrize("who", ["street_a.admin", "fed.reviewer", "fed.viewer", "base_a1.admin"])
def test_only_the_federation_admin_recruits_transfers_renews_and_ends(district, who):
    d = district
    user = d.users[who]
    with pytest.raises(PermissionDenied):
        recruit(d.street_a, actor=user)
    w = recruit(d.street_a)
    today = timezone.localdate()
    for call in (
        lambda: services.transfer_worker(actor=user, worker=w, to=d.joint_a, on=today, note="工作需要"),
        lambda: services.renew_contract(
            actor=user, worker=w, contract_end=w.contract_end + dt.timedelta(days=365), grade=1
        ),
        lambda: services.leave_worker(actor=user, worker=w, on=today, reason="个人原因"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert WorkerPosting.objects.filter(worker=w).count() == 1


def test_transfer_closes_the_old_posting_and_keeps_history(district):
    d = district
    w = recruit(d.street_a)
    today = timezone.localdate()
    cur = services.open_posting(w)
    services.transfer_worker(
        actor=d.users["fed.admin"], worker=w, to=d.street_b, on=today, note="下沙街道缺人", posting_id=cur.pk
    )
    w.refresh_from_db()
    assert w.post == d.street_b
    rows = list(WorkerPosting.objects.filter(worker=w).order_by("id").values_list("org_id", "ended_on"))
    assert rows == [(d.street_a.pk, today), (d.street_b.pk, None)]
    # the clerk who still sees the old posting is refused instead of moving the worker again
    with pytest.raises(ServiceError) as e:
        services.transfer_worker(actor=ROOT, worker=w, to=d.joint_a, on=today, note="再调", posting_id=cur.pk)
    assert e.value.code == "stale"
    with pytest.raises(ServiceError) as e:
        services.transfer_worker(actor=ROOT, worker=w, to=d.street_b, on=today, note="同一单位")
    assert e.value.field == "to"
    with pytest.raises(ServiceError) as e:
        services.transfer_worker(actor=ROOT, worker=w, to=d.joint_a, on=today, note="")
    assert e.value.field == "note"
    e = AuditEntry.objects.get(action="governance.worker_transfer")
    assert e.detail["from_post"] == d.street_a.name and e.detail["to_post"] == d.street_b.name


def test_one_open_posting_is_held_by_the_database(district):
    w = recruit(district.street_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkerPosting.objects.create(worker=w, org=district.street_b, started_on=timezone.localdate())


def test_contracts_due_within_sixty_days(district):
    d = district
    soon = recruit(d.street_a, name="快到期", contract_days=20)
    recruit(d.street_a, name="还早", contract_days=400)
    gone = recruit(d.street_a, name="已离职", contract_days=10)
    services.leave_worker(actor=ROOT, worker=gone, on=timezone.localdate(), reason="个人原因")
    assert list(sel.expiring_contracts(actor=d.users["street_a.viewer"])) == [soon]
    services.renew_contract(
        actor=ROOT, worker=soon, contract_end=soon.contract_end + dt.timedelta(days=730), grade=1
    )
    assert not sel.expiring_contracts(actor=d.users["fed.viewer"]).exists()
    soon.refresh_from_db()
    assert soon.grade == 1
    with pytest.raises(ServiceError) as e:
        services.renew_contract(actor=ROOT, worker=soon, contract_end=soon.contract_end, grade=1)
    assert e.value.field == "contract_end"


def test_leaving_closes_the_posting(district):
    w = recruit(district.street_a)
    with pytest.raises(ServiceError) as e:
        services.leave_worker(actor=ROOT, worker=w, on=timezone.localdate(), reason="")
    assert e.value.field == "reason"
    services.leave_worker(actor=ROOT, worker=w, on=timezone.localdate(), reason="考取公务员")
    w.refresh_from_db()
    assert w.status == "left" and not WorkerPosting.objects.filter(worker=w, ended_on__isnull=True).exists()
    with pytest.raises(ServiceError) as e:
        services.transfer_worker(
            actor=ROOT, worker=w, to=district.street_b, on=timezone.localdate(), note="调岗"
        )
    assert e.value.code == "bad_status"


def test_streets_see_their_own_workers(district):
    d = district
    a, b = recruit(d.joint_a, name="白杨社工"), recruit(d.street_b, name="下沙社工")
    assert list(sel.workers(actor=d.users["street_a.viewer"])) == [a]
    assert list(sel.workers(actor=d.users["street_b.viewer"])) == [b]
    assert set(sel.workers(actor=d.users["fed.viewer"])) == {a, b}
    assert not sel.workers(actor=d.users["base_a1.admin"]).exists()
    services.transfer_worker(actor=ROOT, worker=b, to=d.street_a, on=timezone.localdate(), note="支援白杨")
    assert set(sel.workers(actor=d.users["street_a.viewer"])) == {a, b}
    assert not sel.workers(actor=d.users["street_b.viewer"]).exists()
