"""修改关爱行动 / 修改托管班 (both databases): a successful edit recomputes the remaining places and tells those
signed up of new times or place once (a double submit tells nobody twice), every refusal with its Chinese message
at its field, scope (street B's admin 404, street A's viewer 403), the audit's before → after, and the forms."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.care import services
from lianxin.care.testing import child_id, make_campaign, make_class, make_woman, start_campaign, start_class
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.core.testing import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def _data(obj, fields, **kw):
    data = {f: getattr(obj, f) for f in fields}
    data.update(kw)
    return data


def _refused(fn, **kw):
    with pytest.raises(ServiceError) as e:
        fn(**kw)
    return e.value


# ---------------------------------------------------------------- campaigns


@pytest.fixture
def campaign(district):
    d = district
    c = make_campaign(d.street_a, places=5)
    for i in range(2):
        services.sign_up(actor=make_woman(d.base_a1, f"女工{i}").user, campaign_id=c.pk)
    c.refresh_from_db()
    return d, c


def _edit_c(c, actor=ROOT, **kw):
    return services.update_campaign(actor=actor, campaign=c, **_data(c, services.CAMPAIGN_EDITABLE, **kw))


def test_campaign_edit_and_one_message_each(campaign):
    d, c = campaign
    later = c.starts_at + dt.timedelta(days=2)
    new = dict(places="3", place="区人民医院体检中心", starts_at=later, ends_at=later + dt.timedelta(hours=6))
    _edit_c(c, actor=d.users["street_a.admin"], **new)
    c.refresh_from_db()
    assert (c.places, c.remaining, c.place, c.starts_at) == (3, 1, "区人民医院体检中心", later)
    notes = Notification.objects.filter(template="care_campaign_change")
    assert notes.count() == 2 and "区人民医院体检中心" in notes.first().body
    a = AuditEntry.objects.get(action="care.campaign_update")
    assert a.detail["places"] == "5 → 3" and a.detail["place"] == "区妇幼保健院 → 区人民医院体检中心"
    _edit_c(c, actor=d.users["street_a.admin"], **new)  # a double submit: no change, nobody told twice
    assert notes.count() == 2 and AuditEntry.objects.filter(action="care.campaign_update").count() == 1


def test_campaign_refusals(campaign):
    d, c = campaign
    now = timezone.now()
    e = _refused(_edit_c, c=c, places="1")
    assert (e.field, e.message) == ("places", "已报名 2 人，名额不能少于已报名人数")
    e = _refused(_edit_c, c=c, min_age="30")
    assert (e.field, e.message) == ("min_age", "已有 2 人报名，不能再调整年龄范围")
    e = _refused(_edit_c, c=c, signup_deadline=now - dt.timedelta(hours=1))
    assert (e.field, e.message) == ("signup_deadline", "报名截止应在现在到开始时间之间")
    e = _refused(_edit_c, c=c, ends_at=c.starts_at + dt.timedelta(days=61))
    assert (e.field, e.message) == ("ends_at", "一次关爱行动最长 60 天")
    e = _refused(_edit_c, c=c, title="筛")
    assert e.field == "title"
    c.refresh_from_db()
    assert (c.places, c.remaining) == (5, 3)


def test_campaign_shares_cancelled_started_and_ended(district):
    d = district
    c = make_campaign(d.fed, places=10)
    services.set_share(actor=ROOT, campaign=c, union=d.street_a, places=4)
    services.set_share(actor=ROOT, campaign=c, union=d.street_b, places=4)
    e = _refused(_edit_c, c=c, places="7")
    assert (e.field, e.message) == ("places", "已给下级工会分配 8 个名额，名额不能少于分配总数")
    _edit_c(c, places="8", min_age="25")
    c.refresh_from_db()
    assert (c.places, c.remaining, c.min_age) == (8, 8, 25)
    start_campaign(c)
    e = _refused(_edit_c, c=c, ends_at=c.ends_at + dt.timedelta(hours=1))
    assert (e.field, e.message) == ("starts_at", "活动已开始，不能再调整时间")
    _edit_c(c, place="区妇幼保健院二楼")  # the place can still be corrected on the day
    start_campaign(c, ago=dt.timedelta(days=1))
    assert _refused(_edit_c, c=c, place="别处").message == "活动已结束，不能再修改"
    k = make_campaign(d.fed)
    services.cancel_campaign(actor=ROOT, campaign=k, reason="场地维修")
    k.refresh_from_db()
    assert _refused(_edit_c, c=k, place="别处").message == "活动已取消，不能再修改"


# ---------------------------------------------------------------- summer classes


@pytest.fixture
def klass(district):
    d = district
    k = make_class(d.street_a, places=5)
    for i in range(2):
        g = make_woman(d.base_a1, f"家长{i}")
        services.enrol_child(
            actor=g.user,
            class_id=k.pk,
            child_name=f"孩子{i}",
            child_id=child_id(8, 40 + i, on=k.starts_on),
            guardian_mobile="13957100001",
        )
    k.refresh_from_db()
    return d, k


def _edit_k(k, actor=ROOT, **kw):
    return services.update_class(actor=actor, care_class=k, **_data(k, services.CLASS_EDITABLE, **kw))


def test_class_edit_and_one_message_each(klass):
    d, k = klass
    new = dict(places="2", place="白杨街道职工之家二楼", ends_on=k.ends_on + dt.timedelta(days=3))
    _edit_k(k, actor=d.users["street_a.admin"], **new)
    k.refresh_from_db()
    assert (k.places, k.remaining, k.place) == (2, 0, "白杨街道职工之家二楼")
    notes = Notification.objects.filter(template="care_class_change")
    assert notes.count() == 2 and "白杨街道职工之家二楼" in notes.first().body
    a = AuditEntry.objects.get(action="care.class_update")
    assert a.detail["places"] == "5 → 2" and a.detail["ends_on"].endswith(f"→ {k.ends_on}")
    _edit_k(k, actor=d.users["street_a.admin"], **new)
    assert notes.count() == 2 and AuditEntry.objects.filter(action="care.class_update").count() == 1


def test_class_refusals(klass):
    d, k = klass
    today = timezone.localdate()
    e = _refused(_edit_k, k=k, places="1")
    assert (e.field, e.message) == ("places", "已报名 2 人，名额不能少于已报名人数")
    e = _refused(_edit_k, k=k, max_age="10")
    assert (e.field, e.message) == ("min_age", "已有 2 人报名，不能再调整年龄范围")
    e = _refused(_edit_k, k=k, signup_deadline=timezone.now() - dt.timedelta(hours=1))
    assert (e.field, e.message) == ("signup_deadline", "报名截止应晚于现在、早于开班日期")
    e = _refused(_edit_k, k=k, starts_on=today)
    assert (e.field, e.message) == ("starts_on", "开班日期应晚于今天")
    e = _refused(_edit_k, k=k, places="3000")
    assert e.field == "places"
    start_class(k)
    e = _refused(_edit_k, k=k, ends_on=k.ends_on + dt.timedelta(days=1))
    assert (e.field, e.message) == ("starts_on", "托管班已开班，不能再调整日期")
    from lianxin.care.models import CareClass

    CareClass.objects.filter(pk=k.pk).update(
        ends_on=today - dt.timedelta(days=1), starts_on=today - dt.timedelta(days=5)
    )
    k.refresh_from_db()
    assert _refused(_edit_k, k=k, place="别处").message == "托管班已结束，不能再修改"
    c = make_class(d.street_a)
    services.cancel_class(actor=ROOT, care_class=c, reason="场地维修")
    c.refresh_from_db()
    assert _refused(_edit_k, k=c, place="别处").message == "托管班已取消，不能再修改"


# ---------------------------------------------------------------- scope and forms


def test_scope(campaign, client):
    d, c = campaign
    k = make_class(d.street_a)
    with pytest.raises(PermissionDenied):
        _edit_c(c, actor=d.users["street_b.admin"], places="9")
    with pytest.raises(PermissionDenied):
        _edit_k(k, actor=d.users["street_b.admin"], places="9")
    for url in (f"/console/care/{c.pk}/edit/", f"/console/care/classes/{k.pk}/edit/"):
        client.force_login(d.users["street_b.admin"])
        assert client.get(url).status_code == 404 and client.post(url, {"places": "9"}).status_code == 404
        client.force_login(d.users["street_a.viewer"])
        assert client.get(url).status_code == 403
    c.refresh_from_db()
    k.refresh_from_db()
    assert c.places == 5 and k.places == 5


def _post(obj, fields):
    out = {}
    for f in fields:
        v = getattr(obj, f)
        if isinstance(v, dt.datetime):
            v = f"{timezone.localtime(v):%Y-%m-%dT%H:%M}"
        elif isinstance(v, dt.date):
            v = v.isoformat()
        out[f] = v
    return out


def test_forms_prefilled_errors_and_save(campaign, client):
    d, c = campaign
    client.force_login(d.users["street_a.admin"])
    url = f"/console/care/{c.pk}/edit/"
    page = client.get(url).content.decode()
    assert c.title in page and f"{timezone.localtime(c.starts_at):%Y-%m-%dT%H:%M}" in page
    post = _post(c, services.CAMPAIGN_EDITABLE)
    r = client.post(url, {**post, "places": "1"})
    assert r.status_code == 400 and "名额不能少于已报名人数" in r.content.decode()
    assert client.post(url, {**post, "places": "9"}).status_code == 302
    c.refresh_from_db()
    assert (c.places, c.remaining) == (9, 7)
    assert "/edit/" in client.get(f"/console/care/{c.pk}/").content.decode()
    k = make_class(d.street_a)
    url = f"/console/care/classes/{k.pk}/edit/"
    assert k.title in client.get(url).content.decode()
    post = _post(k, services.CLASS_EDITABLE)
    r = client.post(url, {**post, "starts_on": timezone.localdate().isoformat()})
    assert r.status_code == 400 and "开班日期应晚于今天" in r.content.decode()
    assert client.post(url, {**post, "places": "12"}).status_code == 302
    k.refresh_from_db()
    assert (k.places, k.remaining) == (12, 12)
