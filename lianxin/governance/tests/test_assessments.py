"""年度考核: the federation opens a year (who is assessed fixed then), each post grades its workers, 优秀 at most
20 % (rounded down, at least 1), 不合格 with a reason, the federation confirms and the round is frozen; export."""

import io

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from python_calamine import CalamineWorkbook

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT
from lianxin.governance import services_workers as services
from lianxin.governance.models import Assessment, AssessmentRound, excellent_quota
from lianxin.governance.testing import open_round, recruit

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def grade(item, g, actor=ROOT, comment="工作扎实，群众满意", reason=""):
    return services.grade_assessment(actor=actor, item=item, grade=g, comment=comment, reason=reason)


@pytest.mark.parametrize("n, quota", [(1, 1), (4, 1), (5, 1), (9, 1), (10, 2), (14, 2), (15, 3), (101, 20)])
def test_the_quota_is_twenty_percent_rounded_down_at_least_one(n, quota):
    assert excellent_quota(n) == quota


def test_open_fixes_who_is_assessed(district):
    d = district
    ws = [recruit(d.street_a if i % 2 else d.street_b, name=f"社工{i}") for i in range(6)]
    gone = recruit(d.street_a, name="离职者")
    services.leave_worker(actor=ROOT, worker=gone, on=timezone.localdate(), reason="个人原因")
    r = open_round(d.fed, actor=d.users["fed.admin"])
    assert (r.assessed, r.excellent_quota, r.excellent) == (6, 1, 0)
    assert set(Assessment.objects.filter(round=r).values_list("worker_id", flat=True)) == {w.pk for w in ws}
    recruit(d.street_a, name="新来的")
    assert Assessment.objects.filter(round=r).count() == 6
    with pytest.raises(ServiceError) as e:
        open_round(d.fed)
    assert e.value.code == "duplicate"
    with pytest.raises(ServiceError) as e:
        open_round(d.fed, year=timezone.localdate().year + 1)
    assert e.value.field == "year"


@pytest.mark.parametrize("who", ["street_a.admin", "fed.reviewer", "fed.viewer"])
def test_only_the_federation_admin_opens_and_confirms(district, who):
    d = district
    recruit(d.street_a)
    with pytest.raises(PermissionDenied):
        open_round(d.fed, actor=d.users[who])
    r = open_round(d.fed)
    grade(Assessment.objects.get(round=r), "qualified")
    with pytest.raises(PermissionDenied):
        services.confirm_assessment(actor=d.users[who], round=r)


def test_excellent_within_the_quota_and_given_back(district):
    d = district
    ws = [recruit(d.street_a, name=f"社工{i}") for i in range(10)]
    r = open_round(d.fed)
    assert r.excellent_quota == 2
    items = list(Assessment.objects.filter(round=r).order_by("id"))
    grade(items[0], "excellent")
    grade(items[1], "excellent")
    with pytest.raises(ServiceError) as e:
        grade(items[2], "excellent")
    assert e.value.code == "full" and "优秀最多 2 人" in e.value.message
    assert Assessment.objects.get(pk=items[2].pk).grade == ""
    grade(items[0], "excellent", comment="再次评定")  # the same grade again takes no second place
    grade(items[1], "qualified")  # gives its place back
    grade(items[2], "excellent")
    assert AssessmentRound.objects.get(pk=r.pk).excellent == 2
    assert Assessment.objects.filter(round=r, grade="excellent").count() == 2
    assert len(ws) == 10
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentRound.objects.filter(pk=r.pk).update(excellent=3)


def test_unqualified_needs_a_reason_and_comment_is_required(district):
    recruit(district.street_a)
    r = open_round(district.fed)
    a = Assessment.objects.get(round=r)
    with pytest.raises(ServiceError) as e:
        grade(a, "unqualified")
    assert e.value.field == "reason"
    with pytest.raises(ServiceError) as e:
        grade(a, "qualified", comment="")
    assert e.value.field == "comment"
    with pytest.raises(ServiceError) as e:
        grade(a, "best")
    assert e.value.field == "grade"
    grade(a, "unqualified", reason="全年走访企业不足十家")
    a.refresh_from_db()
    assert a.grade == "unqualified" and a.reason == "全年走访企业不足十家"
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=a.pk).update(reason="")


def test_the_post_grades_its_own_workers(district):
    d = district
    recruit(d.street_a, name="白杨社工")
    recruit(d.street_b, name="下沙社工")
    r = open_round(d.fed)
    a = Assessment.objects.get(round=r, worker__person__name="白杨社工")
    for who in ("street_b.admin", "street_a.reviewer", "street_a.viewer", "base_a1.admin"):
        with pytest.raises(PermissionDenied):
            grade(a, "qualified", actor=d.users[who])
    grade(a, "qualified", actor=d.users["street_a.admin"])
    # a transfer during the round moves the grading to the new post
    b = Assessment.objects.get(round=r, worker__person__name="下沙社工")
    services.transfer_worker(
        actor=ROOT, worker=b.worker, to=d.joint_a, on=timezone.localdate(), note="支援白杨"
    )
    grade(b, "basic", actor=d.users["street_a.admin"])


def test_confirm_needs_every_grade_then_freezes(district):
    d = district
    recruit(d.street_a, name="甲社工")
    recruit(d.street_b, name="乙社工")
    r = open_round(d.fed)
    a, b = Assessment.objects.filter(round=r).order_by("id")
    grade(a, "excellent")
    with pytest.raises(ServiceError) as e:
        services.confirm_assessment(actor=d.users["fed.admin"], round=r)
    assert e.value.code == "incomplete" and "1 名" in e.value.message
    grade(b, "qualified")
    services.confirm_assessment(actor=d.users["fed.admin"], round=r)
    with pytest.raises(ServiceError) as e:
        grade(b, "basic")
    assert e.value.code == "frozen"
    with pytest.raises(ServiceError) as e:
        services.confirm_assessment(actor=ROOT, round=r)
    assert e.value.code == "frozen"
    assert Assessment.objects.get(pk=b.pk).grade == "qualified"
    assert AuditEntry.objects.filter(action="governance.assessment_confirm").count() == 1


def test_export_is_masked_scoped_formula_safe_and_audited(client, district):
    d = district
    w = recruit(d.street_a, name="=HYPERLINK(1)")
    recruit(d.street_b, name="下沙社工")
    r = open_round(d.fed)
    grade(Assessment.objects.get(worker=w), "excellent", comment="+SUM(A1)")
    client.force_login(d.users["street_a.viewer"])
    resp = client.get(f"/console/governance/workers/assessments/{r.pk}/export/")
    assert resp.status_code == 200
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(resp.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert len(rows) == 2  # header + street A's one worker
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["姓名"] == "'=HYPERLINK(1)" and row["评语"] == "'+SUM(A1)" and row["考核等次"] == "优秀"
    assert row["身份证号"] == w.person.id_masked and "*" in row["身份证号"] and "*" in row["手机号码"]
    e = AuditEntry.objects.get(action="governance.assessment_export")
    assert e.actor == d.users["street_a.viewer"] and e.detail["count"] == 1
