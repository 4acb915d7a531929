"""PostgreSQL races (threads, each with its own connection, released at one barrier): the database alone keeps a
campaign's places and each union's share, the one live sign-up per woman, a class's places and the one enrolment
per child."""

import pytest

from lianxin.care import services
from lianxin.care.models import Campaign, CampaignShare, CampaignSignup, CareClass, Enrolment
from lianxin.care.testing import child_id, make_campaign, make_class, make_woman
from lianxin.core.testing import ROOT, race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.pgonly]


def test_more_women_than_places_at_once(district):
    """3 places, 8 women at the same instant: exactly three sign-ups, the counter at zero."""
    d = district
    c = make_campaign(d.fed, places=3)
    ws = [make_woman(d.base_a1 if i % 2 else d.base_b1, f"女工{i}") for i in range(8)]
    results = race([lambda w=w: services.sign_up(actor=w.user, campaign_id=c.pk) for w in ws], ok_label="ok")
    assert sorted(results) == ["full"] * 5 + ["ok"] * 3
    c.refresh_from_db()
    assert c.remaining == 0 and CampaignSignup.objects.filter(campaign=c, status="signed").count() == 3


def test_shares_hold_under_simultaneous_sign_ups(district):
    """10 places, street A's share 2 and street B's 5: 6 women of A and 6 of B at once — exactly 2 of A and 5 of
    B get a place, the campaign counter and each share agree with the rows."""
    d = district
    c = make_campaign(d.fed, places=10)
    services.set_share(actor=ROOT, campaign=c, union=d.street_a, places=2)
    services.set_share(actor=ROOT, campaign=c, union=d.street_b, places=5)
    a = [make_woman(d.base_a1, f"甲{i}") for i in range(6)]
    b = [make_woman(d.base_b1, f"乙{i}") for i in range(6)]
    calls = [lambda w=w: services.sign_up(actor=w.user, campaign_id=c.pk) for w in a + b]
    results = race(calls, ok_label="ok")
    assert sorted(results) == ["ok"] * 7 + ["share_full"] * 5
    c.refresh_from_db()
    live = CampaignSignup.objects.filter(campaign=c, status="signed")
    assert c.remaining == 3 and live.count() == 7
    assert live.filter(union=d.base_a1).count() == 2 and live.filter(union=d.base_b1).count() == 5
    assert dict(CampaignShare.objects.filter(campaign=c).values_list("union_id", "taken")) == {
        d.street_a.pk: 2,
        d.street_b.pk: 5,
    }


def test_a_double_tap_signs_up_once(district):
    d = district
    c = make_campaign(d.street_a, places=5)
    w = make_woman(d.base_a1, "连点")
    results = race([lambda: services.sign_up(actor=w.user, campaign_id=c.pk)] * 3, ok_label="ok")
    assert sorted(results) == ["duplicate", "duplicate", "ok"]
    c.refresh_from_db()
    assert c.remaining == 4 and CampaignSignup.objects.filter(campaign=c).count() == 1


def test_withdrawals_racing_sign_ups_with_a_share(district):
    """Share 2 of 3 places, both taken; the two withdraw while four others of the union sign up: the share and the
    counter never overfill and agree with the rows."""
    d = district
    c = make_campaign(d.fed, places=3)
    services.set_share(actor=ROOT, campaign=c, union=d.street_a, places=2)
    early = [make_woman(d.base_a1, f"早{i}") for i in range(2)]
    for w in early:
        services.sign_up(actor=w.user, campaign_id=c.pk)
    late = [make_woman(d.base_a1, f"晚{i}") for i in range(4)]
    calls = [lambda w=w: services.withdraw(actor=w.user, campaign_id=c.pk) for w in early]
    calls += [lambda w=w: services.sign_up(actor=w.user, campaign_id=c.pk) for w in late]
    results = race(calls, ok_label="ok")
    c.refresh_from_db()
    live = CampaignSignup.objects.filter(campaign=c, status="signed").count()
    share = CampaignShare.objects.get(campaign=c)
    assert live <= 2 and share.taken == live and c.remaining == 3 - live
    assert results.count("ok") - 2 == live and set(results) <= {"ok", "share_full"}


def test_class_places_under_simultaneous_enrolments(district):
    d = district
    k = make_class(d.street_a, places=2)
    gs = [make_woman(d.base_a1, f"家长{i}") for i in range(6)]
    calls = [
        lambda g=g, i=i: services.enrol_child(
            actor=g.user,
            class_id=k.pk,
            child_name=f"孩子{i}",
            child_id=child_id(8, 20 + i, on=k.starts_on),
            guardian_mobile="13957100001",
        )
        for i, g in enumerate(gs)
    ]
    results = race(calls, ok_label="ok")
    assert sorted(results) == ["full"] * 4 + ["ok"] * 2
    k.refresh_from_db()
    assert k.remaining == 0 and Enrolment.objects.filter(care_class=k, status="enrolled").count() == 2


def test_the_same_child_enrolled_twice_at_once(district):
    """Both parents (and a double tap) enrol the same child at the same instant: one place taken."""
    d = district
    k = make_class(d.street_a, places=5)
    mum, dad = make_woman(d.base_a1, "妈妈"), make_woman(d.base_a1, "爸爸", gender="M")
    number = child_id(9, 40, on=k.starts_on)
    calls = [
        lambda g=g: services.enrol_child(
            actor=g.user, class_id=k.pk, child_name="小明", child_id=number, guardian_mobile="13957100001"
        )
        for g in (mum, dad, mum, dad)
    ]
    results = race(calls, ok_label="ok")
    assert sorted(results) == ["duplicate"] * 3 + ["ok"]
    k.refresh_from_db()
    assert k.remaining == 4 and Enrolment.objects.filter(care_class=k).count() == 1
    assert Campaign.objects.count() == 0 and CareClass.objects.count() == 1


def test_lowering_campaign_places_while_women_sign_up(district):
    """Edits lowering 8 places to 4, 3 and 2 while six women sign up at once: the campaign row lock makes each
    edit count what is taken — taken never above places, remaining never negative."""
    d = district
    c = make_campaign(d.fed, places=8)
    ws = [make_woman(d.base_a1 if i % 2 else d.base_b1, f"改{i}") for i in range(6)]
    edit = {f: getattr(c, f) for f in services.CAMPAIGN_EDITABLE}
    calls = [lambda w=w: services.sign_up(actor=w.user, campaign_id=c.pk) for w in ws]
    calls += [
        lambda n=n: services.update_campaign(actor=ROOT, campaign=c, **{**edit, "places": n})
        for n in (4, 3, 2)
    ]
    results = race(calls, ok_label="ok")
    assert set(results) <= {"ok", "full", "below_taken"}
    c.refresh_from_db()
    live = CampaignSignup.objects.filter(campaign=c, status="signed").count()
    assert 0 <= c.remaining == c.places - live and live <= c.places


def test_lowering_class_places_while_children_enrol(district):
    d = district
    k = make_class(d.street_a, places=6)
    gs = [make_woman(d.base_a1, f"改家长{i}") for i in range(5)]
    edit = {f: getattr(k, f) for f in services.CLASS_EDITABLE}
    calls = [
        lambda g=g, i=i: services.enrol_child(
            actor=g.user,
            class_id=k.pk,
            child_name=f"改孩子{i}",
            child_id=child_id(8, 60 + i, on=k.starts_on),
            guardian_mobile="13957100001",
        )
        for i, g in enumerate(gs)
    ]
    calls += [
        lambda n=n: services.update_class(actor=ROOT, care_class=k, **{**edit, "places": n}) for n in (3, 2)
    ]
    results = race(calls, ok_label="ok")
    assert set(results) <= {"ok", "full", "below_taken"}
    k.refresh_from_db()
    live = Enrolment.objects.filter(care_class=k, status="enrolled").count()
    assert 0 <= k.remaining == k.places - live and live <= k.places
