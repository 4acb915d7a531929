"""PostgreSQL races (threads, each with its own connection, released at one barrier): the database alone keeps the
class's places, a union's quota, one enrolment per person, and unique gap-free certificate numbers when the
organiser issues twice at once (or two classes issue at the same instant), no enrolment into a class being cancelled,
and no roll call on a 课次 an edit removes."""

import pytest
from django.utils import timezone

from lianxin.core.testing import ROOT, race
from lianxin.training import services
from lianxin.training.models import ClassQuota, Enrolment, TrainingClass
from lianxin.training.testing import attend_all, end_class, make_class, make_member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.pgonly]


def test_more_enrolments_than_places_at_once(district):
    d = district
    k = make_class(d.fed, places=3)
    people = [make_member(d.base_a1 if i % 2 else d.base_b1, f"班长{i}").person for i in range(8)]
    results = race([lambda p=p: services.enrol(actor=ROOT, klass=k, person=p) for p in people], ok_label="ok")
    assert sorted(results) == ["full"] * 5 + ["ok"] * 3
    k.refresh_from_db()
    assert k.remaining == 0 and Enrolment.objects.filter(klass=k, status="enrolled").count() == 3


def test_a_union_never_passes_its_quota(district):
    """10 places, base_a1 may send 2: five of its administrators' enrolments at once give two; base_b1's three
    enrolments at the same instant are untouched by that quota."""
    d = district
    k = make_class(d.fed, places=10)
    services.set_quota(actor=ROOT, klass=k, union=d.base_a1, quota="2")
    a = [make_member(d.base_a1, f"甲{i}").person for i in range(5)]
    b = [make_member(d.base_b1, f"乙{i}").person for i in range(3)]
    calls = [lambda p=p: services.enrol(actor=d.users["base_a1.admin"], klass=k, person=p) for p in a]
    calls += [lambda p=p: services.enrol(actor=ROOT, klass=k, person=p) for p in b]
    results = race(calls, ok_label="ok")
    assert sorted(results) == ["ok"] * 5 + ["quota"] * 3
    q = ClassQuota.objects.get(klass=k, union=d.base_a1)
    k.refresh_from_db()
    assert q.remaining == 0 and Enrolment.objects.filter(klass=k, union=d.base_a1).count() == 2
    assert k.remaining == 10 - 5 and Enrolment.objects.filter(klass=k).count() == 5


def test_nested_quotas_and_places_together(district):
    """The street's quota (3) and the class's places (4) both bind while two unions under the street and one
    outside it enrol at once: never more than either allows, and the counters agree with the rows."""
    d = district
    k = make_class(d.fed, places=4)
    services.set_quota(actor=ROOT, klass=k, union=d.street_a, quota="3")
    people = [
        make_member(u, f"员{i}").person for i, u in enumerate([d.base_a1, d.joint_a] * 3 + [d.base_b1] * 3)
    ]
    results = race([lambda p=p: services.enrol(actor=ROOT, klass=k, person=p) for p in people], ok_label="ok")
    live = Enrolment.objects.filter(klass=k, status="enrolled")
    under_a = live.filter(union__path__startswith=d.street_a.path).count()
    k.refresh_from_db()
    q = ClassQuota.objects.get(klass=k)
    assert live.count() == results.count("ok") <= 4 and under_a <= 3
    assert k.remaining == 4 - live.count() and q.remaining == 3 - under_a
    assert set(results) <= {"ok", "full", "quota"}


def test_a_double_click_enrols_once(district):
    d = district
    k = make_class(d.street_a, places=5)
    p = make_member(d.base_a1, "连点").person
    results = race(
        [lambda: services.enrol(actor=d.users["base_a1.admin"], klass=k, person=p)] * 3, ok_label="ok"
    )
    assert sorted(results) == ["duplicate", "duplicate", "ok"]
    k.refresh_from_db()
    assert k.remaining == 4 and Enrolment.objects.filter(klass=k).count() == 1


def _ready(d, org, n, title):
    k = make_class(org, places=20, sessions=2, title=title)
    es = [
        services.enrol(actor=ROOT, klass=k, person=make_member(d.base_a1, f"{title[:2]}{i}").person)
        for i in range(n)
    ]
    end_class(k)
    attend_all(k, es)
    services.record_scores(actor=ROOT, klass=k, scores={str(e.pk): "80" for e in es})
    return k


def test_issuing_twice_at_once_numbers_once(district):
    d = district
    k = _ready(d, d.street_a, 6, "第一期班组长培训班")
    results = race([lambda: len(services.issue_certificates(actor=ROOT, klass=k))] * 2)
    assert sorted(results) == [0, 6]
    year = timezone.localdate().year
    numbers = sorted(Enrolment.objects.filter(klass=k).values_list("certificate_no", flat=True))
    assert numbers == [f"{year}{i:05d}" for i in range(1, 7)]


def test_two_classes_issuing_at_once_share_one_gap_free_sequence(district):
    d = district
    k1 = _ready(d, d.street_a, 4, "甲期班组长培训班")
    k2 = _ready(d, d.fed, 5, "乙期班组长培训班")
    results = race(
        [lambda k=k: len(services.issue_certificates(actor=ROOT, klass=k)) for k in (k1, k2, k1, k2)]
    )
    assert sorted(results) == [0, 0, 4, 5]
    seqs = sorted(int(n[4:]) for n in Enrolment.objects.values_list("certificate_no", flat=True))
    assert seqs == list(range(1, 10))
    assert TrainingClass.objects.filter(certified_at__isnull=False).count() == 2


def test_a_quota_set_while_its_union_enrols(district):
    """The organiser gives base_a1 a quota of 2 at the instant four of its members are enrolled: set_quota and the
    enrolments queue on the class row, so either the quota is refused (more already enrolled) or it holds exactly —
    its counter agrees with the union's live enrolments, which never pass it."""
    d = district
    k = make_class(d.fed, places=10)
    people = [make_member(d.base_a1, f"甲{i}").person for i in range(4)]
    calls = [lambda p=p: services.enrol(actor=ROOT, klass=k, person=p) and "ok" for p in people]
    calls.append(lambda: services.set_quota(actor=ROOT, klass=k, union=d.base_a1, quota="2") and "set")
    results = race(calls)
    assert set(results) <= {"ok", "quota", "set", "invalid"}
    live = Enrolment.objects.filter(klass=k, union=d.base_a1, status="enrolled").count()
    q = ClassQuota.objects.filter(klass=k, union=d.base_a1).first()
    if q is None:
        assert "invalid" in results and live == 4  # refused: three or more were in before it
    else:
        assert "set" in results and live <= 2 and q.remaining == 2 - live and results.count("ok") == live
    k.refresh_from_db()
    assert k.remaining == 10 - live


def test_lowering_places_while_enrolments_run(district):
    """Edits lowering the places to 4, 3 and 2 while six enrolments run at once: the class row lock makes each
    edit count what is taken, so taken never passes places and remaining never goes negative."""
    d = district
    k = make_class(d.fed, places=8)
    people = [make_member(d.base_a1 if i % 2 else d.base_b1, f"改{i}").person for i in range(6)]
    edit = {f: getattr(k, f) for f in services.EDITABLE}
    calls = [lambda p=p: services.enrol(actor=ROOT, klass=k, person=p) for p in people]
    calls += [
        lambda n=n: services.update_class(actor=ROOT, klass=k, **{**edit, "places": n}) for n in (4, 3, 2)
    ]
    results = race(calls, ok_label="ok")
    assert set(results) <= {"ok", "full", "below_taken"}
    k.refresh_from_db()
    live = Enrolment.objects.filter(klass=k, status="enrolled").count()
    assert 0 <= k.remaining == k.places - live and live <= k.places


def test_cancel_while_enrolments_run(district):
    """The organiser cancels at the instant six team leaders are enrolled: the cancellation holds the class row and
    every enrolment's conditional UPDATE asks ``status = 'open'``, so an enrolment either committed before the
    cancellation (and its trainee is told of it) or is refused as cancelled — never one accepted into a cancelled
    class."""
    from lianxin.core.models import Notification

    d = district
    k = make_class(d.fed, places=10)
    people = [make_member(d.base_a1 if i % 2 else d.base_b1, f"消{i}").person for i in range(6)]
    calls = [lambda p=p: services.enrol(actor=ROOT, klass=k, person=p) and "ok" for p in people]
    calls.append(lambda: services.cancel_class(actor=ROOT, klass=k, reason="场地临时征用") and "cancelled_it")
    results = race(calls)
    assert results.count("cancelled_it") == 1 and set(results) <= {"ok", "cancelled", "cancelled_it"}
    k.refresh_from_db()
    live = list(Enrolment.objects.filter(klass=k, status="enrolled").select_related("person__user"))
    assert k.status == "cancelled" and len(live) == results.count("ok")
    assert all(e.enrolled_at < k.cancelled_at for e in live)
    told = set(Notification.objects.filter(template="training_class_cancelled").values_list("user_id", flat=True))
    assert told == {e.person.user.pk for e in live}
    assert k.remaining == 10 - len(live)


def test_lowering_the_sessions_while_the_last_one_is_taken_roll_of(district):
    """An edit cutting 课次 5 → 3 at the instant the organiser saves the roll of 课次 5: both hold the class row, so
    either the roll call comes first and the edit is refused (课次 5 has marks), or the edit comes first and the roll
    call finds no 课次 5 — never marks on a 课次 the class no longer has."""
    from lianxin.training.models import Attendance, Session
    from lianxin.training.testing import start_class

    d = district
    k = make_class(d.street_a, places=5, sessions=5)
    e = services.enrol(actor=ROOT, klass=k, person=make_member(d.base_a1, "点名").person)
    start_class(k)
    edit = {**{f: getattr(k, f) for f in services.EDITABLE}, "sessions": "3"}
    results = race(
        [
            lambda: services.record_attendance(actor=ROOT, klass=k, n=5, present_ids=[e.pk]) and "roll",
            lambda: services.update_class(actor=ROOT, klass=k, **edit) and "edit",
        ]
    )
    k.refresh_from_db()
    n = list(Session.objects.filter(klass=k).values_list("n", flat=True))
    assert sorted(results) in (["below_recorded", "roll"], ["edit", "not_found"])
    if "edit" in results:
        assert k.sessions == 3 and n == [1, 2, 3] and not Attendance.objects.exists()
    else:
        assert k.sessions == 5 and n == [1, 2, 3, 4, 5] and Attendance.objects.get().session.n == 5


def test_two_revocations_at_once_revoke_once(district):
    """Two administrators (or a double click) revoke the same certificate at the same instant: the enrolment's row
    lock lets one through; the other, waiting, finds it revoked and says so — one history row, one audit entry."""
    from lianxin.core.models import AuditEntry
    from lianxin.training.models import RevokedCertificate

    d = district
    k = _ready(d, d.street_a, 2, "第一期班组长培训班")
    services.issue_certificates(actor=ROOT, klass=k)
    e = Enrolment.objects.filter(klass=k).order_by("id").first()
    number = e.certificate_no
    results = race(
        [
            lambda: services.revoke_certificate(
                actor=d.users["street_a.admin"], enrolment=e, reason="成绩登记错误"
            ).certificate_no,
            lambda: services.revoke_certificate(actor=ROOT, enrolment=e, reason="复核发现作弊").certificate_no,
        ]
    )
    assert sorted(results) == sorted([number, "revoked"])
    assert RevokedCertificate.objects.filter(certificate_no=number).count() == 1
    assert AuditEntry.objects.filter(action="training.certificate_revoke").count() == 1
    e.refresh_from_db()
    assert e.certificate_no is None and e.score is None


def test_a_revocation_while_the_class_issues_again(district):
    """A revocation and a second issue (for a trainee whose corrected score now qualifies) at the same instant:
    the newly qualified trainee gets the next number of the sequence, never the revoked one, and the revoked
    trainee gets none (the score the certificate vouched for is cleared with it)."""
    from lianxin.training.models import RevokedCertificate

    d = district
    k = _ready(d, d.street_a, 3, "第一期班组长培训班")
    first, second, late = Enrolment.objects.filter(klass=k).order_by("id")
    services.record_scores(actor=ROOT, klass=k, scores={str(late.pk): "30"})
    services.issue_certificates(actor=ROOT, klass=k)
    services.record_scores(actor=ROOT, klass=k, scores={str(late.pk): "70"})  # the re-sit
    first.refresh_from_db()
    revoked_no = first.certificate_no
    results = race(
        [
            lambda: services.revoke_certificate(actor=ROOT, enrolment=first, reason="成绩登记错误").certificate_no,
            lambda: [e.pk for e in services.issue_certificates(actor=ROOT, klass=k)],
        ]
    )
    assert sorted(map(str, results)) == sorted([revoked_no, str([late.pk])])
    year = timezone.localdate().year
    late.refresh_from_db()
    first.refresh_from_db()
    assert late.certificate_no == f"{year}00003" and first.certificate_no is None
    assert RevokedCertificate.objects.get().certificate_no == revoked_no == f"{year}00001"
    assert sorted(Enrolment.objects.exclude(certificate_no=None).values_list("certificate_no", flat=True)) == [
        f"{year}00002",
        f"{year}00003",
    ]
