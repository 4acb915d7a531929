"""The demo seed sets up this year's 医疗互助: the federation's plan, unions enrolled, a funded fund, claims paid
and under way — all through the real services, so the account, the ledger and the payments agree."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from lianxin.assistance import services as assistance
from lianxin.assistance.models import Fund
from lianxin.mutualaid.models import Enrolment, MedicalAccount, MedicalPayment, MedicalPlan
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
    assert assistance.balance(fund) == 20000000 - sum(p.amount_fen for p in paid)
    assert MedicalAccount.objects.filter(plan=plan).count() == Enrolment.objects.filter(plan=plan).count()
    assert "职工医疗互助" in capsys.readouterr().out
