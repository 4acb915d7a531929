"""工作台 待办 of 帮扶救助: 送温暖 names for the organiser's administrators, 平安返乡 applications for the union staff
who confirm them — zero for viewers and the other street, gone once decided, listed on the linked page."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.assistance import services, todos
from lianxin.assistance import services_homeward as homeward
from lianxin.core.testing import ROOT, staff_page
from lianxin.core.testing import todo_counts as counts
from lianxin.workflow.tests.helpers import member_user

from .helpers import campaign, fund, member

pytestmark = pytest.mark.django_db




def url(fn, user) -> str:
    return next(iter(fn(user))).url


def test_proposed_names_wait_for_the_organisers_administrators(district, client):
    d = district
    c = campaign(d, org=d.street_a)
    r = services.propose_recipient(actor=d.users["base_a1.admin"], campaign=c, person=member(d.base_a1, "赵一"),
                                   category="hardship", reason="因病致困")
    admin = d.users["street_a.admin"]
    assert counts(todos.warmth_recipients, admin) == {"待审核的送温暖名单": 1}
    # the proposing union, a viewer or reviewer of the organiser, the other street, the federation: not their desk
    for name in ("base_a1.admin", "street_a.viewer", "street_a.reviewer", "street_b.admin", "fed.admin"):
        assert counts(todos.warmth_recipients, d.users[name])["待审核的送温暖名单"] == 0, name
    link = url(todos.warmth_recipients, admin)
    assert link == f"/console/assistance/campaigns/{c.pk}/?status=proposed"
    assert "赵一" in staff_page(client, admin, link)
    services.decide_recipients(actor=admin, campaign=c, ids=[r.pk], approve=True)
    assert counts(todos.warmth_recipients, admin)["待审核的送温暖名单"] == 0


def test_names_in_two_campaigns_link_to_the_campaign_list(district, client):
    d = district
    c1 = campaign(d)
    c2 = services.create_campaign(actor=ROOT, org=d.fed, name="2027 年夏季送清凉", standard="200", maximum="500",
                                  budget="2000", deadline=timezone.localdate() + dt.timedelta(days=5))
    for c, name in ((c1, "钱二"), (c2, "孙三")):
        services.propose_recipient(actor=d.users["street_a.admin"], campaign=c, person=member(d.base_a1, name),
                                   category="other", reason="一线慰问")
    admin = d.users["fed.admin"]
    assert counts(todos.warmth_recipients, admin)["待审核的送温暖名单"] == 2
    client.force_login(admin)
    html = client.get(url(todos.warmth_recipients, admin)).content.decode()
    assert c1.name in html and c2.name in html


def test_homeward_applications_wait_for_the_unions_administrators(district, client):
    d = district
    f = fund(d.fed, "10000", purpose="warmth")
    p = homeward.create_programme(actor=ROOT, org=d.fed, year=timezone.localdate().year, name="2027 年春节平安返乡",
                                  apply_until=timezone.localdate() + dt.timedelta(days=10), subsidy="300", fund=f)
    worker = member_user(d, d.base_a1, username="w1", name="返乡职工")
    a = homeward.apply(actor=worker, programme=p, kind="subsidy", hometown="河南信阳固始")
    for name in ("base_a1.admin", "street_a.admin", "fed.admin"):
        assert counts(todos.homeward_applications, d.users[name]) == {"待确认的平安返乡报名": 1}, name
    for name in ("base_a1.viewer", "base_a1.reviewer", "street_a.viewer", "street_b.admin"):
        assert counts(todos.homeward_applications, d.users[name])["待确认的平安返乡报名"] == 0, name
    admin = d.users["base_a1.admin"]
    link = url(todos.homeward_applications, admin)
    assert link == f"/console/assistance/homeward/{p.pk}/?status=applied"
    assert "返乡职工" in staff_page(client, admin, link)
    homeward.decide(actor=admin, programme=p, ids=[a.pk], confirm=True)
    assert counts(todos.homeward_applications, d.users["street_a.admin"])["待确认的平安返乡报名"] == 0
