"""工作台 待办 (关爱): a registered 爱心妈咪小屋 waits for its street's reviewers, an approved one without stars for
the federation's — counted for who may act at that desk only, gone once done, and listed by the linked page."""


import pytest

from lianxin.care import services
from lianxin.care import todos as care_todos
from lianxin.care.tests.test_rooms import FIELDS
from lianxin.core.testing import ROOT
from lianxin.core.testing import staff_page as page
from lianxin.core.testing import todo_items as card_items

pytestmark = pytest.mark.django_db
REVIEW, RATE = "待审核的爱心妈咪小屋", "待评定星级的爱心妈咪小屋"


def counts(user) -> dict[str, int]:
    return {t.label: t.count for t in care_todos.rooms(user)}


def url(label: str) -> str:
    return next(t.url for t in care_todos.rooms(None) if t.label == label)






def test_a_room_waits_for_its_street_then_for_the_federations_stars(district, client):
    d, u = district, district.users
    room = services.register_room(actor=u["base_a1.admin"], union=d.base_a1, **FIELDS)
    assert counts(u["street_a.reviewer"]) == {REVIEW: 1, RATE: 0}
    assert counts(u["street_a.admin"])[REVIEW] == 1
    for name in ("street_a.viewer", "street_a.auditor", "street_b.reviewer", "fed.reviewer", "base_a1.admin"):
        assert counts(u[name]) == {REVIEW: 0, RATE: 0}, name
    assert url(REVIEW) == "/console/care/rooms/?status=submitted"
    assert f"/console/care/rooms/{room.pk}/" in page(client, u["street_a.reviewer"], url(REVIEW))
    assert f"/console/care/rooms/{room.pk}/" not in page(client, u["street_b.reviewer"], url(REVIEW))
    client.force_login(u["street_a.reviewer"])
    assert card_items(client)[REVIEW] == "1"

    services.review_room(actor=u["street_a.reviewer"], room=room, approve=True)
    assert counts(u["street_a.reviewer"]) == {REVIEW: 0, RATE: 0}
    assert counts(u["fed.reviewer"]) == {REVIEW: 0, RATE: 1}
    for name in ("fed.viewer", "street_a.admin", "street_b.admin"):
        assert counts(u[name])[RATE] == 0, name
    assert f"/console/care/rooms/{room.pk}/" in page(client, u["fed.reviewer"], url(RATE))
    client.force_login(u["fed.reviewer"])
    assert card_items(client)[RATE] == "1"

    services.rate_room(actor=u["fed.reviewer"], room=room, stars=2, reason="设施齐全，开放时间长")
    assert counts(u["fed.reviewer"])[RATE] == 0
    html = page(client, u["fed.reviewer"], url(RATE))
    assert f"/console/care/rooms/{room.pk}/" not in html and "仅显示尚未评定星级的小屋" in html
    # without the filter the rated room is still listed with the approved ones
    assert f"/console/care/rooms/{room.pk}/" in page(
        client, u["fed.reviewer"], "/console/care/rooms/?status=approved"
    )


def test_a_returned_room_waits_for_no_one_until_it_is_corrected(district):
    d, u = district, district.users
    room = services.register_room(actor=ROOT, union=d.base_a1, **FIELDS)
    services.review_room(actor=ROOT, room=room, approve=False, note="请补充私密隔断")
    assert counts(u["street_a.reviewer"])[REVIEW] == 0
    services.update_room(
        actor=u["base_a1.admin"], room=room, **{**FIELDS, "facilities": FIELDS["facilities"] + ["screen"]}
    )
    assert counts(u["street_a.reviewer"])[REVIEW] == 1


def test_each_item_is_one_count_query(district, django_assert_max_num_queries):
    u = district.users["street_a.reviewer"]
    with django_assert_max_num_queries(3):  # the grants once, then one count per item
        list(care_todos.rooms(u))
