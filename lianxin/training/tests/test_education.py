"""教育补助 (programme ``education`` on the applications engine): the form's Chinese refusals, the caps per level and
the tuition paid, once per person per level (whatever union), the payment from the nearest 教育补助 fund up the
tree, too little money refusing the approval with the step left open, and two approvals racing for the last money
on PostgreSQL."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.assistance.models import LedgerEntry
from lianxin.assistance.services import balance
from lianxin.assistance.tests.helpers import fund
from lianxin.core.errors import ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import make_user, race
from lianxin.training.models import EducationGrant
from lianxin.workflow import services as workflow
from lianxin.workflow.models import Application, Step
from lianxin.workflow.tests.helpers import attach_all, member_user

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def edu_data(**kw):
    data = {
        "level": "bachelor",
        "school": "浙江工业大学",
        "major": "机械设计制造及其自动化",
        "graduated_on": (timezone.localdate() - dt.timedelta(days=30)).isoformat(),
        "tuition": "9000",
        "amount": "3000",
    }
    data.update(kw)
    return data


def apply(user, **kw):
    app = workflow.create_application(actor=user, programme="education", data=edu_data(**kw))
    attach_all(app, user, ["diploma"])
    return workflow.submit_application(actor=user, app=app)


def approve(d, app, amount="3000", who="fed.reviewer"):
    workflow.decide(
        actor=d.users["base_a1.reviewer"],
        step_id=app.steps.get(decision__isnull=True).pk,
        decision="approved",
    )
    return workflow.decide(
        actor=d.users[who],
        step_id=app.steps.get(decision__isnull=True).pk,
        decision="approved",
        approval={"amount": amount},
    )


def _refused(user, **kw):
    with pytest.raises(ServiceError) as e:
        workflow.create_application(actor=user, programme="education", data=edu_data(**kw))
    return e.value


def test_the_form_refuses_in_chinese_naming_the_field(district):
    user = member_user(district, district.base_a1)
    today = timezone.localdate()
    cases = [
        ({"level": "phd"}, "level", "取得的学历或证书的取值无效"),
        ({"school": ""}, "school", "毕业学校或发证机构不能为空"),
        ({"graduated_on": (today - dt.timedelta(days=400)).isoformat()}, "graduated_on", "超过 12 个月"),
        ({"graduated_on": (today + dt.timedelta(days=1)).isoformat()}, "graduated_on", "不能晚于今天"),
        ({"tuition": "九千"}, "tuition", "本人已缴学费应为以元为单位的数字"),
        ({"amount": "0"}, "amount", "申请金额应大于 0"),
        ({"amount": "3000.01"}, "amount", "本科的教育补助最高 3,000.00 元"),
        ({"level": "college", "amount": "2500"}, "amount", "大专的教育补助最高 2,000.00 元"),
        ({"tuition": "1200", "amount": "1500"}, "amount", "不能超过本人已缴学费 1,200.00 元"),
    ]
    for change, field, words in cases:
        e = _refused(user, **change)
        assert e.field == field and words in e.message, (change, e.field, e.message)
    assert not Application.objects.exists()
    outsider = make_user("worker")  # an account with no member record
    assert _refused(outsider).code == "not_member"


def test_approved_within_the_cap_is_paid_from_the_nearest_fund(district):
    d = district
    fed_fund = fund(d.fed, "20000", purpose="education")
    street_fund = fund(d.street_a, "5000", purpose="education")  # nearer to base_a1: it pays
    user = member_user(d, d.base_a1)
    app = apply(user, level="master", tuition="12000", amount="5000")
    with pytest.raises(ServiceError) as e:  # the federation may not approve beyond the cap
        approve(d, app, amount="5000.50")
    assert e.value.field == "amount" and "硕士研究生的教育补助最高 5,000.00 元" in e.value.message
    assert app.steps.filter(decision__isnull=True).count() == 1
    workflow.decide(
        actor=d.users["fed.reviewer"],
        step_id=app.steps.get(decision__isnull=True).pk,
        decision="approved",
        approval={"amount": "4500"},
    )
    app.refresh_from_db()
    assert (
        app.state == "approved" and app.result["amount"] == "4,500.00" and app.result["level"] == "硕士研究生"
    )
    g = EducationGrant.objects.get()
    assert (g.person, g.level, g.amount_fen, g.tuition_fen, g.union) == (
        user.person,
        "master",
        450000,
        1200000,
        d.base_a1,
    )
    assert balance(street_fund) == 50000 and balance(fed_fund) == 2000000
    assert AuditEntry.objects.filter(action="training.education_grant", object_id=str(g.pk)).count() == 1


def test_once_per_level_whatever_the_union(district):
    d = district
    fund(d.fed, "20000", purpose="education")
    user = member_user(d, d.base_a1)
    first = apply(user, level="college", amount="2000")
    with pytest.raises(ServiceError) as e:  # one open application per person and level
        apply(user, level="college", amount="1000")
    assert e.value.code == "duplicate"
    other = apply(user, level="vocational", tuition="1500", amount="1000")  # another level may run beside it
    approve(d, first, amount="2000")
    e = _refused(user, level="college", amount="1000")
    assert e.code == "duplicate" and e.field == "level" and "已获得过大专教育补助" in e.message
    approve(d, other, amount="800")
    assert EducationGrant.objects.filter(person=user.person).count() == 2
    # an application filed before the first was paid (its key set aside, as if filed elsewhere) is refused at
    # approval by the grant's unique constraint, and nothing is paid
    Application.objects.filter(pk=first.pk).update(subject_key="")
    dup = apply(user, level="bachelor", amount="100")
    Application.objects.filter(pk=dup.pk).update(form={**dup.form, "level": "college"})
    with pytest.raises(ServiceError) as e:
        approve(d, dup, amount="100")
    assert e.value.code == "duplicate" and "同一层次只补助一次" in e.value.message
    assert LedgerEntry.objects.filter(kind="disburse").count() == 2


@pytest.mark.parametrize("setup", ["none", "too_little"])
def test_no_or_too_little_money_refuses_and_leaves_the_step_open(district, setup):
    d = district
    if setup == "too_little":
        fund(d.fed, "2999", purpose="education")
        fund(d.street_b, "10000", purpose="education")  # another street's
    app = apply(member_user(d, d.base_a1))
    with pytest.raises(ServiceError) as e:
        approve(d, app)
    assert (e.value.code, e.value.field) == (
        {"none": "no_fund", "too_little": "insufficient_funds"}[setup],
        "amount",
    )
    assert ("余额不足" if setup == "too_little" else "教育补助资金") in e.value.message
    assert app.steps.filter(decision__isnull=True).count() == 1
    assert not EducationGrant.objects.exists() and not LedgerEntry.objects.filter(kind="disburse").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_two_approvals_racing_for_the_last_money(district):
    """The fund holds 4,000 yuan; two applications of 3,000 are approved at the same instant by two reviewers:
    exactly one is paid, the other is refused and its step stays open; the balance is 1,000."""
    d = district
    f = fund(d.fed, "4000", purpose="education")
    steps = []
    for i in range(2):
        app = apply(member_user(d, d.base_a1, username=f"racer{i}", name=f"学员{i}"))
        workflow.decide(
            actor=d.users["base_a1.reviewer"],
            step_id=app.steps.get(decision__isnull=True).pk,
            decision="approved",
        )
        steps.append(app.steps.get(decision__isnull=True).pk)
    second = make_user("fed.reviewer2", d.fed, "reviewer")
    results = race(
        [
            lambda s=s, r=r: workflow.decide(
                actor=r, step_id=s, decision="approved", approval={"amount": "3000"}
            )
            for s, r in zip(steps, (d.users["fed.reviewer"], second), strict=True)
        ],
        ok_label="paid",
    )
    assert sorted(results) == ["insufficient_funds", "paid"]
    assert balance(f) == 100000
    assert EducationGrant.objects.count() == 1 and LedgerEntry.objects.filter(kind="disburse").count() == 1
    assert Step.objects.filter(pk__in=steps, decision__isnull=True).count() == 1
