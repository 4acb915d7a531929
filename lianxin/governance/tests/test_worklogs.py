"""工作记录: one log per worker and month, entered by the post's staff, locked once the post confirms it."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT
from lianxin.governance import selectors_workers as sel
from lianxin.governance import services_workers as services
from lianxin.governance.models import WorkLog
from lianxin.governance.testing import log_month, recruit

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

COUNTS = {"visits": "8", "unions_founded": "0", "members_recruited": "15", "disputes_mediated": "1"}


def test_the_posts_admin_enters_and_its_reviewer_confirms(district):
    d = district
    w = recruit(d.street_a)
    log = log_month(w, actor=d.users["street_a.admin"], months_ago=1, visits=9)
    assert log.org == d.street_a and log.status == "draft" and log.visits == 9
    log = services.edit_work_log(
        actor=d.users["street_a.admin"], log=log, counts=COUNTS, summary="走访八家企业"
    )
    assert (log.visits, log.members_recruited, log.summary) == (8, 15, "走访八家企业")
    log = services.confirm_work_log(actor=d.users["street_a.reviewer"], log=log)
    assert log.status == "confirmed" and log.confirmed_at
    with pytest.raises(ServiceError) as e:
        services.edit_work_log(actor=d.users["street_a.admin"], log=log, counts=COUNTS, summary="改一改")
    assert e.value.code == "confirmed"
    with pytest.raises(ServiceError) as e:
        services.confirm_work_log(actor=d.users["street_a.admin"], log=log)
    assert e.value.code == "confirmed"
    assert WorkLog.objects.get(pk=log.pk).visits == 8
    assert set(
        AuditEntry.objects.filter(action__startswith="governance.worklog").values_list("action", flat=True)
    ) == {
        "governance.worklog_enter",
        "governance.worklog_edit",
        "governance.worklog_confirm",
    }


def test_one_log_per_worker_and_month(district):
    w = recruit(district.street_a)
    log_month(w, months_ago=1)
    with pytest.raises(ServiceError) as e:
        log_month(w, months_ago=1)
    assert e.value.code == "duplicate" and e.value.field == "month"
    log_month(w, months_ago=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkLog.objects.create(
            worker=w,
            org=w.post,
            year=timezone.localdate().year,
            month=timezone.localdate().month,
            summary="x",
        )


def test_bad_input_is_reported_per_field(district):
    w = recruit(district.street_a)
    today = timezone.localdate()
    with pytest.raises(ServiceError) as e:
        services.enter_work_log(
            actor=ROOT,
            worker=w,
            year=today.year,
            month=today.month,
            counts={"visits": "-1", "unions_founded": "x", "members_recruited": "", "disputes_mediated": "1"},
            summary="",
        )
    assert set(e.value.errors) == {"visits", "unions_founded", "members_recruited", "summary"}
    assert "走访企业" in e.value.errors["visits"] and "新建工会" in e.value.errors["unions_founded"]
    nxt = (today.year + (today.month == 12), today.month % 12 + 1)
    with pytest.raises(ServiceError) as e:
        services.enter_work_log(
            actor=ROOT, worker=w, year=nxt[0], month=nxt[1], counts=COUNTS, summary="下月的记录"
        )
    assert e.value.field == "month"
    with pytest.raises(ServiceError) as e:
        services.enter_work_log(
            actor=ROOT, worker=w, year=today.year - 3, month=1, counts=COUNTS, summary="派驻之前"
        )
    assert e.value.field == "month"
    assert not WorkLog.objects.exists()


@pytest.mark.parametrize("who", ["street_b.admin", "street_a.viewer", "street_a.reviewer", "base_a1.admin"])
def test_only_the_posts_admin_enters(district, who):
    w = recruit(district.street_a)
    with pytest.raises(PermissionDenied):
        log_month(w, actor=district.users[who])


@pytest.mark.parametrize("who", ["street_b.reviewer", "street_a.viewer", "street_a.auditor"])
def test_only_the_posts_reviewer_or_admin_confirms(district, who):
    w = recruit(district.street_a)
    log = log_month(w)
    with pytest.raises(PermissionDenied):
        services.confirm_work_log(actor=district.users[who], log=log)
    assert WorkLog.objects.get(pk=log.pk).status == "draft"


def test_a_transfer_leaves_old_months_with_the_old_post(district):
    d = district
    w = recruit(d.street_a)
    old = log_month(w, months_ago=1)
    services.transfer_worker(actor=ROOT, worker=w, to=d.street_b, on=timezone.localdate(), note="支援下沙")
    new = log_month(w, months_ago=0, actor=d.users["street_b.admin"])
    assert list(sel.work_logs(actor=d.users["street_a.viewer"])) == [old]
    assert list(sel.work_logs(actor=d.users["street_b.viewer"])) == [new]
    missing = sel.missing_logs(actor=d.users["fed.viewer"], year=new.year, month=new.month)
    assert not missing.exists()
