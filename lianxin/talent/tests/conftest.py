import pytest

from lianxin.talent.testing import make_member


@pytest.fixture
def members(district):
    """Six members of base_a1 (street A) and two of base_b1 (street B), each able to sign in."""
    d = district
    out = {f"a{i}": make_member(d.base_a1, f"甲{i}") for i in range(6)}
    out.update({f"b{i}": make_member(d.base_b1, f"乙{i}") for i in range(2)})
    return out
