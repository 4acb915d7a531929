import pytest

from lianxin.party.testing import make_branch


@pytest.fixture
def party(district):
    """The district with a party branch under each street (and one under street_a's joint union)."""
    d = district
    d.branch_a = make_branch(d.street_a, "白杨街道机关党支部")
    d.branch_a2 = make_branch(d.joint_a, "白杨联合工会党支部")
    d.branch_b = make_branch(d.street_b, "下沙街道机关党支部")
    return d
