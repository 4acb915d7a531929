"""The yearly cap under concurrent approvals (PostgreSQL): one person, two claims at the federation's level, two
reviewers approving at the same instant for the last of the cap. Exactly one is paid; the other is refused in
Chinese (the account's row lock makes it wait and then read what was just paid) with its step still open and
nothing of it written — no ledger entry, no payment, no audit entry."""

import pytest
from django.db import connection

from lianxin.assistance import services as assistance
from lianxin.assistance.models import LedgerEntry
from lianxin.core.models import AuditEntry
from lianxin.core.testing import make_user, race
from lianxin.mutualaid.models import MedicalAccount, MedicalPayment
from lianxin.workflow import services as workflow
from lianxin.workflow.models import Step

from .helpers import claim, enrolled_member, fund, plan, to_federation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.pgonly]


def test_two_approvals_racing_for_the_last_of_the_cap(district):
    d = district
    p = plan(d, cap="5000", deductible="0", ratio=100)
    f = fund(d, "100000")
    user = enrolled_member(d, p)
    MedicalAccount.objects.filter(person=user.person).update(paid_fen=200000)  # 3,000 of 5,000 left
    steps = [to_federation(d, claim(user, days_ago=40 - 10 * i, length=2, self_pay="2000")).pk for i in range(2)]
    audits = AuditEntry.objects.count()
    reviewers = [d.users["fed.reviewer"], make_user("fed.reviewer2", d.fed, "reviewer")]
    results = race([lambda s=s, r=r: workflow.decide(actor=r, step_id=s, decision="approved",
                                                     approval={"amount": "2000"})
                    for s, r in zip(steps, reviewers, strict=True)], ok_label="paid")
    assert connection.vendor == "postgresql"
    assert sorted(results) == ["over_cap", "paid"]
    account = MedicalAccount.objects.get(person=user.person)
    assert (account.paid_fen, account.remaining_fen) == (400000, 100000)
    assert MedicalPayment.objects.count() == 1 and LedgerEntry.objects.filter(kind="disburse").count() == 1
    assert assistance.balance(f) == 10000000 - 200000
    assert Step.objects.filter(pk__in=steps, decision__isnull=True).count() == 1  # the refused one waits
    # one approval's audit entries (the decision and the payment, the ledger's), none of the refused one's
    assert AuditEntry.objects.filter(action="mutualaid.pay").count() == 1
    assert AuditEntry.objects.filter(action="workflow.approved").count() == 3  # two union steps and the winner
    assert AuditEntry.objects.count() - audits == 3  # the winner's decision, its ledger entry and its payment


def test_many_approvals_never_pay_past_the_cap(district):
    """Six claims of one person, each for 1,000, against 3,500 of cap, approved at once: three are paid, the
    rest refused, and the account ends at the cap's 3,000 paid — never above."""
    d = district
    p = plan(d, cap="3500", deductible="0", ratio=100)
    fund(d, "100000")
    user = enrolled_member(d, p)
    steps = [to_federation(d, claim(user, days_ago=60 - 5 * i, length=1, self_pay="1000")).pk for i in range(6)]
    reviewers = [d.users["fed.reviewer"]] + [make_user(f"fed.rev{i}", d.fed, "reviewer") for i in range(5)]
    results = race([lambda s=s, r=r: workflow.decide(actor=r, step_id=s, decision="approved",
                                                     approval={"amount": "1000"})
                    for s, r in zip(steps, reviewers, strict=True)], ok_label="paid")
    assert sorted(results) == ["over_cap"] * 3 + ["paid"] * 3
    assert MedicalAccount.objects.get(person=user.person).paid_fen == 300000
    assert sum(MedicalPayment.objects.values_list("amount_fen", flat=True)) == 300000
