"""DESIGN rule 4 on PostgreSQL for 社会化工会工作者: each call in its own thread and connection, released together."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from lianxin.core.testing import ROOT, make_person, race
from lianxin.governance import services_workers as services
from lianxin.governance.models import Assessment, AssessmentRound, SocialWorker, WorkerPosting, WorkLog
from lianxin.governance.testing import log_month, open_round, recruit

pytestmark = [pytest.mark.pgonly, pytest.mark.django_db(transaction=True)]


def test_two_postings_of_one_person_at_once_leave_one_active(district):
    d = district
    person = make_person(d.base_a1, "同一人")
    posts = [d.street_a, d.street_b, d.joint_a, d.joint_b]
    results = race([lambda p=p: recruit(p, person=person) for p in posts], ok_label="ok")
    assert Counter(results) == {"ok": 1, "duplicate": 3}
    assert SocialWorker.objects.filter(person=person).count() == 1
    assert WorkerPosting.objects.filter(worker__person=person, ended_on__isnull=True).count() == 1


def test_two_transfers_of_one_worker_at_once_leave_one_active(district):
    d = district
    w = recruit(d.street_a)
    cur = services.open_posting(w)
    today = timezone.localdate()
    targets = [d.street_b, d.joint_a, d.joint_b, d.base_b1]
    results = race(
        [
            lambda t=t: services.transfer_worker(
                actor=ROOT, worker=w, to=t, on=today, note="工作需要", posting_id=cur.pk
            )
            for t in targets
        ],
        ok_label="ok",
    )
    assert Counter(results) == {"ok": 1, "stale": 3}
    open_ = WorkerPosting.objects.filter(worker=w, ended_on__isnull=True)
    assert open_.count() == 1
    assert SocialWorker.objects.get(pk=w.pk).post_id == open_.get().org_id
    assert WorkerPosting.objects.filter(worker=w).count() == 2


def test_excellent_from_parallel_requests_never_passes_the_quota(district):
    d = district
    for i in range(10):
        recruit(d.street_a if i % 2 else d.street_b, name=f"并发社工{i}")
    r = open_round(d.fed)
    assert r.excellent_quota == 2
    items = list(Assessment.objects.filter(round=r))
    results = race(
        [
            lambda a=a: services.grade_assessment(actor=ROOT, item=a, grade="excellent", comment="表现突出")
            for a in items
        ],
        ok_label="ok",
    )
    assert Counter(results) == {"ok": 2, "full": 8}
    assert AssessmentRound.objects.get(pk=r.pk).excellent == 2
    assert Assessment.objects.filter(round=r, grade="excellent").count() == 2


def test_two_confirmations_of_one_month_log(district):
    w = recruit(district.street_a)
    log = log_month(w)
    users = [district.users["street_a.reviewer"], district.users["street_a.admin"], ROOT, ROOT]
    results = race([lambda u=u: services.confirm_work_log(actor=u, log=log) for u in users], ok_label="ok")
    assert Counter(results) == {"ok": 1, "confirmed": 3}
    assert WorkLog.objects.get(pk=log.pk).status == "confirmed"


def test_grading_racing_the_confirmation(district):
    """A grade that waits for the round while the federation confirms it is refused (frozen), never written
    after the freeze."""
    d = district
    recruit(d.street_a, name="甲社工")
    r = open_round(d.fed)
    a = Assessment.objects.get(round=r)
    services.grade_assessment(actor=ROOT, item=a, grade="qualified", comment="合格")
    calls = [lambda: services.confirm_assessment(actor=ROOT, round=r)] + [
        lambda: services.grade_assessment(actor=ROOT, item=a, grade="basic", comment="基本合格")
    ] * 3
    results = race(calls, ok_label="ok")
    r.refresh_from_db()
    assert r.status == "confirmed"
    a.refresh_from_db()
    ok_grades = results.count("ok") - 1
    assert set(results) <= {"ok", "frozen"}
    assert (a.grade == "basic") == (ok_grades > 0)


def test_two_rehires_of_one_worker_at_once_engage_them_once(district):
    d = district
    w = recruit(d.street_a)
    services.leave_worker(actor=ROOT, worker=w, on=timezone.localdate(), reason="个人原因")
    w.refresh_from_db()
    today = timezone.localdate()
    results = race(
        [
            lambda p=p: services.rehire_worker(
                actor=ROOT, worker=w, post=p, grade=2, contract_start=today,
                contract_end=today + dt.timedelta(days=730),
            )
            for p in (d.street_a, d.street_b, d.joint_a)
        ],
        ok_label="ok",
    )
    assert Counter(results) == {"ok": 1, "duplicate": 2}
    assert SocialWorker.objects.filter(person=w.person, status="active").count() == 1
    assert WorkerPosting.objects.filter(worker__person=w.person, ended_on__isnull=True).count() == 1
