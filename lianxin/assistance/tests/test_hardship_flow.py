"""困难职工帮扶 end to end on the engine: a member applies, three levels review, the federation's approval pays
from the fund and opens the hardship file — all or nothing; an empty or missing fund refuses the approval and
changes nothing."""

import pytest

from lianxin.assistance import selectors, services
from lianxin.assistance.models import HardshipFile, LedgerEntry
from lianxin.core.errors import ServiceError
from lianxin.core.models import AuditEntry
from lianxin.workflow import services as workflow
from lianxin.workflow.models import Application

from .helpers import apply, fund, to_last_level

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_three_levels_then_paid_and_filed(district):
    d = district
    f = fund(d.fed, "20000")
    app, user = apply(d)
    steps = list(app.steps.order_by("seq").values_list("org__name", "level"))
    assert steps == [(d.base_a1.name, "所在工会初审")]
    last = to_last_level(d, app)
    assert (last.org_id, last.level) == (d.fed.pk, "区总工会审批")
    workflow.decide(actor=d.users["fed.reviewer"], step_id=last.pk, decision="approved",
                    approval={"amount": "3,000.5", "level": "deep"})
    app.refresh_from_db()
    assert app.state == "approved" and app.result["amount"] == "3,000.50"
    entry = LedgerEntry.objects.get(application=app)
    assert (entry.kind, entry.amount_fen, entry.balance_after_fen, entry.seq) == ("disburse", -300050, 1699950, 2)
    assert entry.person == user.person and entry.fund == f and entry.actor == d.users["fed.reviewer"]
    assert services.balance(f) == 1699950
    file = HardshipFile.objects.get(person=user.person)
    assert (file.level, file.cause, file.family_size, file.income_fen, file.union) == ("deep", "illness", 3, 80000,
                                                                                       d.base_a1)
    assert AuditEntry.objects.filter(action="assistance.disburse").count() == 1
    assert AuditEntry.objects.filter(action="assistance.file_open").count() == 1
    # the applicant is told the amount
    from lianxin.core.models import Notification

    assert any("3,000.50 元" in n.body for n in Notification.objects.filter(user=user))
    # a second approved application updates the same file instead of opening another
    app2 = workflow.create_application(actor=user, programme="hardship",
                                       data={"cause": "disaster", "situation": "家中遭遇火灾，房屋和财物受损严重。",
                                             "family_size": "4", "monthly_income": "0", "amount": "2000"})
    from lianxin.workflow.tests.helpers import attach_all

    attach_all(app2, user, ["proof"])
    workflow.submit_application(actor=user, app=app2)
    workflow.decide(actor=d.users["fed.reviewer"], step_id=to_last_level(d, app2).pk, decision="approved",
                    approval={"amount": "2000", "level": "accident"})
    file.refresh_from_db()
    assert HardshipFile.objects.filter(person=user.person).count() == 1
    assert (file.level, file.cause, file.family_size, file.income_fen) == ("accident", "disaster", 4, 0)
    assert [e.amount_fen for e in selectors.aid_history(file)] == [-200000, -300050]


def test_a_street_fund_pays_before_the_federation(district):
    d = district
    fund(d.fed, "20000")
    street = fund(d.street_a, "10000")
    app, _u = apply(d)
    workflow.decide(actor=d.users["fed.reviewer"], step_id=to_last_level(d, app).pk, decision="approved",
                    approval={"amount": "1000", "level": "ordinary"})
    assert LedgerEntry.objects.get(application=app).fund == street


@pytest.mark.parametrize("setup", ["no_fund", "too_little", "last_year_only"])
def test_approval_refused_without_enough_money_changes_nothing(district, setup):
    d = district
    if setup == "too_little":
        fund(d.fed, "999.99")
    if setup == "last_year_only":
        from django.utils import timezone

        fund(d.fed, "50000", year=timezone.localdate().year - 1)
    app, user = apply(d)
    step = to_last_level(d, app)
    entries, audits = LedgerEntry.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ServiceError) as e:
        workflow.decide(actor=d.users["fed.reviewer"], step_id=step.pk, decision="approved",
                        approval={"amount": "1000", "level": "ordinary"})
    assert ("余额不足" if setup == "too_little" else "没有设立") in e.value.message
    step.refresh_from_db()
    app.refresh_from_db()
    assert step.decision is None and app.state == "in_review"  # the step is still open: no partial approval
    assert LedgerEntry.objects.count() == entries and AuditEntry.objects.count() == audits
    assert not HardshipFile.objects.exists()


def test_only_members_apply_and_the_form_speaks_chinese(district):
    from lianxin.workflow.tests.helpers import worker

    d = district
    with pytest.raises(ServiceError) as e:
        workflow.create_application(actor=worker("notmember"), programme="hardship",
                                    data={"cause": "illness", "situation": "本人患病住院三个月。", "family_size": "3",
                                          "monthly_income": "0", "amount": "100"})
    assert "在册会员" in e.value.message or "会员" in e.value.message
    from lianxin.workflow.tests.helpers import member_user

    user = member_user(d, d.base_a1, username="m2")
    with pytest.raises(ServiceError) as e:
        workflow.create_application(actor=user, programme="hardship",
                                    data={"cause": "lottery", "situation": "短", "family_size": "0",
                                          "monthly_income": "abc", "amount": "1.234"})
    errors = e.value.errors
    assert errors["cause"] == "致困原因的取值无效"
    assert "困难情况" in errors["situation"] and "家庭人口" in errors["family_size"]
    assert errors["monthly_income"].startswith("家庭人均月收入应为以元为单位的数字")
    assert errors["amount"] == "申请金额最多精确到分（两位小数）"
    assert not Application.objects.filter(programme="hardship").exists()


def test_the_approval_form_is_checked(district):
    d = district
    fund(d.fed, "20000")
    app, _u = apply(d)
    step = to_last_level(d, app)
    for approval, field in (({"amount": "0", "level": "deep"}, "amount"), ({"amount": "100", "level": "x"}, "level"),
                            ({"level": "deep"}, "amount")):
        with pytest.raises(ServiceError) as e:
            workflow.decide(actor=d.users["fed.reviewer"], step_id=step.pk, decision="approved", approval=approval)
        assert e.value.field == field
    assert not LedgerEntry.objects.filter(kind="disburse").exists()
