"""``live_member_for``: how every staff action on someone else (an enrolment, a nomination, an entry, an
application filed for a member) finds that person's union. Scope comes first, so an administrator learns nothing
about people outside their unions — not their union, not even whether they are members."""

import pytest

from lianxin.activities.testing import make_member
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.testing import make_person
from lianxin.members.selectors import live_member_for

pytestmark = pytest.mark.django_db


def test_scope_before_membership(district):
    d = district
    admin = d.users["base_a1.admin"]
    own = make_member(d.base_a1, "白杨会员")
    assert live_member_for(admin, own.person).union == d.base_a1

    with pytest.raises(ServiceError) as e:  # their own union's person on record only: told plainly
        live_member_for(admin, make_person(d.base_a1, "白杨未入会"), refused="，不能报名")
    assert not isinstance(e.value, PermissionDenied)
    assert (e.value.code, str(e.value)) == ("not_member", "白杨未入会不是在册会员，不能报名")

    for stranger in (make_member(d.base_b1, "下沙会员").person, make_person(d.base_b1, "下沙未入会")):
        with pytest.raises(PermissionDenied) as e:
            live_member_for(admin, stranger)
        assert str(e.value) == f"{stranger.name}不在您的管理范围内"

    with pytest.raises(PermissionDenied):  # reading is not acting: a reviewer puts no one forward
        live_member_for(d.users["base_a1.reviewer"], own.person)
