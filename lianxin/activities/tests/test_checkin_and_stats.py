"""Door check-in by the sign-up QR, and attendance statistics per activity and per organisation."""

import pytest

from lianxin.activities import selectors, services
from lianxin.activities.testing import make_activity, make_activity_at_the_door, make_member
from lianxin.core.errors import PermissionDenied

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_checkin_once_and_only_for_confirmed(district):
    a = make_activity_at_the_door(district.street_a, capacity=1, waitlist_size=1)
    m1, m2 = make_member(district.base_a1, "甲"), make_member(district.base_a1, "乙")
    s1 = services.sign_up(actor=m1.user, activity_id=a.pk)
    s2 = services.sign_up(actor=m2.user, activity_id=a.pk)
    staff = district.users["street_a.reviewer"]
    r = services.check_in(actor=staff, token=services.checkin_token(s1), activity_id=a.pk)
    assert r.ok and r.name == "甲" and r.union == district.base_a1.name
    again = services.check_in(actor=staff, token=services.checkin_token(s1), activity_id=a.pk)
    assert not again.ok and "已签到" in again.message
    assert "候补" in services.check_in(actor=staff, token=services.checkin_token(s2)).message
    assert services.check_in(actor=staff, token="123:forged").message == "无效的签到码"
    other = make_activity_at_the_door(district.street_a, title="另一个活动")
    assert "其他活动" in services.check_in(actor=staff, token=services.checkin_token(s1), activity_id=other.pk).message


def test_checkin_needs_scope_and_a_deciding_role(district):
    a = make_activity(district.street_a)
    s = services.sign_up(actor=make_member(district.base_a1).user, activity_id=a.pk)
    with pytest.raises(PermissionDenied):
        services.check_in(actor=district.users["street_b.admin"], token=services.checkin_token(s))
    with pytest.raises(PermissionDenied):
        services.check_in(actor=district.users["street_a.viewer"], token=services.checkin_token(s))


def test_attendance_statistics(district):
    a = make_activity_at_the_door(district.fed, capacity=10)
    ms = [make_member(district.base_a1 if i < 3 else district.base_b1, f"会员{i}") for i in range(5)]
    sign = [services.sign_up(actor=m.user, activity_id=a.pk) for m in ms]
    for s in sign[:2] + sign[3:4]:
        services.check_in(actor=district.users["fed.admin"], token=services.checkin_token(s))
    rows = {r["union__name"]: r for r in selectors.attendance_by_union(actor=district.users["fed.viewer"],
                                                                       activity=a)}
    assert rows[district.base_a1.name]["confirmed"] == 3 and rows[district.base_a1.name]["attended"] == 2
    assert rows[district.base_b1.name]["attended"] == 1
    by_org = selectors.attendance_by_org(actor=district.users["fed.viewer"])
    assert by_org == [{"org": district.fed.name, "activities": 1, "confirmed": 5, "attended": 3, "rate": "60%"}]
    # Staff of a street see nothing of a federation activity's organiser statistics.
    assert selectors.attendance_by_org(actor=district.users["street_b.viewer"]) == []


def test_checkin_page(client, district):
    a = make_activity_at_the_door(district.fed)
    s = services.sign_up(actor=make_member(district.base_a1, "签到人").user, activity_id=a.pk)
    client.force_login(district.users["fed.reviewer"])
    r = client.post(f"/console/activities/checkin/?activity={a.pk}",
                    {"token": services.checkin_token(s), "activity": a.pk})
    assert "签到成功" in r.content.decode() and "签到人" in r.content.decode()
