"""爱心妈咪小屋: a base union registers its room (Chinese refusals naming the field), the street reviews it (approve
or return with a note), the federation rates it 1–3 stars with a reason — every rating a new row of the history,
audited, never an edit — members see the rated rooms filtered by street; staff of street A cannot see or act on
street B's rooms."""

import pytest
from django.db import IntegrityError, transaction

from lianxin.care import services
from lianxin.care.models import Room, RoomRating
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

FIELDS = dict(
    enterprise_name="杭州甲科技有限公司",
    location="行政楼三楼 305 室",
    area_m2="12.5",
    facilities=["fridge", "seat", "sink", "aircon"],
    opening_hours="工作日 08:30-17:30",
    contact="王老师",
)


def _room(d, union=None, actor=None):
    return services.register_room(actor=actor or ROOT, union=union or d.base_a1, **FIELDS)


def test_registration_refusals_name_the_field(district):
    d = district
    for change, field, msg in (
        ({"area_m2": "3"}, "area_m2", "5 至 500"),
        ({"area_m2": "十二"}, "area_m2", "面积应为数字"),
        ({"area_m2": "12.55"}, "area_m2", "一位小数"),
        ({"facilities": ["fridge"]}, "facilities", "至少勾选三项"),
        ({"facilities": ["fridge", "seat", "x"]}, "facilities", "无效"),
        ({"location": ""}, "location", "具体位置"),
        ({"opening_hours": ""}, "opening_hours", "开放时间"),
    ):
        with pytest.raises(ServiceError, match=msg) as e:
            services.register_room(actor=ROOT, union=d.base_a1, **{**FIELDS, **change})
        assert e.value.field == field
    with pytest.raises(ServiceError, match="由基层工会登记"):
        services.register_room(actor=ROOT, union=d.street_a, **FIELDS)
    with pytest.raises(PermissionDenied):
        services.register_room(actor=d.users["street_b.admin"], union=d.base_a1, **FIELDS)
    r = _room(d, actor=d.users["base_a1.admin"])
    assert r.status == "submitted" and r.facilities == ["fridge", "seat", "sink", "aircon"]
    with pytest.raises(ServiceError, match="已登记爱心妈咪小屋"):
        _room(d)
    with pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.create(union=d.base_a1, **{**FIELDS, "area_m2": 12})


def test_review_rate_and_the_history(district):
    d = district
    r = _room(d)
    with pytest.raises(PermissionDenied):
        services.review_room(actor=d.users["street_b.reviewer"], room=r, approve=True)
    with pytest.raises(PermissionDenied):
        services.review_room(actor=d.users["base_a1.reviewer"], room=r, approve=True)  # the street reviews
    with pytest.raises(ServiceError, match="街道审核通过后才能评定星级"):
        services.rate_room(actor=d.users["fed.reviewer"], room=r, stars=2, reason="设施齐全")
    with pytest.raises(ServiceError, match="写明需要修改"):
        services.review_room(actor=d.users["street_a.reviewer"], room=r, approve=False)
    services.review_room(actor=d.users["street_a.reviewer"], room=r, approve=False, note="缺少私密隔断的照片")
    r = services.update_room(
        actor=d.users["base_a1.admin"], room=r, **{**FIELDS, "facilities": FIELDS["facilities"] + ["screen"]}
    )
    assert r.status == "submitted"
    r = services.review_room(actor=d.users["street_a.reviewer"], room=r, approve=True)
    assert r.status == "approved"
    with pytest.raises(ServiceError, match="不能直接修改"):
        services.update_room(actor=d.users["base_a1.admin"], room=r, **FIELDS)
    with pytest.raises(PermissionDenied):
        services.rate_room(
            actor=d.users["street_a.admin"], room=r, stars=2, reason="设施齐全"
        )  # the federation rates
    with pytest.raises(ServiceError, match="星级应在 1 至 3 之间"):
        services.rate_room(actor=d.users["fed.reviewer"], room=r, stars=4, reason="很好")
    with pytest.raises(ServiceError, match="评定理由"):
        services.rate_room(actor=d.users["fed.reviewer"], room=r, stars=2, reason="")
    services.rate_room(actor=d.users["fed.reviewer"], room=r, stars=2, reason="设施齐全，面积偏小")
    with pytest.raises(ServiceError, match="已是 2 星"):
        services.rate_room(actor=d.users["fed.reviewer"], room=r, stars=2, reason="复评")
    services.rate_room(actor=d.users["fed.admin"], room=r, stars=3, reason="扩建后复评")
    r.refresh_from_db()
    assert r.stars == 3
    history = list(
        RoomRating.objects.filter(room=r)
        .order_by("rated_at", "id")
        .values_list("previous", "stars", "reason")
    )
    assert history == [(None, 2, "设施齐全，面积偏小"), (2, 3, "扩建后复评")]
    entries = AuditEntry.objects.filter(action="care.room_rate").order_by("seq")
    assert [(e.detail["before"], e.detail["after"]) for e in entries] == [(None, 2), (2, 3)]
    # a rating row is never edited or deleted
    first = RoomRating.objects.order_by("id").first()
    first.stars = 1
    with pytest.raises(ValueError, match="只能追加"):
        first.save()
    with pytest.raises(ValueError, match="只能追加"):
        first.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomRating.objects.create(room=r, stars=5, reason="x")
    # returning an approved room takes its stars off (the history stays)
    services.review_room(actor=d.users["street_a.admin"], room=r, approve=False, note="复查发现冰箱损坏")
    r.refresh_from_db()
    assert r.stars is None and RoomRating.objects.filter(room=r).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.filter(pk=r.pk).update(stars=2)  # stars only on an approved room


def test_console_pages_are_scoped_and_members_see_rated_rooms(client, district):
    d = district
    ra = _room(d)
    rb = services.register_room(
        actor=ROOT, union=d.base_b1, **{**FIELDS, "enterprise_name": "杭州乙制造有限公司"}
    )
    for r in (ra, rb):
        services.review_room(actor=ROOT, room=r, approve=True)
    services.rate_room(actor=ROOT, room=ra, stars=3, reason="示范点")
    client.force_login(d.users["street_a.reviewer"])
    html = client.get("/console/care/rooms/").content.decode()
    assert "杭州甲科技有限公司" in html and "杭州乙制造有限公司" not in html
    assert client.get(f"/console/care/rooms/{rb.pk}/").status_code == 404
    assert (
        client.post(
            f"/console/care/rooms/{rb.pk}/review/", {"decision": "return", "note": "复查"}
        ).status_code
        == 404
    )
    assert (
        client.post(f"/console/care/rooms/{rb.pk}/rate/", {"stars": "1", "reason": "差"}).status_code == 404
    )
    assert client.get(f"/console/care/rooms/{rb.pk}/edit/").status_code == 404
    # in its own street a reviewer may review, but rating is the federation's
    r = client.post(f"/console/care/rooms/{ra.pk}/rate/", {"stars": "1", "reason": "差"})
    assert r.status_code == 403 and "星级由总工会评定" in r.content.decode()
    ra.refresh_from_db()
    assert ra.stars == 3
    client.force_login(d.users["fed.reviewer"])
    r = client.post(f"/console/care/rooms/{rb.pk}/rate/", {"stars": "2", "reason": "设施齐全"}, follow=True)
    html = r.content.decode()
    assert "已评定为 2 星" in html and "设施齐全" in html
    # members: rated rooms only, filtered by street
    from lianxin.care.testing import make_woman

    w = make_woman(d.base_a1, "哺乳期妈妈")
    client.force_login(w.user)
    html = client.get("/m/care/rooms/").content.decode()
    assert "杭州甲科技有限公司" in html and "杭州乙制造有限公司" in html and "★★★" in html
    html = client.get(f"/m/care/rooms/?street={d.street_b.pk}").content.decode()
    assert "杭州甲科技有限公司" not in html and "杭州乙制造有限公司" in html
    html = client.get("/m/care/rooms/?street=abc").content.decode()
    assert "杭州甲科技有限公司" in html
