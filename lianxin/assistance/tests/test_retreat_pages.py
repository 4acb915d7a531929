"""The 疗休养 console: scope by role, shares for the organiser only, nominations answered at the field, 退出
from the union, the masked list export, and the member's own page."""

import pytest

from lianxin.assistance import services
from lianxin.assistance.models import RetreatSeat

from .helpers import member
from .test_retreats import retreat

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def trip(district):
    d = district
    d.r = retreat(d, places="3")
    d.a = member(d.base_a1, "赵一")
    d.seat = services.nominate(actor=d.users["base_a1.admin"], retreat=d.r, person=d.a, reason="优秀一线职工")
    return d


def url(d, tail=""):
    return f"/console/assistance/retreats/{d.r.pk}/{tail}"


def test_who_sees_what(trip, client):
    d = trip
    client.force_login(d.users["street_b.viewer"])
    assert d.r.name in client.get("/console/assistance/retreats/").content.decode()
    page = client.get(url(d)).content.decode()
    assert d.a.name not in page and 'id="share-form"' not in page and 'id="nominate-form"' not in page
    client.force_login(d.users["fed.admin"])
    page = client.get(url(d)).content.decode()
    assert d.a.name in page and d.a.id_masked in page and 'id="share-form"' in page
    client.force_login(d.users["street_a.admin"])
    assert client.post(url(d, "share/"), {"org": d.street_a.pk, "places": "1"}).status_code == 403
    assert client.get("/console/assistance/retreats/999/").status_code == 404


def test_nominate_and_share_refusals_at_the_field(trip, client):
    from lianxin.core import crypto
    from lianxin.members.services import REVEALABLE

    d = trip
    b = member(d.base_b1, "钱二")
    col, context, _ = REVEALABLE["id_number"]
    full = crypto.decrypt(getattr(b, col), context=context)
    client.force_login(d.users["base_a1.admin"])
    r = client.post(url(d, "nominate/"), {"who": full, "reason": "优秀"})
    assert r.status_code == 400 and "没有找到此人" in r.content.decode()  # street_b's member is not theirs
    client.force_login(d.users["street_b.admin"])
    assert client.post(url(d, "nominate/"), {"who": full, "reason": "优秀职工"}).status_code == 302
    client.force_login(d.users["fed.admin"])
    r = client.post(url(d, "share/"), {"org": d.street_a.pk, "places": "9"})
    assert r.status_code == 400 and "应在 0 至 3 之间" in r.content.decode()
    assert client.post(url(d, "share/"), {"org": d.street_a.pk, "places": "1"}).status_code == 302
    assert full not in client.get(url(d)).content.decode()


def test_withdraw_from_the_page_and_export(trip, client):
    import io

    from python_calamine import CalamineWorkbook

    d = trip
    b = member(d.base_a1, "孙二")
    services.nominate(actor=d.users["base_a1.admin"], retreat=d.r, person=b, reason="技术骨干")
    client.force_login(d.users["street_b.admin"])
    assert client.post(url(d, f"seats/{d.seat.pk}/withdraw/"), {"reason": "身体原因"}).status_code == 404
    client.force_login(d.users["base_a1.admin"])
    assert client.post(url(d, f"seats/{d.seat.pk}/cancel/"), {"reason": "身体原因"}).status_code == 404  # gone
    r = client.post(url(d, f"seats/{d.seat.pk}/withdraw/"), {"reason": ""}, follow=True)
    assert "请填写退出原因" in r.content.decode()
    r = client.post(url(d, f"seats/{d.seat.pk}/withdraw/"), {"reason": "身体原因"}, follow=True)
    assert "已办理 赵一退出" in r.content.decode()
    assert RetreatSeat.objects.get(pk=d.seat.pk).status == "withdrawn"
    x = client.get(url(d, "list.xlsx"))
    assert x.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(x.streaming_content))).get_sheet_by_index(0)
    assert [row[2] for row in sheet.to_python()[1:]] == ["孙二"]  # the withdrawn seat is left out


def test_the_member_sees_the_trip(trip, client):
    from lianxin.accounts.models import User

    d = trip
    u = User.objects.create_user(username="zhao", password="x", display_name="赵一")
    u.person = d.a
    u.save()
    client.force_login(u)
    page = client.get("/m/me/").content.decode()
    assert 'id="my-retreats"' in page and d.r.name in page and "已推荐" in page


def test_full_trip_offers_the_waitlist_and_withdrawal_promotes(district, client):
    from lianxin.core import crypto
    from lianxin.members.services import REVEALABLE

    d = district
    d.r = retreat(d, places="1")
    a, b = member(d.base_a1, "赵一"), member(d.base_a1, "孙二")
    seat = services.nominate(actor=d.users["base_a1.admin"], retreat=d.r, person=a, reason="优秀一线职工")
    col, context, _ = REVEALABLE["id_number"]
    full = crypto.decrypt(getattr(b, col), context=context)
    client.force_login(d.users["base_a1.admin"])
    r = client.post(url(d, "nominate/"), {"who": full, "reason": "技术骨干"})
    page = r.content.decode()
    assert r.status_code == 400 and "1 个名额已满" in page and 'id="waitlist-offer"' in page
    assert 'value="技术骨干"' in page and not RetreatSeat.objects.filter(person=b).exists()
    r = client.post(url(d, "nominate/"), {"who": full, "reason": "技术骨干", "waitlist": "1"}, follow=True)
    page = r.content.decode()
    assert "孙二已列入" in page and "候补名单第 1 位" in page
    assert RetreatSeat.objects.get(person=b).status == "waitlisted"
    waitlist = page[page.index('id="waitlist"'):page.index("</table>", page.index('id="waitlist"'))]
    assert "孙二" in waitlist and "<td>1</td>" in waitlist and "退出" in waitlist and "赵一" not in waitlist

    client.force_login(d.users["street_b.viewer"])  # outside base_a1: neither the name nor the action
    page = client.get(url(d)).content.decode()
    assert "孙二" not in page
    client.force_login(d.users["street_b.admin"])
    assert client.post(url(d, f"seats/{seat.pk}/withdraw/"), {"reason": "身体原因"}).status_code == 404
    client.force_login(d.users["base_a1.viewer"])
    assert client.post(url(d, f"seats/{seat.pk}/withdraw/"), {"reason": "身体原因"}).status_code == 403
    client.force_login(d.users["base_a1.admin"])
    page = client.post(url(d, f"seats/{seat.pk}/withdraw/"), {"reason": ""}, follow=True).content.decode()
    assert "请填写退出原因" in page and RetreatSeat.objects.get(pk=seat.pk).status == "nominated"
    page = client.post(url(d, f"seats/{seat.pk}/withdraw/"), {"reason": "身体原因"}, follow=True).content.decode()
    assert "已办理 赵一退出，名额由候补的 孙二递补" in page and "没有候补人员" in page
    assert "已退出：身体原因" in page
    assert list(RetreatSeat.objects.order_by("pk").values_list("status", flat=True)) == ["withdrawn", "nominated"]
