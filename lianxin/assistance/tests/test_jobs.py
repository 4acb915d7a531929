"""就业帮扶: posts for employers in the register by unions in scope; one application per person per post (unique);
outcomes along allowed transitions only; hires never beyond the openings (a conditional UPDATE under a CHECK,
raced on PostgreSQL); 求职登记 matched to open posts by 工种 keyword."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.assistance import selectors_jobs as sel
from lianxin.assistance import services_jobs as jobs
from lianxin.assistance.models import JobApplication, JobPost, JobSeeker
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.testing import ROOT, race
from lianxin.workflow.tests.helpers import member_user

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

TODAY = timezone.localdate


def post(d, *, openings="2", union=None, actor=None, **kw):
    args = dict(employer=d.ent_a1.credit_code, title="数控车床操作工", trade="车工", openings=openings,
                salary_min="5000", salary_max="7000", requirements="两年以上经验", contact="人事部 王女士",
                valid_until=TODAY() + dt.timedelta(days=30))
    args.update(kw)
    return jobs.create_post(actor=actor or d.users["base_a1.admin"], union=union or d.base_a1, **args)


def worker(d, n, union=None):
    return member_user(d, union or d.base_a1, username=f"j{n}", name=f"求职者{n}")


def walk(d, a, steps, who="base_a1.admin"):
    for s in steps:
        a = jobs.record_outcome(actor=d.users[who], application=a, status=s, note="不合适" if s == "rejected" else "")
    return a


def test_posting_refuses_bad_input_and_out_of_scope(district):
    d = district
    bad = [({"employer": "不存在的公司"}, "employer"), ({"employer": d.ent_b1.credit_code}, "employer"),
           ({"title": "工"}, "title"), ({"openings": "0"}, "openings"), ({"openings": "三"}, "openings"),
           ({"salary_min": "8000", "salary_max": "6000"}, "salary_max"), ({"salary_min": "-1"}, "salary_min"),
           ({"valid_until": TODAY() - dt.timedelta(days=1)}, "valid_until"),
           ({"valid_until": TODAY() + dt.timedelta(days=400)}, "valid_until"), ({"contact": ""}, "contact")]
    for change, field in bad:
        with pytest.raises(ServiceError) as e:
            post(d, **change)
        assert e.value.field == field, change
    with pytest.raises(PermissionDenied):
        post(d, union=d.base_b1)
    p = post(d, employer=d.ent_a1.name)  # by full name as well as by credit code
    assert p.employer_id == d.ent_a1.pk and p.hired == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        JobPost.objects.filter(pk=p.pk).update(salary_min=9000)


def test_one_application_per_post(district):
    d = district
    p = post(d)
    u = worker(d, 1, union=d.base_b1)  # members anywhere in the district may apply
    jobs.apply(actor=u, post=p)
    with pytest.raises(ServiceError) as e:
        jobs.apply(actor=u, post=p)
    assert e.value.code == "duplicate"
    assert JobApplication.objects.count() == 1
    JobPost.objects.filter(pk=p.pk).update(valid_until=TODAY() - dt.timedelta(days=1))
    with pytest.raises(ServiceError) as e:
        jobs.apply(actor=worker(d, 2), post=p)
    assert e.value.code == "closed"


def test_outcomes_follow_allowed_transitions_only(district):
    d = district
    p = post(d)
    a = jobs.apply(actor=worker(d, 1), post=p)
    for wrong in ("interview", "hired", "applied", "nonsense"):
        with pytest.raises(ServiceError) as e:
            jobs.record_outcome(actor=d.users["base_a1.admin"], application=a, status=wrong)
        assert e.value.field == "status", wrong
    with pytest.raises(ServiceError) as e:  # 未录用 needs its reason
        jobs.record_outcome(actor=d.users["base_a1.admin"], application=a, status="rejected")
    assert e.value.field == "note"
    with pytest.raises(PermissionDenied):  # another street's staff
        jobs.record_outcome(actor=d.users["street_b.admin"], application=a, status="recommended")
    a = walk(d, a, ["recommended", "interview", "hired"])
    assert a.status == "hired"
    p.refresh_from_db()
    assert p.hired == 1
    with pytest.raises(ServiceError) as e:  # final
        jobs.record_outcome(actor=d.users["base_a1.admin"], application=a, status="rejected", note="改")
    assert e.value.code == "transition"
    b = walk(d, jobs.apply(actor=worker(d, 2), post=p), ["rejected"])
    assert b.status == "rejected" and b.note == "不合适"


def test_hires_never_beyond_the_openings(district):
    d = district
    p = post(d, openings="1")
    a, b = (walk(d, jobs.apply(actor=worker(d, i), post=p), ["recommended", "interview"]) for i in (1, 2))
    walk(d, a, ["hired"])
    with pytest.raises(ServiceError) as e:
        walk(d, b, ["hired"])
    assert e.value.code == "full"
    b.refresh_from_db()
    assert b.status == "interview"  # the refused hire rolled back its outcome
    with pytest.raises(IntegrityError), transaction.atomic():
        JobPost.objects.filter(pk=p.pk).update(hired=2)
    with pytest.raises(ServiceError) as e:  # full: members are told before applying
        jobs.apply(actor=worker(d, 3), post=p)
    assert e.value.code == "full"


def test_seekers_matched_by_trade_keyword_in_scope(district):
    d = district
    lathe = post(d, title="数控车床操作工", trade="车工")
    post(d, title="设备维修电工", trade="电工")
    far = post(d, title="普通车工", trade="车工", union=d.base_b1, actor=ROOT, employer=d.ent_b1.credit_code)
    u1 = worker(d, 1)
    s1 = jobs.register_seeker(actor=u1, wanted_job="车床操作", trade="车工", skills="十年经验")
    jobs.register_seeker(actor=worker(d, 2), wanted_job="保洁", trade="保洁")
    again = jobs.register_seeker(actor=u1, wanted_job="数控车床", trade="车工")
    assert again.pk == s1.pk and JobSeeker.objects.count() == 2  # one registration per person, updated
    actor = d.users["street_a.admin"]
    page = list(sel.seekers(actor=actor))
    found = sel.matches(actor=actor, page=page)
    assert [p.pk for p in found[s1.pk]] == [lathe.pk]  # street_b's 车工 post is outside street_a's scope
    assert far.pk in [p.pk for p in sel.matches(actor=ROOT, page=page)[s1.pk]]
    cleaner = next(s for s in page if s.trade == "保洁")
    assert found[cleaner.pk] == []
    assert list(sel.seekers(actor=d.users["street_b.admin"])) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_staff_hiring_more_than_the_openings_at_once(district):
    """Six interviewees hired at the same instant for two openings: exactly two hired, the counter at two."""
    d = district
    p = post(d, openings="2")
    apps = [walk(d, jobs.apply(actor=worker(d, i), post=p), ["recommended", "interview"]) for i in range(6)]
    results = race([lambda a=a: jobs.record_outcome(actor=d.users["base_a1.admin"], application=a, status="hired")
                    for a in apps], ok_label="ok")
    assert sorted(results) == ["full"] * 4 + ["ok"] * 2
    p.refresh_from_db()
    assert p.hired == 2 == JobApplication.objects.filter(post=p, status="hired").count()


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_double_tap_apply_and_double_outcome(district):
    d = district
    p = post(d)
    u = worker(d, 1)
    assert sorted(race([lambda: jobs.apply(actor=u, post=p)] * 3, ok_label="ok")) == ["duplicate"] * 2 + ["ok"]
    a = JobApplication.objects.get()
    results = race([lambda: jobs.record_outcome(actor=d.users["base_a1.admin"], application=a, status="recommended"),
                    lambda: jobs.record_outcome(actor=d.users["street_a.admin"], application=a,
                                                status="recommended")], ok_label="ok")
    assert sorted(results) == ["ok", "transition"]
