"""重新聘用 of a 社会化工会工作者 who left: a new engagement (contract, grade, posting, logs, assessments of its
own), the old one kept as it was; refused while the person is in post (the partial UNIQUE, also under a race),
before the day they left, or by anyone but the federation's administrator; recruiting the same ID again is a
rehire too; the worker page offers it and lists the engagements."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, make_person
from lianxin.governance import selectors_workers as sel
from lianxin.governance import services_workers as services
from lianxin.governance.models import SocialWorker, WorkerPosting, WorkLog
from lianxin.governance.testing import log_month, recruit

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

TODAY = timezone.localdate


def left(d, *, days_ago: int = 10, name: str = "周社工"):
    w = recruit(d.street_a, name=name)
    log_month(w)
    services.leave_worker(actor=ROOT, worker=w, on=TODAY() - dt.timedelta(days=days_ago), reason="家庭原因")
    w.refresh_from_db()
    return w


def rehire(w, post, *, actor=ROOT, **kw):
    fields = dict(grade=1, contract_start=TODAY(), contract_end=TODAY() + dt.timedelta(days=3 * 365))
    fields.update(kw)
    return services.rehire_worker(actor=actor, worker=w, post=post, **fields)


def test_rehire_is_a_new_engagement_and_the_old_one_stays(district):
    d = district
    old = left(d)
    new = rehire(old, d.street_b, actor=d.users["fed.admin"])
    assert new.pk != old.pk and new.person_id == old.person_id
    assert (new.status, new.post, new.grade, new.contract_start) == ("active", d.street_b, 1, TODAY())
    assert WorkerPosting.objects.get(worker=new, ended_on__isnull=True).org == d.street_b
    old.refresh_from_db()
    assert old.status == "left" and old.post == d.street_a and old.grade == 2
    assert not WorkerPosting.objects.filter(worker=old, ended_on__isnull=True).exists()
    assert WorkLog.objects.filter(worker=old).count() == 1 and not WorkLog.objects.filter(worker=new).exists()
    e = AuditEntry.objects.get(action="governance.worker_rehire")
    assert e.object_id == str(new.pk) and e.detail["left_on"] == old.left_on.isoformat()
    assert e.detail["org"] == d.street_b.name and e.actor == d.users["fed.admin"]
    assert list(sel.engagements(actor=d.users["fed.viewer"], worker=old)) == [new, old]
    # each street sees the engagement posted in its own subtree
    assert list(sel.engagements(actor=d.users["street_a.viewer"], worker=old)) == [old]
    assert list(sel.workers(actor=d.users["street_b.viewer"])) == [new]


def test_rehire_refusals(district):
    d = district
    active = recruit(d.street_a, name="在岗社工")
    with pytest.raises(ServiceError) as e:
        rehire(active, d.street_b)
    assert e.value.code == "duplicate" and "仍在岗" in e.value.message
    old = left(d)
    with pytest.raises(ServiceError) as e:  # posted before the day they left
        rehire(old, d.street_a, contract_start=TODAY() - dt.timedelta(days=30),
               posted_on=TODAY() - dt.timedelta(days=20))
    assert e.value.field == "posted_on" and "上次离职日期" in e.value.message
    with pytest.raises(ServiceError) as e:
        rehire(old, d.street_a, grade=7)
    assert e.value.field == "grade"
    with pytest.raises(ServiceError) as e:
        rehire(old, d.street_a, contract_end=TODAY())
    assert e.value.field == "contract_end"
    for who in ("street_a.admin", "fed.viewer"):
        with pytest.raises(PermissionDenied):
            rehire(old, d.street_a, actor=d.users[who])
    rehire(old, d.street_a)
    with pytest.raises(ServiceError) as e:  # the old page again: they are in post already
        rehire(old, d.street_b)
    assert e.value.code == "duplicate" and "已是在岗的社会化工会工作者" in e.value.message
    assert SocialWorker.objects.filter(person=old.person, status="active").count() == 1
    assert AuditEntry.objects.filter(action="governance.worker_rehire").count() == 1


def test_recruiting_the_id_of_someone_who_left_is_a_rehire(district):
    d = district
    person = make_person(d.base_a1, "吴会员")
    first = recruit(d.joint_a, person=person)
    services.leave_worker(actor=ROOT, worker=first, on=TODAY() - dt.timedelta(days=1), reason="合同期满")
    again = recruit(d.street_b, person=person, contract_start=TODAY(), posted_on=TODAY())
    assert again.pk != first.pk and SocialWorker.objects.filter(person=person).count() == 2
    assert AuditEntry.objects.filter(action="governance.worker_recruit").count() == 1
    assert AuditEntry.objects.get(action="governance.worker_rehire").object_id == str(again.pk)


def test_the_worker_page_offers_rehiring_and_lists_the_engagements(district, client):
    d = district
    old = left(d)
    page = f"/console/governance/workers/{old.pk}/"
    client.force_login(d.users["street_a.admin"])  # sees the worker, may not rehire
    body = client.get(page).content.decode()
    assert 'id="rehire-form"' not in body
    assert client.post(page + "rehire/", {}).status_code == 403
    client.force_login(d.users["fed.admin"])
    body = client.get(page).content.decode()
    assert 'id="rehire-form"' in body and 'id="engagements"' not in body
    r = client.post(page + "rehire/", {"post": d.street_b.pk, "grade": "1", "contract_start": "x"})
    assert r.status_code == 302 and r.url == page and "合同开始" in [m.message for m in r.wsgi_request._messages][-1]
    start, end = TODAY(), TODAY() + dt.timedelta(days=365)
    r = client.post(page + "rehire/", {"post": d.street_b.pk, "grade": "1", "contract_start": start.isoformat(),
                                       "contract_end": end.isoformat()})
    new = SocialWorker.objects.get(person=old.person, status="active")
    assert r.status_code == 302 and r.url == f"/console/governance/workers/{new.pk}/"
    assert [m.message for m in r.wsgi_request._messages][-1] == f"已重新聘用{old.person.name}，派驻{d.street_b.name}"
    body = client.get(r.url).content.decode()
    assert 'id="engagements"' in body and f'href="{page}"' in body and "本次" in body
    assert 'id="rehire-form"' not in client.get(page).content.decode()  # in post again: nothing to offer
    r = client.post(page + "rehire/", {"post": d.street_a.pk, "grade": "2", "contract_start": start.isoformat(),
                                       "contract_end": end.isoformat()})
    assert r.url == page and "已是在岗" in [m.message for m in r.wsgi_request._messages][-1]
    assert SocialWorker.objects.filter(person=old.person).count() == 2
