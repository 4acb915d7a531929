"""The amount rule: (政策范围内个人自付 − 起付线) × 补助比例, the deductible per stay, rounded to the fen half up
(四舍五入: what the finance office's calculator does; it moves at most half a fen), then the yearly cap's remainder."""

import pytest

from lianxin.mutualaid.models import MedicalAccount, MedicalPlan
from lianxin.mutualaid.services import claim_amount, payable


def plan(deductible=100000, ratio=60, cap=2000000):
    return MedicalPlan(deductible_fen=deductible, ratio=ratio, cap_fen=cap)


@pytest.mark.parametrize("self_pay, deductible, ratio, expected", [
    (800000, 100000, 60, 420000),       # (8,000 − 1,000) × 60% = 4,200.00
    (100000, 100000, 60, 0),            # exactly at the deductible: nothing
    (50000, 100000, 60, 0),             # below it: nothing, never negative
    (100001, 100000, 60, 1),            # 0.01 × 60% = 0.006 → 0.01 (half up)
    (100001, 100000, 40, 0),            # 0.01 × 40% = 0.004 → 0.00
    (100003, 100000, 50, 2),            # 0.03 × 50% = 0.015 → 0.02 (half up, not banker's 0.02/0.01)
    (100001, 100000, 50, 1),            # 0.005 → 0.01: a half fen goes up
    (1268040, 100000, 60, 700824),      # (12,680.40 − 1,000) × 60% = 7,008.24
    (1234567, 0, 100, 1234567),         # no deductible, 100%
    (1234567, 0, 1, 12346),             # 1%: 123.4567 → 123.46
])
def test_rule(self_pay, deductible, ratio, expected):
    assert claim_amount(plan(deductible, ratio), self_pay) == expected


def test_cap_applies_after_rounding():
    p = plan(deductible=0, ratio=100, cap=2000000)
    assert payable(p, None, 5000000) == 2000000  # 50,000 asked, 20,000 a year
    acc = MedicalAccount(cap_fen=2000000, paid_fen=1950000)
    assert payable(p, acc, 100000) == 50000  # what remains of the cap
    assert payable(p, MedicalAccount(cap_fen=2000000, paid_fen=2000000), 100000) == 0
