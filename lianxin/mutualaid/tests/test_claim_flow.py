"""住院补助 claims on the workflow engine: only members enrolled in this year's plan, dates checked, the union then
the federation; the federation's approval form offers the rule's amount (cap applied), the reviewer confirms or
lowers it, and the approval pays from the 职工医疗互助 fund and records it on the person's yearly account — all
or nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.assistance import services as assistance
from lianxin.assistance.models import LedgerEntry
from lianxin.core.errors import ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT
from lianxin.mutualaid import services
from lianxin.mutualaid.models import MedicalAccount, MedicalPayment
from lianxin.workflow import services as workflow
from lianxin.workflow.models import Application
from lianxin.workflow.programmes import get_programme
from lianxin.workflow.tests.helpers import member_user

from .helpers import claim, enrolled_member, fund, plan, stay, to_federation

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_union_then_federation_then_paid_and_recorded(district):
    d = district
    p, f = plan(d), fund(d, "50000")
    user = enrolled_member(d, p)
    app = claim(user, self_pay="8,000.5")
    assert list(app.steps.values_list("org", "level")) == [(d.base_a1.pk, "所在工会初审")]
    step = to_federation(d, app)
    assert (step.org_id, step.level) == (d.fed.pk, "区总工会审批")
    # the approval form starts from the rule: (8,000.50 − 1,000) × 60% = 4,200.30
    initial = get_programme("medical_aid").approval_initial(app)["amount"]
    assert initial["value"] == "4,200.30" and "剩余 20,000.00 元" in initial["help"]
    workflow.decide(actor=d.users["fed.reviewer"], step_id=step.pk, decision="approved",
                    approval={"amount": initial["value"]})
    app.refresh_from_db()
    assert app.state == "approved" and app.result["amount"] == "4,200.30"
    entry = LedgerEntry.objects.get(application=app)
    assert (entry.kind, entry.amount_fen, entry.fund, entry.person) == ("disburse", -420030, f, user.person)
    assert entry.actor == d.users["fed.reviewer"]
    assert assistance.balance(f) == 5000000 - 420030
    account = MedicalAccount.objects.get(person=user.person, plan=p)
    assert (account.paid_fen, account.remaining_fen) == (420030, 2000000 - 420030)
    pay = MedicalPayment.objects.get(application=app)
    assert (pay.account, pay.entry, pay.amount_fen, pay.self_pay_fen) == (account, entry, 420030, 800050)
    assert AuditEntry.objects.filter(action="mutualaid.pay").count() == 1
    from lianxin.core.models import Notification

    assert any("4,200.30 元" in n.body and "剩余额度 15,799.70 元" in n.body
               for n in Notification.objects.filter(user=user))
    # the same stay cannot be claimed again
    with pytest.raises(ServiceError) as e:
        workflow.create_application(actor=user, programme="medical_aid", data=stay(self_pay="100"))
    assert "已获补助" in e.value.message


def test_the_reviewer_may_lower_but_not_raise_and_the_cap_remainder_is_offered(district):
    d = district
    p = plan(d, cap="5000")
    fund(d)
    user = enrolled_member(d, p)
    first = claim(user, days_ago=40, self_pay="6000")  # rule 3,000
    workflow.decide(actor=d.users["fed.reviewer"], step_id=to_federation(d, first).pk, decision="approved",
                    approval={"amount": "2500"})  # lowered
    second = claim(user, days_ago=10, self_pay="11000")  # rule 6,000; 2,500 of the cap remains
    step = to_federation(d, second)
    assert get_programme("medical_aid").approval_initial(second)["amount"]["value"] == "2,500.00"
    for amount, text in (("6000", "超出剩余额度"), ("6000.01", "不能高于按规则计算的 6,000.00 元")):
        with pytest.raises(ServiceError) as e:
            workflow.decide(actor=d.users["fed.reviewer"], step_id=step.pk, decision="approved",
                            approval={"amount": amount})
        assert text in e.value.message and e.value.field == "amount"
    step.refresh_from_db()
    assert step.decision is None
    workflow.decide(actor=d.users["fed.reviewer"], step_id=step.pk, decision="approved",
                    approval={"amount": "2,500"})
    account = MedicalAccount.objects.get(person=user.person)
    assert (account.paid_fen, account.remaining_fen) == (500000, 0)
    third = claim(user, days_ago=3, length=1, self_pay="3000")
    assert get_programme("medical_aid").approval_initial(third)["amount"]["value"] == ""
    with pytest.raises(ServiceError) as e:
        workflow.decide(actor=d.users["fed.reviewer"], step_id=to_federation(d, third).pk, decision="approved",
                        approval={"amount": "1"})
    assert "剩余 0.00 元" in e.value.message


@pytest.mark.parametrize("setup", ["no_fund", "too_little"])
def test_no_money_refuses_and_writes_nothing(district, setup):
    d = district
    p = plan(d)
    if setup == "too_little":
        fund(d, "100")
    user = enrolled_member(d, p)
    app = claim(user)
    step = to_federation(d, app)
    entries, audits = LedgerEntry.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ServiceError) as e:
        workflow.decide(actor=d.users["fed.reviewer"], step_id=step.pk, decision="approved",
                        approval={"amount": "4200"})
    assert ("余额不足" if setup == "too_little" else "没有设立") in e.value.message
    step.refresh_from_db()
    app.refresh_from_db()
    assert step.decision is None and app.state == "in_review"
    assert MedicalAccount.objects.get(person=user.person).paid_fen == 0  # the account's raise rolled back
    assert LedgerEntry.objects.count() == entries and AuditEntry.objects.count() == audits
    assert not MedicalPayment.objects.exists()


def test_refused_when_not_enrolled(district):
    d = district
    user = member_user(d, d.base_a1, username="notin")
    with pytest.raises(ServiceError) as e:  # no plan at all
        workflow.create_application(actor=user, programme="medical_aid", data=stay())
    assert e.value.code == "not_enrolled" and f"未参加 {timezone.localdate().year} 年度职工医疗互助" in e.value.message
    p = plan(d)
    with pytest.raises(ServiceError) as e:  # a plan, but the union has not enrolled them
        workflow.create_application(actor=user, programme="medical_aid", data=stay())
    assert e.value.code == "not_enrolled" and d.base_a1.name in e.value.message
    last_year = plan(d, year=p.year - 1)
    from lianxin.mutualaid.models import Enrolment

    # an enrolment in last year's plan does not count for this year's stays

    Enrolment.objects.create(plan=last_year, person=user.person, union=d.base_a1)
    with pytest.raises(ServiceError) as e:
        workflow.create_application(actor=user, programme="medical_aid", data=stay())
    assert e.value.code == "not_enrolled"
    assert not Application.objects.filter(programme="medical_aid").exists()


def test_dates_are_checked(district):
    d = district
    p = plan(d)
    user = enrolled_member(d, p)
    today = timezone.localdate()
    cases = [
        ({"admitted_on": today.isoformat(), "discharged_on": (today - dt.timedelta(days=1)).isoformat()},
         "出院日期不能早于入院日期"),
        ({"admitted_on": today.isoformat(), "discharged_on": (today + dt.timedelta(days=1)).isoformat()},
         "出院日期不能晚于今天"),
        ({"admitted_on": dt.date(p.year - 1, 12, 28).isoformat(), "discharged_on": dt.date(p.year, 1, 1).isoformat()},
         f"都应在 {p.year} 年内"),
        ({"admitted_on": "2026-02-30"}, "入院日期"),
        ({"self_pay": "1.234"}, "最多精确到分"),
        ({"hospital": ""}, "住院医院不能为空"),
    ]
    for change, text in cases:
        with pytest.raises(ServiceError) as e:
            workflow.create_application(actor=user, programme="medical_aid", data={**stay(), **change})
        assert text in e.value.message or any(text in m for m in e.value.errors.values()), (change, e.value.message)
    assert not Application.objects.filter(programme="medical_aid").exists()


def test_attachments_are_required(district):
    d = district
    user = enrolled_member(d, plan(d))
    app = workflow.create_application(actor=user, programme="medical_aid", data=stay())
    with pytest.raises(ServiceError) as e:
        workflow.submit_application(actor=user, app=app)
    assert e.value.message == "请上传“住院发票”"


def test_withdrawn_member_cannot_be_paid(district):
    d = district
    p = plan(d)
    fund(d)
    user = enrolled_member(d, p)
    app = claim(user)
    step = to_federation(d, app)
    from lianxin.mutualaid.models import Enrolment

    e = Enrolment.objects.get(person=user.person)
    with pytest.raises(ServiceError) as err:  # an open claim keeps the enrolment
        services.withdraw_member(actor=ROOT, enrolment=e)
    assert err.value.code == "open_claim"
    MedicalAccount.objects.filter(person=user.person).delete()
    e.delete()
    with pytest.raises(ServiceError) as err:
        workflow.decide(actor=d.users["fed.reviewer"], step_id=step.pk, decision="approved",
                        approval={"amount": "100"})
    assert err.value.code == "not_enrolled"
