"""The demo seed sets up this year's 医疗互助: the federation's plan, unions enrolled, a funded fund, claims paid
and under way — all through the real services, so the account, the ledger and the payments agree."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from lianxin.assistance import services as assistance
from lianxin.assistance.models import Fund
from lianxin.mutualaid import selectors
from lianxin.mutualaid.models import Contribution, Enrolment, MedicalAccount, MedicalPayment, MedicalPlan
from lianxin.workflow.models import Application

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_seed_demo_has_a_plan_with_enrolments_and_claims(capsys):
    call_command("seed_demo", people=300, enterprises=40)
    plan = MedicalPlan.objects.get()
    assert plan.year == timezone.localdate().year and plan.org.depth == 0
    assert Enrolment.objects.filter(plan=plan).values("union").distinct().count() >= 2
    states = set(Application.objects.filter(programme="medical_aid").values_list("state", flat=True))
    assert {"approved", "rejected", "in_review"} <= states
    paid = list(MedicalPayment.objects.all())
    assert len(paid) == 2
    for p in paid:
        assert p.entry.amount_fen == -p.amount_fen and p.account.paid_fen == p.amount_fen
    fund = Fund.objects.get(purpose="medical")
    paid_in = sum(c.amount_fen for c in Contribution.objects.all())
    assert paid_in > 0 and all(c.entry.fund_id == fund.pk for c in Contribution.objects.all())
    assert assistance.balance(fund) == 20000000 + paid_in - sum(p.amount_fen for p in paid)
    dues = [selectors.union_totals(plan=plan, union=u)["due_fen"] for u in
            {e.union for e in Enrolment.objects.filter(plan=plan).select_related("union")}]
    assert 0 in dues and any(d > 0 for d in dues)  # some unions paid up, some still owe
    assert MedicalAccount.objects.filter(plan=plan).count() == Enrolment.objects.filter(plan=plan).count()
    assert "职工医疗互助" in capsys.readouterr().out
