"""更正会议记录: within 30 days of recording, the branch's administrator corrects a meeting's type, topic, place,
minutes and attendance (rows changed, added, removed to match that day's roster) with a reason; never its date;
checked as when recording; audited before → after; refused in Chinese otherwise, with nothing changed."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, race
from lianxin.party import services
from lianxin.party.models import Attendance, Meeting
from lianxin.party.testing import make_party_member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

MINUTES = "书记主持，传达上级会议精神，研究本月工作。"


@pytest.fixture
def meeting(party):
    d = party
    d.jia = make_party_member(d.branch_a, "党员甲")
    d.yi = make_party_member(d.branch_a, "党员乙")
    d.bing = make_party_member(d.branch_a, "党员丙")
    d.mt = services.record_meeting(
        actor=ROOT, branch=d.branch_a, kind="committee", held_on=timezone.localdate(), topic="研究支部工作",
        minutes=MINUTES, place="党员活动室",
        attendance={d.jia.pk: "present", d.yi.pk: "present", d.bing.pk: services.NOT_EXPECTED})
    return d


def _att(mt):
    return dict(Attendance.objects.filter(meeting=mt).values_list("member__person__name", "status"))


def _update(d, actor=None, **kw):
    args = dict(kind="committee", topic="研究支部工作", place="党员活动室", minutes=MINUTES,
                attendance={d.jia.pk: "present", d.yi.pk: "present", d.bing.pk: services.NOT_EXPECTED},
                reason="出席情况登记错误")
    args.update(kw)
    return services.update_meeting(actor=actor or d.users["street_a.admin"], meeting=d.mt, **args)


def test_correcting_fields_and_attendance(meeting):
    d = meeting
    _update(d, kind="group", topic="学习党章", place="", attendance={d.jia.pk: "leave", d.yi.pk: services.NOT_EXPECTED,
                                                                   d.bing.pk: "absent"})
    mt = Meeting.objects.get(pk=d.mt.pk)
    assert (mt.kind, mt.topic, mt.place, mt.held_on) == ("group", "学习党章", "", timezone.localdate())
    assert _att(mt) == {"党员甲": "leave", "党员丙": "absent"}
    e = AuditEntry.objects.get(action="party.meeting_update")
    assert e.detail["kind"] == "支委会 → 党小组会" and e.detail["topic"] == "研究支部工作 → 学习党章"
    assert e.detail["place"] == "党员活动室 → （空）" and "minutes" not in e.detail
    assert e.detail["attendance"] == ["党员丙：不在参会范围 → 缺席", "党员乙：出席 → 不在参会范围", "党员甲：出席 → 请假"]
    assert e.detail["reason"] == "出席情况登记错误"


@pytest.mark.parametrize(
    "change, field",
    [
        (dict(reason=""), "reason"),
        (dict(topic="学"), "topic"),
        (dict(minutes="太短"), "minutes"),
        (dict(kind="meeting"), "kind"),
    ],
)
def test_bad_fields_are_refused_with_nothing_changed(meeting, change, field):
    d = meeting
    with pytest.raises(ServiceError) as refused:
        _update(d, **({"topic": "新主题"} | change))
    assert refused.value.field == field
    assert Meeting.objects.get(pk=d.mt.pk).topic == "研究支部工作"


def test_attendance_rules_as_when_recording(meeting):
    d = meeting
    # a 支部党员大会 expects everyone: 不在参会范围 is not a status there
    with pytest.raises(ServiceError) as refused:
        _update(d, kind="congress")
    assert refused.value.field == "attendance" and "党员丙" in refused.value.message
    with pytest.raises(ServiceError) as refused:
        _update(d, attendance={d.jia.pk: services.NOT_EXPECTED, d.yi.pk: services.NOT_EXPECTED,
                               d.bing.pk: services.NOT_EXPECTED})
    assert refused.value.message == "至少应有一名应到党员"
    with pytest.raises(ServiceError) as refused:
        _update(d)
    assert refused.value.code == "unchanged"
    assert _att(d.mt) == {"党员甲": "present", "党员乙": "present"}
    assert not AuditEntry.objects.filter(action="party.meeting_update").exists()


def test_only_within_thirty_days_of_recording(meeting):
    d = meeting
    Meeting.objects.filter(pk=d.mt.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    with pytest.raises(ServiceError) as refused:
        _update(d, topic="学习党章")
    assert refused.value.code == "too_late" and "30 天" in refused.value.message
    Meeting.objects.filter(pk=d.mt.pk).update(created_at=timezone.now() - dt.timedelta(days=29))
    assert _update(d, topic="学习党章").topic == "学习党章"


def test_scope(meeting):
    d = meeting
    for user in ("street_b.admin", "street_a.viewer"):
        with pytest.raises(PermissionDenied):
            _update(d, actor=d.users[user], topic="学习党章")
    assert _update(d, actor=d.users["fed.admin"], topic="学习党章").topic == "学习党章"


def test_the_form(client, meeting):
    d = meeting
    url = f"/console/party/meetings/{d.mt.pk}/edit/"
    client.force_login(d.users["street_a.admin"])
    page = client.get(f"/console/party/meetings/{d.mt.pk}/").content.decode()
    assert f'href="{url}"' in page
    html = client.get(url).content.decode()
    assert "研究支部工作" in html and "更正原因" in html and 'name="held_on"' not in html
    post = {"kind": "committee", "topic": "研究支部工作", "place": "党员活动室", "minutes": MINUTES,
            f"att_{d.jia.pk}": "leave", f"att_{d.yi.pk}": "present", f"att_{d.bing.pk}": "na", "reason": ""}
    resp = client.post(url, post)
    assert resp.status_code == 400 and "请填写更正原因" in resp.content.decode()
    resp = client.post(url, post | {"reason": "甲实为请假"})
    assert resp.status_code == 302 and resp["Location"] == f"/console/party/meetings/{d.mt.pk}/"
    assert _att(d.mt)["党员甲"] == "leave"
    log = client.get("/console/audit/?q=").content.decode()
    assert "更正三会一课记录" in log and "党员甲：出席 → 请假" in log
    # past the window the page offers no correction and the form refuses in Chinese
    Meeting.objects.filter(pk=d.mt.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    assert f'href="{url}"' not in client.get(f"/console/party/meetings/{d.mt.pk}/").content.decode()
    resp = client.post(url, post | {"reason": "再改一次", f"att_{d.jia.pk}": "absent"})
    assert resp.status_code == 400 and "超过 30 天" in resp.content.decode()
    # another street's administrator: not found; a viewer of the street: forbidden
    client.force_login(d.users["street_b.admin"])
    assert client.get(url).status_code == 404
    client.force_login(d.users["street_a.viewer"])
    assert client.get(url).status_code == 403


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_two_identical_corrections_at_once(meeting):
    """Both add 党员丙's row: the meeting's row lock makes the second see the first's, so one row and one audit —
    the second is told there is nothing left to correct."""
    d = meeting
    att = {d.jia.pk: "present", d.yi.pk: "present", d.bing.pk: "present"}
    results = race([lambda: _update(d, attendance=att), lambda: _update(d, attendance=att)], ok_label="ok")
    assert sorted(results) == ["ok", "unchanged"]
    assert _att(d.mt) == {"党员甲": "present", "党员乙": "present", "党员丙": "present"}
    assert AuditEntry.objects.filter(action="party.meeting_update").count() == 1
