"""修改培训班 (both databases): a successful edit recomputes the remaining places and tells the trainees of a
changed date or place once (a double submit notifies no one twice), every refusal with its Chinese message at its
field, 学时 / 课次 / 合格分 (the 课次 rows follow; never below the highest 课次 taken roll of; the pass mark fixed once
a score is recorded; nothing once certificates are issued), scope (street B's admin gets 404, street A's viewer 403), the audit's before → after, and the form."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.core.testing import ROOT
from lianxin.training import services
from lianxin.training.models import Session
from lianxin.training.testing import attend_all, end_class, make_class, make_member, start_class

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def _data(k, **kw):
    data = {f: getattr(k, f) for f in services.EDITABLE}
    data.update(kw)
    return data


@pytest.fixture
def world(district):
    d = district
    k = make_class(d.street_a, places=5)
    es = [
        services.enrol(actor=ROOT, klass=k, person=make_member(d.base_a1, f"班长{i}").person)
        for i in range(2)
    ]
    return d, k, es


def test_an_edit_changes_places_dates_and_tells_the_trainees_once(world):
    d, k, es = world
    today = timezone.localdate()
    new = _data(
        k,
        places="3",
        place="区职工服务中心五楼",
        starts_on=today + dt.timedelta(days=12),
        ends_on=today + dt.timedelta(days=14),
        title="2027 年第一期班组长培训班（调整）",
    )
    services.update_class(actor=d.users["street_a.admin"], klass=k, **new)
    k.refresh_from_db()
    assert (k.places, k.remaining, k.place, k.starts_on) == (
        3,
        1,
        "区职工服务中心五楼",
        today + dt.timedelta(days=12),
    )
    notes = Notification.objects.filter(template="training_class_change")
    assert notes.count() == 2 and "区职工服务中心五楼" in notes.first().body
    a = AuditEntry.objects.get(action="training.class_update")
    assert (
        a.detail["places"] == "5 → 3" and a.detail["place"] == "区职工服务中心三楼培训室 → 区职工服务中心五楼"
    )
    # the same submit again: nothing changed, nobody told twice, no second audit entry
    services.update_class(actor=d.users["street_a.admin"], klass=k, **new)
    assert notes.count() == 2 and AuditEntry.objects.filter(action="training.class_update").count() == 1
    # places only: no message
    services.update_class(actor=d.users["street_a.admin"], klass=k, **_data(k, places="10"))
    k.refresh_from_db()
    assert (k.places, k.remaining) == (10, 8) and notes.count() == 2


def _refused(k, actor=ROOT, **kw):
    with pytest.raises(ServiceError) as e:
        services.update_class(actor=actor, klass=k, **_data(k, **kw))
    return e.value


def test_refusals_name_the_field(world):
    d, k, es = world
    today = timezone.localdate()
    e = _refused(k, places="1")
    assert (e.field, e.message) == ("places", "已报名 2 人，名额不能少于已报名人数")
    services.set_quota(actor=ROOT, klass=k, union=d.base_a1, quota="4")
    e = _refused(k, places="3")
    assert e.field == "places" and "已分配 4 个名额" in e.message
    e = _refused(k, signup_deadline=today - dt.timedelta(days=1))
    assert (e.field, e.message) == ("signup_deadline", "报名截止日期应在今天到开班日期之间")
    e = _refused(k, ends_on=k.starts_on - dt.timedelta(days=1))
    assert (e.field, e.message) == ("ends_on", "结业日期不能早于开班日期")
    e = _refused(k, title="班")
    assert e.field == "title"
    e = _refused(k, places="abc")
    assert (e.field, e.message) == ("places", "名额应为整数")
    k.refresh_from_db()
    assert (k.places, k.remaining) == (5, 3)


def test_started_class_keeps_its_dates_and_an_ended_one_is_closed(world):
    d, k, es = world
    start_class(k)
    e = _refused(k, ends_on=k.ends_on + dt.timedelta(days=1))
    assert (e.field, e.message) == ("starts_on", "培训班已开班，不能再调整日期")
    # the deadline has passed, but the dates are untouched: the place can still be corrected
    services.update_class(actor=ROOT, klass=k, **_data(k, place="区职工服务中心礼堂"))
    k.refresh_from_db()
    assert k.place == "区职工服务中心礼堂"
    end_class(k)
    e = _refused(k, place="别处会议室")
    assert (e.code, e.message) == ("finished", "培训班已结业，不能再修改")


def test_scope(world, client):
    d, k, es = world
    with pytest.raises(PermissionDenied):
        services.update_class(actor=d.users["street_b.admin"], klass=k, **_data(k, places="9"))
    url = f"/console/training/{k.pk}/edit/"
    client.force_login(d.users["street_b.admin"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"places": "9"}).status_code == 404
    client.force_login(d.users["street_a.viewer"])
    assert client.get(url).status_code == 403
    k.refresh_from_db()
    assert k.places == 5


def test_the_form_is_prefilled_and_shows_errors(world, client):
    d, k, es = world
    client.force_login(d.users["street_a.admin"])
    url = f"/console/training/{k.pk}/edit/"
    r = client.get(url)
    assert r.status_code == 200 and k.title in r.content.decode() and 'value="5"' in r.content.decode()
    post = {f: (v.isoformat() if hasattr(v, "isoformat") else v) for f, v in _data(k).items()}
    r = client.post(url, {**post, "places": "1"})
    assert r.status_code == 400 and "名额不能少于已报名人数" in r.content.decode()
    r = client.post(url, {**post, "places": "8"})
    assert r.status_code == 302
    k.refresh_from_db()
    assert (k.places, k.remaining) == (8, 6)
    assert "修改培训班" in client.get(f"/console/training/{k.pk}/").content.decode()


def test_the_audit_log_shows_the_edit_in_chinese(world, client):
    d, k, es = world
    services.update_class(actor=d.users["street_a.admin"], klass=k, **_data(k, places="7"))
    client.force_login(d.users["street_a.admin"])
    page = client.get("/console/audit/").content.decode()
    assert "修改班组长培训班" in page and "5 → 7" in page


def test_hours_sessions_and_pass_mark_change_and_the_sessions_follow(world):
    d, k, es = world
    services.update_class(
        actor=d.users["street_a.admin"], klass=k, **_data(k, hours="32", sessions="7", pass_mark="70")
    )
    k.refresh_from_db()
    assert (k.hours, k.sessions, k.pass_mark) == (32, 7, 70)
    assert list(Session.objects.filter(klass=k).values_list("n", flat=True)) == list(range(1, 8))
    a = AuditEntry.objects.get(action="training.class_update")
    assert (a.detail["hours"], a.detail["sessions"], a.detail["pass_mark"]) == ("24 → 32", "5 → 7", "60 → 70")
    assert not Notification.objects.filter(template="training_class_change").exists()
    services.update_class(actor=ROOT, klass=k, **_data(k, sessions="3"))
    assert list(Session.objects.filter(klass=k).values_list("n", flat=True)) == [1, 2, 3]
    k.refresh_from_db()
    assert k.sessions == 3


def test_sessions_never_below_the_roll_called_and_the_pass_mark_fixed_once_scored(world):
    d, k, es = world
    start_class(k)
    services.record_attendance(actor=ROOT, klass=k, n=4, present_ids=[es[0].pk])
    e = _refused(k, sessions="3")
    assert (e.field, e.code, e.message) == ("sessions", "below_recorded", "第 4 课次已点名，课次不能少于 4")
    services.update_class(actor=ROOT, klass=k, **_data(k, sessions="4"))
    assert Session.objects.filter(klass=k).count() == 4
    for bad, field, message in (
        ({"hours": "0"}, "hours", "学时应为 1 至 1000"),
        ({"sessions": "101"}, "sessions", "课次应为 1 至 100"),
        ({"pass_mark": "百"}, "pass_mark", "考核合格分应为整数"),
        ({"hours": ""}, "hours", "请填写学时"),
    ):
        e = _refused(k, **bad)
        assert (e.field, e.message) == (field, message)
    end_class(k, ago=0)  # the last day: scores may be recorded and the class still edited
    services.record_scores(actor=ROOT, klass=k, scores={str(es[0].pk): "75"})
    e = _refused(k, pass_mark="80")
    assert (e.field, e.code, e.message) == ("pass_mark", "scored", "已登记考核成绩，合格分不能再修改")
    # hours and sessions still may change (a lesson added on the last day), the unchanged pass mark passes
    services.update_class(actor=ROOT, klass=k, **_data(k, hours="30", sessions="5"))
    k.refresh_from_db()
    assert (k.hours, k.sessions, k.pass_mark) == (30, 5, 60)


def test_hours_are_fixed_once_certificates_are_issued(world):
    d, k, es = world
    end_class(k, ago=0)
    attend_all(k, es)
    services.record_scores(actor=ROOT, klass=k, scores={str(e.pk): "90" for e in es})
    assert len(services.issue_certificates(actor=ROOT, klass=k)) == 2
    e = _refused(k, hours="40")
    assert (e.code, e.message) == ("finished", "培训班已结业，不能再修改")
    k.refresh_from_db()
    assert k.hours == 24
