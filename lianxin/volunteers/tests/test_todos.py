"""工作台 待办 (志愿服务): a registration 待审核 for the reviewers of the volunteer's union and above, an ended
project with attendance unconfirmed for the organiser's administrators — counted for who may act, gone once done,
and listed by the linked page."""


import pytest

from lianxin.core.testing import ROOT
from lianxin.core.testing import staff_page as page
from lianxin.core.testing import todo_items as card_items
from lianxin.volunteers import services
from lianxin.volunteers import todos as vol_todos
from lianxin.volunteers.testing import end_project, make_project, make_volunteer

pytestmark = pytest.mark.django_db
PENDING, UNCONFIRMED = "待审核的志愿者", "待确认参加情况的项目"


def counts(user) -> dict[str, int]:
    return {t.label: t.count for t in vol_todos.volunteers(user)}


def test_a_registration_waits_for_review(district, client):
    d, u = district, district.users
    v = make_volunteer(d.base_a1, "林志愿", approve=False).volunteer
    for name in ("base_a1.reviewer", "street_a.reviewer", "street_a.admin", "fed.reviewer"):
        assert counts(u[name])[PENDING] == 1, name
    for name in ("street_a.viewer", "base_a1.viewer", "street_a.auditor", "street_b.reviewer"):
        assert counts(u[name])[PENDING] == 0, name
    url = next(t.url for t in vol_todos.volunteers(u["street_a.reviewer"]) if t.label == PENDING)
    assert url == "/console/volunteers/volunteers/?status=pending"
    assert f"/console/volunteers/volunteers/{v.pk}/" in page(client, u["street_a.reviewer"], url)
    assert f"/console/volunteers/volunteers/{v.pk}/" not in page(client, u["street_b.reviewer"], url)
    client.force_login(u["street_a.reviewer"])
    assert card_items(client)[PENDING] == "1"
    services.decide_volunteer(actor=u["street_a.reviewer"], volunteer=v, approve=True)
    assert counts(u["street_a.reviewer"])[PENDING] == 0
    assert f"/console/volunteers/volunteers/{v.pk}/" not in page(client, u["street_a.reviewer"], url)


def test_an_ended_project_waits_for_its_attendance(district, client):
    d, u = district, district.users
    m = make_volunteer(d.base_a1, "陈志愿")
    p = make_project(d.street_a, title="社区义诊进楼道")
    other = make_project(d.street_a, title="还没开始的项目")
    s = services.sign_up(actor=m.user, project_id=p.pk)
    services.sign_up(actor=m.user, project_id=other.pk)
    assert counts(u["street_a.admin"])[UNCONFIRMED] == 0  # not ended yet
    end_project(p)
    assert counts(u["street_a.admin"])[UNCONFIRMED] == 1
    assert counts(u["fed.admin"])[UNCONFIRMED] == 1
    for name in ("street_a.reviewer", "street_a.viewer", "street_b.admin", "base_a1.admin"):
        assert counts(u[name])[UNCONFIRMED] == 0, name
    url = next(t.url for t in vol_todos.volunteers(u["street_a.admin"]) if t.label == UNCONFIRMED)
    html = page(client, u["street_a.admin"], url)
    assert f"/console/volunteers/{p.pk}/" in html and f"/console/volunteers/{other.pk}/" not in html
    assert f"/console/volunteers/{p.pk}/" not in page(client, u["street_b.admin"], url)
    client.force_login(u["street_a.admin"])
    assert card_items(client)[UNCONFIRMED] == "1"
    services.confirm_attendance(actor=u["street_a.admin"], signup=s, attended=True)
    assert counts(u["street_a.admin"])[UNCONFIRMED] == 0
    assert f"/console/volunteers/{p.pk}/" not in page(client, u["street_a.admin"], url)
    # the ended filter still lists it
    assert f"/console/volunteers/{p.pk}/" in page(
        client, u["street_a.admin"], "/console/volunteers/?status=ended"
    )


def test_each_item_is_one_count_query(district, django_assert_max_num_queries):
    make_volunteer(district.base_a1, actor=ROOT, approve=False)
    user = district.users["street_a.admin"]
    with django_assert_max_num_queries(3):  # the grants once, then one count per item
        list(vol_todos.volunteers(user))
